"""Every read of the improvement plan, scoped by the organisation the person may see."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from assessments.models import AgreedAnswer, Assessment
from frameworks import structure
from frameworks.models import Question
from frameworks.selectors import version_map
from improvement.models import Action, ActionNote
from organisations.models import Membership
from organisations.selectors import Access

_QUESTIONS = Prefetch(
    "questions",
    queryset=Question.objects.select_related("dimension").order_by(
        "dimension__position", "position", "id"
    ),
)


def _actions() -> QuerySet[Action]:
    return (
        Action.objects.select_related("owner", "dimension", "assessment__framework_version")
        .prefetch_related(_QUESTIONS)
        .annotate(note_count=Count("notes", distinct=True))
    )


# Soonest due first, actions with no due date last (on SQLite and PostgreSQL alike).
DUE = F("due_date").asc(nulls_last=True)


def overdue_q(today=None) -> Q:
    today = today or timezone.localdate()
    return Q(due_date__lt=today) & ~Q(status__in=Action.CLOSED)


def organisation_actions(
    *, access: Access, status: str = "", owner: str = "", overdue: bool = False
) -> QuerySet[Action]:
    """The organisation's actions, soonest due first (no due date last); `owner` is a person's
    id, or "none" for actions nobody owns."""
    actions = _actions().filter(organisation=access.organisation)
    if status:
        actions = actions.filter(status=status)
    if owner == "none":
        actions = actions.filter(owner__isnull=True)
    elif owner:
        actions = actions.filter(owner_id=owner)
    if overdue:
        actions = actions.filter(overdue_q())
    return actions.order_by(DUE, "id")


def organisation_action(*, access: Access, pk: int) -> Action:
    try:
        return _actions().get(organisation=access.organisation, pk=pk)
    except Action.DoesNotExist:
        raise Http404("No such action") from None


def action_notes(*, action: Action) -> QuerySet[ActionNote]:
    return action.notes.select_related("author").order_by("-created_at", "-id")


def action_counts(*, access: Access) -> dict[str, int]:
    return Action.objects.filter(organisation=access.organisation).aggregate(
        open=Count("pk", filter=~Q(status__in=Action.CLOSED)),
        overdue=Count("pk", filter=overdue_q()),
    )


def possible_owners(*, organisation) -> QuerySet[Membership]:
    """Members of the organisation: anyone may own an action."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def owners_in_plan(*, access: Access) -> list[tuple[str, str]]:
    """The people who own one of the organisation's actions, as filter choices."""
    rows = (
        Action.objects.filter(organisation=access.organisation, owner__isnull=False)
        .order_by()
        .values_list("owner_id", "owner__full_name", "owner__email")
        .distinct()
    )
    return sorted(
        ((str(pk), (name or "").strip() or email) for pk, name, email in rows),
        key=lambda c: c[1].lower(),
    )


def your_open_action_count(*, user) -> int:
    return (
        Action.objects.filter(owner=user, organisation__memberships__user=user)
        .exclude(status__in=Action.CLOSED)
        .count()
    )


def your_actions(*, user) -> QuerySet[Action]:
    """The person's own actions, in organisations they are still a member of."""
    return (
        _actions()
        .filter(owner=user, organisation__memberships__user=user)
        .select_related("organisation")
        .order_by(DUE, "id")
    )


@dataclass(frozen=True)
class Moved:
    code: str
    text: str
    before: int | None  # the agreed level in the round the action came from
    now: int | None  # the agreed level in this round (None: not answered or no longer asked)
    before_label: str = ""
    now_label: str = ""

    @property
    def moved(self) -> bool:
        return self.before is not None and self.now is not None and self.now > self.before


@dataclass(frozen=True)
class Carried:
    action: Action
    questions: list[Moved]

    @property
    def moved_nothing(self) -> bool:
        return not any(q.moved for q in self.questions)


def _levels(assessment_ids) -> dict[tuple[int, int], int | None]:
    return {
        (a, q): level if state == AgreedAnswer.State.LEVEL else None
        for a, q, state, level in AgreedAnswer.objects.filter(
            assessment_id__in=assessment_ids
        ).values_list("assessment_id", "question_id", "state", "level")
    }


# Carried actions in the order they were done.
DONE = ("done_at", "id")


def _carried_q(assessment: Assessment) -> Q:
    return Q(
        organisation_id=assessment.organisation_id,
        status=Action.Status.DONE,
        assessment__framework_version__framework_id=assessment.framework_version.framework_id,
        assessment__submitted_at__lt=assessment.submitted_at,
    ) & ~Q(assessment=assessment)


def results_actions(*, assessment: Assessment) -> tuple[list[Action], list[Carried]]:
    """The results page's part of the plan, read in one query: the round's own actions (soonest
    due first, with `target_label`) and those carried from earlier rounds.

    Carried: for a submitted round, each action made from an earlier round of the same
    organisation on the same framework and marked done since then (or before this round was
    submitted), with how its questions moved from that round's agreed level to this round's.
    Questions of an older version are followed through the confirmed crosswalk (same or reworded
    questions only)."""
    mine = Q(assessment=assessment)
    rows = (
        _actions()
        .filter(mine | _carried_q(assessment) if assessment.is_submitted else mine)
        .order_by(*DONE)
    )
    own, earlier = [], []
    for action in rows:
        (own if action.assessment_id == assessment.pk else earlier).append(action)
    own.sort(key=lambda a: (a.due_date is None, a.due_date or date.min, a.pk))  # as DUE
    return with_target_labels(own), _carried(assessment, earlier) if earlier else []


def _carried(assessment: Assessment, actions: list[Action]) -> list[Carried]:
    if not actions:
        return []
    fv = assessment.framework_version
    levels = _levels({a.assessment_id for a in actions} | {assessment.pk})
    labels = level_labels([a.assessment.framework_version for a in actions] + [fv])
    by_dimension: dict[int, list[Question]] = {}
    for q in Question.objects.filter(
        dimension_id__in={a.dimension_id for a in actions if a.dimension_id}
    ).order_by("position", "id"):
        by_dimension.setdefault(q.dimension_id, []).append(q)
    maps = {}
    carried = []
    for action in actions:
        earlier = action.assessment.framework_version
        if earlier.pk not in maps:
            lineage = version_map(earlier=earlier, later=fv)
            maps[earlier.pk] = {old: new for new, old in lineage.comparable.items()}
        forward = maps[earlier.pk]
        questions = list(action.questions.all())
        if not questions and action.dimension_id:
            questions = by_dimension.get(action.dimension_id, [])
        moved = []
        for q in questions:
            later = forward.get(q.pk)
            before = levels.get((action.assessment_id, q.pk))
            now = levels.get((assessment.pk, later)) if later else None
            moved.append(
                Moved(
                    code=q.slug,
                    text=q.text,
                    before=before,
                    now=now,
                    before_label=labels.get((earlier.pk, before), "Not answered"),
                    now_label=labels.get(
                        (fv.pk, now), "Not answered" if later else "No longer asked"
                    ),
                )
            )
        carried.append(Carried(action=action, questions=moved))
    return carried


def with_target_labels(actions):
    """Sets `target_label` ("3. Managed", or "") on each action, with one query; returns them."""
    actions = list(actions)
    labels = level_labels(a.assessment.framework_version for a in actions)
    for action in actions:
        action.target_label = labels.get(
            (action.assessment.framework_version_id, action.target_level), ""
        )
    return actions


def level_labels(versions) -> dict[tuple[int, int], str]:
    """(version id, level) -> "3. Managed" for each framework version given."""
    return {
        (fv.pk, lv.value): f"{lv.value}. {lv.label}"
        for fv in {fv.pk: fv for fv in versions}.values()
        for lv in structure.scale_levels(fv)
    }


def _plain(action: Action, labels) -> dict:
    owner = action.owner
    return {
        "title": action.title,
        "description": action.description,
        "dimension": action.dimension.name if action.dimension else "",
        "questions": [q.text for q in action.questions.all()],
        "target_level": labels.get(
            (action.assessment.framework_version_id, action.target_level), ""
        ),
        "owner": ((owner.full_name or "").strip() or owner.email) if owner else "",
        "due_date": action.due_date,
        "status": action.get_status_display(),
        "overdue": action.is_overdue,
        "notes": action.note_count,
    }


def report_actions(*, assessment: Assessment) -> list[dict]:
    """For the report and its exports, as plain values: the actions made from this assessment,
    and those still open from earlier rounds of the organisation on the same framework."""
    actions = list(
        _actions()
        .filter(organisation_id=assessment.organisation_id)
        .filter(
            Q(assessment=assessment)
            | Q(
                assessment__framework_version__framework_id=assessment.framework_version.framework_id,
                assessment__created_at__lt=assessment.created_at,
            )
            & ~Q(status__in=Action.CLOSED)
        )
        .order_by(DUE, "id")
    )
    labels = level_labels(a.assessment.framework_version for a in actions)
    return [_plain(a, labels) for a in actions]


def organisation_actions_data(*, organisation) -> list[dict]:
    """Every action of the organisation with its notes, for the organisation's JSON export."""
    actions = list(
        _actions()
        .filter(organisation=organisation)
        .prefetch_related(Prefetch("notes", queryset=ActionNote.objects.select_related("author")))
        .order_by("id")
    )
    labels = level_labels(a.assessment.framework_version for a in actions)
    rows = []
    for action in actions:
        row = _plain(action, labels)
        row["due_date"] = action.due_date.isoformat() if action.due_date else None
        row["round"] = action.assessment.round_label
        row["created_at"] = action.created_at.isoformat()
        row["notes"] = [
            {
                "at": note.created_at.isoformat(),
                "author": note.author.email if note.author else "",
                "status": note.get_status_display() if note.status else "",
                "text": note.text,
            }
            for note in action.notes.all()
        ]
        rows.append(row)
    return rows
