"""Two respondents answer (one with autosave, one without JavaScript), the lead reconciles a
disagreement, submits, and reads the results."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Answer, Assessment
from organisations.models import Role
from tests.browser.conftest import assert_accessible, assert_no_console_errors, watch
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
)

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in_page(browser, live_server, email, *, javascript=True):
    context = browser.new_context(java_script_enabled=javascript)
    page = watch(context.new_page())
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your organisations")
    return page


def test_two_respondents_then_the_lead_agrees_submits_and_reads_results(live_server, browser):
    org = OrganisationFactory(name="Zeta Borough Council")
    people = {}
    for role, email in (
        (Role.LEAD, "lead@zeta.example"),
        (Role.RESPONDENT, "ana@zeta.example"),
        ("nojs", "ned@zeta.example"),
    ):
        people[role] = MembershipFactory(
            organisation=org,
            role=Role.LEAD if role == Role.LEAD else Role.RESPONDENT,
            user=UserFactory(email=email, full_name=email.split("@")[0].title()),
        ).user
    fv = make_version(dimensions=1, questions=2)
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=people[Role.LEAD]
    )
    task_list = f"{live_server.url}{assessment.get_absolute_url()}"

    # Ana answers with JavaScript: each change autosaves.
    ana = signed_in_page(browser, live_server, "ana@zeta.example")
    ana.goto(task_list)
    assert_accessible(ana)
    ana.get_by_role("link", name="Dimension 1").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("Question 1 of dimension 1?")
    ana.get_by_label("1. Initial").check()
    ana.get_by_label("Evidence (optional)", exact=True).fill("We have no asset register yet.")
    expect(ana.locator("[data-autosave-status]")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    assert Answer.objects.get(respondent=people[Role.RESPONDENT]).evidence == (
        "We have no asset register yet."
    )
    assert_accessible(ana)
    assert_no_console_errors(ana)

    # Ned has no JavaScript: the same page works with its buttons.
    ned = signed_in_page(browser, live_server, "ned@zeta.example", javascript=False)
    ned.goto(task_list)
    ned.get_by_role("link", name="Dimension 1").click()
    ned.get_by_label("4. Embedded").check()
    ned.get_by_role("button", name="Save and continue").click()
    expect(ned.get_by_role("heading", level=1)).to_have_text("Question 2 of dimension 1?")
    ned.get_by_label("3. Defined").check()
    ned.get_by_role("button", name="Save and check your answers").click()
    expect(ned.locator(".govuk-notification-banner")).to_contain_text("Your answer was saved")
    assert Answer.objects.filter(respondent=people["nojs"]).count() == 2

    # The lead sees the disagreement, agrees both answers, checks and submits.
    lead = signed_in_page(browser, live_server, "lead@zeta.example")
    lead.goto(task_list)
    lead.get_by_role("link", name="Agree: Dimension 1").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Dimension 1")
    expect(lead.get_by_text("Differ by 3")).to_be_visible()
    assert_accessible(lead)
    lead.get_by_role("link", name="Question 1 of dimension 1?").click()
    expect(lead.get_by_text("Answers differ by 3 levels")).to_be_visible()
    # The median of 1 and 4, rounded down, is offered beside the options, not chosen.
    expect(lead.get_by_role("group", name="Agreed answer")).to_contain_text(
        "Suggested from 2 answers: level 2 (Emerging)"
    )
    expect(lead.get_by_label("2. Emerging")).not_to_be_checked()
    assert_accessible(lead)
    lead.get_by_label("3. Defined").check()
    lead.get_by_label("Why this is the agreed answer (optional)").fill("Register started in May.")
    lead.get_by_role("button", name="Save and continue").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Question 2 of dimension 1?")
    lead.get_by_label("3. Defined").check()
    lead.get_by_role("button", name="Save and continue").click()  # the last: on to check
    expect(lead.get_by_role("heading", level=1)).to_have_text(
        "Check the agreed answers before you submit"
    )
    lead.goto(task_list)
    lead.get_by_role("link", name="Check answers and submit").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(
        "Check the agreed answers before you submit"
    )
    assert_accessible(lead)
    lead.get_by_role("button", name="Submit assessment").click()

    expect(lead.get_by_role("heading", level=1)).to_have_text("2026/27 results")
    expect(lead.locator("[data-overall-score]")).to_have_text("3.0")
    expect(lead.get_by_role("table", name="Scores by dimension")).to_contain_text("Defined")
    assert_accessible(lead)
    lead.get_by_role("link", name=re.compile("Explain the overall score")).click()
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Overall score")
    assert_accessible(lead)
    assert Assessment.objects.get().is_submitted
    assert_no_console_errors(lead)


def test_text_typed_after_the_session_ended_is_kept_and_saved_after_signing_in(
    live_server, browser
):
    org = OrganisationFactory(name="Eta Council")
    person = MembershipFactory(
        organisation=org,
        role=Role.RESPONDENT,
        user=UserFactory(email="eve@eta.example", full_name="Eve"),
    ).user
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    fv = make_version(dimensions=1, questions=1)
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=lead
    )
    page = signed_in_page(browser, live_server, "eve@eta.example")
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    page.get_by_role("link", name="Dimension 1").click()
    question_url = page.url
    page.get_by_label("2. Emerging").check()
    expect(page.locator("[data-autosave-status]")).to_have_text(re.compile("^Saved at"))

    # The session ends (idle timeout) while Eve keeps typing.
    page.context.clear_cookies()
    page.get_by_label("Evidence (optional)", exact=True).fill("A long paragraph of evidence.")
    expect(page.locator("[data-autosave-status]")).to_contain_text("You have been signed out")
    assert Answer.objects.get(respondent=person).evidence == ""
    page.console_errors.clear()  # the refused save is logged by the browser; that is expected

    # She signs in again and comes back: the text is put back and saved.
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Email address").fill("eve@eta.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(question_url)
    expect(page.get_by_label("Evidence (optional)", exact=True)).to_have_value(
        "A long paragraph of evidence."
    )
    expect(page.locator("[data-autosave-status]")).to_have_text(
        re.compile(
            r"^We put back what you typed on this page at \d\d:\d\d, which was not saved then "
            r"because you had been signed out\. Saved at \d\d:\d\d$"
        )
    )
    answer = Answer.objects.get(respondent=person)
    assert (answer.level, answer.evidence) == (2, "A long paragraph of evidence.")
