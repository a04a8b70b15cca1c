"""Every write to organisations, memberships, invitations and consultant grants.

Each function runs in one transaction and writes its own audit event.
"""

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from maturity.audit.services import audit_record
from maturity.mail import send_email
from organisations.models import (
    INVITATION_LIFETIME,
    ConsultantGrant,
    Invitation,
    Membership,
    Organisation,
    Role,
)
from organisations.signals import membership_role_set

INVITATION_SALT = "organisations.invitation"


class InvitationInvalid(Exception):
    """The link cannot be used. The message says why, in words for the person holding it."""


class LastLeadError(Exception):
    pass


class AlreadyThere(Exception):
    pass


def _normalise(email: str) -> str:
    return get_user_model().objects.normalize_email(email.strip()).lower()


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation, *, base_url: str) -> str:
    path = reverse("organisations:invitation", kwargs={"token": invitation_token(invitation)})
    return f"{base_url.rstrip('/')}{path}"


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link stands for, or InvitationInvalid saying why it cannot be used."""
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=INVITATION_LIFETIME.total_seconds()
        )
    except signing.SignatureExpired:
        raise InvitationInvalid(
            "This invitation has expired. Invitations last 7 days: ask the person who invited "
            "you to send a new one."
        ) from None
    except signing.BadSignature:
        raise InvitationInvalid(
            "This invitation link is not valid. Check you copied the whole link from the email."
        ) from None
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=data.get("i"), nonce=data.get("n"))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        raise InvitationInvalid(
            "This invitation has already been used. Sign in to reach the organisation."
        )
    if invitation.revoked_at is not None:
        raise InvitationInvalid("This invitation was withdrawn. Ask for a new one if you need it.")
    if invitation.is_expired:
        raise InvitationInvalid(
            "This invitation has expired. Invitations last 7 days: ask the person who invited "
            "you to send a new one."
        )
    return invitation


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    invited_by,
    base_url: str,
    role: str = "",
    kind: str = Invitation.Kind.MEMBER,
) -> Invitation:
    """Invite someone as a member (with a role) or as a consultant, and email them the link.

    A new invitation to the same address replaces any that is still pending.
    """
    email = _normalise(email)
    if kind == Invitation.Kind.MEMBER:
        if role not in Role.values:
            raise ValueError(f"Unknown role {role!r}")
        if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
            raise AlreadyThere(f"{email} is already a member of {organisation.name}.")
    else:
        role = ""
        if (
            ConsultantGrant.objects.active()
            .filter(organisation=organisation, consultant__email__iexact=email)
            .exists()
        ):
            raise AlreadyThere(f"{email} already has consultant access to {organisation.name}.")
    now = timezone.now()
    Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        kind=kind,
        role=role,
        invited_by=invited_by,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    audit_record(
        actor=invited_by,
        action="invitation.create",
        obj=invitation,
        changes={"email": email, "kind": kind, "role": role},
        organisation_id=organisation.pk,
    )
    context = {
        "invitation": invitation,
        "url": invitation_url(invitation, base_url=base_url),
        "inviter": invited_by,
    }
    # Queued in the same transaction (the queue is in this database), so the invitation and its
    # email are saved together; the worker sends it, and a mail server that is slow or down
    # never holds up or breaks this request.
    send_email.enqueue(
        to=[email],
        subject=f"You're invited to {organisation.name} on the digital maturity service",
        body=render_to_string("organisations/email/invitation.txt", context),
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is None and locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=by,
            action="invitation.revoke",
            obj=locked,
            changes={"email": locked.email},
            organisation_id=locked.organisation_id,
        )
    return locked


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user, base_url: str | None = None
) -> Membership | ConsultantGrant:
    """Turn an invitation into a membership or a consultant grant. Works once. `base_url` is
    where links in email it sets off point (None: no email)."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None or locked.revoked_at is not None or locked.is_expired:
        raise InvitationInvalid("This invitation can no longer be used.")
    if user.email.lower() != locked.email.lower():
        raise InvitationInvalid(
            f"This invitation was sent to {locked.email}, but you are signed in as "
            f"{user.email}. Sign out and open the link again."
        )
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    if locked.kind == Invitation.Kind.CONSULTANT:
        result, _ = ConsultantGrant.objects.active().get_or_create(
            organisation=locked.organisation,
            consultant=user,
            defaults={"granted_by": locked.invited_by},
        )
        action, changes = "consultant_grant.create", {"consultant": user.email}
    else:
        result, created = Membership.objects.get_or_create(
            organisation=locked.organisation, user=user, defaults={"role": locked.role}
        )
        action, changes = "membership.create", {"user": user.email, "role": locked.role}
        previous = None if created else result.role
        if not created and result.role != locked.role:
            changes = {"user": user.email, "role": [result.role, locked.role]}
            result.role = locked.role
            result.save(update_fields=["role"])
            action = "membership.change_role"
        if previous != result.role:
            membership_role_set.send(
                sender=Membership,
                membership=result,
                previous_role=previous,
                by=locked.invited_by,
                base_url=base_url,
            )
    audit_record(
        actor=user, action="invitation.accept", obj=locked, organisation_id=locked.organisation_id
    )
    audit_record(
        actor=user,
        action=action,
        obj=result,
        changes=changes,
        organisation_id=locked.organisation_id,
    )
    return result


@transaction.atomic
def account_create_for_invitation(
    *, invitation: Invitation, full_name: str, password: str, base_url: str | None = None
):
    """Create the account an invitation is addressed to, and accept the invitation with it."""
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationInvalid(
            f"There is already an account for {invitation.email}. Sign in to accept."
        )
    user = User.objects.create_user(invitation.email, password, full_name=full_name.strip())
    audit_record(
        actor=user,
        action="user.create",
        obj=user,
        changes={"email": user.email, "via": "invitation"},
        organisation_id=invitation.organisation_id,
    )
    invitation_accept(invitation=invitation, user=user, base_url=base_url)
    return user


def _lock_leads(organisation_id: int) -> list[int]:
    return list(
        Membership.objects.select_for_update()
        .filter(organisation_id=organisation_id, role=Role.LEAD)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def membership_change_role(
    *, membership: Membership, role: str, by, base_url: str | None = None
) -> Membership:
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}")
    leads = _lock_leads(membership.organisation_id)
    locked = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if locked.role == role:
        return locked
    if locked.role == Role.LEAD and leads == [locked.pk]:
        raise LastLeadError(
            f"{locked.user} is the only lead of {locked.organisation.name}. Make someone else "
            "a lead first."
        )
    old = locked.role
    locked.role = role
    locked.save(update_fields=["role"])
    audit_record(
        actor=by,
        action="membership.change_role",
        obj=locked,
        changes={"user": locked.user.email, "role": [old, role]},
        organisation_id=locked.organisation_id,
    )
    membership_role_set.send(
        sender=Membership, membership=locked, previous_role=old, by=by, base_url=base_url
    )
    return locked


@transaction.atomic
def membership_remove(*, membership: Membership, by) -> None:
    leads = _lock_leads(membership.organisation_id)
    locked = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if locked.role == Role.LEAD and leads == [locked.pk]:
        raise LastLeadError(
            f"{locked.user} is the only lead of {locked.organisation.name}, and an organisation "
            "always needs one. Make someone else a lead first."
        )
    audit_record(
        actor=by,
        action="membership.remove",
        obj=locked,
        changes={"user": locked.user.email, "role": locked.role},
        organisation_id=locked.organisation_id,
    )
    locked.delete()


@transaction.atomic
def consultant_grant_revoke(*, grant: ConsultantGrant, by) -> ConsultantGrant:
    locked = (
        ConsultantGrant.objects.select_for_update().select_related("consultant").get(pk=grant.pk)
    )
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=by,
            action="consultant_grant.revoke",
            obj=locked,
            changes={"consultant": locked.consultant.email},
            organisation_id=locked.organisation_id,
        )
    return locked
