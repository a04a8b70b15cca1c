"""An editor reviews a new draft's crosswalk and reads what changed, in a real browser, with axe
on every page and the word-level diff read as screen readers get it."""

import re

import pytest
from playwright.sync_api import expect

from frameworks.models import Question, QuestionLevel, QuestionLink
from frameworks.services import framework_version_create_draft
from tests.browser.conftest import assert_accessible, assert_no_console_errors, sign_in
from tests.factories import PASSWORD, UserFactory, make_version

pytestmark = pytest.mark.django_db(transaction=True)


def test_editor_reviews_the_crosswalk_and_reads_the_diff(live_server, page):
    UserFactory(email="editor@council.example", editor=True)
    source = make_version(slug="diffable", dimensions=2, questions=2, publish=True)
    draft = framework_version_create_draft(
        framework=source.framework, version="1.1.0", clone_from=source
    )
    reworded = Question.objects.get(dimension__framework_version=draft, slug="d1-q1")
    Question.objects.filter(pk=reworded.pk).update(text="Question 1 of dimension 1, today?")
    added = Question.objects.create(
        dimension=reworded.dimension, slug="brand-new", text="Is it new?", position=5
    )
    QuestionLevel.objects.bulk_create(
        QuestionLevel(question=added, value=v, descriptor=f"New at {v}.") for v in range(1, 6)
    )
    base = live_server.url
    sign_in(page, base, "editor@council.example", PASSWORD)

    page.goto(f"{base}/frameworks/diffable/1.1.0/")
    expect(page.get_by_text("1 not reviewed yet")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Review the crosswalk")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Crosswalk from version 1.0.0 to 1.1.0"
    )
    assert_accessible(page)

    # The new question's own page, its error state, then back.
    page.get_by_role("link", name="Check the links of brand-new").click()
    page.get_by_label("The same question", exact=True).check()
    page.get_by_role("button", name="Save and return to the crosswalk").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select the one earlier question it comes from"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Back to the crosswalk").click()

    page.get_by_role("button", name="Confirm all proposals").click()
    expect(page.get_by_text("2 proposals confirmed.")).to_be_visible()
    assert QuestionLink.objects.get(question=reworded).relation == "reworded"

    page.get_by_role("link", name="See every change from version 1.0.0").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from version 1.0.0 to 1.1.0")
    # What a screen reader reads for the reworded question.
    cell = page.locator(".app-diff").first
    expect(cell).to_have_text("Question 1 of dimension [removed: 1?][added: 1, today?]")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_no_console_errors(page)
