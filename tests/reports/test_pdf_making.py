"""How maturity.pdf makes a PDF quickly, and the same PDF.

The PDF templates are well-formed XML as well as HTML, so their HTML is parsed with the
standard library's expat (in C, 3 ms for a board report) instead of WeasyPrint's HTML5 parser
(pure Python, 125 ms). The PDF is the same either way, and HTML that is not well-formed still
makes its PDF through the HTML5 parser.

While a PDF is made, the garbage collector looks at young objects every 50,000 allocations
rather than every 2,000, and Python's own threshold is back once the last render in the process
ends."""

import gc
import io
import threading
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assessments.models import AgreedAnswer
from frameworks.models import Question
from frameworks.questionnaire import questionnaire_html
from improvement.services import action_create
from maturity import pdf
from maturity.accounts.branding import branding_save, checked_logo
from organisations.models import Role
from reports.report import report_html
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    release,
    submit,
)
from tests.pdf import page_count, pdf_text, word_boxes

pytestmark = pytest.mark.django_db


@pytest.fixture
def branding(django_capture_on_commit_callbacks):
    picture = io.BytesIO()
    Image.new("RGB", (240, 80), (29, 112, 184)).save(picture, "PNG")
    upload = SimpleUploadedFile("firm.png", picture.getvalue(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        return branding_save(
            consultant=UserFactory(),
            display_name="Acme & Partners <Advisory>",
            logo=checked_logo(upload),
            remove_logo=False,
        )


@pytest.fixture
def report_with_everything(branding):
    """A submitted report with a previous round (trend chart), released peers (peer chart),
    a layer grid, an action with a description (a line break in its cell) and a branded cover
    with a logo: every optional part of the template drawn."""
    fv = make_version()  # with a layer facet: the report draws the grid
    org = OrganisationFactory(name="Ash & Elm Council")
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    count = Question.objects.filter(dimension__framework_version=fv).count()
    submit(org, fv, [1] * count, round_label="2025/26", lead=lead)
    assessment, _ = submit(org, fv, [2] * count, lead=lead)
    for _ in range(5):
        submit(OrganisationFactory(kind=org.kind), fv, [3] * count)
    release(fv)
    answer = AgreedAnswer.objects.filter(assessment=assessment).first()
    action_create(
        assessment=assessment,
        by=lead,
        title="Publish the data register",
        description="Owners named; reviewed each quarter <by the board>.",
        questions=[answer.question],
        target_level=3,
        owner=lead,
        due_date=date(2026, 1, 5),
    )
    return report_html(assessment=assessment, branding=branding)


def test_the_board_report_and_the_questionnaire_are_read_by_the_quick_parser(
    report_with_everything,
):
    questionnaire = questionnaire_html(version=make_version(slug="workshop"))
    for html in (report_with_everything, questionnaire):
        ET.fromstring(html)  # well-formed: raises ParseError otherwise
        assert isinstance(pdf.html_document(html), pdf._tree_html_class())
    # Every optional part is in the report that was checked.
    for part in ("<img ", "<br/>", "shade-", 'id="trend"', "Publish the data register"):
        assert part in report_with_everything, part


def test_the_pdf_is_the_same_whichever_parser_reads_the_html(report_with_everything, tmp_path):
    quick = pdf.html_to_pdf(report_with_everything)
    html5 = weasyprint.HTML(
        string=report_with_everything, base_url=pdf.BASE_URL, url_fetcher=pdf.own_files_fetcher()
    ).write_pdf(pdf_variant="pdf/ua-1")
    assert pdf_text(quick, tmp_path) == pdf_text(html5, tmp_path)
    assert page_count(quick, tmp_path) == page_count(html5, tmp_path)
    text = pdf_text(quick, tmp_path)
    assert "Acme & Partners <Advisory>" in text and "Ash & Elm Council" in text
    # No template syntax printed (a Django comment is one line; a longer one shows as text).
    assert not [mark for mark in ("{#", "#}", "{%", "%}", "{{", "}}") if mark in text]


def test_html_that_is_not_well_formed_still_makes_its_pdf(tmp_path):
    html = "<!doctype html><title>Notes</title><p>One<br>two<p>Three&nbsp;four &copy; 2026"
    with pytest.raises(ET.ParseError):
        ET.fromstring(html)
    assert not isinstance(pdf.html_document(html), pdf._tree_html_class())
    text = " ".join(pdf_text(pdf.html_to_pdf(html), tmp_path).split())
    assert "One two Three four © 2026" in text


def test_a_pdf_is_made_with_young_collections_less_often_and_no_full_one(
    report_with_everything, monkeypatch
):
    before = gc.get_threshold()
    during, seen = [], []
    parse = pdf.html_document

    def parse_and_look(html):
        during.append(gc.get_threshold())
        return parse(html)

    def record(phase, info):
        if phase == "start":
            seen.append((info["generation"], gc.get_threshold()[0]))

    monkeypatch.setattr(pdf, "html_document", parse_and_look)
    gc.callbacks.append(record)
    try:
        pdf.html_to_pdf(report_with_everything)
    finally:
        gc.callbacks.remove(record)
    assert during == [(pdf.RENDER_GC_THRESHOLD, *before[1:])]
    # Whatever collections the render set off were at that threshold, and none was full.
    assert all(threshold == pdf.RENDER_GC_THRESHOLD for _, threshold in seen)
    assert 2 not in [generation for generation, _ in seen]
    assert gc.get_threshold() == before


def test_renders_in_two_threads_at_once_leave_pythons_threshold_as_it_was():
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    during = {}

    def first():
        with pdf.fewer_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with pdf.fewer_collections():
            second_in.set()
            first_out.wait(5)
            during["after the first ended"] = gc.get_threshold()[0]

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert during == {"after the first ended": pdf.RENDER_GC_THRESHOLD}
    assert gc.get_threshold() == before


def chart(*texts: str) -> str:
    """A page with an SVG chart holding these text elements (our charts' own attributes)."""
    body = "".join(texts)
    return (
        '<html lang="en"><head><meta charset="utf-8"/></head><body>'
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" '
        f'font-family="Liberation Sans, Arial, sans-serif">{body}</svg></body></html>'
    )


@pytest.fixture
def svg_layouts(monkeypatch):
    """The text of every Pango layout WeasyPrint makes for SVG text (its SVG code looks up
    split_first_line when it draws, the rest of WeasyPrint at import)."""
    from weasyprint.text import line_break

    texts = []
    split = line_break.split_first_line

    def recorded(text, *args, **kwargs):
        texts.append(text)
        return split(text, *args, **kwargs)

    monkeypatch.setattr(line_break, "split_first_line", recorded)
    return texts


LABELS = (
    '<text x="200" y="40" font-size="9" text-anchor="middle">Digital identity</text>',
    '<text x="390" y="80" font-size="9" text-anchor="end" font-weight="bold" fill="#505a5f">'
    "4 Embedded</text>",
    '<text x="10" y="120" font-size="9">Measures, standards and outcomes</text>',
)


def test_svg_text_is_laid_out_as_one_run_not_letter_by_letter(svg_layouts, tmp_path):
    document = pdf.html_to_pdf(chart(*LABELS))
    # Before, a layout for each of the 16 + 10 + 32 characters as well.
    assert [text for text in svg_layouts if len(text) == 1] == []
    assert sorted(set(svg_layouts)) == [
        "4 Embedded",
        "Digital identity",
        "Measures, standards and outcomes",
    ]
    text = " ".join(pdf_text(document, tmp_path).split())
    for label in ("Digital identity", "4 Embedded", "Measures, standards and outcomes"):
        assert label in text


def test_svg_text_in_one_run_stands_where_it_stood_letter_by_letter(monkeypatch, tmp_path):
    from weasyprint import svg

    one_run = word_boxes(pdf.html_to_pdf(chart(*LABELS)), tmp_path)[0]
    stock = pdf._svg_text_in_one_run().stock
    for tag in ("a", "text", "textPath", "tspan"):
        monkeypatch.setitem(svg.TAGS, tag, stock)
    monkeypatch.setattr(svg, "text", stock)
    letters = word_boxes(pdf.html_to_pdf(chart(*LABELS)), tmp_path)[0]
    assert [word for word, *_ in one_run] == [word for word, *_ in letters]
    assert len(one_run) == 8
    # Within half a point: kerning now applies across the run; anchored text is still centred
    # on, or ends at, its x.
    for (word, *at), (_, *was) in zip(one_run, letters, strict=True):
        assert all(abs(a - b) < 0.5 for a, b in zip(at, was, strict=True)), (word, at, was)


def test_svg_text_placed_character_by_character_is_still_drawn_letter_by_letter(
    svg_layouts, tmp_path
):
    document = pdf.html_to_pdf(
        chart(
            '<text x="20 40 60" y="40" font-size="9">abc</text>',
            '<text x="20" y="80" font-size="9" rotate="10">def</text>',
            '<text x="20" y="120" font-size="9" letter-spacing="3">ghi</text>',
        )
    )
    for letter in "abcdefghi":
        assert letter in svg_layouts
    assert "a b c" in " ".join(pdf_text(document, tmp_path).split())
