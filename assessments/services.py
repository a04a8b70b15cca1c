"""Assessments: start, answer, agree, submit (with scores), reopen.

No work is ever lost: every answer carries a version, a save names the version it started from,
and a stale save is refused with the current value (AnswerConflict) instead of overwriting it.
Rows are locked for the compare-and-save, so two people saving at once cannot both win.
"""

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from assessments import evidence, scoring, selectors
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
from assessments.signals import submissions_changed
from frameworks.lineage import MERGED_FROM
from frameworks.models import Dimension, FrameworkVersion, Question, ScaleLevel
from frameworks.selectors import version_map
from maturity.audit.services import audit_record
from maturity.downloads import file_name
from maturity.mail import send_email
from organisations.models import Membership, Organisation, Role
from organisations.permissions import Permission, permissions_for

ANSWER_FIELDS = ("state", "level", "target_level", "evidence", "links", "confidence")


class AssessmentLocked(Exception):
    """The assessment is submitted: answers cannot change until a lead reopens it."""


class AssessmentIncomplete(Exception):
    def __init__(self, missing: list[Question]):
        self.missing = missing
        super().__init__(f"{len(missing)} questions have no agreed answer")


class AnswerConflict(Exception):
    """Someone saved this answer since the version the save started from."""

    def __init__(self, current):
        self.current = current
        super().__init__("This answer was changed since you opened it")


class SuggestionsChanged(Exception):
    """The suggested answers are no longer the ones the lead confirmed: someone changed an
    answer after the confirmation page was drawn."""


@dataclass(frozen=True)
class AnswerData:
    state: str = ""
    level: int | None = None
    target_level: int | None = None
    evidence: str = ""
    links: str = ""
    confidence: str = ""
    rationale: str = ""

    def values(self) -> dict[str, Any]:
        values = {f: getattr(self, f) for f in ANSWER_FIELDS}
        if self.state != Answer.State.LEVEL:
            values["level"] = None
        return values


def _ensure_open(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_submitted:
        raise AssessmentLocked("This assessment has been submitted, so answers cannot change.")
    return locked


def _ensure_open_shared(assessment: Assessment) -> None:
    """As `_ensure_open`, with a lock that many saves hold at once (FOR SHARE). A respondent's
    own answer never changes the assessment row, so their saves need only that it is not
    submitted meanwhile: they no longer wait for each other, while submitting, reopening and a
    lead's agreeing (FOR UPDATE, `_ensure_open`) still wait for them, and they for those.
    SQLite gives each write transaction the whole database, so a plain read does there."""
    table = connection.ops.quote_name(Assessment._meta.db_table)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    sql = f"SELECT status FROM {table} WHERE id = %s{lock}"  # noqa: S608 (no input in it)
    with connection.cursor() as cursor:
        cursor.execute(sql, [assessment.pk])
        row = cursor.fetchone()
    if row is None:
        raise Assessment.DoesNotExist
    if row[0] == Assessment.Status.SUBMITTED:
        raise AssessmentLocked("This assessment has been submitted, so answers cannot change.")


def _changes(row, values: dict[str, Any]) -> dict[str, list]:
    return {
        field: [getattr(row, field), value]
        for field, value in values.items()
        if getattr(row, field) != value
    }


def _save_versioned(model, *, lookup: dict, values: dict, base_version: int, extra: dict):
    """Lock the row (creating it at version 0 if new), check the version, then write."""
    row = model.objects.select_for_update().filter(**lookup).first()
    if row is None:  # only the first save pays for a savepoint
        try:
            with transaction.atomic():
                row = model.objects.create(**lookup)
        except IntegrityError:
            # Someone created it at the same moment: theirs stands, and this save is stale.
            row = model.objects.select_for_update().get(**lookup)
    if row.version != base_version:
        raise AnswerConflict(row)
    changes = _changes(row, {**values, **extra})
    if not changes:
        return row, changes
    for field, value in {**values, **extra}.items():
        setattr(row, field, value)
    row.version += 1
    row.carried_over = False
    row.save()
    return row, changes


def _email_people_who_answer(
    *, assessment: Assessment, actor, base_url: str | None, kind: str, subject: str, **extra
) -> int:
    """Queue one email to each person who answers for the organisation, but not to the one
    acting. A `base_url` of None sends nothing: seed data (the demo, tests) tells nobody."""
    if base_url is None:
        return 0
    members = (
        Membership.objects.filter(
            organisation_id=assessment.organisation_id,
            role__in=[role for role in Role if _answers(role)],
            user__is_active=True,
        )
        .exclude(user=actor)
        .select_related("user")
        .order_by("user__email")
    )
    people = [m.user for m in members]
    _email(
        assessment=assessment,
        people=people,
        actor=actor,
        base_url=base_url,
        kind=kind,
        subject=subject,
        **extra,
    )
    return len(people)


def _answers(role: str | None) -> bool:
    return role is not None and Permission.ANSWER in permissions_for(role)


def _email(
    *, assessment: Assessment, people, actor, base_url: str, kind: str, subject: str, **extra
) -> None:
    """Queue `templates/assessments/email/<kind>.txt` to each of `people`, one email each.
    Queued in the caller's transaction (the queue is in this database), so it leaves only if
    the change is saved."""
    page = {"ask_again": "your_answers", "submitted": "results"}.get(kind, "assessment")
    path = reverse(
        f"assessments:{page}", kwargs={"pk": assessment.organisation_id, "apk": assessment.pk}
    )
    context = {
        "assessment": assessment,
        "organisation": assessment.organisation,
        "actor": actor,
        "url": f"{base_url.rstrip('/')}{path}",
        **extra,
    }
    for person in people:
        body = render_to_string(f"assessments/email/{kind}.txt", {**context, "person": person})
        send_email.enqueue(to=[person.email], subject=subject, body=body)


def member_may_answer(*, membership: Membership, previous_role, by, base_url) -> None:
    """Someone who may now answer for their organisation (a new member, or one given a role
    that answers) is told of each of its assessments collecting answers. Receives
    organisations' `membership_role_set` (registered in assessments.hooks)."""
    if base_url is None or not _answers(membership.role) or _answers(previous_role):
        return
    role = Role(membership.role).label.lower()
    for assessment in (
        Assessment.objects.filter(organisation_id=membership.organisation_id)
        .exclude(status=Assessment.Status.SUBMITTED)
        .select_related("organisation")
    ):
        _email(
            assessment=assessment,
            people=[membership.user],
            actor=by,
            base_url=base_url,
            kind="added",
            subject=f"{assessment.organisation.name}: the {assessment.round_label} assessment "
            "needs your answers",
            role=role,
        )


def _carried_answers(*, carry_from: Assessment, assessment: Assessment) -> list[AgreedAnswer]:
    """Last round's agreed answers as this round's starting point, through the crosswalk (not
    by slug: a slug may be reused for another question, or a question renamed). The same
    question takes its answer; a reworded one, or one split from it, takes it too, flagged for
    checking; one merged from several takes the lowest of their levels (and all their
    evidence), flagged; a new one starts unanswered."""
    earlier, later = carry_from.framework_version, assessment.framework_version
    if earlier.framework_id != later.framework_id:
        raise ValueError("Only an assessment on the same framework can be carried over.")
    lineage = version_map(earlier=earlier, later=later)
    old = {
        a.question_id: a
        for a in AgreedAnswer.objects.filter(assessment=carry_from)
        .exclude(state="")
        .order_by("question__dimension__position", "question__position", "question_id")
    }
    order = {question_id: i for i, question_id in enumerate(old)}
    scale = set(ScaleLevel.objects.filter(framework_version=later).values_list("value", flat=True))
    rows = []
    for question_id, relation in lineage.relation.items():
        answers = [
            old[q] for q in sorted(lineage.ancestors[question_id] & old.keys(), key=order.get)
        ]
        sources = answers
        if relation == MERGED_FROM:
            # Sorting is stable: between equal levels, the first question's answer leads.
            sources = sorted(
                (a for a in answers if a.scored_level is not None), key=lambda a: a.level
            )
        if not sources:
            continue
        source = sources[0]
        values = {f: getattr(source, f) for f in ANSWER_FIELDS}
        if relation == MERGED_FROM:
            values["evidence"] = "\n\n".join(a.evidence for a in answers if a.evidence)
            values["links"] = "\n".join(
                dict.fromkeys(link for a in answers for link in a.link_list)
            )
        if values["level"] is not None and values["level"] not in scale:
            continue  # the scale changed: a level it no longer has is no starting point
        if values["target_level"] not in scale:
            values["target_level"] = None
        row = AgreedAnswer(
            assessment=assessment,
            question_id=question_id,
            carried_over=True,
            review=relation if relation in AgreedAnswer.Review.values else "",
            rationale=source.rationale,
            **values,
        )
        # Their evidence files go with them (linked, not copied): see _carry_evidence.
        row.evidence_from = [a.pk for a in answers]
        rows.append(row)
    return rows


def _carry_evidence(*, assessment: Assessment, carried: list[AgreedAnswer]) -> int:
    """Link last round's evidence files to the agreed answers carried from theirs: the same
    stored files, so erasing one erases it from every round."""
    new_ids = dict(
        AgreedAnswer.objects.filter(assessment=assessment).values_list("question_id", "pk")
    )
    sources = {pk: new_ids[row.question_id] for row in carried for pk in row.evidence_from}
    links = {
        (file_id, sources[source_id])
        for file_id, source_id in EvidenceLink.objects.filter(
            agreed_answer_id__in=sources
        ).values_list("file_id", "agreed_answer_id")
    }
    EvidenceLink.objects.bulk_create(
        EvidenceLink(file_id=file_id, assessment=assessment, agreed_answer_id=agreed_id)
        for file_id, agreed_id in sorted(links)
    )
    return len(links)


@transaction.atomic
def assessment_start(
    *,
    organisation: Organisation,
    framework_version: FrameworkVersion,
    round_label: str,
    user,
    due_date=None,
    carry_from: Assessment | None = None,
    base_url: str | None = None,
) -> Assessment:
    """Start a round; with `base_url`, email everyone who answers for the organisation."""
    if not framework_version.is_published:
        raise ValueError("Assessments can only use a published framework version.")
    assessment = Assessment.objects.create(
        organisation=organisation,
        framework_version=framework_version,
        round_label=round_label.strip(),
        due_date=due_date,
        created_by=user,
        carried_from=carry_from,
    )
    carried: list[AgreedAnswer] = []
    files_carried = 0
    if carry_from is not None:
        if carry_from.organisation_id != organisation.pk:
            raise ValueError("Only the organisation's own assessments can be carried over.")
        carried = _carried_answers(carry_from=carry_from, assessment=assessment)
        AgreedAnswer.objects.bulk_create(carried)
        files_carried = _carry_evidence(assessment=assessment, carried=carried)
    audit_record(
        actor=user,
        action="assessment.start",
        obj=assessment,
        changes={
            "framework": str(framework_version),
            "round": assessment.round_label,
            "carried_from": str(carry_from) if carry_from else None,
            "answers_carried_over": len(carried),
            "answers_to_check": sum(1 for a in carried if a.review),
            "files_carried_over": files_carried,
        },
        organisation_id=organisation.pk,
    )
    _email_people_who_answer(
        assessment=assessment,
        actor=user,
        base_url=base_url,
        kind="started",
        subject=f"{organisation.name}: the {assessment.round_label} assessment has started",
    )
    return assessment


@transaction.atomic
def answer_save(
    *, assessment: Assessment, question: Question, respondent, data: AnswerData, base_version: int
) -> Answer:
    """Save one respondent's own answer, refusing a stale save (AnswerConflict)."""
    _ensure_open_shared(assessment)
    row, changes = _save_versioned(
        Answer,
        lookup={"assessment": assessment, "question": question, "respondent": respondent},
        values=data.values(),
        base_version=base_version,
        extra={},
    )
    if changes:
        audit_record(
            actor=respondent,
            action="answer.save",
            obj=row,
            changes={"question": question.slug, **changes},
            organisation_id=assessment.organisation_id,
        )
        # A changed answer means they are answering again: they say when they have finished.
        Participation.objects.filter(
            assessment=assessment, person=respondent, finished_at__isnull=False
        ).update(finished_at=None)
    return row


@transaction.atomic
def respondent_finish(*, assessment: Assessment, respondent) -> Participation:
    """Record that a respondent has told the lead they have finished answering. Saying it
    again changes nothing; answering again, or a lead asking everyone again, clears it."""
    _ensure_open(assessment)
    row, _ = Participation.objects.select_for_update().get_or_create(
        assessment=assessment, person=respondent
    )
    if row.finished_at is None:
        row.finished_at = timezone.now()
        row.save(update_fields=["finished_at"])
        answered = (
            Answer.objects.filter(assessment=assessment, respondent=respondent)
            .exclude(state="")
            .count()
        )
        audit_record(
            actor=respondent,
            action="assessment.finish",
            obj=assessment,
            changes={"answered": answered},
            organisation_id=assessment.organisation_id,
        )
    return row


@transaction.atomic
def agreed_answer_save(
    *, assessment: Assessment, question: Question, lead, data: AnswerData, base_version: int
) -> AgreedAnswer:
    """Save the organisation's agreed answer (a lead's decision), refusing a stale save."""
    locked = _ensure_open(assessment)
    row, changes = _save_versioned(
        AgreedAnswer,
        lookup={"assessment": assessment, "question": question},
        values=data.values(),
        base_version=base_version,
        # Saving it is the check a carried-over answer was flagged for, even with no change.
        extra={"rationale": data.rationale, "set_by": lead, "review": ""},
    )
    if changes:
        changes.pop("set_by", None)
        audit_record(
            actor=lead,
            action="agreed_answer.save",
            obj=row,
            changes={"question": question.slug, **changes},
            organisation_id=assessment.organisation_id,
        )
        if locked.status == Assessment.Status.DRAFT:
            locked.status = Assessment.Status.IN_REVIEW
            locked.save(update_fields=["status"])
            assessment.status = locked.status
    return row


ACCEPTED_RATIONALE = "Accepted the suggested answer"


@transaction.atomic
def agreed_answers_accept_suggested(
    *, assessment: Assessment, dimension: Dimension, lead, confirmed: Mapping[int, int]
) -> list[AgreedAnswer]:
    """Agree the suggested answers the lead confirmed (question id -> suggested level) in one
    go, each through `agreed_answer_save`, all or nothing. A question agreed since is left as
    it is; if any other confirmed suggestion has changed (or is now disputed), nothing is
    saved (SuggestionsChanged). What the lead typed on a question with no level yet is kept."""
    # Every write of an answer or an agreed answer locks the assessment row first
    # (_ensure_open). Holding it here means no respondent can change a suggestion and no other
    # lead can agree one of these questions until this commits: two leads accepting at once,
    # or one agreeing a question while another accepts, take turns, and the second finds the
    # first's answers and leaves them alone (or, saving one by hand, is told of the conflict).
    _ensure_open(assessment)
    scale = list(
        ScaleLevel.objects.filter(framework_version_id=assessment.framework_version_id)
        .order_by("value")
        .values_list("value", flat=True)
    )
    current = selectors.dimension_suggestions(
        assessment=assessment, dimension=dimension, scale_values=scale
    )
    by_question = {s.question.pk: s for s in current}
    if any(
        pk not in by_question
        or (
            not by_question[pk].is_agreed
            and (not by_question[pk].acceptable or by_question[pk].level != level)
        )
        for pk, level in confirmed.items()
    ):
        raise SuggestionsChanged("Some answers changed after the suggestions were shown.")
    saved = []
    for suggestion in current:
        if suggestion.question.pk not in confirmed or suggestion.is_agreed:
            continue
        started = suggestion.agreed  # a row with no level yet: keep what was typed on it
        saved.append(
            agreed_answer_save(
                assessment=assessment,
                question=suggestion.question,
                lead=lead,
                data=AnswerData(
                    state=Answer.State.LEVEL,
                    level=suggestion.level,
                    target_level=started.target_level if started else None,
                    evidence=started.evidence if started else "",
                    links=started.links if started else "",
                    confidence=started.confidence if started else "",
                    rationale=(started.rationale if started else "") or ACCEPTED_RATIONALE,
                ),
                base_version=started.version if started else 0,
            )
        )
    return saved


def missing_agreed_answers(*, assessment: Assessment) -> list[Question]:
    answered = set(
        AgreedAnswer.objects.filter(assessment=assessment)
        .exclude(state="")
        .values_list("question_id", flat=True)
    )
    return [
        q
        for q in Question.objects.filter(
            dimension__framework_version_id=assessment.framework_version_id
        ).select_related("dimension")
        if q.pk not in answered
    ]


def assessment_round(*, assessment: Assessment) -> scoring.Round:
    """The agreed answers and the framework version's scale, dimensions, weights and rule, as
    the pure scoring functions take them (question and dimension keys are their ids)."""
    fv = assessment.framework_version
    levels = tuple(scoring.Level(lv.value, lv.label) for lv in fv.levels.all())
    dimensions = list(fv.dimensions.all())
    agreed = {a.question_id: a for a in AgreedAnswer.objects.filter(assessment=assessment)}
    questions = []
    for q in Question.objects.filter(dimension__framework_version=fv).prefetch_related(
        "tags__facet"
    ):
        answer = agreed.get(q.pk)
        questions.append(
            scoring.QuestionIn(
                key=str(q.pk),
                dimension=str(q.dimension_id),
                weight=q.weight,
                level=answer.scored_level if answer else None,
                target=answer.target_level if answer else None,
                tags={t.facet.slug: t.slug for t in q.tags.all()},
            )
        )
    return scoring.Round(
        scale=levels,
        dimensions=[scoring.DimensionIn(str(d.pk), d.name, d.weight) for d in dimensions],
        questions=questions,
        rule=fv.scoring,
    )


def assessment_compute_scores(*, assessment: Assessment) -> scoring.Scores:
    """Scores from the agreed answers, under the framework version's scoring rule."""
    inputs = assessment_round(assessment=assessment)
    return scoring.compute_scores(
        scale=inputs.scale,
        dimensions=inputs.dimensions,
        questions=inputs.questions,
        rule=inputs.rule,
    )


def store_scores(*, assessment: Assessment, scores: scoring.Scores) -> None:
    """Replace the assessment's stored scores: overall, per dimension, facet value and grid."""
    from frameworks.models import FacetValue

    Score.objects.filter(assessment=assessment).delete()
    rows = []

    def row(scope, score, **kwargs):
        rows.append(
            Score(
                assessment=assessment,
                scope=scope,
                value=score.value if score else None,
                band_value=score.band_value if score else None,
                answered=score.answered if score else 0,
                total=score.total if score else 0,
                **kwargs,
            )
        )

    row(Score.Scope.OVERALL, scores.overall)
    for key, score in scores.dimensions.items():
        target = scores.targets.get(key)
        row(Score.Scope.DIMENSION, score, dimension_id=int(key))
        rows[-1].target = target.value if target else None
    values = {
        (v.facet.slug, v.slug): v.pk
        for v in FacetValue.objects.filter(
            facet__framework_version_id=assessment.framework_version_id
        ).select_related("facet")
    }
    for (facet, value), score in scores.facets.items():
        row(Score.Scope.FACET, score, facet_value_id=values[(facet, value)])
    for (dimension, facet, value), score in scores.grid.items():
        row(
            Score.Scope.GRID,
            score,
            dimension_id=int(dimension),
            facet_value_id=values[(facet, value)],
        )
    Score.objects.bulk_create(rows)


def previous_submission(*, assessment: Assessment) -> Assessment | None:
    """The organisation's submission on the same framework (any version) before this one, in
    the order the dashboard's trend draws them: by when they were submitted."""
    earlier = Assessment.objects.filter(
        organisation_id=assessment.organisation_id,
        framework_version__framework_id=assessment.framework_version.framework_id,
        status=Assessment.Status.SUBMITTED,
    ).exclude(pk=assessment.pk)
    if assessment.submitted_at is not None:
        earlier = earlier.filter(submitted_at__lt=assessment.submitted_at)
    return earlier.select_related("framework_version").order_by("-submitted_at", "-pk").first()


def comparison_build(
    *, assessment: Assessment
) -> tuple[Comparison, list[DimensionComparison]] | None:
    """This assessment against the previous submission, through the crosswalk, unsaved: what
    submit stores, and what a draft's report shows. None when there is no previous one."""
    previous = previous_submission(assessment=assessment)
    if previous is None:
        return None
    earlier_fv, later_fv = previous.framework_version, assessment.framework_version
    lineage = version_map(earlier=earlier_fv, later=later_fv)
    result = scoring.compare_rounds(
        earlier=assessment_round(assessment=previous),
        later=assessment_round(assessment=assessment),
        comparable={str(later): str(earlier) for later, earlier in lineage.comparable.items()},
    )
    comparison = Comparison(
        assessment=assessment,
        previous=previous,
        version_changed=earlier_fv.pk != later_fv.pk,
        comparable=result.comparable,
        questions=result.questions,
        previous_questions=result.previous_questions,
        movement=result.overall.movement,
        like_for_like=result.overall.like_for_like,
    )
    dimensions = [
        DimensionComparison(
            comparison=comparison,
            dimension_id=int(key),
            previous_dimension_id=int(d.previous) if d.previous else None,
            comparable=d.comparable,
            movement=d.movement,
            like_for_like=d.like_for_like,
        )
        for key, d in result.dimensions.items()
    ]
    return comparison, dimensions


def comparison_store(*, assessment: Assessment) -> Comparison | None:
    """Replace the assessment's stored comparison with its previous submission."""
    Comparison.objects.filter(assessment=assessment).delete()
    built = comparison_build(assessment=assessment)
    if built is None:
        return None
    comparison, dimensions = built
    comparison.save()
    for row in dimensions:
        row.comparison = comparison
    DimensionComparison.objects.bulk_create(dimensions)
    return comparison


def refresh_latest_submissions(*, framework_version_ids, organisation_ids=None) -> None:
    """Mark each organisation's most recent submitted assessment per framework version."""
    scope = Assessment.objects.filter(framework_version_id__in=list(framework_version_ids))
    if organisation_ids is not None:
        scope = scope.filter(organisation_id__in=list(organisation_ids))
    scope.filter(is_latest_submission=True).update(is_latest_submission=False)
    latest = (
        Assessment.objects.filter(
            organisation=OuterRef("organisation"),
            framework_version=OuterRef("framework_version"),
            status=Assessment.Status.SUBMITTED,
        )
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    scope.filter(status=Assessment.Status.SUBMITTED, pk=Subquery(latest)).update(
        is_latest_submission=True
    )


def _submission_changed(assessment: Assessment) -> None:
    """After a submit or reopen: re-mark the latest submission, then tell the apps above
    (benchmarks refreshes its peer values) inside the same transaction."""
    refresh_latest_submissions(
        framework_version_ids=[assessment.framework_version_id],
        organisation_ids=[assessment.organisation_id],
    )
    submissions_changed.send(
        sender=Assessment,
        framework_version_id=assessment.framework_version_id,
        organisation_id=assessment.organisation_id,
    )


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user, base_url: str | None = None) -> Assessment:
    """Lock, check, score and store. A second submit of the same assessment does nothing.
    With `base_url`, email everyone who answers for the organisation that the scores are in."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_submitted:
        return locked
    missing = missing_agreed_answers(assessment=locked)
    if missing:
        raise AssessmentIncomplete(missing)
    scores = assessment_compute_scores(assessment=locked)
    store_scores(assessment=locked, scores=scores)
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = user
    locked.save(update_fields=["status", "submitted_at", "submitted_by"])
    comparison_store(assessment=locked)
    _submission_changed(locked)
    audit_record(
        actor=user,
        action="assessment.submit",
        obj=locked,
        changes={
            "status": ["in_review", "submitted"],
            "overall": scores.overall.display if scores.overall else None,
        },
        organisation_id=locked.organisation_id,
    )
    _email_people_who_answer(
        assessment=locked,
        actor=user,
        base_url=base_url,
        kind="submitted",
        subject=f"{locked.organisation.name}: the {locked.round_label} assessment is submitted",
    )
    assessment.refresh_from_db()
    return locked


@transaction.atomic
def assessment_reopen(
    *,
    assessment: Assessment,
    user,
    reason: str,
    ask_again: bool = False,
    base_url: str | None = None,
) -> Assessment:
    """Reopen a submitted assessment. `ask_again` asks everyone who answers to check their
    answers again: nobody counts as finished any more, and (with `base_url`) each is emailed."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_submitted:
        return locked
    locked.status = Assessment.Status.IN_REVIEW
    locked.save(update_fields=["status"])
    # Its own comparison is made again when it is submitted again; the submission that was
    # compared with it now follows the one before it.
    Comparison.objects.filter(assessment=locked).delete()
    followers = Comparison.objects.filter(previous=locked).select_related(
        "assessment__framework_version"
    )
    for comparison in list(followers):
        comparison_store(assessment=comparison.assessment)
    _submission_changed(locked)
    changes = {"status": ["submitted", "in_review"], "reason": reason}
    if ask_again:
        changes["asked_again"] = True
        Participation.objects.filter(assessment=locked).update(finished_at=None)
        _email_people_who_answer(
            assessment=locked,
            actor=user,
            base_url=base_url,
            kind="ask_again",
            subject=f"{locked.organisation.name}: check your answers to the "
            f"{locked.round_label} assessment again",
            reason=reason,
        )
    audit_record(
        actor=user,
        action="assessment.reopen",
        obj=locked,
        changes=changes,
        organisation_id=locked.organisation_id,
    )
    assessment.refresh_from_db()
    return locked


# Evidence files ----------------------------------------------------------------------------


class EvidenceRefused(Exception):
    """The file cannot be kept; the message says why, after the file's name."""


def _scan(upload) -> str | None:
    """The operator's virus scanner's verdict (settings.EVIDENCE_SCANNER): None when clean."""
    if not settings.EVIDENCE_SCANNER:
        return None
    upload.seek(0)
    try:
        return import_string(settings.EVIDENCE_SCANNER)(upload)
    finally:
        upload.seek(0)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _stored_bytes(assessment: Assessment) -> int:
    """What the assessment's files take already, each counted once (a file may be linked to
    several answers)."""
    return (
        EvidenceFile.objects.filter(links__assessment=assessment)
        .distinct()
        .aggregate(total=Sum("size"))["total"]
        or 0
    )


def evidence_check(*, upload) -> evidence.Kind:
    """The upload's kind, or EvidenceRefused: too large, not an allowed kind by its content,
    macros, or flagged by the scanner."""
    if upload.size > settings.EVIDENCE_FILE_MAX_BYTES:
        raise EvidenceRefused(
            f"is larger than {_megabytes(settings.EVIDENCE_FILE_MAX_BYTES)}. Choose a smaller file"
        )
    if upload.size == 0:
        raise EvidenceRefused("is empty")
    try:
        kind = evidence.detect(upload)
    except evidence.Refused as exc:
        raise EvidenceRefused(str(exc)) from None
    reason = _scan(upload)
    if reason:
        raise EvidenceRefused(f"was refused by the virus scanner: {reason}")
    return kind


@transaction.atomic
def evidence_attach(
    *, assessment: Assessment, question: Question, user, upload, agreed: bool
) -> EvidenceFile:
    """Keep `upload` as evidence on the user's own answer (or, `agreed`, on the agreed answer,
    for a lead). Checks everything before anything is written; EvidenceRefused says why not."""
    # Locking the assessment also makes the per-assessment total hold: two uploads at once
    # cannot both pass the check on the same total.
    locked = _ensure_open(assessment)
    kind = evidence_check(upload=upload)
    if _stored_bytes(locked) + upload.size > settings.EVIDENCE_ASSESSMENT_MAX_BYTES:
        raise EvidenceRefused(
            "would take this assessment's files over their limit of "
            f"{_megabytes(settings.EVIDENCE_ASSESSMENT_MAX_BYTES)}. Remove a file you no "
            "longer need, or attach a smaller one"
        )
    if agreed:
        answer, _ = AgreedAnswer.objects.get_or_create(assessment=assessment, question=question)
        link = {"agreed_answer": answer}
    else:
        answer, _ = Answer.objects.get_or_create(
            assessment=assessment, question=question, respondent=user
        )
        link = {"answer": answer}
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    # A key nobody can guess, holding nothing the person typed.
    key = default_storage.save(f"evidence/{secrets.token_urlsafe(32)}", upload)
    try:
        name = file_name(
            PurePosixPath(upload.name or "").stem[:150] or "evidence", extension=kind.extension
        )
        stored = EvidenceFile.objects.create(
            organisation_id=assessment.organisation_id,
            key=key,
            name=name,
            kind=kind.extension,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        EvidenceLink.objects.create(file=stored, assessment=assessment, **link)
        audit_record(
            actor=user,
            action="evidence.attach",
            obj=stored,
            changes={
                "name": name,
                "size": upload.size,
                "question": question.slug,
                "agreed": agreed,
                "assessment": assessment.pk,
            },
            organisation_id=assessment.organisation_id,
        )
    except BaseException:
        default_storage.delete(key)
        raise
    return stored


def _delete_file(stored: EvidenceFile) -> None:
    key = stored.key
    stored.delete()  # and its links
    default_storage.delete(key)


@transaction.atomic
def evidence_remove(*, link: EvidenceLink, user) -> None:
    """Take a file off one answer while the assessment is open. A file no other answer uses
    (in this round or another) is deleted with its blob."""
    _ensure_open(link.assessment)
    stored = link.file
    link.delete()
    gone = not stored.links.exists()
    audit_record(
        actor=user,
        action="evidence.remove",
        obj=stored,
        changes={"name": stored.name, "assessment": link.assessment_id, "deleted": gone},
        organisation_id=stored.organisation_id,
    )
    if gone:
        _delete_file(stored)


@transaction.atomic
def evidence_use_for_agreed(*, link: EvidenceLink, user) -> bool:
    """Put a file from a respondent's answer on the agreed answer to the same question: the same
    stored file (it stays on their answer too), so it is listed in the report, carries over to
    the next round and is erased from both at once. False if it is there already."""
    _ensure_open(link.assessment)
    question = link.answer.question
    agreed, _ = AgreedAnswer.objects.get_or_create(assessment=link.assessment, question=question)
    _, added = EvidenceLink.objects.get_or_create(
        file=link.file, agreed_answer=agreed, defaults={"assessment": link.assessment}
    )
    if added:
        audit_record(
            actor=user,
            action="evidence.use_for_agreed",
            obj=link.file,
            changes={
                "name": link.file.name,
                "question": question.slug,
                "assessment": link.assessment_id,
            },
            organisation_id=link.file.organisation_id,
        )
    return added


@transaction.atomic
def evidence_erase(*, stored: EvidenceFile, user) -> None:
    """Erase a file for good, even from submitted assessments: its blob and every link to it in
    every round. The record of changes keeps its name, size, checksum, who erased it and when."""
    stored = EvidenceFile.objects.select_for_update().get(pk=stored.pk)
    rounds = sorted(set(stored.links.values_list("assessment_id", flat=True)))
    audit_record(
        actor=user,
        action="evidence.erase",
        obj=stored,
        changes={
            "name": stored.name,
            "size": stored.size,
            "sha256": stored.sha256,
            "assessments": rounds,
        },
        organisation_id=stored.organisation_id,
    )
    _delete_file(stored)


# Blobs newer than this may belong to an upload still being saved: they are not strays yet.
STRAY_AGE = timedelta(hours=1)


def evidence_files_prune() -> tuple[int, int]:
    """Delete files no answer uses any more (their answers went with a deleted person or
    assessment), each recorded, and stored blobs no file refers to (left by a deleted
    organisation or a failed save). Returns (files, stray blobs). Idempotent."""
    files = 0
    for stored in EvidenceFile.objects.filter(links__isnull=True):
        with transaction.atomic():
            audit_record(
                actor=None,
                action="evidence.prune",
                obj=stored,
                changes={"name": stored.name, "size": stored.size, "sha256": stored.sha256},
                organisation_id=stored.organisation_id,
            )
            _delete_file(stored)
        files += 1
    strays = 0
    if default_storage.exists("evidence"):
        known = set(EvidenceFile.objects.values_list("key", flat=True))
        cutoff = timezone.now() - STRAY_AGE
        for name in default_storage.listdir("evidence")[1]:
            key = f"evidence/{name}"
            if key not in known and default_storage.get_modified_time(key) < cutoff:
                default_storage.delete(key)
                strays += 1
    return files, strays
