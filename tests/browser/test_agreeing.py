"""A lead agrees answers a dimension at a time: accepts the suggested answers with one
confirmation, goes on to the next dimension, agrees by hand what people disagree on, and is
warned on the check page that most respondents have not answered."""

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import AgreedAnswer
from frameworks.models import Question
from organisations.models import Role
from tests.browser.conftest import assert_accessible, assert_no_console_errors, sign_in, watch
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_accepts_a_dimensions_suggestions_and_goes_on_to_the_next(live_server, browser):
    org = OrganisationFactory(name="Lambda Borough Council")
    lead = MembershipFactory(
        organisation=org,
        role=Role.LEAD,
        user=UserFactory(email="lead@lambda.example", full_name="Lena Lead"),
    ).user
    people = [
        MembershipFactory(
            organisation=org,
            role=Role.RESPONDENT,
            user=UserFactory(email=f"{name}@lambda.example", full_name=name.title()),
        ).user
        for name in ("ana", "ben", "cal", "dee", "eve")
    ]
    fv = make_version(dimensions=2, questions=3)
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=lead
    )
    qs = list(
        Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position"
        )
    )
    # Ana and Ben answer everything; Cal, Dee and Eve nothing. They agree on all but the last
    # question, where Ana says it does not apply to them.
    answers = {"ana": [3, 2, 2, 4, 4, "na"], "ben": [3, 3, 2, 4, 5, 3]}
    for person, given in zip(people, answers.values(), strict=False):
        for question, value in zip(qs, given, strict=True):
            services.answer_save(
                assessment=assessment,
                question=question,
                respondent=person,
                data=services.AnswerData(
                    state="na" if value == "na" else "level",
                    level=None if value == "na" else value,
                ),
                base_version=0,
            )

    page = watch(browser.new_page())
    sign_in(page, live_server.url, "lead@lambda.example", PASSWORD)
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    # Nothing is agreed yet: "Check answers and submit" cannot start, so it is not a link.
    expect(page.get_by_role("link", name="Check answers and submit")).to_have_count(0)
    expect(page.locator("#submit-status")).to_have_text("Cannot start yet")
    assert_accessible(page)

    page.get_by_role("link", name="Agree: Dimension 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dimension 1")
    page.get_by_role("button", name="Accept suggested answers for this dimension").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accept the suggested answers for Dimension 1?"
    )
    to_agree = page.get_by_role("table", name="To be agreed")
    expect(to_agree).to_contain_text("Question 1 of dimension 1?")
    expect(to_agree).to_contain_text("3. Defined")
    expect(to_agree).to_contain_text("2. Emerging")  # the middle of 2 and 3, rounded down
    assert AgreedAnswer.objects.count() == 0  # the confirmation page changes nothing
    assert_accessible(page)
    page.get_by_role("button", name="Accept 3 suggested answers").click()

    # The whole dimension is agreed: on to the next one.
    expect(page.get_by_role("heading", level=1)).to_have_text("Dimension 2")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "3 suggested answers accepted"
    )
    agreed = AgreedAnswer.objects.filter(question__in=qs[:3]).order_by("question__position")
    assert [(a.level, a.set_by, a.rationale) for a in agreed] == [
        (3, lead, "Accepted the suggested answer"),
        (2, lead, "Accepted the suggested answer"),
        (2, lead, "Accepted the suggested answer"),
    ]
    expect(page.get_by_text("Not applicable to some")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Accept suggested answers for this dimension").click()
    left = page.locator(".govuk-summary-list")
    expect(left).to_contain_text("Question 3 of dimension 2?")
    expect(left).to_contain_text("1 person said not applicable and 1 gave a level")
    assert_accessible(page)
    page.get_by_role("button", name="Accept 2 suggested answers").click()
    # One question is left, so the lead stays on the dimension to agree it.
    expect(page.get_by_role("heading", level=1)).to_have_text("Dimension 2")
    page.get_by_role("link", name="Question 3 of dimension 2?").click()
    expect(page.get_by_text("1 person said not applicable and 1 gave a level")).to_be_visible()
    for option in ("3. Defined", "Not applicable to us"):
        expect(page.get_by_label(option)).not_to_be_checked()
    page.get_by_label("Not applicable to us").check()
    page.get_by_label("Why this is the agreed answer (optional)").fill("We do not run this.")
    page.get_by_role("button", name="Save and continue").click()

    # The last dimension is agreed: on to check, warned that few people have answered.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the agreed answers before you submit"
    )
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "3 of 5 respondents have not answered any question"
    )
    assert_accessible(page)
    assert_no_console_errors(page)
