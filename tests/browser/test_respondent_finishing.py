"""A respondent answers some questions, checks their answers, goes back to one, and tells the
lead they have finished; the lead sees who has finished and who has not."""

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Answer, Participation
from organisations.models import Role
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.browser.test_assessment import signed_in_page
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_version

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_respondent_checks_their_answers_goes_back_to_one_and_finishes(live_server, browser):
    org = OrganisationFactory(name="Lambda District Council")
    people = {
        email: MembershipFactory(
            organisation=org,
            role=role,
            user=UserFactory(email=email, full_name=name),
        ).user
        for email, name, role in (
            ("lead@lambda.example", "Lou Lead", Role.LEAD),
            ("ana@lambda.example", "Ana Officer", Role.RESPONDENT),
            ("ben@lambda.example", "Ben Officer", Role.RESPONDENT),
        )
    }
    fv = make_version(dimensions=2, questions=2)
    assessment = services.assessment_start(
        organisation=org,
        framework_version=fv,
        round_label="2026/27",
        user=people["lead@lambda.example"],
    )
    task_list = f"{live_server.url}{assessment.get_absolute_url()}"

    # Ana answers the first dimension's two questions.
    ana = signed_in_page(browser, live_server, "ana@lambda.example")
    ana.goto(task_list)
    expect(ana.locator("#finish-status")).to_have_text("Not finished")
    ana.get_by_role("link", name="Dimension 1").click()
    ana.get_by_label("2. Emerging").check()
    ana.get_by_role("button", name="Save and continue").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("Question 2 of dimension 1?")
    ana.get_by_label("3. Defined").check()
    ana.get_by_role("button", name="Save and go back to the task list").click()

    # She checks her answers: two answered, two not, each a link back.
    ana.get_by_role("link", name="Check your answers and finish").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(ana.get_by_text("You have answered 2 of 4 questions.")).to_be_visible()
    expect(ana.get_by_role("heading", name="Questions you have not answered")).to_be_visible()
    assert_accessible(ana)

    # She goes back to her first answer and changes it, and lands on her answers again.
    ana.get_by_role("link", name="Change your answer to Question 1 of dimension 1?").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("Question 1 of dimension 1?")
    expect(ana.get_by_label("2. Emerging")).to_be_checked()
    ana.get_by_label("4. Embedded").check()
    ana.get_by_role("button", name="Save and go back to your answers").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(ana.locator(".govuk-summary-list").first).to_contain_text("4. Embedded")

    ana.get_by_role("button", name="I've finished").click()
    expect(ana.locator(".govuk-notification-banner")).to_contain_text(
        "You have told the lead you have finished"
    )
    expect(ana.locator("#finish-status")).to_have_text("Finished")
    assert_accessible(ana)
    assert_no_console_errors(ana)
    assert Answer.objects.get(respondent__email="ana@lambda.example", level=4)
    assert Participation.objects.get(person__email="ana@lambda.example").finished_at

    # The lead sees who has finished and who has not.
    lead = signed_in_page(browser, live_server, "lead@lambda.example")
    lead.goto(task_list)
    expect(
        lead.get_by_text("1 of 3 people have told you they have finished answering.")
    ).to_be_visible()
    table = lead.get_by_role("table", name="Everyone who answers")
    expect(table.get_by_role("row", name="Ana Officer")).to_contain_text("Finished")
    expect(table.get_by_role("row", name="Ben Officer")).to_contain_text("Not yet")
    expect(table.get_by_role("row", name="Lou Lead")).to_contain_text("Not yet")
    assert_accessible(lead)
    assert_no_console_errors(lead)
