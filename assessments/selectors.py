"""Every read of assessment data a page needs, scoped through the organisation's `Access`."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from assessments import scoring
from assessments.models import (
    AgreedAnswer,
    Answer,
    Assessment,
    Comparison,
    DimensionComparison,
    EvidenceFile,
    EvidenceLink,
    Participation,
    Score,
)
from frameworks import structure
from frameworks.fileformat import TECHNOLOGY_AHEAD_OF_DATA, flags_from_json
from frameworks.layers import LayerAxis
from frameworks.models import Dimension, Question, ScaleLevel
from frameworks.selectors import framework_version_layer_axis
from organisations.models import Membership, Role
from organisations.permissions import Permission
from organisations.selectors import Access


def organisation_assessments(*, access: Access) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(organisation=access.organisation)
        .select_related("framework_version__framework")
        .order_by("-created_at")
    )


def organisation_assessment(*, access: Access, pk: int, light: bool = False) -> Assessment:
    """The organisation's assessment; `light` skips the joins a page needs but autosave not
    (it keeps the version: frameworks.structure reads a frozen one from memory)."""
    assessments = Assessment.objects.select_related("framework_version")
    if not light:
        assessments = assessments.select_related(
            "framework_version__framework", "organisation", "submitted_by"
        )
    try:
        return assessments.get(organisation=access.organisation, pk=pk)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment") from None


def assessment_question(*, assessment: Assessment, pk: int) -> Question:
    question = next((q for q in assessment_questions(assessment=assessment) if q.pk == pk), None)
    if question is None:
        raise Http404("No such question")
    return question


def assessment_dimension(*, assessment: Assessment, pk: int) -> Dimension:
    try:
        return Dimension.objects.get(pk=pk, framework_version_id=assessment.framework_version_id)
    except Dimension.DoesNotExist:
        raise Http404("No such dimension") from None


def next_dimension(*, assessment: Assessment, dimension: Dimension) -> Dimension | None:
    """The dimension after this one, in the framework's order; None after the last."""
    return (
        Dimension.objects.filter(framework_version_id=assessment.framework_version_id)
        .filter(
            models.Q(position__gt=dimension.position)
            | models.Q(position=dimension.position, pk__gt=dimension.pk)
        )
        .order_by("position", "id")
        .first()
    )


def assessment_questions(*, assessment: Assessment) -> list[Question]:
    """Every question in order, with its dimension loaded."""
    return structure.questions(assessment.framework_version)


def scale_levels(*, assessment: Assessment) -> list[ScaleLevel]:
    return structure.scale_levels(assessment.framework_version)


@dataclass
class TaskRow:
    dimension: Dimension
    questions: list
    mine: int = 0
    agreed: int = 0
    first_unanswered_mine: Question | None = None
    first_unanswered_agreed: Question | None = None
    # (question, why) for agreed answers carried over from a question that changed since
    to_check: list = field(default_factory=list)

    @staticmethod
    def status(done: int, total: int) -> str:
        if done == 0:
            return "Not started"
        return "Completed" if done == total else "In progress"

    @property
    def mine_status(self) -> str:
        return self.status(self.mine, len(self.questions))

    @property
    def agreed_status(self) -> str:
        return self.status(self.agreed, len(self.questions))


def assessment_task_list(*, assessment: Assessment, user) -> list[TaskRow]:
    questions = assessment_questions(assessment=assessment)
    mine = set(
        Answer.objects.filter(assessment=assessment, respondent=user)
        .exclude(state="")
        .values_list("question_id", flat=True)
    )
    agreed = dict(
        AgreedAnswer.objects.filter(assessment=assessment)
        .exclude(state="")
        .values_list("question_id", "review")
    )
    rows: dict[int, TaskRow] = {}
    for q in questions:
        row = rows.setdefault(q.dimension_id, TaskRow(dimension=q.dimension, questions=[]))
        row.questions.append(q)
        if q.pk in mine:
            row.mine += 1
        elif row.first_unanswered_mine is None:
            row.first_unanswered_mine = q
        if q.pk in agreed:
            row.agreed += 1
            if agreed[q.pk]:
                row.to_check.append((q, AgreedAnswer.Review(agreed[q.pk]).label))
        elif row.first_unanswered_agreed is None:
            row.first_unanswered_agreed = q
    return list(rows.values())


def own_answer(*, assessment: Assessment, question: Question, user) -> Answer | None:
    return Answer.objects.filter(assessment=assessment, question=question, respondent=user).first()


def agreed_answer(*, assessment: Assessment, question: Question) -> AgreedAnswer | None:
    return AgreedAnswer.objects.filter(assessment=assessment, question=question).first()


def respondents_answers(*, access: Access, assessment: Assessment, questions) -> dict:
    """Every respondent's answer to the given questions, by question id: for those who may see
    everyone's answers (a lead agreeing them); anyone else is refused."""
    access.require(Permission.VIEW_ALL_ANSWERS)
    by_question: dict[int, list[Answer]] = {q.pk: [] for q in questions}
    for answer in (
        Answer.objects.filter(assessment=assessment, question__in=list(by_question))
        .exclude(state="")
        .select_related("respondent")
        .order_by("respondent__full_name", "respondent__email")
    ):
        by_question[answer.question_id].append(answer)
    return by_question


@dataclass
class Suggestion:
    """What a lead agreeing one question is offered: the middle of the levels people gave,
    rounded down, and whether "accept the suggested answers" would agree it for them."""

    question: Question
    answered: int  # people who gave any answer
    levels: list[int]  # the levels given
    not_applicable: int
    level: int | None  # the suggested level; None when nobody gave one
    agreed: AgreedAnswer | None  # the agreed answer so far, if there is a row

    @property
    def spread(self) -> int | None:
        return scoring.spread(self.levels)

    @property
    def disagreement(self) -> bool:
        return scoring.is_disagreement(self.levels, not_applicable=self.not_applicable)

    @property
    def disagreement_text(self) -> str:
        if not self.disagreement:
            return ""
        if self.spread >= 2:
            return f"Answers differ by {self.spread} levels"
        said = "person said" if self.not_applicable == 1 else "people said"
        return f"{self.not_applicable} {said} not applicable and {len(self.levels)} gave a level"

    @property
    def is_agreed(self) -> bool:
        return self.agreed is not None and bool(self.agreed.state)

    @property
    def acceptable(self) -> bool:
        """Accepting suggestions agrees only what needs no judgement: never an answer agreed
        already (carried over ones too), and never one people disagree on."""
        return self.level is not None and not self.disagreement and not self.is_agreed


def suggestions_from(
    *, questions, answers: dict[int, list[Answer]], agreed: dict[int, AgreedAnswer], scale_values
) -> list[Suggestion]:
    """Suggestions from answers already read (`respondents_answers`, by question id)."""
    rows = []
    for q in questions:
        given = answers.get(q.pk, [])
        levels = [a.level for a in given if a.scored_level is not None]
        rows.append(
            Suggestion(
                question=q,
                answered=len(given),
                levels=levels,
                not_applicable=sum(a.state == Answer.State.NOT_APPLICABLE for a in given),
                level=scoring.agreed_level_from_responses(levels, scale_values),
                agreed=agreed.get(q.pk),
            )
        )
    return rows


def dimension_suggestions(*, assessment: Assessment, dimension: Dimension, scale_values):
    """Each of the dimension's questions with its suggestion (3 queries). Only counts and the
    suggested level, nobody's own answer; the accepting service reads it under its lock."""
    questions = list(Question.objects.filter(dimension=dimension).order_by("position", "id"))
    answers: dict[int, list[Answer]] = {}
    for answer in Answer.objects.filter(assessment=assessment, question__in=questions).exclude(
        state=""
    ):
        answers.setdefault(answer.question_id, []).append(answer)
    agreed = {
        a.question_id: a
        for a in AgreedAnswer.objects.filter(assessment=assessment, question__in=questions)
    }
    return suggestions_from(
        questions=questions, answers=answers, agreed=agreed, scale_values=scale_values
    )


def respondents_not_started(*, assessment: Assessment) -> tuple[int, int]:
    """(how many respondents have not answered any question, how many respondents there are),
    for the lead's check page."""
    counts = Membership.objects.filter(
        organisation_id=assessment.organisation_id, role=Role.RESPONDENT
    ).aggregate(
        total=models.Count("pk"),
        not_started=models.Count(
            "pk",
            filter=~models.Exists(
                Answer.objects.filter(
                    assessment=assessment, respondent=models.OuterRef("user_id")
                ).exclude(state="")
            ),
        ),
    )
    return counts["not_started"], counts["total"]


def visible_answers(*, access: Access, user, assessment: Assessment) -> QuerySet[Answer] | None:
    """The individual answers this person may see: everyone's (`view_all_answers`), their own
    (`answer`), or none at all (None: viewers and consultants see only the agreed answers)."""
    answers = Answer.objects.filter(assessment=assessment).exclude(state="")
    if access.can(Permission.VIEW_ALL_ANSWERS):
        return answers
    if access.can(Permission.ANSWER):
        return answers.filter(respondent=user)
    return None


class Progress(NamedTuple):
    person: object
    role: str
    answered: int
    finished_at: datetime | None  # when they told the lead they had finished; None: not yet


def assessment_progress_by_person(*, assessment: Assessment) -> list[Progress]:
    """Everyone who may answer, with how many questions they have answered and whether they
    have finished, for the lead's overview."""
    answered = dict(
        Answer.objects.filter(assessment=assessment)
        .exclude(state="")
        .values_list("respondent_id")
        .annotate(n=models.Count("id"))
        .values_list("respondent_id", "n")
    )
    finished = Participation.objects.filter(
        assessment=assessment, person=models.OuterRef("user_id")
    ).values("finished_at")[:1]
    members = (
        Membership.objects.filter(
            organisation_id=assessment.organisation_id, role__in=[Role.LEAD, Role.RESPONDENT]
        )
        .annotate(finished_at=models.Subquery(finished))
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [
        Progress(m.user, m.get_role_display(), answered.get(m.user_id, 0), m.finished_at)
        for m in members
    ]


def own_participation(*, assessment: Assessment, user) -> Participation | None:
    return Participation.objects.filter(assessment=assessment, person=user).first()


def own_answers(*, assessment: Assessment, user) -> dict[int, Answer]:
    """This person's own answers, by question id (none of anyone else's)."""
    return {a.question_id: a for a in Answer.objects.filter(assessment=assessment, respondent=user)}


_UNREAD = object()


def assessment_flags(
    *,
    assessment: Assessment,
    scores: scoring.Scores,
    dimensions: Sequence[Dimension],
    layer_axis: LayerAxis | object | None = _UNREAD,
) -> list[scoring.Flag]:
    """The flags its framework version declares, found on its stored scores. No query unless
    the version declares "technology ahead of data", which reads the layer axis (2 queries,
    none when the caller passes `layer_axis`) and the agreed levels of its questions (1)."""
    declared = flags_from_json(assessment.framework_version.flags)
    adoption = next((f for f in declared if f.code == TECHNOLOGY_AHEAD_OF_DATA), None)
    levels: dict[str, int] = {}
    if adoption is None:
        layer_axis = None
    else:
        if layer_axis is _UNREAD:
            layer_axis = framework_version_layer_axis(
                framework_version=assessment.framework_version
            )
        levels = dict(
            AgreedAnswer.objects.filter(
                assessment=assessment, question__slug__in=adoption.questions, level__isnull=False
            ).values_list("question__slug", "level")
        )
    return scoring.flags(
        scores=scores,
        dimension_names={str(d.pk): d.name for d in dimensions},
        declared=declared,
        layer_axis=layer_axis,
        question_levels=levels,
        dimension_slugs={str(d.pk): d.slug for d in dimensions},
    )


def stored_scores(*, assessment: Assessment, levels=None) -> scoring.Scores | None:
    """The scores stored when the assessment was submitted: what results, explain, the report,
    dashboards and exports all show. None before the first submission. `levels` is the
    assessment's scale (`scale_levels`) when the caller has it already."""
    rows = list(Score.objects.filter(assessment=assessment).select_related("facet_value__facet"))
    if not rows:
        return None
    if levels is None:
        levels = ScaleLevel.objects.filter(framework_version_id=assessment.framework_version_id)
    return scores_from_rows(rows, [scoring.Level(lv.value, lv.label) for lv in levels])


def scores_from_rows(rows: list[Score], scale) -> scoring.Scores:
    """Stored `Score` rows (with `facet_value__facet` loaded) as `scoring.Scores`.

    Only the numbers are stored, not the arithmetic, so `parts` are empty (the explain page
    works that out again). A target's counts are not stored either, so they read 0 of 0.
    """

    def score(value, answered=0, total=0):
        if value is None:
            return None
        band = scoring.band(value, scale)
        return scoring.Score(
            value=value,
            display=scoring.display(value),
            band_value=band.value,
            band_label=band.label,
            answered=answered,
            total=total,
            parts=(),
            excluded=(),
        )

    overall, dimensions, targets, gaps, facets, grid = None, {}, {}, {}, {}, {}
    for row in rows:
        stored = score(row.value, row.answered, row.total)
        if row.scope == Score.Scope.OVERALL:
            overall = stored
        elif row.scope == Score.Scope.DIMENSION:
            key = str(row.dimension_id)
            dimensions[key] = stored
            targets[key] = score(row.target)
            gaps[key] = row.target - row.value if stored and row.target is not None else None
        else:
            facet = (row.facet_value.facet.slug, row.facet_value.slug)
            if row.scope == Score.Scope.FACET:
                facets[facet] = stored
            else:
                grid[(str(row.dimension_id), *facet)] = stored
    return scoring.Scores(
        overall=overall,
        dimensions=dimensions,
        targets=targets,
        gaps=gaps,
        facets=facets,
        grid=grid,
    )


def stored_comparison(
    *, assessment: Assessment
) -> tuple[Comparison | None, dict[int, DimensionComparison]]:
    """The comparison stored when the assessment was submitted, with the previous submission,
    and its rows by dimension id, in one query. (None, {}) when there is none: the first
    round, or one submitted before comparisons were stored."""
    rows = list(
        DimensionComparison.objects.filter(comparison__assessment=assessment).select_related(
            "comparison__previous__framework_version"
        )
    )
    if not rows:
        return None, {}
    comparison = rows[0].comparison
    comparison.assessment = assessment
    return comparison, {row.dimension_id: row for row in rows}


# Evidence files ----------------------------------------------------------------------------


def visible_evidence_links(*, access: Access, assessment: Assessment, user) -> QuerySet:
    """The links to files in `assessment` this person may see, by the rules of the answers
    they are on: a respondent's answer is theirs and the leads' (never a colleague's, open or
    not); the agreed answer is the lead's while it is being agreed, and everyone's who sees
    results once submitted."""
    rule = models.Q(pk__in=[])
    if access.can(Permission.VIEW_ALL_ANSWERS):
        rule |= models.Q(answer__isnull=False)
    elif access.can(Permission.ANSWER):
        rule |= models.Q(answer__respondent=user)
    if access.can(Permission.AGREE_ANSWERS) or (
        access.can(Permission.VIEW_RESULTS) and assessment.is_submitted
    ):
        rule |= models.Q(agreed_answer__isnull=False)
    return EvidenceLink.objects.filter(rule, assessment=assessment)


def evidence_file_for_user(
    *, access: Access, assessment: Assessment, user, pk: int
) -> EvidenceFile:
    """A file of this assessment the person may see; otherwise 404, whether it does not exist,
    belongs to another organisation or is on a colleague's answer."""
    links = visible_evidence_links(access=access, assessment=assessment, user=user)
    found = EvidenceFile.objects.filter(
        pk=pk, organisation=access.organisation, links__in=links
    ).first()
    if found is None:
        raise Http404("No such file")
    return found


def answer_evidence(*, answer) -> list[EvidenceFile]:
    """The files on one answer (own or agreed), oldest first."""
    if answer is None or answer.pk is None:
        return []
    return list(EvidenceFile.objects.filter(links__in=answer.evidence_links.all()))


def answers_evidence(*, answers) -> dict[int, list[EvidenceFile]]:
    """The files on each of several respondents' answers, by answer id, in one query."""
    found: dict[int, list[EvidenceFile]] = {a.pk: [] for a in answers}
    for link in EvidenceLink.objects.filter(answer__in=list(found)).select_related("file"):
        found[link.answer_id].append(link.file)
    return found


def agreed_evidence(*, assessment: Assessment) -> list[EvidenceLink]:
    """Every file on the assessment's agreed answers, in the order of the questions, with the
    question and uploader loaded: what the report lists."""
    return list(
        EvidenceLink.objects.filter(assessment=assessment, agreed_answer__isnull=False)
        .select_related("file__uploaded_by", "agreed_answer__question__dimension")
        .order_by(
            "agreed_answer__question__dimension__position",
            "agreed_answer__question__position",
            "file__uploaded_at",
            "pk",
        )
    )


def answer_evidence_link(*, answer, pk: int) -> EvidenceLink:
    """The link of file `pk` to this answer (own or agreed), or 404."""
    link = (
        answer.evidence_links.select_related("file", "assessment").filter(file_id=pk).first()
        if answer is not None
        else None
    )
    if link is None:
        raise Http404("No such file on this answer")
    return link


def response_evidence_link(*, assessment: Assessment, question, pk: int) -> EvidenceLink:
    """The link of file `pk` to someone's own answer to `question` in `assessment` (what a lead
    may put on the agreed answer), or 404."""
    link = (
        EvidenceLink.objects.filter(
            assessment=assessment, answer__question=question, file_id=pk, answer__isnull=False
        )
        .select_related("file", "assessment", "answer__respondent", "answer__question")
        .first()
    )
    if link is None:
        raise Http404("No such file on an answer to this question")
    return link


def evidence_listing(*, assessment: Assessment) -> list[dict]:
    """The files on the agreed answers as plain values, for the report and the spreadsheet."""
    return [
        {
            "question": f"{link.agreed_answer.question.dimension.name}: "
            f"{link.agreed_answer.question.text}",
            "name": link.file.name,
            "size": link.file.size,
            "kind": link.file.kind_label,
            "uploaded_by": str(link.file.uploaded_by) if link.file.uploaded_by else "",
            "uploaded_at": link.file.uploaded_at,
        }
        for link in agreed_evidence(assessment=assessment)
    ]
