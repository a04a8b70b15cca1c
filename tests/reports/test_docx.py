"""The board report as a Word document, read back with readers independent of python-docx: its
XML unzipped and parsed (tests/docx.py), and LibreOffice's own conversion to text. Compared with
what the results page shows and with the PDF (read with pdftotext)."""

import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from assessments import services
from maturity.accounts.branding import branding_save, checked_logo
from organisations.models import Organisation, Role
from reports.docx import DOCX_CONTENT_TYPE, build_docx, render_docx
from reports.report import render_pdf, report_context
from tests.conftest import CsrfClient
from tests.docx import read_docx
from tests.factories import (
    ConsultantGrantFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    release,
    submit,
)
from tests.pdf import pdf_text
from tests.reports.test_branding import image_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

SECTIONS = [
    "Contents",
    "Summary",
    "Profile",
    "Comparison with peers",
    "Improvement roadmap",
    "Who took part and how the scores are worked out",
    "1. Dimension 1",
    "2. Dimension 2",
    "3. Dimension 3",
    "Appendix: every answer",
]


@pytest.fixture
def reported():
    """A unitary council's second round, with peers of its kind and of other kinds, released."""
    fv = make_version(dimensions=3, questions=2)
    me = OrganisationFactory(name="Iota Borough Council", kind=Organisation.Kind.UNITARY)
    _, lead = submit(me, fv, [1, 2, 2, 3, 4, 4], round_label="2025/26")
    assessment, _ = submit(me, fv, [2, 3, 3, 3, 5, 4], round_label="2026/27", lead=lead)
    for n in range(11):
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [1 + n % 5] * 6)
    for kind in (Organisation.Kind.DISTRICT, Organisation.Kind.COUNTY):
        for _ in range(6):
            submit(OrganisationFactory(kind=kind), fv, [2] * 6)
    release(fv)
    return assessment, lead


def signed_in(user) -> CsrfClient:
    client = CsrfClient()
    client.force_login(user)
    return client


class _Tables(HTMLParser):
    """The results page's tables as rows of cell texts (the page's own HTML, parsed)."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def results_page(client, assessment) -> tuple[str, list[list[str]]]:
    """The overall score and the dimension table's rows, as the results page shows them."""
    kwargs = {"pk": assessment.organisation_id, "apk": assessment.pk}
    html = client.get(reverse("assessments:results", kwargs=kwargs)).content.decode()
    overall = re.search(r"data-overall-score>([^<]+)<", html).group(1).strip()
    parser = _Tables()
    parser.feed(html)
    dimensions = next(t for t in parser.tables if t[0][:2] == ["Dimension", "Score"])
    return overall, dimensions


def download(client, assessment):
    kwargs = {"pk": assessment.organisation_id, "apk": assessment.pk}
    return client.get(reverse("reports:report_docx", kwargs=kwargs))


def test_the_word_report_has_the_pdfs_sections_in_order_as_real_headings(reported, tmp_path):
    assessment, _ = reported
    document = read_docx(render_docx(assessment=assessment))
    headings = document.headings
    assert headings[0] == ("Title", "Iota Borough Council")
    assert [text for style, text in headings if style == "Heading1"] == SECTIONS
    # Each question is a heading under its dimension, as in the PDF.
    assert ("Heading2", "Question 1 of dimension 2?") in headings
    # The PDF has the same sections in the same order.
    text = pdf_text(render_pdf(assessment=assessment), tmp_path)
    # Past the contents list, each section found after the one before it.
    position = text.index("Appendix: every answer")
    for name in SECTIONS[1:]:
        position = text.index(name, position + 1)


def test_the_word_reports_figures_are_the_results_pages(reported):
    assessment, lead = reported
    client = signed_in(lead)
    response = download(client, assessment)
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    document = read_docx(response.content)
    overall, page_rows = results_page(client, assessment)
    assert overall == "3.6"  # (2.7 + 3.0 + 4.3) / 3, by hand
    paragraphs = [text for _, text in document.paragraphs]
    assert f"{overall} overall, on a scale of 1 to 5: Defined." in paragraphs
    summary = next(t for t in document.tables if t.rows[0][:2] == ["Dimension", "Score"])
    # Dimension, score, level, target, gap, change since the last round: as on the page.
    assert summary.rows[0][-1] == "Change since 2025/26"
    assert [row[:6] for row in summary.rows[1:]] == [row[:6] for row in page_rows[1:]]
    assert [row[1] for row in summary.rows[1:]] == ["2.7", "3.0", "4.3"]


def test_every_table_repeats_its_header_and_every_picture_has_alternative_text(reported):
    assessment, _ = reported
    document = read_docx(render_docx(assessment=assessment))
    assert len(document.tables) >= 6
    for table in document.tables:
        assert table.repeated == [0], table.rows[0]
        assert len(table.rows) > 1
    # The trend, the profile (radar) and the peers: each a picture with its figures in words.
    images = document.images
    assert len(images) == 3
    for image in images:
        assert len(image["descr"]) > 40 and image["title"]
    trend, radar, peers = (image["descr"] for image in images)
    assert "2025/26 3.2; 2026/27 3.6" in trend
    for name, score in (("Dimension 1", "2.7"), ("Dimension 2", "3.0"), ("Dimension 3", "4.3")):
        assert f"{name} {score} (median " in radar
    assert "Iota Borough Council" in peers
    pictures = [name for name in document.parts if name.startswith("word/media/")]
    assert len(pictures) == 3
    assert all(document.parts[name].startswith(b"\x89PNG") for name in pictures)


def test_the_word_reports_peer_table_is_the_released_figures(reported, tmp_path):
    assessment, _ = reported
    document = read_docx(render_docx(assessment=assessment))
    peers = next(t for t in document.tables if t.rows[0][0] == "Measure")
    # 12 unitary councils: this one and 11 peers at 1, 2, 3, 4, 5, 1, 2, ... on every question.
    overall = peers.rows[1]
    assert overall[:2] == ["Overall", "3.6"]
    assert overall[3] == "3.0"  # the median of 1, 1, 1, 2, 2, 3, 3, 3.6, 4, 4, 5, 5
    # Word and PDF give the same row.
    text = " ".join(pdf_text(render_pdf(assessment=assessment), tmp_path).split())
    assert " ".join(overall) in text


def test_the_roadmap_in_word_lists_the_pdfs_questions_in_the_same_order(reported, tmp_path):
    assessment, _ = reported
    document = read_docx(render_docx(assessment=assessment))
    roadmap = next(t for t in document.tables if t.rows[0][:2] == ["Question", "Why it is here"])
    questions = [row[0] for row in roadmap.rows[1:]]
    assert questions
    # In reading order (pdftotext -raw), so a cell's lines stay together.
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(assessment=assessment))
    raw = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(raw.split())
    roadmap_text = text[text.rindex("Improvement roadmap") :]
    positions = [roadmap_text.index(question) for question in questions]
    assert positions == sorted(positions)
    # Every question below the top of the scale with a target above it is there (5 of 6).
    assert len(questions) == 5


def test_the_document_says_what_it_is_who_made_it_and_its_language(reported):
    assessment, _ = reported
    document = read_docx(render_docx(assessment=assessment))
    fv = assessment.framework_version
    assert document.core_property("title") == f"Iota Borough Council: {fv.name} 2026/27"
    # Its author, as the PDF's: the organisation it is about (a consultant's copy names them).
    assert document.core_property("creator") == "Iota Borough Council"
    assert document.core_property("language") == "en-GB"
    styles = document.parts["word/styles.xml"].decode()
    assert 'w:lang w:val="en-GB"' in styles


def test_a_draft_in_word_says_draft_at_the_foot_of_every_page(reported):
    assessment, lead = reported
    draft = services.assessment_start(
        organisation=assessment.organisation,
        framework_version=assessment.framework_version,
        round_label="2027/28",
        user=lead,
    )
    document = read_docx(render_docx(assessment=draft))
    footers = [name for name in document.parts if re.fullmatch(r"word/footer\d+\.xml", name)]
    assert len(footers) == 2  # the first page's, and the others'
    assert all(b"DRAFT: not submitted" in document.parts[name] for name in footers)
    status = draft.get_status_display().lower()
    assert f"Status: Draft: not submitted ({status})" in document.text
    finished = read_docx(render_docx(assessment=assessment))
    assert "DRAFT" not in finished.text
    assert not any(b"DRAFT" in finished.parts[name] for name in finished.parts)


def test_a_consultants_word_report_carries_their_logo_and_name_and_the_clients_own_does_not(
    reported,
):
    assessment, lead = reported
    consultant = UserFactory()
    ConsultantGrantFactory(consultant=consultant, organisation=assessment.organisation)
    branding_save(
        consultant=consultant,
        display_name="Acme Advisory",
        logo=checked_logo(upload(image_bytes("PNG"), "a.png")),
        remove_logo=False,
    )
    theirs = read_docx(download(signed_in(consultant), assessment).content)
    assert "Prepared by Acme Advisory" in theirs.text
    logo = theirs.images[0]
    assert logo["descr"] == "Acme Advisory" and len(theirs.images) == 4
    # On the title page: before the contents.
    texts = [text for _, text in theirs.paragraphs]
    assert texts.index("Prepared by Acme Advisory") < texts.index("Contents")
    assert theirs.core_property("creator") == "Acme Advisory"
    own = read_docx(download(signed_in(lead), assessment).content)
    assert "Prepared by" not in own.text and len(own.images) == 3


def test_the_spread_is_only_in_the_leads_word_report(reported):
    assessment, lead = reported
    viewer = MembershipFactory(organisation=assessment.organisation, role=Role.VIEWER).user
    theirs = read_docx(download(signed_in(viewer), assessment).content)
    ours = read_docx(download(signed_in(lead), assessment).content)
    assert theirs.tables[-1].rows[0] == [
        "Question",
        "Agreed answer",
        "Target",
        "Share of dimension",
    ]
    assert ours.tables[-1].rows[0][-2:] == ["People answering", "Spread"]
    assert "Spread" not in theirs.text


def test_the_improvement_plan_and_evidence_files_are_drawn_where_the_pdf_draws_them(reported):
    """`actions` and `evidence_files` are the plain rows the improvement plan and the evidence
    files add to the report's context; Word draws them where the PDF does, in its words."""
    assessment, _ = reported
    context = report_context(assessment=assessment)
    plain = read_docx(build_docx({**context, "branding": None}))
    headings = [text for _, text in plain.headings]
    assert headings.index("Actions in the improvement plan") == (
        headings.index("Improvement roadmap") + 1
    )
    assert "No actions have been added to the improvement plan from these results yet." in (
        plain.text
    )
    assert "Evidence files" not in headings
    context["actions"] = [
        {
            "title": "Publish the data register",
            "description": "Put the register on the intranet and name an owner for each entry.",
            "dimension": "Dimension 1",
            "questions": ["d1-q1 Question 1 of dimension 1?", "d1-q2 Question 2 of dimension 1?"],
            "target_level": "4. Embedded",
            "owner": "Ada Lovelace",
            "due_date": date(2027, 3, 31),
            "status": "In progress",
            "overdue": True,
            "notes": 2,
        },
        {
            "title": "Agree a data standard",
            "description": "",
            "dimension": "",
            "questions": [],
            "target_level": "",
            "owner": "",
            "due_date": None,
            "status": "Not started",
            "overdue": False,
            "notes": 0,
        },
    ]
    context["evidence_files"] = [
        {
            "question": "Dimension 1: Question 1 of dimension 1?",
            "name": "data-register.pdf",
            "size": 2048,
            "kind": "PDF",
            "uploaded_by": "Ada Lovelace",
            "uploaded_at": datetime(2026, 11, 3, 9, 30, tzinfo=UTC),
        }
    ]
    document = read_docx(build_docx({**context, "branding": None}))
    plan = next(t for t in document.tables if t.rows[0][0] == "Action")
    assert plan.rows == [
        ["Action", "What it should move", "Target", "Owner", "Due", "Status"],
        [
            "Publish the data register\n"
            "Put the register on the intranet and name an owner for each entry.",
            "Dimension 1: d1-q1 Question 1 of dimension 1?; d1-q2 Question 2 of dimension 1?",
            "4. Embedded",
            "Ada Lovelace",
            "31 Mar 2027 (overdue)",
            "In progress (2 notes)",
        ],
        ["Agree a data standard", "—", "—", "Nobody yet", "—", "Not started"],
    ]
    assert [text for _, text in document.headings][-1] == "Evidence files"
    assert document.tables[-1].rows[1] == [
        "Dimension 1: Question 1 of dimension 1?",
        "data-register.pdf",
        "PDF",
        "2.0\xa0KB",
        "Ada Lovelace, 3 Nov 2026",
    ]


@pytest.mark.once
def test_libreoffice_opens_the_word_report_and_reads_the_results_pages_figures(reported, tmp_path):
    """LibreOffice (libreoffice-writer-nogui, installed by scripts/system-packages.sh test)
    converts the document to text: every section, and the scores the results page shows."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: run scripts/system-packages.sh test"
    assessment, lead = reported
    client = signed_in(lead)
    (tmp_path / "report.docx").write_bytes(download(client, assessment).content)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "report.docx"),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    text = (tmp_path / "report.txt").read_text(encoding="utf-8-sig")
    lines = [line.strip() for line in text.splitlines()]
    assert "Iota Borough Council" in lines
    for name in SECTIONS:
        assert name in lines, name
    overall, page_rows = results_page(client, assessment)
    assert f"{overall} overall, on a scale of 1 to 5: Defined." in lines
    # Table cells come out one a line, in order: each dimension's row as the page shows it.
    joined = "\n".join(line for line in lines if line)
    for row in page_rows[1:]:
        assert "\n".join(row[:6]) in joined, row


def test_an_action_in_the_improvement_plan_is_in_the_word_report_as_in_the_pdf(reported, tmp_path):
    from improvement.services import action_create

    assessment, lead = reported
    # A name that a narrow cell cannot break at a hyphen ("Pearson-" / "George" read back as
    # two words).
    lead.full_name = "Fiona Pearson"
    lead.save(update_fields=["full_name"])
    question = assessment.framework_version.dimensions.get(position=1).questions.first()
    action_create(
        assessment=assessment,
        by=lead,
        title="Publish the data register",
        dimension=question.dimension,
        questions=[question],
        target_level=4,
        owner=lead,
        due_date=date(2027, 3, 31),
    )
    document = read_docx(render_docx(assessment=assessment))
    plan = next(t for t in document.tables if t.rows[0][0] == "Action")
    row = plan.rows[1]
    assert row[0] == "Publish the data register"
    assert row[1] == f"{question.dimension.name}: {question.text}"
    assert row[3:5] == [lead.full_name or lead.email, "31 Mar 2027"]
    # The PDF's row has the same cells (read in reading order, so each cell's lines stay together).
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(assessment=assessment))
    raw = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(raw.split())
    for cell in row:
        assert cell in text, cell
