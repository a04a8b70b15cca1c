"""XLSX and CSV of an assessment: read back with the same values, formulas escaped."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments import services
from assessments.models import Answer
from frameworks.models import Question
from maturity.spreadsheets import safe_cell
from organisations.models import Role
from reports.exports import assessment_tables
from tests.conftest import CsrfClient
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment():
    fv = make_version(dimensions=2, questions=2)
    org = OrganisationFactory(name="Kappa Council", code="E07000001")
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    respondent = MembershipFactory(
        organisation=org, role=Role.RESPONDENT, user=UserFactory(email="r@kappa.example")
    ).user
    a = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=lead
    )
    qs = list(Question.objects.filter(dimension__framework_version=fv))
    for i, q in enumerate(qs):
        services.answer_save(
            assessment=a,
            question=q,
            respondent=respondent,
            data=services.AnswerData(state="level", level=2, evidence='=HYPERLINK("x")'),
            base_version=0,
        )
        services.agreed_answer_save(
            assessment=a,
            question=q,
            lead=lead,
            data=services.AnswerData(
                state="level", level=1 + i, target_level=5, evidence=f"+evidence {i}"
            ),
            base_version=0,
        )
    services.assessment_submit(assessment=a, user=lead)
    return a, lead


def test_formula_cells_are_escaped():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("plain") == "plain" and safe_cell(3) == 3


def test_xlsx_reads_back_with_the_same_values(assessment):
    a, lead = assessment
    client = CsrfClient()
    client.force_login(lead)
    response = client.get(
        reverse("reports:export_xlsx", kwargs={"pk": a.organisation_id, "apk": a.pk})
    )
    assert response["Content-Disposition"].endswith('E07000001-test-framework-2026-27.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "About",
        "Agreed answers",
        "Respondents' answers",
        "Files",
        "Actions",
        "Scores",
        "Framework",
    ]
    tables = assessment_tables(
        assessment=a, answers=Answer.objects.filter(assessment=a).exclude(state="")
    )
    submitted = timezone.localtime(a.submitted_at).replace(tzinfo=None, microsecond=0)
    for name in book.sheetnames:
        values = [list(row) for row in book[name].iter_rows(values_only=True)]
        expected = [[safe_cell(v) if v != "" else None for v in row] for row in tables[name]]
        if name == "About":  # the submission time as a real date and time
            assert ["Submitted", submitted] in values
            expected = [
                row if row[0] != "Submitted" else ["Submitted", submitted] for row in expected
            ]
        assert values == expected
    agreed = [list(r) for r in book["Agreed answers"].iter_rows(values_only=True)]
    assert agreed[1][3] == "1. Initial" and agreed[1][6] == "'+evidence 0"
    respondents = [list(r) for r in book["Respondents' answers"].iter_rows(values_only=True)]
    assert respondents[1][1] == "r@kappa.example" and respondents[1][7] == '\'=HYPERLINK("x")'
    scores = [list(r) for r in book["Scores"].iter_rows(values_only=True)]
    assert any(row[0] == "Overall" for row in scores)


def test_csv_has_the_agreed_answers(assessment):
    a, lead = assessment
    client = CsrfClient()
    client.force_login(lead)
    response = client.get(
        reverse("reports:export_csv", kwargs={"pk": a.organisation_id, "apk": a.pk})
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Dimension", "Question slug", "Question"]
    assert len(rows) == 5 and rows[1][6] == "'+evidence 0"


def test_xlsx_sheets_are_laid_out_for_reading(assessment):
    a, lead = assessment
    client = CsrfClient()
    client.force_login(lead)
    response = client.get(
        reverse("reports:export_xlsx", kwargs={"pk": a.organisation_id, "apk": a.pk})
    )
    book = load_workbook(io.BytesIO(response.content))
    agreed = book["Agreed answers"]
    # A frozen, filtered header row; columns as wide as what is in them.
    assert agreed.freeze_panes == "A2" and agreed.auto_filter.ref == agreed.dimensions
    assert [c.font.b for c in agreed[1]] == [True] * agreed.max_column
    question_column = agreed.column_dimensions["C"].width
    longest = max(len(str(c.value)) for c in agreed["C"])
    assert question_column == min(max(longest, 6), 60) + 2
    assert agreed.column_dimensions["B"].width < question_column
    # The About sheet is labels and values: no filter, labels bold, the date shown as a date.
    about = book["About"]
    assert not about.auto_filter.ref and all(c.font.b for c in about["A"])
    (submitted,) = [row[1] for row in about.iter_rows() if row[0].value == "Submitted"]
    assert submitted.is_date and submitted.number_format == "d mmm yyyy hh:mm"


def test_the_xlsx_read_without_openpyxl_gives_the_scores_the_results_page_shows(assessment):
    """Read back by a reader independent of the writer: the file's XML, unzipped and parsed."""
    from tests.reports.test_docx import results_page
    from tests.xlsx import read_xlsx

    a, lead = assessment
    client = CsrfClient()
    client.force_login(lead)
    kwargs = {"pk": a.organisation_id, "apk": a.pk}
    sheets = read_xlsx(client.get(reverse("reports:export_xlsx", kwargs=kwargs)).content)
    overall, page_rows = results_page(client, a)
    header, *rows = sheets["Scores"]
    assert header == ["Scope", "Dimension", "Facet value", "Score", "Level", "Target", "Answered"]
    in_file = {(row[0], row[1] or ""): row for row in rows}
    assert f"{in_file[('Overall', '')][3]:.1f}" == overall
    shown = [row for row in page_rows[1:] if row[0]]
    assert len(shown) == 2
    for name, score, level, target, *_ in shown:
        row = in_file[("Dimension", name)]
        assert (f"{row[3]:.1f}", row[4], f"{row[5]:.1f}") == (score, level, target)
    agreed = sheets["Agreed answers"]
    assert agreed[1][3] == "1. Initial" and agreed[1][6] == "'+evidence 0"
