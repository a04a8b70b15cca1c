"""Every read of tenant data goes through here, scoped to the person asking.

Not a member (nor a consultant with an active grant): 404, so outsiders cannot even learn that
an organisation id exists. A member without the role a page needs: 403.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from maturity.audit.models import AuditEvent
from organisations.models import (
    ROLE_RANK,
    ConsultantGrant,
    Invitation,
    Membership,
    Organisation,
    Role,
)

CONSULTANT = "consultant"
# A consultant may read what a viewer reads, and manage nothing.
ACCESS_RANK = {**ROLE_RANK, CONSULTANT: ROLE_RANK[Role.VIEWER]}


@dataclass(frozen=True)
class Access:
    """What one person may do in one organisation."""

    organisation: Organisation
    role: str  # lead, respondent, viewer or consultant
    membership: Membership | None = None

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD

    @property
    def is_consultant(self) -> bool:
        return self.role == CONSULTANT

    @property
    def role_label(self) -> str:
        return "Consultant" if self.is_consultant else Role(self.role).label

    def allows(self, minimum: str) -> bool:
        return ACCESS_RANK[self.role] >= ROLE_RANK[minimum]

    def require(self, minimum: str) -> "Access":
        if not self.allows(minimum):
            raise PermissionDenied(
                f"You need to be a {Role(minimum).label.lower()} of {self.organisation.name}."
            )
        return self


def organisation_access(*, user, pk: int) -> Access:
    """The one way into an organisation's data."""
    if not user.is_authenticated:
        raise Http404("No such organisation")
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation_id=pk)
        .first()
    )
    if membership is not None:
        return Access(membership.organisation, membership.role, membership)
    grant = (
        ConsultantGrant.objects.select_related("organisation")
        .filter(consultant=user, organisation_id=pk, revoked_at__isnull=True)
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
        ConsultantGrant.objects.filter(consultant=user, revoked_at__isnull=True)
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
    return ConsultantGrant.objects.filter(
        organisation=access.organisation, revoked_at__isnull=True
    ).select_related("consultant", "granted_by")


def organisation_grant(*, access: Access, pk: int) -> ConsultantGrant:
    try:
        return ConsultantGrant.objects.select_related("consultant").get(
            organisation=access.organisation, pk=pk, revoked_at__isnull=True
        )
    except ConsultantGrant.DoesNotExist:
        raise Http404("No such consultant access") from None


def organisation_audit_events(*, access: Access) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(organisation_id=access.organisation.pk).order_by(
        "-created_at", "-id"
    )
