"""The improvement plan's changes as sentences in the record of changes (maturity.audit.describe).

Registered from improvement.hooks. A batch looks up its actions and the people named as owners
once, whatever mix of events it holds.
"""

from collections.abc import Sequence

from django.contrib.auth import get_user_model

from improvement.models import Action
from maturity.audit.describe import Kind, actor, listed, old_new, person, quoted, shorten, was
from maturity.audit.models import AuditEvent

ACTIONS = Kind("actions", "Improvement plan", order=65)
PREFIXES = ("action", "plan_settings")

FIELDS = {
    "title": "the title",
    "description": "the detail",
    "dimension": "the dimension",
    "questions": "the questions",
    "target_level": "the target level",
}


def _status(value) -> str:
    return Action.Status(value).label.lower() if value in Action.Status.values else "not set"


def describe_plan_events(events: Sequence[AuditEvent]) -> list[str | None]:
    ids = {
        int(e.object_id) for e in events if e.action.startswith("action.") if e.object_id.isdigit()
    }
    titles = dict(Action.objects.filter(pk__in=ids).values_list("pk", "title")) if ids else {}
    owner_ids = set()
    for e in events:
        changes = e.changes if isinstance(e.changes, dict) else {}
        if isinstance(changes.get("owner"), int):
            owner_ids.add(changes["owner"])
        pair = old_new(changes, "owner")
        owner_ids |= {v for v in pair or () if isinstance(v, int)}
    owners = (
        {u.pk: person(u) for u in get_user_model().objects.filter(pk__in=owner_ids)}
        if owner_ids
        else {}
    )
    return [_describe(e, titles, owners) for e in events]


def _describe(event, titles, owners) -> str | None:
    who = actor(event)
    changes = event.changes if isinstance(event.changes, dict) else {}
    if event.action == "plan_settings.set":
        allowed = (old_new(changes, "respondents_may_edit") or (None, None))[1]
        return f"{who} {'let' if allowed else 'stopped'} respondents add and change actions"
    title = titles.get(int(event.object_id)) if event.object_id.isdigit() else None
    title = quoted(title or changes.get("title") or "an action")

    def owner(value) -> str | None:
        return owners.get(value, "a former member") if value else None

    match event.action:
        case "action.create":
            sentence = f"{who} added the action {title}"
            if changes.get("owner"):
                sentence += f" for {owner(changes['owner'])}"
            if changes.get("due_date"):
                sentence += f", due {changes['due_date']}"
            return sentence
        case "action.edit":
            details = [words for field, words in FIELDS.items() if field in changes]
            if pair := old_new(changes, "owner"):
                details.append(f"the owner to {owner(pair[1]) or 'nobody'} ({was(owner(pair[0]))})")
            if pair := old_new(changes, "due_date"):
                details.append(f"the due date to {pair[1] or 'none'} ({was(pair[0])})")
            return f"{who} changed {listed(details) or 'nothing'} of the action {title}"
        case "action.status":
            pair = old_new(changes, "status") or (None, None)
            sentence = (
                f"{who} marked the action {title} {_status(pair[1])} ({was(_status(pair[0]))})"
            )
            if changes.get("note"):
                sentence += f", noting {quoted(str(changes['note']))}"
            return sentence
        case "action.note":
            return (
                f"{who} added a note to the action {title}: {quoted(str(changes.get('note', '')))}"
            )
        case "action.overdue_email":
            return (
                f"{who} emailed {shorten(str(changes.get('to', 'the owner')))} that the action "
                f"{title} is overdue (due {changes.get('due_date', '')})"
            )
    return None
