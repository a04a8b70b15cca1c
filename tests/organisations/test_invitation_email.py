"""An invitation's email goes through the task queue: the request never talks to the mail
server, so a slow or broken one cannot stall it or turn it into an error."""

import socket

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from organisations.models import Invitation, Role
from tests.conftest import CsrfClient
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory(name="Gamma Borough Council")


@pytest.fixture
def lead(org):
    return MembershipFactory(organisation=org, role=Role.LEAD).user


def invite_by_form(org, lead, email):
    client = CsrfClient()
    client.force_login(lead)
    return client.submit(
        reverse("organisations:invite", kwargs={"pk": org.pk}), {"email": email, "role": "viewer"}
    )


@pytest.mark.parametrize("has_account", [True, False])
def test_an_invitation_queues_one_email_task_whether_or_not_the_address_has_an_account(
    org, lead, has_account, django_capture_on_commit_callbacks
):
    if has_account:
        UserFactory(email="person@gamma.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = invite_by_form(org, lead, "person@gamma.example")
    assert response.status_code == 302
    assert Invitation.objects.filter(email="person@gamma.example").exists()
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["kwargs"]["to"] == ["person@gamma.example"]
    assert mail.outbox == []  # the worker sends it, never the web request


@pytest.fixture
def dead_mail_server(settings):
    """An SMTP address where nothing listens, and tasks run at once as if a worker were quick."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 2},
        }
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_an_invitation_is_created_and_its_email_queued_when_the_mail_server_is_down(
    org, lead, dead_mail_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite_by_form(org, lead, "person@gamma.example")
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="person@gamma.example")
    assert invitation.accepted_at is None and invitation.revoked_at is None
    page = CsrfClient()
    page.force_login(lead)
    text = page.get(reverse("organisations:organisation", kwargs={"pk": org.pk})).content.decode()
    assert "person@gamma.example" in text
