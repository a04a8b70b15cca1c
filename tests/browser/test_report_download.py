"""A lead finds a submitted assessment's results, downloads the board report (PDF) and the
answers (XLSX), and both files carry what they should."""

import subprocess

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from frameworks.models import Dimension, Question
from organisations.models import Organisation
from tests.browser.conftest import assert_no_console_errors
from tests.factories import PASSWORD, OrganisationFactory, make_version, submit
from tests.reports.test_bulk_export import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_downloads_the_pdf_report_and_the_xlsx_answers(live_server, page, tmp_path):
    fv = make_version(dimensions=3, questions=2)
    me = OrganisationFactory(
        name="Kappa St Mary's Borough Council", kind=Organisation.Kind.UNITARY, code="E06000123"
    )
    _, lead = submit(me, fv, [2, 3, 3, 4, 1, 5], round_label="2026/27")
    for n in range(6):  # enough peers of the same kind for a median in the peer table
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [1 + n % 5] * 6)
    dimensions = list(Dimension.objects.filter(framework_version=fv).order_by("position"))
    questions = list(
        Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position"
        )
    )

    # Sign in through the form, then follow links as a user would.
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Email address").fill(lead.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your organisations")
    page.get_by_role("link", name=me.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(me.name)
    page.get_by_role("link", name="2026/27").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026/27 assessment")
    page.get_by_role("link", name="See the results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026/27 results")

    # The board report: drawn by the task worker, while a page waits for it and downloads it
    # when it is ready (its script checks every 2 seconds; without JavaScript, "Check again").
    page.get_by_role("link", name="Download the report for your board (PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your report is being prepared")
    with page.expect_download() as pdf_download:
        run_worker()
    download = pdf_download.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".pdf")
    assert download.suggested_filename == "E06000123-test-framework-2026-27.pdf"
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert me.name in text
    for dimension in dimensions:
        assert dimension.name in text
    # Who said so, and why: the page on who took part and how the scores are worked out, the
    # charts against peers and the roadmap.
    for heading in (
        "Who took part and how the scores are worked out",
        "Comparison with peers",
        "Improvement roadmap",
    ):
        assert heading in text
    assert "The agreed answers, which the scores use, were set by 1 lead." in text

    # The answers as a spreadsheet: linked from the assessment page (the results page has no
    # XLSX link), one step back.
    page.get_by_role("link", name="Back to the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026/27 assessment")
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download the answers and scores (XLSX)").click()
    download = xlsx_download.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".xlsx")
    xlsx_path = tmp_path / download.suggested_filename
    download.save_as(xlsx_path)
    workbook = load_workbook(xlsx_path, read_only=True)
    rows = list(workbook["Agreed answers"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("Dimension", "Question slug", "Question")
    assert [row[1] for row in body] == [q.slug for q in questions]
    assert [row[4] for row in body] == [2, 3, 3, 4, 1, 5]  # the agreed levels
    workbook.close()

    assert_no_console_errors(page)
