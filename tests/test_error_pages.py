"""The error page when something fails: 503 with a page that says so when the database cannot be
reached (a restart, a failover), the service's own 500 page otherwise; never a traceback."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def browser():
    """A client that gets the error page, as a person would, instead of the exception."""
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_a_database_outage_shows_the_unavailable_page_with_503(browser, monkeypatch):
    browser.force_login(UserFactory())

    def unreachable(self):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')

    monkeypatch.setattr(SessionStore, "load", unreachable)
    response = browser.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Sorry, the service is unavailable</h1>' in page
    assert "Try again in a few minutes" in page
    assert "Digital maturity assessment" in page  # the service's own header, not a bare page
    assert "port 5432" not in page and "Traceback" not in page


@pytest.mark.django_db
def test_any_other_failure_shows_the_problem_page_with_500(browser, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    browser.force_login(UserFactory())
    monkeypatch.setattr(SessionStore, "load", broken)
    response = browser.get("/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert "Digital maturity assessment" in page
    assert "a bug" not in page and "Traceback" not in page
