"""Invitations: signed, single-use, 7 days, and they create the account or add the membership."""

import re
import time

import pytest
from django.core import mail, signing
from django.urls import reverse

from maturity.accounts.models import User
from maturity.audit.models import AuditEvent
from organisations import services
from organisations.models import ConsultantGrant, Invitation, Membership, Role
from tests.conftest import CsrfClient
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Invitation emails go through the task queue; here it runs them as they are queued."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def org():
    return OrganisationFactory(name="Gamma Borough Council")


@pytest.fixture
def lead(org):
    return MembershipFactory(organisation=org, role=Role.LEAD).user


def invite(org, lead, email="colleague@gamma.example", role=Role.RESPONDENT, **kwargs):
    return services.invitation_create(
        organisation=org,
        email=email,
        role=role,
        invited_by=lead,
        base_url="http://testserver/",
        **kwargs,
    )


def link_in_last_email() -> str:
    return re.search(r"http://testserver(/invitations/[^/\s]+/)", mail.outbox[-1].body).group(1)


def test_lead_invites_by_form_and_an_email_goes_out(org, lead, django_capture_on_commit_callbacks):
    client = CsrfClient()
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.submit(
            reverse("organisations:invite", kwargs={"pk": org.pk}),
            {"email": "New.Person@Gamma.example", "role": "viewer"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("new.person@gamma.example", "viewer")
    assert mail.outbox[-1].to == ["new.person@gamma.example"]
    assert "Gamma Borough Council" in mail.outbox[-1].subject
    assert "/invitations/" in mail.outbox[-1].body
    event = AuditEvent.objects.get(action="invitation.create")
    assert event.organisation_id == org.pk and event.actor == lead
    page = client.get(org.get_absolute_url()).content.decode()
    assert "new.person@gamma.example" in page
    assert "Invitations waiting to be accepted" in page


def test_invite_form_errors_say_what_to_do(org, lead):
    client = CsrfClient()
    client.force_login(lead)
    text = client.submit(
        reverse("organisations:invite", kwargs={"pk": org.pk}), {}
    ).content.decode()
    assert '<a href="#id_email">Enter an email address</a>' in text
    assert '<a href="#id_role_1">Select a role</a>' in text
    assert 'id="id_role_1"' in text


def test_inviting_an_existing_member_is_refused(org, lead):
    MembershipFactory(organisation=org, user=UserFactory(email="already@gamma.example"))
    client = CsrfClient()
    client.force_login(lead)
    text = client.submit(
        reverse("organisations:invite", kwargs={"pk": org.pk}),
        {"email": "already@gamma.example", "role": "viewer"},
    ).content.decode()
    assert "already@gamma.example is already a member of Gamma Borough Council." in text
    assert not Invitation.objects.exists()


def test_new_person_creates_an_account_and_joins(org, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(org, lead)
    url = link_in_last_email()
    client = CsrfClient()
    page = client.get(url).content.decode()
    assert "Create your account" in page and "colleague@gamma.example" in page
    response = client.submit(
        url, {"full_name": "Casey Colleague", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == org.get_absolute_url()
    user = User.objects.get(email="colleague@gamma.example")
    assert user.full_name == "Casey Colleague" and user.check_password(PASSWORD)
    assert Membership.objects.get(user=user, organisation=org).role == Role.RESPONDENT
    assert client.get(org.get_absolute_url()).status_code == 200
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"invitation.create", "user.create", "invitation.accept", "membership.create"} <= actions


def test_account_form_checks_passwords(org, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(org, lead)
    url = link_in_last_email()
    client = CsrfClient()
    text = client.submit(
        url, {"full_name": "Casey", "password1": "password", "password2": "different"}
    ).content.decode()
    assert "The passwords do not match" in text
    text = client.submit(
        url, {"full_name": "Casey", "password1": "password", "password2": "password"}
    ).content.decode()
    assert "This password is too common." in text
    assert not User.objects.filter(email="colleague@gamma.example").exists()


def test_existing_account_signs_in_then_accepts(org, lead, django_capture_on_commit_callbacks):
    person = UserFactory(email="colleague@gamma.example")
    with django_capture_on_commit_callbacks(execute=True):
        invite(org, lead, role=Role.VIEWER)
    url = link_in_last_email()
    client = CsrfClient()
    page = client.get(url).content.decode()
    assert "Sign in to accept" in page
    client.force_login(person)
    response = client.submit(url, {})
    assert response.status_code == 302
    assert Membership.objects.get(user=person, organisation=org).role == Role.VIEWER


def test_invitation_is_single_use(org, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(org, lead)
    person = UserFactory(email="colleague@gamma.example")
    services.invitation_accept(invitation=invitation, user=person)
    with pytest.raises(services.InvitationInvalid, match="already been used"):
        services.invitation_from_token(services.invitation_token(invitation))
    with pytest.raises(services.InvitationInvalid):
        services.invitation_accept(invitation=invitation, user=person)
    page = CsrfClient().get(link_in_last_email()).content.decode()
    assert "This invitation has already been used" in page


def test_invitation_expires_after_seven_days(org, lead, monkeypatch):
    invitation = invite(org, lead)
    eight_days_ago = time.time() - 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_ago)
    old_token = services.invitation_token(invitation)
    monkeypatch.undo()
    with pytest.raises(services.InvitationInvalid, match="expired"):
        services.invitation_from_token(old_token)
    # The stored expiry is checked too, whatever the token says.
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
    with pytest.raises(services.InvitationInvalid, match="expired"):
        services.invitation_from_token(services.invitation_token(invitation))
    assert not Membership.objects.filter(user__email="colleague@gamma.example").exists()


def test_six_day_old_invitation_still_works(org, lead, monkeypatch):
    invitation = invite(org, lead)
    six_days_ago = time.time() - 6 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: six_days_ago)
    token = services.invitation_token(invitation)
    monkeypatch.undo()
    assert services.invitation_from_token(token) == invitation


def test_tampered_or_withdrawn_links_are_refused(org, lead):
    invitation = invite(org, lead)
    token = services.invitation_token(invitation)
    with pytest.raises(services.InvitationInvalid, match="not valid"):
        services.invitation_from_token(token[:-2] + "xx")
    services.invitation_revoke(invitation=invitation, by=lead)
    with pytest.raises(services.InvitationInvalid, match="withdrawn"):
        services.invitation_from_token(token)
    assert AuditEvent.objects.filter(action="invitation.revoke").count() == 1


def test_a_new_invitation_replaces_a_pending_one(org, lead):
    first = invite(org, lead)
    second = invite(org, lead, role=Role.VIEWER)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.is_pending


def test_signed_in_as_someone_else_cannot_accept(org, lead):
    invitation = invite(org, lead)
    other = UserFactory(email="other@gamma.example")
    client = CsrfClient()
    client.force_login(other)
    url = reverse(
        "organisations:invitation", kwargs={"token": services.invitation_token(invitation)}
    )
    assert "but this invitation is for colleague@gamma.example" in client.get(url).content.decode()
    with pytest.raises(services.InvitationInvalid, match=r"sent to colleague@gamma\.example"):
        services.invitation_accept(invitation=invitation, user=other)
    assert not Membership.objects.filter(user=other).exists()


def test_consultant_invitation_creates_a_grant_and_a_client_list(org, lead):
    consultant = UserFactory(email="advisor@firm.example")
    invitation = invite(org, lead, email="advisor@firm.example", kind=Invitation.Kind.CONSULTANT)
    services.invitation_accept(invitation=invitation, user=consultant)
    grant = ConsultantGrant.objects.get(consultant=consultant)
    assert grant.organisation == org and grant.granted_by == lead and grant.is_active
    client = CsrfClient()
    client.force_login(consultant)
    text = client.get(reverse("organisations:your_organisations")).content.decode()
    assert "Your clients" in text and "Gamma Borough Council" in text
    with pytest.raises(services.AlreadyThere):
        invite(org, lead, email="advisor@firm.example", kind=Invitation.Kind.CONSULTANT)
    services.consultant_grant_revoke(grant=grant, by=lead)
    assert not ConsultantGrant.objects.get(pk=grant.pk).is_active
    assert AuditEvent.objects.filter(action="consultant_grant.revoke", actor=lead).exists()


def test_the_invitation_page_is_never_kept_by_a_shared_cache(org, lead):
    """It names the invitee and their organisation to whoever holds the link, signed in or not."""
    invite(org, lead)
    response = CsrfClient().get(link_in_last_email())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
