"""The organisations app's part of the record of changes: its own actions told as sentences,
and the record as a CSV.

People, invitations, consultant access and the organisation's details are described here;
assessments registers its own actions (assessments.hooks). See maturity.audit.describe.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from maturity.audit.describe import (
    Kind,
    Line,
    actor,
    article,
    describers,
    listed,
    old_new,
    people_by_email,
    was,
)
from maturity.audit.models import AuditEvent
from maturity.spreadsheets import safe_cell
from organisations.models import Invitation, Organisation, Role

PEOPLE = Kind("people", "People", order=10)
INVITATIONS = Kind("invitations", "Invitations", order=20)
CONSULTANTS = Kind("consultants", "Consultant access", order=30)
ORGANISATION = Kind("organisation", "Organisation details", order=70)

CSV_BATCH = 500


def _role(value) -> str:
    return Role(value).label.lower() if value in Role.values else "member"


def _subject(changes: dict, key: str, names: dict[str, str]) -> str:
    """The person a change is about, named if they have an account, else by email."""
    email = changes.get(key)
    if not isinstance(email, str) or not email:
        return "someone"
    return names.get(email.lower(), email)


def _is_actor(event: AuditEvent, email) -> bool:
    return isinstance(email, str) and email.lower() == (event.actor_email or "").lower()


def describe_people(events: Sequence[AuditEvent]) -> list[str | None]:
    """Memberships, accounts, invitations and consultant access, with one query for the names
    of everyone mentioned and one for the invitations accepted."""
    names = people_by_email(
        e.changes.get(key)
        for e in events
        for key in ("user", "consultant", "email")
        if isinstance(e.changes, dict)
    )
    accepted = [e.object_id for e in events if e.action == "invitation.accept"]
    invitations = (
        {
            str(i.pk): i
            for i in Invitation.objects.filter(pk__in=accepted).order_by().only("kind", "role")
        }
        if accepted
        else {}
    )
    return [_people_sentence(e, names, invitations) for e in events]


def _people_sentence(event, names, invitations) -> str | None:
    changes = event.changes if isinstance(event.changes, dict) else {}
    who = actor(event)
    match event.action:
        case "membership.change_role":
            roles = old_new(changes, "role")
            if roles is None:
                return None
            old, new = (_role(r) for r in roles)
            if _is_actor(event, changes.get("user")):
                return f"{who} changed their own role from {old} to {new}"
            return f"{who} changed {_subject(changes, 'user', names)}'s role from {old} to {new}"
        case "membership.create":
            role = _role(changes.get("role"))
            if _is_actor(event, changes.get("user")):
                return f"{who} joined as {article(role)}"
            return f"{who} added {_subject(changes, 'user', names)} as {article(role)}"
        case "membership.remove":
            role = _role(changes.get("role"))
            if _is_actor(event, changes.get("user")):
                return f"{who} left the organisation (they were {article(role)})"
            subject = _subject(changes, "user", names)
            return f"{who} removed {subject} from the organisation (they were {article(role)})"
        case "user.create":
            if _is_actor(event, changes.get("email")):
                return f"{who} created an account"
            return f"{who} created an account for {_subject(changes, 'email', names)}"
        case "invitation.create":
            invited = _subject(changes, "email", names)
            if changes.get("kind") == Invitation.Kind.CONSULTANT:
                return f"{who} invited {invited} to have consultant access"
            return f"{who} invited {invited} to join as {article(_role(changes.get('role')))}"
        case "invitation.revoke":
            return f"{who} withdrew the invitation to {_subject(changes, 'email', names)}"
        case "invitation.accept":
            invitation = invitations.get(event.object_id)
            if invitation is None:
                return f"{who} accepted an invitation"
            if invitation.kind == Invitation.Kind.CONSULTANT:
                return f"{who} accepted the invitation to have consultant access"
            return f"{who} accepted the invitation to join as {article(_role(invitation.role))}"
        case "consultant_grant.create":
            if _is_actor(event, changes.get("consultant")):
                return f"{who} was given consultant access"
            return f"{who} gave {_subject(changes, 'consultant', names)} consultant access"
        case "consultant_grant.revoke":
            subject = _subject(changes, "consultant", names)
            if _is_actor(event, changes.get("consultant")):
                return f"{who} gave up their consultant access"
            return f"{who} withdrew {subject}'s consultant access"
    return None


ORGANISATION_FIELDS = {
    "name": ("name", None),
    "code": ("code", None),
    "kind": ("type", Organisation.Kind),
    "region": ("region", Organisation.Region),
    "size_band": ("size", Organisation.SizeBand),
    "parent": ("parent organisation", None),
}


def describe_organisation(events: Sequence[AuditEvent]) -> list[str | None]:
    """Created or changed by a platform admin or an import. A parent is recorded as a code by
    the import and as an id by the admin site: both are named, in one query."""
    refs = {
        value
        for e in events
        if isinstance(e.changes, dict)
        for value in (old_new(e.changes, "parent") or ())
        if value not in (None, "")
    }
    parents = {}
    if refs:
        ids = [r for r in refs if isinstance(r, int)]
        codes = [r for r in refs if isinstance(r, str)]
        for pk, code, name in (
            Organisation.objects.filter(Q(pk__in=ids) | Q(code__in=codes))
            .order_by()
            .values_list("pk", "code", "name")
        ):
            parents[pk] = parents[code] = name
    return [_organisation_sentence(e, parents) for e in events]


def _organisation_value(field: str, value, parents: dict) -> str | None:
    if value in (None, ""):
        return None
    if field == "parent":
        return parents.get(value, "an organisation no longer in the service")
    choices = ORGANISATION_FIELDS.get(field, (None, None))[1]
    if choices is not None and value in choices.values:
        return choices(value).label
    return str(value)


def _organisation_sentence(event, parents) -> str | None:
    changes = event.changes if isinstance(event.changes, dict) else {}
    who = actor(event)
    if event.action == "organisation.create":
        name = (old_new(changes, "name") or (None, None))[1] or event.object_repr
        return f"{who} added {name} to the service"
    if event.action != "organisation.update":
        return None
    parts = []
    for field, (label, _) in ORGANISATION_FIELDS.items():
        pair = old_new(changes, field)
        if pair is None:
            continue
        old, new = (_organisation_value(field, v, parents) for v in pair)
        parts.append(f"{label} to {new or 'not set'} ({was(old)})")
    if not parts:
        return f"{who} changed the organisation's details"
    return f"{who} changed the organisation's details: {listed(parts)}"


def register() -> None:
    for prefix, kind in (
        ("membership", PEOPLE),
        ("user", PEOPLE),
        ("invitation", INVITATIONS),
        ("consultant_grant", CONSULTANTS),
    ):
        describers.register(prefix, kind=kind, describe=describe_people)
    describers.register("organisation", kind=ORGANISATION, describe=describe_organisation)


def describe(events: Iterable[AuditEvent]) -> list[Line]:
    """The events as the record shows them, told by the app that owns each action."""
    return describers.describe(events)


def kind_choices() -> list[tuple[str, str]]:
    """The kinds of change a person can filter by, in the order the record lists them."""
    return [(kind.slug, kind.label) for kind in describers.kinds()]


def kind_filter(kind_slug: str) -> Q:
    """The events of one kind of change, by the action prefixes registered for it."""
    matches = Q(pk__in=[])
    for prefix in describers.prefixes(kind_slug):
        matches |= Q(action__startswith=f"{prefix}.")
    return matches


def record_csv(events: QuerySet[AuditEvent]) -> str:
    """The record as CSV (when, who, kind, what), described CSV_BATCH events at a time; every
    cell is made safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["When", "Who", "Kind", "What"])
    pages = Paginator(events, CSV_BATCH)
    for number in pages.page_range:
        for line in describe(pages.page(number).object_list):
            when = timezone.localtime(line.event.created_at).strftime("%Y-%m-%d %H:%M:%S")
            writer.writerow(
                safe_cell(cell) for cell in (when, line.who, line.kind.label, line.sentence)
            )
    return buffer.getvalue()
