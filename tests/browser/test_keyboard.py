"""Keyboard only (WCAG 2.1.1, 2.4.7): a lead agrees an answer and submits with Tab, Space and
Enter alone, and every element that takes focus on the way shows that it has it."""

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import AgreedAnswer, Assessment
from organisations.models import Role
from tests.browser.test_every_page import signed_in_context
from tests.factories import MembershipFactory, OrganisationFactory, make_version

pytestmark = pytest.mark.django_db(transaction=True)

# What the focused element says, and whether focus changes how it is drawn (GOV.UK's yellow
# outline, shadow or background; for radios, on the ::before of their label), found by
# comparing the element's look with focus and without.
FOCUSED = """() => {
  const el = document.activeElement;
  if (el === document.body) {
    return { text: '', visible: true };  // focus has left the page, to the browser's own bar
  }
  const label = el.labels && el.labels[0];
  const look = () => {
    const own = getComputedStyle(el);
    const mark = label ? getComputedStyle(label, '::before') : {};
    return [own.outline, own.boxShadow, own.backgroundColor, own.color, mark.boxShadow,
            mark.borderWidth].join('|');
  };
  const focused = look();
  el.blur();
  const unfocused = look();
  el.focus();
  return {
    text: ((label && label.textContent) || el.textContent || el.value || '').trim(),
    visible: focused !== unfocused,
  };
}"""


def tab_to(page, text, *, limit=60):
    """Press Tab until the focused element reads `text`; each stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["visible"], f"No visible focus on {focused['text']!r} at {page.url}"
        if focused["text"] == text:
            return
    raise AssertionError(f"{text!r} not reached with Tab on {page.url}")


def test_a_lead_agrees_and_submits_with_the_keyboard_alone(live_server, browser):
    org = OrganisationFactory(name="Iota Borough Council")
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    fv = make_version(dimensions=1, questions=1)
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=lead
    )
    context = signed_in_context(browser, live_server, lead)
    page = context.new_page()
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}")

    tab_to(page, "Agree: Dimension 1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dimension 1")
    tab_to(page, "Question 1 of dimension 1?")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Question 1 of dimension 1?")
    tab_to(page, "1. Initial")
    page.keyboard.press("Space")
    expect(page.get_by_label("1. Initial")).to_be_checked()
    tab_to(page, "Save and continue")
    page.keyboard.press("Enter")  # the last question: on to check the answers
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    assert AgreedAnswer.objects.get(assessment=assessment).level == 1

    # Focus starts on the "saved" banner, below the breadcrumbs: Tab goes round the page.
    tab_to(page, "2026/27 assessment")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("2026/27 assessment")
    tab_to(page, "Check answers and submit")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the agreed answers before you submit"
    )
    tab_to(page, "Submit assessment")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("2026/27 results")
    assert Assessment.objects.get(pk=assessment.pk).is_submitted
    context.close()
