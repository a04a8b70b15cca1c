"""Assessments: start, answer, agree, submit (with scores), reopen.

No work is ever lost: every answer carries a version, a save names the version it started from,
and a stale save is refused with the current value (AnswerConflict) instead of overwriting it.
Rows are locked for the compare-and-save, so two people saving at once cannot both win.
"""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from assessments import scoring
from assessments.models import AgreedAnswer, Answer, Assessment, Score
from assessments.signals import submissions_changed
from frameworks.models import FrameworkVersion, Question
from maturity.audit.services import audit_record
from organisations.models import Organisation

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


@transaction.atomic
def assessment_start(
    *,
    organisation: Organisation,
    framework_version: FrameworkVersion,
    round_label: str,
    user,
    due_date=None,
    carry_from: Assessment | None = None,
) -> Assessment:
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
    carried = 0
    if carry_from is not None:
        if carry_from.organisation_id != organisation.pk:
            raise ValueError("Only the organisation's own assessments can be carried over.")
        # Match questions by slug, so a round on a newer version still starts from the last.
        new_questions = {
            q.slug: q
            for q in Question.objects.filter(dimension__framework_version=framework_version)
        }
        rows = []
        for old in AgreedAnswer.objects.filter(assessment=carry_from).select_related("question"):
            question = new_questions.get(old.question.slug)
            if question is None or not old.state:
                continue
            rows.append(
                AgreedAnswer(
                    assessment=assessment,
                    question=question,
                    carried_over=True,
                    **{f: getattr(old, f) for f in ANSWER_FIELDS},
                    rationale=old.rationale,
                )
            )
        AgreedAnswer.objects.bulk_create(rows)
        carried = len(rows)
    audit_record(
        actor=user,
        action="assessment.start",
        obj=assessment,
        changes={
            "framework": str(framework_version),
            "round": assessment.round_label,
            "carried_from": str(carry_from) if carry_from else None,
            "answers_carried_over": carried,
        },
        organisation_id=organisation.pk,
    )
    return assessment


@transaction.atomic
def answer_save(
    *, assessment: Assessment, question: Question, respondent, data: AnswerData, base_version: int
) -> Answer:
    """Save one respondent's own answer, refusing a stale save (AnswerConflict)."""
    _ensure_open(assessment)
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
        extra={"rationale": data.rationale, "set_by": lead},
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


def assessment_compute_scores(*, assessment: Assessment) -> scoring.Scores:
    """Scores from the agreed answers, under the framework version's scoring rule."""
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
    return scoring.compute_scores(
        scale=levels,
        dimensions=[scoring.DimensionIn(str(d.pk), d.name, d.weight) for d in dimensions],
        questions=questions,
        rule=fv.scoring,
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
def assessment_submit(*, assessment: Assessment, user) -> Assessment:
    """Lock, check, score and store. A second submit of the same assessment does nothing."""
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
    assessment.refresh_from_db()
    return locked


@transaction.atomic
def assessment_reopen(*, assessment: Assessment, user, reason: str) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_submitted:
        return locked
    locked.status = Assessment.Status.IN_REVIEW
    locked.save(update_fields=["status"])
    _submission_changed(locked)
    audit_record(
        actor=user,
        action="assessment.reopen",
        obj=locked,
        changes={"status": ["submitted", "in_review"], "reason": reason},
        organisation_id=locked.organisation_id,
    )
    assessment.refresh_from_db()
    return locked
