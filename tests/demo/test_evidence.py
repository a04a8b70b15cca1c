"""The demo's evidence files: real files, listed where a lead and a board member look, and
downloadable only by those who may see the answer they are on."""

import io
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import EvidenceFile
from demo.evidence import demo_evidence_load
from demo.in_progress import demo_in_progress_load
from reports.report import report_context
from tests.demo.test_in_progress import demo, signed_in  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def download(email, stored) -> tuple[int, bytes]:
    link = stored.links.select_related("assessment").get()
    url = reverse(
        "assessments:evidence_file",
        kwargs={"pk": link.assessment.organisation_id, "apk": link.assessment_id, "fpk": stored.pk},
    )
    response = signed_in(email).get(url)
    # Reading a file response to its end closes it (the test client closes it then).
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def test_the_demo_has_a_board_paper_in_its_report_and_a_register_only_its_author_sees(
    demo,  # noqa: F811
    tmp_path,
):
    demo_in_progress_load(home=demo.home)
    assert demo_evidence_load(home=demo.home) == 2
    paper = EvidenceFile.objects.get(kind="pdf")
    register = EvidenceFile.objects.get(kind="xlsx")

    # The board paper is on the agreed answer of a submitted round: its report lists it, and
    # everyone who may read the results may download it. It is a real PDF.
    submitted = paper.links.get().assessment
    listed = report_context(assessment=submitted)["evidence_files"]
    assert [row["name"] for row in listed] == ["Data-strategy-2025-board-paper.pdf"]
    status, body = download("viewer@demo.example", paper)
    assert status == 200
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(body)
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    assert "Data strategy 2025 to 2028" in text and demo.home.name in text

    # The register is on Jo's own answer in the round in progress: hers and the lead's only.
    assert download("officer2@demo.example", register)[0] == 200
    status, body = download("lead@demo.example", register)
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet["A1"].value == "Data set" and sheet.max_row == 4
    assert download("officer@demo.example", register)[0] == 404
    assert download("viewer@demo.example", register)[0] == 404

    assert demo_evidence_load(home=demo.home) == 0
    assert EvidenceFile.objects.count() == 2
