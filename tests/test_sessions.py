"""Sessions: the idle expiry is renewed at most once a minute, not written on every request."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maturity.accounts.middleware import REFRESHED_AT
from tests.conftest import CsrfClient
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ACCOUNT = reverse("accounts:account")


def signed_in(user):
    client = CsrfClient()
    client.force_login(user)
    client.get(ACCOUNT)  # the first page after sign-in starts the refresh clock
    return client


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def set_expiry(client, when):
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=when)


def session_writes(queries):
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_a_request_within_a_minute_of_the_last_save_does_not_write_the_session(user):
    client = signed_in(user)
    soon = timezone.now() + timedelta(minutes=10)
    set_expiry(client, soon)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ACCOUNT).status_code == 200
    assert session_writes(queries.captured_queries) == []
    assert expiry(client) == soon


def test_a_request_a_minute_after_the_last_save_extends_the_idle_expiry(user):
    client = signed_in(user)
    session = client.session
    session[REFRESHED_AT] = int(time.time()) - 61
    session.save()
    set_expiry(client, timezone.now() + timedelta(minutes=10))
    assert client.get(ACCOUNT).status_code == 200
    left = expiry(client) - timezone.now()
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)


def test_a_session_idle_for_thirty_minutes_still_ends(user):
    client = signed_in(user)
    set_expiry(client, timezone.now() - timedelta(seconds=1))
    response = client.get(ACCOUNT)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )


def test_the_page_after_signing_in_does_not_write_the_session_again():
    UserFactory(email="officer@council.example")
    client = CsrfClient()
    client.submit(
        reverse("accounts:login"), {"username": "officer@council.example", "password": PASSWORD}
    )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ACCOUNT).status_code == 200
    assert session_writes(queries.captured_queries) == []
