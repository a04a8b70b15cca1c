"""Sign-in protection: throttling, idle and absolute session limits, key rotation, sign-out.

Failed sign-ins are counted by django-axes (through the authentication backend, so every path
that calls `authenticate()` counts); maturity/accounts/lockout.py adds the separate limits for an
account and an address and the short refusal window that doubles with each further failure.
"""

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from maturity.accounts.middleware import SIGNED_IN_AT
from tests.conftest import CsrfClient
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def attempt(client, email, password, ip="192.0.2.10", **extra):
    return client.submit(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip, **extra)


def signed_in(client):
    return client.get("/").context["user"].is_authenticated


def age_failures(minutes):
    """Move every recorded failure back in time, as if the refusal had been waited out."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=minutes))


def lock_account(email, client=None):
    client = client or CsrfClient()
    for _ in range(10):
        response = attempt(client, email, "wrong-guess")
    return response


def test_ten_failures_refuse_the_account_for_a_minute_even_for_the_right_password():
    UserFactory(email="officer@council.example")
    client = CsrfClient()
    for _ in range(9):
        response = attempt(client, "officer@council.example", "wrong-guess")
        assert "Enter a correct email address and password" in response.content.decode()
    response = attempt(client, "officer@council.example", "wrong-guess")
    assert response.status_code == 429
    response = attempt(client, "officer@council.example", PASSWORD)
    text = response.content.decode()
    assert response.status_code == 429
    assert "There have been too many failed attempts to sign in to this account" in text
    assert "Try again in 1 minute" in text
    assert "reset your password" in text
    assert not signed_in(client)


def test_the_right_password_signs_in_once_the_refusal_is_over():
    UserFactory(email="officer@council.example")
    client = CsrfClient()
    lock_account("officer@council.example", client)
    age_failures(2)
    assert attempt(client, "officer@council.example", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="officer@council.example").exists()


def test_each_failure_after_a_refusal_doubles_the_next_one():
    UserFactory(email="officer@council.example")
    client = CsrfClient()
    lock_account("officer@council.example", client)
    for expected in ("2 minutes", "4 minutes", "8 minutes"):
        age_failures(minutes=9)
        response = attempt(client, "officer@council.example", "wrong-guess")
        assert response.status_code == 429
        assert f"Try again in {expected}" in response.content.decode()


def test_the_refusal_never_grows_past_its_cap(settings):
    UserFactory(email="officer@council.example")
    lock_account("officer@council.example")
    AccessAttempt.objects.update(failures_since_start=40)
    response = attempt(CsrfClient(), "officer@council.example", PASSWORD)
    assert (
        f"Try again in {settings.SIGN_IN_REFUSAL_MAX_MINUTES} minutes" in response.content.decode()
    )


def test_no_refusal_makes_the_server_wait(monkeypatch):
    """Refusals answer at once: a sleeping thread would let a few attackers tie up the server."""
    UserFactory(email="officer@council.example")

    def no_sleeping(seconds):
        raise AssertionError(f"slept {seconds} s in a request")

    monkeypatch.setattr(time, "sleep", no_sleeping)
    lock_account("officer@council.example")
    assert attempt(CsrfClient(), "officer@council.example", PASSWORD).status_code == 429


def test_one_address_trying_many_accounts_is_refused_but_not_other_addresses():
    UserFactory(email="target@council.example")
    client = CsrfClient()
    for n in range(50):
        attempt(client, f"guess{n}@council.example", "wrong", ip="198.51.100.7")
    response = attempt(client, "target@council.example", PASSWORD, ip="198.51.100.7")
    text = response.content.decode()
    assert response.status_code == 429
    assert "There have been too many failed attempts to sign in from your network" in text
    assert "Try again in 1 minute" in text
    # The same account from elsewhere is fine: the address limit is per address.
    assert (
        attempt(CsrfClient(), "target@council.example", PASSWORD, ip="203.0.113.9").status_code
        == 302
    )


def test_people_behind_one_proxy_are_told_apart_by_the_client_address_header(settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    UserFactory(email="colleague@council.example")
    attacker = CsrfClient()
    for n in range(50):
        # A client may send its own X-Forwarded-For: only the entry the proxy appended counts.
        attempt(
            attacker,
            f"guess{n}@council.example",
            "wrong",
            ip="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
        )
    colleague = CsrfClient()
    response = attempt(
        colleague,
        "colleague@council.example",
        PASSWORD,
        ip="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.44",
    )
    assert response.status_code == 302
    refused = attempt(
        attacker,
        "colleague@council.example",
        PASSWORD,
        ip="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert refused.status_code == 429


def test_failures_through_any_authenticate_call_count_towards_the_lock():
    UserFactory(email="officer@council.example")
    for _ in range(10):
        request = RequestFactory().post("/elsewhere/", REMOTE_ADDR="192.0.2.99")
        assert authenticate(request, username="officer@council.example", password="x") is None
    response = attempt(CsrfClient(), "officer@council.example", PASSWORD)
    assert response.status_code == 429


def test_a_successful_sign_in_clears_the_account_failures():
    UserFactory(email="officer@council.example")
    client = CsrfClient()
    for _ in range(5):
        attempt(client, "officer@council.example", "wrong")
    attempt(client, "Officer@Council.example", PASSWORD)
    assert not AccessAttempt.objects.filter(username="officer@council.example").exists()


def test_a_password_reset_lifts_the_account_lock_and_signs_the_owner_in(settings):
    settings.TASKS = IMMEDIATE_TASKS
    UserFactory(email="officer@council.example")
    lock_account("officer@council.example")
    owner = CsrfClient()
    owner.submit(reverse("accounts:password_reset"), {"email": "officer@council.example"})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form_url = owner.get(link)["Location"]
    new_password = "a-new-long-password-2026"
    response = owner.submit(
        form_url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    # Signed in at once, so an attacker cannot lock the account again in between.
    assert signed_in(owner)
    assert not AccessAttempt.objects.filter(username="officer@council.example").exists()
    assert attempt(CsrfClient(), "officer@council.example", new_password).status_code == 302


def test_admin_login_has_no_password_form_of_its_own():
    staff = UserFactory(email="admin@platform.example", is_staff=True)
    client = CsrfClient()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/admin/"
    client.get(LOGIN)
    response = client.post(
        "/admin/login/",
        {
            "username": staff.email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not signed_in(client)


def test_staff_signing_in_through_the_service_reaches_the_admin():
    UserFactory(email="admin@platform.example", is_staff=True)
    client = CsrfClient()
    sign_in_url = client.get("/admin/")["Location"]
    sign_in_url = client.get(sign_in_url)["Location"]
    response = client.submit(
        sign_in_url, {"username": "admin@platform.example", "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_person_who_is_not_staff_is_refused_the_admin_not_sent_round_in_circles(user):
    client = CsrfClient()
    client.force_login(user)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_admin_guesses_are_throttled_like_any_other():
    UserFactory(email="admin@platform.example", is_staff=True)
    client = CsrfClient()
    lock_account("admin@platform.example", client)
    response = attempt(client, "admin@platform.example", PASSWORD)
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_session_key_rotates_at_sign_in():
    UserFactory(email="officer@council.example")
    client = CsrfClient()
    client.get(LOGIN)
    client.session["probe"] = 1
    before = client.session.session_key
    attempt(client, "officer@council.example", PASSWORD)
    assert client.session.session_key != before
    assert isinstance(client.session[SIGNED_IN_AT], int)  # the 12-hour clock has started


def test_sessions_expire_after_thirty_idle_minutes(user):
    client = CsrfClient()
    client.force_login(user)
    assert client.session.get_expiry_age() == 30 * 60
    assert client.get(reverse("accounts:account")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_sessions_end_twelve_hours_after_sign_in_however_active(user):
    client = CsrfClient()
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 12 * 3600 - 1
    session.save()
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not client.get("/").context["user"].is_authenticated


def test_sign_out_deletes_the_session(user):
    client = CsrfClient()
    client.force_login(user)
    key = client.session.session_key
    client.submit(reverse("accounts:logout"), {}, form_url="/")
    assert not Session.objects.filter(session_key=key).exists()


def test_password_reset_by_email(settings):
    settings.TASKS = IMMEDIATE_TASKS
    UserFactory(email="officer@council.example")
    client = CsrfClient()
    response = client.submit(
        reverse("accounts:password_reset"), {"email": "officer@council.example"}
    )
    assert response["Location"] == reverse("accounts:password_reset_done")
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    new_password = "a-new-long-password-2026"
    response = client.submit(
        form_url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert attempt(CsrfClient(), "officer@council.example", new_password).status_code == 302


def test_password_reset_for_unknown_email_says_the_same_and_sends_nothing(settings):
    settings.TASKS = IMMEDIATE_TASKS
    response = CsrfClient().submit(
        reverse("accounts:password_reset"), {"email": "nobody@x.example"}
    )
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_account_page_updates_the_name(user):
    client = CsrfClient()
    client.force_login(user)
    client.submit(reverse("accounts:account"), {"full_name": "Renamed Person"})
    user.refresh_from_db()
    assert user.full_name == "Renamed Person"


@pytest.mark.parametrize("email", ["officer@council.example", "nobody@council.example"])
def test_a_password_reset_request_queues_one_email_task_whether_or_not_the_account_exists(email):
    UserFactory(email="officer@council.example")
    response = CsrfClient().submit(reverse("accounts:password_reset"), {"email": email})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert DBTaskResult.objects.count() == 1
    assert mail.outbox == []  # the worker sends it, never the web request


def test_a_client_address_header_that_is_not_an_address_falls_back_to_the_connection(settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    UserFactory(email="officer@council.example")
    response = attempt(
        CsrfClient(), "officer@council.example", "wrong", HTTP_X_FORWARDED_FOR="unknown"
    )
    assert "Enter a correct email address and password" in response.content.decode()
    assert AccessAttempt.objects.get().ip_address == "192.0.2.10"


def test_an_over_long_email_address_gets_a_message_that_says_so(client):
    response = attempt(client, "a" * 300 + "@example.gov.uk", "whatever")
    assert "Enter an email address of 254 characters or fewer" in response.content.decode()
    assert not AccessAttempt.objects.exists()  # refused before any password was checked
