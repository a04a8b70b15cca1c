"""Every write to the improvement plan, one transaction each, each in the record of changes.

An action carries a version like an answer does: an edit or a status change names the version
it started from, and a stale one is refused (ActionConflict) instead of overwriting the change
someone else made since.
"""

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import Assessment
from frameworks.models import Dimension, Question
from improvement.models import Action, ActionNote, PlanSettings
from maturity.audit.services import audit_record
from maturity.mail import send_email


class ActionConflict(Exception):
    """Someone changed this action since the version the change started from."""

    def __init__(self, current: Action):
        self.current = current
        super().__init__("This action was changed since you opened it")


def _locked(action: Action, base_version: int) -> Action:
    # Locked so two people saving at once cannot both pass the version check.
    row = Action.objects.select_for_update().get(pk=action.pk)
    if row.version != base_version:
        raise ActionConflict(row)
    return row


def _value(value):
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "pk", value)


@transaction.atomic
def action_create(
    *,
    assessment: Assessment,
    by,
    title: str,
    description: str = "",
    dimension: Dimension | None = None,
    questions: Sequence[Question] = (),
    target_level: int | None = None,
    owner=None,
    due_date: date | None = None,
) -> Action:
    action = Action.objects.create(
        organisation_id=assessment.organisation_id,
        assessment=assessment,
        title=title,
        description=description,
        dimension=dimension,
        target_level=target_level,
        owner=owner,
        due_date=due_date,
        created_by=by,
    )
    action.questions.set(questions)
    audit_record(
        actor=by,
        action="action.create",
        obj=action,
        organisation_id=action.organisation_id,
        changes={
            "title": title,
            "owner": _value(owner),
            "due_date": _value(due_date),
            "questions": sorted(q.pk for q in questions),
        },
    )
    return action


EDITABLE = ("title", "description", "dimension", "target_level", "owner", "due_date")


@transaction.atomic
def action_update(
    *, action: Action, by, base_version: int, questions: Sequence[Question], **values
) -> Action:
    row = _locked(action, base_version)
    changes = {
        field: [_value(getattr(row, field)), _value(value)]
        for field, value in values.items()
        if field in EDITABLE and _value(getattr(row, field)) != _value(value)
    }
    before = sorted(row.questions.values_list("pk", flat=True))
    after = sorted(q.pk for q in questions)
    if before != after:
        changes["questions"] = [before, after]
    if not changes:
        return row
    for field in EDITABLE:
        if field in values:
            setattr(row, field, values[field])
    row.version += 1
    row.save()
    row.questions.set(questions)
    audit_record(
        actor=by,
        action="action.edit",
        obj=row,
        organisation_id=row.organisation_id,
        changes=changes,
    )
    return row


@transaction.atomic
def action_set_status(
    *, action: Action, by, status: str, base_version: int, note: str = ""
) -> Action:
    row = _locked(action, base_version)
    note = note.strip()
    if row.status == status and not note:
        return row
    changes = {}
    if row.status != status:
        changes["status"] = [row.status, status]
        row.status = status
        row.done_at = timezone.now() if status == Action.Status.DONE else None
        row.version += 1
        row.save()
    if note:
        ActionNote.objects.create(action=row, author=by, text=note, status=status)
        changes["note"] = note
    audit_record(
        actor=by,
        action="action.status" if "status" in changes else "action.note",
        obj=row,
        organisation_id=row.organisation_id,
        changes=changes,
    )
    return row


@transaction.atomic
def action_note_add(*, action: Action, by, text: str) -> ActionNote:
    note = ActionNote.objects.create(action=action, author=by, text=text.strip())
    audit_record(
        actor=by,
        action="action.note",
        obj=action,
        organisation_id=action.organisation_id,
        changes={"note": note.text},
    )
    return note


@transaction.atomic
def plan_settings_set(*, organisation, by, respondents_may_edit: bool) -> PlanSettings:
    row, _ = PlanSettings.objects.select_for_update().get_or_create(organisation=organisation)
    if row.respondents_may_edit != respondents_may_edit:
        audit_record(
            actor=by,
            action="plan_settings.set",
            obj=row,
            organisation_id=organisation.pk,
            changes={"respondents_may_edit": [row.respondents_may_edit, respondents_may_edit]},
        )
        row.respondents_may_edit = respondents_may_edit
        row.save()
    return row


def overdue_actions_email(*, base_url: str, today: date | None = None) -> int:
    """Queue one email to the owner of each open action past its due date that has not had one
    for that due date. Returns how many were queued; running it again queues none."""
    today = today or timezone.localdate()
    due = (
        Action.objects.exclude(status__in=Action.CLOSED)
        .filter(due_date__lt=today, owner__isnull=False, owner__is_active=True)
        .exclude(owner__email="")
        .select_related("owner", "organisation")
        .order_by("pk")
    )
    queued = 0
    for candidate in due.iterator():
        if candidate.overdue_emailed_for == candidate.due_date:
            continue
        queued += _email_overdue(candidate.pk, base_url=base_url, today=today)
    return queued


@transaction.atomic
def _email_overdue(pk: int, *, base_url: str, today: date) -> int:
    # Locked and checked again, so two runs at once cannot both send for one due date.
    action = (
        Action.objects.select_for_update(of=("self",))
        .select_related("owner", "organisation")
        .get(pk=pk)
    )
    if (
        action.overdue_emailed_for == action.due_date
        or not action.is_open
        or action.due_date is None
        or action.due_date >= today
        or action.owner is None
    ):
        return 0
    url = base_url.rstrip("/") + action.get_absolute_url()
    context = {"action": action, "url": url, "days": (today - action.due_date).days}
    send_email.enqueue(
        to=[action.owner.email],
        subject=f"Overdue action: {action.title}"[:150],
        body=render_to_string("improvement/email/overdue.txt", context),
    )
    action.overdue_emailed_for = action.due_date
    action.save(update_fields=["overdue_emailed_for"])
    audit_record(
        actor=None,
        action="action.overdue_email",
        obj=action,
        organisation_id=action.organisation_id,
        changes={"to": action.owner.email, "due_date": action.due_date.isoformat()},
    )
    return 1
