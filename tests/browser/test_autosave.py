"""Autosave as a person at a shared computer meets it: a bad link does not lose the evidence
typed beside it, kept text belongs to one person, and signing out never drops text silently."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Answer
from organisations.models import Role
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.browser.test_assessment import signed_in_page
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_version

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def question_url(live_server):
    org = OrganisationFactory(name="Theta Council")
    for email in ("eve@theta.example", "bob@theta.example"):
        MembershipFactory(organisation=org, role=Role.RESPONDENT, user=UserFactory(email=email))
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    fv = make_version(dimensions=1, questions=1)
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=lead
    )
    question = fv.dimensions.get().questions.get()
    return f"{live_server.url}{assessment.get_absolute_url()}questions/{question.pk}/"


def kept_copies(page) -> list[str]:
    return page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('maturity-autosave:'))"
    )


def test_a_bad_link_is_marked_and_the_evidence_beside_it_is_saved(
    browser, live_server, question_url
):
    page = signed_in_page(browser, live_server, "eve@theta.example")
    page.goto(question_url)
    page.get_by_label("2. Emerging").check()
    page.get_by_label("Evidence (optional)", exact=True).fill("Minutes of the March board.")
    page.get_by_label("Links to evidence (optional)").fill("board minutes on the intranet")
    status = page.locator("[data-autosave-status]")
    expect(status).to_contain_text("Link 1 is not a web address")
    expect(status).to_have_text(re.compile(r"^Saved at \d\d:\d\d, except what needs correcting"))
    group = page.locator(".govuk-form-group", has=page.get_by_label("Links to evidence (optional)"))
    expect(group).to_have_class(re.compile("govuk-form-group--error"))
    expect(page.get_by_label("Links to evidence (optional)")).to_have_accessible_description(
        re.compile(r"Error:\s+Link 1 is not a web address")
    )
    assert_accessible(page)
    answer = Answer.objects.get()
    assert (answer.level, answer.evidence, answer.links) == (2, "Minutes of the March board.", "")

    page.get_by_label("Links to evidence (optional)").fill("https://intranet.theta.example/m")
    expect(status).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    expect(group).not_to_have_class(re.compile("govuk-form-group--error"))
    assert Answer.objects.get().links == "https://intranet.theta.example/m"
    assert_no_console_errors(page)


def test_kept_text_is_given_back_only_to_the_person_who_typed_it(
    browser, live_server, question_url
):
    page = signed_in_page(browser, live_server, "eve@theta.example")
    page.goto(question_url)
    page.get_by_label("2. Emerging").check()
    expect(page.locator("[data-autosave-status]")).to_have_text(re.compile("^Saved at"))
    page.context.clear_cookies()  # Eve's session ends while she types
    page.get_by_label("Evidence (optional)", exact=True).fill("Eve's unsaved evidence.")
    expect(page.locator("[data-autosave-status]")).to_contain_text("You have been signed out")
    page.console_errors.clear()  # the refused save is logged by the browser; that is expected

    # Bob signs in at the same computer and opens the same question: nothing of Eve's.
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Email address").fill("bob@theta.example")
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()
    page.goto(question_url)
    expect(page.get_by_label("Evidence (optional)", exact=True)).to_have_value("")
    expect(page.locator("[data-autosave-status]")).to_have_text("")
    assert not Answer.objects.filter(respondent__email="bob@theta.example").exists()

    # Bob signs out: every kept copy goes, so the next person finds none.
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("signed out")
    assert kept_copies(page) == []


def test_signing_out_with_unsaved_text_asks_first(browser, live_server, question_url):
    page = signed_in_page(browser, live_server, "eve@theta.example")
    page.goto(question_url)
    page.get_by_label("3. Defined").check()
    expect(page.locator("[data-autosave-status]")).to_have_text(re.compile("^Saved at"))
    page.context.set_offline(True)  # the connection drops: the next change cannot be saved
    page.get_by_label("Evidence (optional)", exact=True).fill("Typed on the train.")
    expect(page.locator("[data-autosave-status]")).to_contain_text("connection was lost")
    page.context.set_offline(False)
    page.console_errors.clear()

    page.get_by_role("button", name="Sign out", exact=True).click()
    warning = page.locator(".app-sign-out-warning")
    expect(warning.first).to_contain_text("not saved yet")
    assert_accessible(page)
    page.get_by_role("button", name="Save my changes").click()
    expect(page.locator("[data-autosave-status]")).to_have_text(re.compile("^Saved at"))
    assert Answer.objects.get().evidence == "Typed on the train."
    assert kept_copies(page) == []
    expect(page.locator(".app-sign-out-warning")).to_have_count(0)

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("signed out")
    assert_no_console_errors(page)


def test_a_save_refused_as_expired_says_so_and_is_saved_after_a_reload(
    browser, live_server, question_url
):
    page = signed_in_page(browser, live_server, "eve@theta.example")
    page.goto(question_url)
    page.get_by_label("2. Emerging").check()
    status = page.locator("[data-autosave-status]")
    expect(status).to_have_text(re.compile("^Saved at"))
    # Signing in again in another tab gives the browser a new security token: this page's is stale.
    page.context.add_cookies([{"name": "csrftoken", "value": "x" * 32, "url": live_server.url}])
    page.get_by_label("Evidence (optional)", exact=True).fill("Typed before the page expired.")
    expect(status).to_contain_text("Your last change was not saved because this page had expired")
    expect(status).to_contain_text("reload the page")
    assert Answer.objects.get().evidence == ""
    page.console_errors.clear()  # the refused save is logged by the browser; that is expected

    page.reload()
    expect(status).to_contain_text("which was not saved then because the page had expired")
    expect(status).to_contain_text(re.compile(r"Saved at \d\d:\d\d$"))
    assert Answer.objects.get().evidence == "Typed before the page expired."
    assert kept_copies(page) == []
    assert_no_console_errors(page)
