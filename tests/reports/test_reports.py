"""The PDF report, read back with pdftotext."""

import re

import pytest
from django.urls import reverse

from assessments import services
from organisations.models import Organisation, Role
from reports.report import radar_svg, render_pdf
from tests.conftest import CsrfClient
from tests.factories import MembershipFactory, OrganisationFactory, make_version, submit
from tests.pdf import page_count, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def test_report_has_the_body_every_dimension_the_scores_and_page_numbers(tmp_path):
    fv = make_version(dimensions=3, questions=2)
    me = OrganisationFactory(name="Iota Borough Council", kind=Organisation.Kind.UNITARY)
    _, lead = submit(me, fv, [1, 2, 2, 3, 4, 4], round_label="2025/26")
    assessment, _ = submit(me, fv, [2, 3, 3, 3, 5, 4], round_label="2026/27", lead=lead)
    for n in range(11):
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [1 + n % 5] * 6)
    pdf = render_pdf(assessment=assessment)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    pages = page_count(pdf, tmp_path)
    assert "Iota Borough Council" in text
    for name in ("Dimension 1", "Dimension 2", "Dimension 3"):
        assert name in text
    # Dimension 1: (2*1 + 3*2)/3 = 2.7; 2: (3 + 6)/3 = 3.0; 3: (5 + 8)/3 = 4.3
    assert re.search(r"Dimension 1\s+2\.7", text)
    assert re.search(r"Dimension 3\s+4\.3", text)
    assert "Movement since 2025/26" in text and "up" in text
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    # Sections follow on from each other (no page left mostly empty), the summary on a new page.
    assert pages >= 4
    for heading in (
        "Contents",
        "Summary",
        "Profile",
        "Comparison with peers",
        "Improvement roadmap",
        "Who took part and how the scores are worked out",
        "Appendix: every answer",
    ):
        assert heading in text
    assert "DRAFT" not in text


def test_a_draft_report_is_watermarked(tmp_path):
    fv = make_version(dimensions=1, questions=1)
    org = OrganisationFactory()
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=lead
    )
    text = pdf_text(render_pdf(assessment=assessment), tmp_path)
    assert "DRAFT" in text and "not submitted" in text


def test_report_download_is_as_private_as_its_assessment(tmp_path):
    fv = make_version(dimensions=1, questions=1)
    me = OrganisationFactory(code="E06000099")
    assessment, lead = submit(me, fv, [3])
    client = CsrfClient()
    client.force_login(lead)
    url = reverse("reports:report_pdf", kwargs={"pk": me.pk, "apk": assessment.pk})
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="E06000099-test-framework-2026-27.pdf"' in response["Content-Disposition"]
    other = CsrfClient()
    other.force_login(MembershipFactory().user)
    assert other.get(url).status_code == 404


def test_radar_svg_is_drawn_without_a_browser():
    svg = radar_svg(["A", "B", "C"], [1.0, 3.0, 5.0], [2.0, None, 2.0], low=1, high=5)
    assert svg.startswith("<svg") and svg.count("<polygon") == 5 + 2


def test_download_names_are_safe_whatever_the_round_is_called():
    fv = make_version(dimensions=1, questions=1)
    me = OrganisationFactory(code="E06000098")
    assessment, lead = submit(me, fv, [3], round_label='2026\u201327 "final"')
    client = CsrfClient()
    client.force_login(lead)
    kwargs = {"pk": me.pk, "apk": assessment.pk}
    for name, extension in (("report_pdf", "pdf"), ("export_xlsx", "xlsx"), ("export_csv", "csv")):
        header = client.get(reverse(f"reports:{name}", kwargs=kwargs))["Content-Disposition"]
        assert header == (
            f'attachment; filename="E06000098-test-framework-202627-final.{extension}"'
        )
