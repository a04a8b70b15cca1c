"""Sign-in protection: throttling, idle and absolute session limits, key rotation, sign-out."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from maturity.accounts.middleware import SIGNED_IN_AT
from maturity.accounts.models import SignInFailure
from tests.conftest import CsrfClient
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def attempt(client, email, password, ip="192.0.2.10"):
    return client.submit(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_ten_failures_lock_the_account_even_for_the_right_password():
    UserFactory(email="officer@council.example")
    client = CsrfClient()
    for _ in range(10):
        response = attempt(client, "officer@council.example", "wrong-guess")
        assert "Enter a correct email address and password" in response.content.decode()
    response = attempt(client, "officer@council.example", PASSWORD)
    text = response.content.decode()
    assert response.status_code == 200
    assert "too many failed attempts to sign in for this account" in text
    assert "reset your password" in text
    assert not client.get("/").context["user"].is_authenticated


def test_the_lock_lifts_after_an_hour():
    UserFactory(email="officer@council.example")
    client = CsrfClient()
    for _ in range(10):
        attempt(client, "officer@council.example", "wrong-guess")
    SignInFailure.objects.update(at=timezone.now() - timedelta(minutes=61))
    assert attempt(client, "officer@council.example", PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_locked_out():
    UserFactory(email="target@council.example")
    client = CsrfClient()
    for n in range(50):
        attempt(client, f"guess{n}@council.example", "wrong", ip="198.51.100.7")
    text = attempt(client, "target@council.example", PASSWORD, ip="198.51.100.7").content.decode()
    assert "too many failed attempts to sign in from your network" in text
    # The same account from elsewhere is fine: the address limit is per address.
    assert (
        attempt(CsrfClient(), "target@council.example", PASSWORD, ip="203.0.113.9").status_code
        == 302
    )


def test_a_successful_sign_in_clears_the_account_failures():
    UserFactory(email="officer@council.example")
    client = CsrfClient()
    for _ in range(5):
        attempt(client, "officer@council.example", "wrong")
    attempt(client, "officer@council.example", PASSWORD)
    assert not SignInFailure.objects.filter(email="officer@council.example").exists()


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


def test_password_reset_by_email():
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


def test_password_reset_for_unknown_email_says_the_same_and_sends_nothing():
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
