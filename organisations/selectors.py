"""Every read of tenant data goes through here, scoped to the person asking.

Not a member (nor a consultant with an active grant): 404, so outsiders cannot even learn that
an organisation id exists. A member without the permission a page needs: 403 (what each role
may do is decided in `organisations.permissions`).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from maturity.audit.describe import SERVICE as THE_SERVICE
from maturity.audit.models import AuditEvent
from organisations import audit
from organisations.models import ConsultantGrant, Invitation, Membership, Organisation, Role
from organisations.permissions import CONSULTANT, Permission, permissions_for, refusal


@dataclass(frozen=True)
class Access:
    """What one person may do in one organisation."""

    organisation: Organisation
    role: str  # lead, respondent, viewer or consultant
    membership: Membership | None = None

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for(self.role)

    @property
    def perms(self) -> dict[str, bool]:
        """For templates: `{% if access.perms.manage_people %}`."""
        return dict.fromkeys(self.permissions, True)

    @property
    def is_consultant(self) -> bool:
        return self.role == CONSULTANT

    @property
    def role_label(self) -> str:
        return "Consultant" if self.is_consultant else Role(self.role).label

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> "Access":
        if not self.can(permission):
            raise PermissionDenied(refusal(permission, self.organisation.name))
        return self


def organisation_access(*, user, pk: int) -> Access:
    """The one way into an organisation's data."""
    if not user.is_authenticated:
        raise Http404("No such organisation")
    # `organisation__pk`, not `organisation_id`: a lookup on the key itself finds nothing for an
    # id too large for the column, where SQLite raises OverflowError on the raw foreign key.
    # `order_by()`: there is one row at most, and the default ordering would join the user's
    # table on every page only to sort it.
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__pk=pk)
        .order_by()
        .first()
    )
    if membership is not None:
        return Access(membership.organisation, membership.role, membership)
    grant = (
        ConsultantGrant.objects.active()
        .select_related("organisation")
        .filter(consultant=user, organisation__pk=pk)
        .first()
    )
    if grant is not None:
        return Access(grant.organisation, CONSULTANT)
    raise Http404("No such organisation")


def memberships_for_user(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def clients_for_consultant(*, user) -> QuerySet[ConsultantGrant]:
    return (
        ConsultantGrant.objects.active()
        .filter(consultant=user)
        .select_related("organisation", "granted_by")
        .order_by("organisation__name")
    )


def organisation_members(*, access: Access) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=access.organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def organisation_membership(*, access: Access, pk: int) -> Membership:
    try:
        return Membership.objects.select_related("user").get(
            organisation=access.organisation, pk=pk
        )
    except Membership.DoesNotExist:
        raise Http404("No such member") from None


def organisation_pending_invitations(*, access: Access) -> list[Invitation]:
    invitations = Invitation.objects.filter(
        organisation=access.organisation, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")
    return [i for i in invitations if not i.is_expired]


def organisation_invitation(*, access: Access, pk: int) -> Invitation:
    try:
        return Invitation.objects.get(organisation=access.organisation, pk=pk)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation") from None


def organisation_grants(*, access: Access) -> QuerySet[ConsultantGrant]:
    return (
        ConsultantGrant.objects.active()
        .filter(organisation=access.organisation)
        .select_related("consultant", "granted_by")
    )


def organisation_grant(*, access: Access, pk: int) -> ConsultantGrant:
    try:
        return (
            ConsultantGrant.objects.active()
            .select_related("consultant")
            .get(organisation=access.organisation, pk=pk)
        )
    except ConsultantGrant.DoesNotExist:
        raise Http404("No such consultant access") from None


SERVICE = "service"  # the `who` filter's value for changes the service made itself


def organisation_audit_events(
    *,
    access: Access,
    who: str = "",
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """The organisation's record of changes, newest first, with who made each one.

    `who` is a person's id or SERVICE; `kind` a kind of change (organisations.audit); the
    dates are days in the service's time zone, both included.
    """
    events = AuditEvent.objects.filter(organisation_id=access.organisation.pk)
    if who == SERVICE:
        events = events.filter(actor__isnull=True, actor_email="")
    elif who:
        events = events.filter(actor_id=who)
    if kind:
        events = events.filter(audit.kind_filter(kind))
    if date_from:
        events = events.filter(created_at__date__gte=date_from)
    if date_to:
        events = events.filter(created_at__date__lte=date_to)
    return events.select_related("actor").order_by("-created_at", "-id")


def organisation_audit_people(*, access: Access) -> list[tuple[str, str]]:
    """Everyone who has made a change to the organisation, as (`who` value, name) choices,
    sorted by name. People who share a name are told apart by email."""
    found = (
        AuditEvent.objects.filter(organisation_id=access.organisation.pk)
        .order_by()
        .values_list("actor_id", "actor__full_name", "actor__email", "actor_email")
        .distinct()
    )
    people, service = {}, False
    for actor_id, full_name, email, recorded_email in found:
        if actor_id is not None:
            people[str(actor_id)] = ((full_name or "").strip() or email, email)
        elif not recorded_email:
            service = True
    names = Counter(name for name, _ in people.values())
    choices = sorted(
        (
            (pk, f"{name} ({email})" if names[name] > 1 else name)
            for pk, (name, email) in people.items()
        ),
        key=lambda choice: choice[1].lower(),
    )
    if service:
        choices.append((SERVICE, THE_SERVICE))
    return choices
