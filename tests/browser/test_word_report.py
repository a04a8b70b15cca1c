"""A lead downloads the board report as a Word document from the assessment page, and the file
reads back (its XML, parsed apart from python-docx) with the figures the results page shows."""

import pytest
from playwright.sync_api import expect

from organisations.models import Organisation
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.docx import read_docx
from tests.factories import PASSWORD, OrganisationFactory, make_version, submit

pytestmark = pytest.mark.django_db(transaction=True)

LINK = "Download the report for your board to edit (Word document, .docx)"


def test_lead_downloads_the_word_report_and_it_reads_back(live_server, page, tmp_path):
    fv = make_version(dimensions=3, questions=2)
    me = OrganisationFactory(
        name="Lambda Borough Council", kind=Organisation.Kind.UNITARY, code="E06000124"
    )
    _, lead = submit(me, fv, [2, 3, 3, 4, 1, 5], round_label="2026/27")

    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Email address").fill(lead.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=me.name).click()
    page.get_by_role("link", name="2026/27").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026/27 assessment")
    assert_accessible(page)

    with page.expect_download() as word_download:
        page.get_by_role("link", name=LINK).click()
    download = word_download.value
    assert download.failure() is None
    assert download.suggested_filename == "E06000124-test-framework-2026-27.docx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    document = read_docx(path.read_bytes())
    assert document.headings[0] == ("Title", "Lambda Borough Council")

    # The results page's dimension table, as the browser shows it, is the document's.
    page.get_by_role("link", name="See the results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026/27 results")
    assert_accessible(page)
    shown = (
        page.locator("table")
        .first.locator("tbody tr")
        .evaluate_all(
            "rows => rows.map(r => [...r.cells].slice(0, 5).map(c => c.innerText.trim()))"
        )
    )
    summary = next(t for t in document.tables if t.rows[0][:2] == ["Dimension", "Score"])
    assert [row[:5] for row in summary.rows[1:]] == shown
    assert [row[1] for row in shown] == ["2.7", "3.7", "3.7"]  # (2+6)/3, (3+8)/3, (1+10)/3
    overall = page.locator("[data-overall-score]").inner_text().strip()
    assert f"{overall} overall, on a scale of 1 to 5:" in document.text
    # The results page offers it too, beside the PDF.
    expect(page.get_by_role("link", name=LINK)).to_be_visible()
    assert_no_console_errors(page)
