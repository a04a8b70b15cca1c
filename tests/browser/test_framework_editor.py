"""A framework editor revises a published framework in the service, without the admin: drafts a
new version, edits a question and a descriptor, adds a question, previews it, checks the
crosswalk and the changes, and publishes. Every page on the way is checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from frameworks.models import FrameworkVersion, Question
from tests.browser.conftest import (
    assert_accessible,
    assert_no_console_errors,
    sign_in,
)
from tests.factories import PASSWORD, UserFactory, make_version

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_drafts_edits_previews_and_publishes_a_new_version(live_server, page):
    make_version(slug="journey", version="1.0.0")
    UserFactory(email="editor@council.example", editor=True)
    sign_in(page, live_server.url, "editor@council.example", PASSWORD)

    page.goto(f"{live_server.url}/frameworks/journey/1.0.0/")
    page.get_by_role("link", name="Start a new draft from this version").click()
    page.get_by_label("New version number").fill("1.1.0")
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Draft 1.1.0 created from version 1.0.0."
    )
    page.get_by_role("link", name="Edit this draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Framework journey")
    assert_accessible(page)

    # Change a question's text and one of its descriptors; a mistake first.
    page.get_by_role("link", name="Change question 1.1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change a question")
    assert_accessible(page)
    page.get_by_label("Question", exact=True).fill("")
    page.get_by_role("button", name="Save question").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the question's text")
    expect(summary).to_be_focused()
    assert_accessible(page)
    summary.get_by_role("link", name="Enter the question's text").click()
    expect(page.get_by_label("Question", exact=True)).to_be_focused()
    page.get_by_label("Question", exact=True).fill("Who owns each of your data sets?")
    page.get_by_label("What level 3 (Defined) looks like").fill(
        "Every data set has a named owner who answers for its quality."
    )
    page.get_by_role("button", name="Save question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The question was saved.")
    expect(
        page.get_by_role("row", name=re.compile("1.1 Who owns each of your data sets?"))
    ).to_be_visible()

    # Add a question to the second dimension.
    page.get_by_role("link", name="Add a question to Dimension 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a question to Dimension 2")
    page.get_by_label("Question", exact=True).fill("Do you publish your data standards?")
    for value, label in enumerate(["Initial", "Emerging", "Defined", "Embedded", "Leading"], 1):
        page.get_by_label(f"What level {value} ({label}) looks like").fill(
            f"Standards, level {value}."
        )
    page.get_by_label("Layer (optional)").select_option(label="Data")
    page.get_by_role("button", name="Save question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The question was added.")
    assert_accessible(page)

    # Preview it as a respondent will see it.
    page.get_by_role("link", name="Preview question 2.4", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Do you publish your data standards?")
    expect(page.get_by_role("region", name="Preview")).to_contain_text(
        "Nothing you choose or type here is saved"
    )
    expect(page.get_by_role("radio", name=re.compile("^3. Defined"))).to_be_visible()
    expect(page.get_by_text("Standards, level 3.")).to_be_visible()
    expect(page.get_by_role("button", name="Save and check your answers")).to_be_disabled()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the draft").click()

    # The crosswalk: the edited question was reworded, the added one is new.
    page.get_by_role("link", name="Check the crosswalk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Crosswalk from version 1.0.0 to 1.1.0"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Confirm all proposals").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("confirmed")
    added = Question.objects.get(
        dimension__framework_version__version="1.1.0", slug="do-you-publish-your-data-standards"
    )
    assert added.new_in_version  # proposed as new (nothing like it in 1.0.0) and confirmed

    # What changed since 1.0.0.
    page.get_by_role("link", name="See every change from version 1.0.0").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from version 1.0.0 to 1.1.0")
    expect(page.locator("main")).to_contain_text("Do you publish your data standards?")
    assert_accessible(page)

    # Publish.
    page.goto(f"{live_server.url}/frameworks/journey/1.1.0/edit/")
    page.get_by_role("link", name="Publish this draft").click()
    page.get_by_role("button", name="Publish this version").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Framework journey version 1.1.0 is published."
    )
    assert_accessible(page)
    assert_no_console_errors(page)

    # The editor now refuses it (409, which the browser logs), offering a new draft or retiring.
    page.goto(f"{live_server.url}/frameworks/journey/1.1.0/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Version 1.1.0 is published and cannot be changed"
    )
    expect(page.get_by_role("link", name="Retire this version")).to_be_visible()
    assert_accessible(page)

    published = FrameworkVersion.objects.get(version="1.1.0")
    assert published.is_published
    texts = list(
        Question.objects.filter(dimension__framework_version=published)
        .order_by("dimension__position", "position")
        .values_list("text", flat=True)
    )
    assert texts[0] == "Who owns each of your data sets?"
    assert texts[-1] == "Do you publish your data standards?"
    first = Question.objects.get(dimension__framework_version=published, slug="d1-q1")
    assert first.levels.get(value=3).descriptor.startswith("Every data set has a named owner")
    # The version it came from is untouched.
    original = Question.objects.get(dimension__framework_version__version="1.0.0", slug="d1-q1")
    assert original.text == "Question 1 of dimension 1?"
