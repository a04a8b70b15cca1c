"""Journeys through the framework catalogue and an editor's upload, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from frameworks.builtin import library_load
from frameworks.fileformat import dump_framework
from frameworks.models import FrameworkVersion
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.factories import PASSWORD, UserFactory, make_spec

pytestmark = pytest.mark.django_db(transaction=True)


def test_reader_browses_catalogue_to_a_level_ladder(live_server, page):
    library_load()
    page.goto(f"{live_server.url}/frameworks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Frameworks")
    expect(page.locator(".govuk-summary-card")).to_have_count(4)
    # The GOV.UK Frontend script ran (no inline script needed).
    expect(page.locator("body")).to_have_class(re.compile("govuk-frontend-supported"))
    assert_accessible(page)

    lenses = "Lenses of digital (after Catherine Howe's tribes)"  # version 2.0.0's name
    page.get_by_role("link", name=lenses, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lenses)
    expect(page.get_by_text("8 dimensions, 24 questions, 5 levels")).to_be_visible()
    expect(page.get_by_role("heading", name="About this version")).to_be_visible()
    first_ladder = page.locator("table.app-ladder").first
    expect(first_ladder.locator("tbody tr")).to_have_count(5)
    expect(first_ladder.locator("tbody tr").last).to_contain_text("Top of the scale")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^YAML file")).click()
    download = download_info.value
    assert download.suggested_filename == "seven-tribes-of-digital-2.0.0.yaml"
    assert "format: maturity-framework/1" in download.path().read_text(encoding="utf-8")
    assert_no_console_errors(page)


def test_editor_signs_in_fixes_a_bad_file_and_publishes(live_server, page, tmp_path):
    UserFactory(email="editor@council.example", editor=True)
    good = dump_framework(make_spec(slug="workshop-framework"), "yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.replace("D2 Q3 at level 4.", ""), encoding="utf-8")
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(good, encoding="utf-8")

    page.goto(f"{live_server.url}/frameworks/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)
    page.get_by_label("Email address").fill("editor@council.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a framework file")
    assert_accessible(page)
    page.get_by_label("Framework file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload framework").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "dimensions[1].questions[2].levels: the descriptor for level 4 is empty"
    )
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    assert not FrameworkVersion.objects.exists()

    page.get_by_label("Framework file").set_input_files(str(fixed))
    page.get_by_label("Publish this version straight away").check()
    page.get_by_role("button", name="Upload framework").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Framework workshop-framework version 1.0.0 was published."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Framework workshop-framework")
    assert FrameworkVersion.objects.get().is_published
    assert_accessible(page)
    assert_no_console_errors(page)
