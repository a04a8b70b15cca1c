"""Site-wide pages: start, accessibility, sign in and out, health, security headers."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_start_page_links_to_the_frameworks(client):
    text = client.get("/").content.decode()
    assert "Digital maturity assessment" in text
    assert 'href="/frameworks/"' in text
    assert "Skip to main content" in text
    assert "Beta" in text
    assert 'href="/accessibility/"' in text


def test_the_home_page_names_the_service_once_in_its_title(client):
    text = client.get("/").content.decode()
    assert re.search(r"<title>\s*Digital maturity assessment\s*</title>", text)


def test_the_phase_banner_asks_for_feedback_with_a_link(client, settings):
    settings.FEEDBACK_EMAIL = "digital@council.example"
    text = client.get(reverse("accessibility")).content.decode()
    banner = text[text.index("govuk-phase-banner__text") :].split("</span>")[0]
    assert (
        'href="mailto:digital@council.example?subject=Feedback%20on%20Digital%20maturity' in banner
    )
    assert "give your feedback by email" in banner


def test_accessibility_statement(client):
    text = client.get(reverse("accessibility")).content.decode()
    assert "Accessibility statement" in text
    assert "WCAG" in text


def test_accessibility_statement_gives_a_contact_and_says_what_was_tested(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "access@council.example"
    text = client.get(reverse("accessibility")).content.decode()
    assert 'href="mailto:access@council.example"' in text
    # The enforcement procedure of GOV.UK's sample statement, for Great Britain and Northern Ireland.
    assert "Equality Advisory and Support Service (EASS)" in text
    assert "Equality Commission for Northern Ireland (ECNI)" in text
    # What was tested, and when: the browser tests in tests/browser/ that keep it true.
    assert "last tested on 1 December 2026" in text
    for tested in ("axe-core", "Tab, Space and Enter", "320 pixels wide"):
        assert tested in text


def test_accessibility_contact_defaults_to_the_address_mail_comes_from():
    from tests.test_settings import settings_of

    sender = {"DEFAULT_FROM_EMAIL": "Digital maturity <maturity@council.example>"}
    assert settings_of(sender, "ACCESSIBILITY_CONTACT_EMAIL") == {
        "ACCESSIBILITY_CONTACT_EMAIL": "maturity@council.example"
    }


def test_security_headers_and_csp_without_unsafe_inline(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_inline_scripts_or_styles_on_pages(client):
    for url in ("/", "/frameworks/", "/accessibility/", reverse("accounts:login")):
        text = client.get(url).content.decode()
        assert "<script>" not in text and "<script " not in text.replace("<script defer src", "")
        assert " style=" not in text


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_sign_in_with_email_in_any_case(client, password):
    UserFactory(email="officer@council.example")
    response = client.submit(
        reverse("accounts:login"), {"username": "Officer@Council.EXAMPLE", "password": password}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].email == "officer@council.example"


def test_sign_in_failure_says_what_to_do(client):
    UserFactory(email="officer@council.example")
    response = client.submit(
        reverse("accounts:login"), {"username": "officer@council.example", "password": "wrong"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Enter a correct email address and password" in text
    assert "<title>Error: Sign in" in text


def test_sign_in_empty_form_links_each_error_to_its_field(client):
    text = client.submit(reverse("accounts:login"), {}).content.decode()
    assert '<a href="#id_username">Enter your email address</a>' in text
    assert '<a href="#id_password">Enter your password</a>' in text


def test_sign_out_needs_a_post_and_ends_the_session(client, user):
    client.force_login(user)
    response = client.submit(reverse("accounts:logout"), {}, form_url="/")
    assert response.status_code == 200
    assert "You have signed out" in response.content.decode()
    assert not client.get("/").context["user"].is_authenticated


def test_emails_are_unique_whatever_their_case():
    from django.db import IntegrityError, transaction

    from maturity.accounts.models import User

    User.objects.create_user("lead@council.example", "x")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="LEAD@council.example")


def test_a_form_sent_without_a_valid_token_gets_a_page_that_says_what_happened(client, user):
    client.force_login(user)
    client.get("/")  # the CSRF cookie is set, but this post carries no token: an expired form
    response = client.post(reverse("accounts:logout"), {})
    text = response.content.decode()
    assert response.status_code == 403
    assert "govuk-template__header" in text and text.count("<h1") == 1
    assert "<title>Sorry, what you sent was not saved" in text
    assert "What you typed was not saved." in text
    assert "reload the page" in text
    assert "CSRF" not in text
    assert client.get("/").context["user"].is_authenticated  # nothing was done


def test_an_autosave_without_a_valid_token_is_told_why_in_json(client, user):
    response = client.post("/", {}, headers={"accept": "application/json"})
    assert response.status_code == 403
    assert response.json()["error"] == "signed-out"  # no session: sign in again
    client.force_login(user)
    response = client.post("/", {}, headers={"accept": "application/json"})
    assert response.status_code == 403
    assert response.json()["error"] == "expired"  # a stale token: reload the page
    assert "not saved" in response.json()["message"]
