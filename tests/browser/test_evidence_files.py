"""A respondent attaches a file to their answer and sees it beside the answer; they can
download it, and neither a viewer nor another respondent can while the assessment is open."""

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import EvidenceFile
from organisations.models import Role
from tests import evidence_files
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.browser.test_assessment import signed_in_page
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_version

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_respondent_attaches_a_file_that_a_viewer_and_a_colleague_cannot_fetch(
    live_server, browser, tmp_path
):
    org = OrganisationFactory(name="Mu City Council")
    people = {
        email: MembershipFactory(
            organisation=org, role=role, user=UserFactory(email=email, full_name=name)
        ).user
        for email, name, role in (
            ("lead@mu.example", "Lou Lead", Role.LEAD),
            ("ana@mu.example", "Ana Officer", Role.RESPONDENT),
            ("ben@mu.example", "Ben Officer", Role.RESPONDENT),
            ("vic@mu.example", "Vic Viewer", Role.VIEWER),
        )
    }
    fv = make_version(dimensions=1, questions=2)
    assessment = services.assessment_start(
        organisation=org,
        framework_version=fv,
        round_label="2026/27",
        user=people["lead@mu.example"],
    )
    chosen = tmp_path / "Data sharing agreement (signed).pdf"
    chosen.write_bytes(evidence_files.pdf())

    ana = signed_in_page(browser, live_server, "ana@mu.example")
    ana.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    ana.get_by_role("link", name="Dimension 1").click()
    expect(ana.get_by_text("No files are attached to your answer.")).to_be_visible()
    ana.get_by_role("link", name="Attach a file to your answer").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("Attach a file")
    assert_accessible(ana)
    ana.get_by_label("Upload a file").set_input_files(chosen)
    ana.get_by_role("button", name="Attach file").click()

    # Back on the question, the file is listed beside the answer: name, type and size.
    expect(ana.get_by_role("heading", level=1)).to_have_text("Question 1 of dimension 1?")
    listed = ana.locator(".govuk-summary-list__row", has_text="Data-sharing-agreement-signed.pdf")
    expect(listed).to_contain_text("PDF")
    expect(
        listed.get_by_role("link", name="Remove Data-sharing-agreement-signed.pdf")
    ).to_be_visible()
    assert_accessible(ana)
    assert_no_console_errors(ana)

    # The answer form still autosaves beside the file list.
    ana.get_by_label("3. Defined").check()
    expect(ana.locator("[data-autosave-status]")).to_contain_text("Saved")

    link = listed.get_by_role("link", name="Data-sharing-agreement-signed.pdf", exact=True)
    url = f"{live_server.url}{link.get_attribute('href')}"
    own = ana.context.request.get(url)
    assert own.status == 200 and own.body() == evidence_files.pdf()
    assert own.headers["content-disposition"].startswith("attachment")
    assert own.headers["x-content-type-options"] == "nosniff"

    for other in ("vic@mu.example", "ben@mu.example"):
        page = signed_in_page(browser, live_server, other)
        response = page.context.request.get(url)
        assert response.status == 404, other
        assert b"%PDF" not in response.body()
        page.context.close()
    assert EvidenceFile.objects.get().uploaded_by == people["ana@mu.example"]
    ana.context.close()
