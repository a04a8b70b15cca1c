"""A lead turns the results into an action from the roadmap and assigns it to a respondent;
the respondent finds it under "Your actions" and marks it done; the next round's results show
how its question moved. Every page axe-clean."""

import pytest
from playwright.sync_api import expect

from frameworks.models import Question
from organisations.models import Role
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.browser.test_assessment import signed_in_page
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_action_from_the_roadmap_is_done_and_the_next_round_shows_the_movement(
    live_server, browser
):
    org = OrganisationFactory(name="Sorrelden District Council")
    lead = MembershipFactory(
        organisation=org,
        role=Role.LEAD,
        user=UserFactory(email="lead@sorrelden.example", full_name="Lena Lead"),
    ).user
    MembershipFactory(
        organisation=org,
        role=Role.RESPONDENT,
        user=UserFactory(email="rory@sorrelden.example", full_name="Rory Respondent"),
    )
    fv = make_version(dimensions=2, questions=2)
    count = Question.objects.filter(dimension__framework_version=fv).count()
    first, _ = submit(org, fv, [2] * count, "2025/26", lead=lead)

    # The lead adds an action from the roadmap on the results page, assigned to Rory.
    page = signed_in_page(browser, live_server, "lead@sorrelden.example")
    page.goto(f"{live_server.url}/organisations/{org.pk}/assessments/{first.pk}/results/")
    page.get_by_role("link", name="Add an action for Question 1 of dimension 1?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action")
    expect(page.get_by_label("Dimension 1: Question 1 of dimension 1?")).to_be_checked()
    expect(page.get_by_label("Target level (optional)")).to_have_value("5")
    assert_accessible(page)
    page.get_by_label("What will be done").fill("Name an owner for every data set")
    page.get_by_label("Owner (optional)").select_option(
        label="Rory Respondent (rory@sorrelden.example)"
    )
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Name an owner for every data set")
    assert_accessible(page)
    page.goto(f"{live_server.url}/organisations/{org.pk}/plan/")
    expect(page.get_by_role("link", name="Name an owner for every data set")).to_be_visible()
    assert_accessible(page)
    assert_no_console_errors(page)

    # Rory finds it under "Your actions" and marks it done with a note.
    rory = signed_in_page(browser, live_server, "rory@sorrelden.example")
    rory.get_by_role("link", name="Your actions").click()
    expect(rory.get_by_role("heading", level=1)).to_have_text("Your actions")
    assert_accessible(rory)
    rory.get_by_role("link", name="Name an owner for every data set").click()
    rory.get_by_label("Done").check()
    rory.get_by_label("Note (optional)").fill("Owners named in the data register")
    rory.get_by_role("button", name="Save status").click()
    expect(rory.locator("[data-status]")).to_have_text("Done")
    expect(rory.get_by_text("Owners named in the data register")).to_be_visible()
    assert_accessible(rory)
    assert_no_console_errors(rory)

    # The next round: the question rose to 4; its results show the movement.
    later, _ = submit(org, fv, [4] + [2] * (count - 1), "2026/27", lead=lead)
    page.goto(f"{live_server.url}/organisations/{org.pk}/assessments/{later.pk}/results/")
    card = page.locator("[data-carried]")
    expect(card).to_contain_text("Name an owner for every data set")
    expect(card.locator("[data-movement]")).to_have_text("2. Emerging → 4. Embedded")
    expect(card.locator("[data-moved-nothing]")).to_have_count(0)
    assert_accessible(page)
    assert_no_console_errors(page)
