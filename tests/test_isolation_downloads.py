"""Every download for every role: which people's answers and evidence each file carries.

A respondent sees only their own answers (never a colleague's level, evidence or email); the
lead sees everyone's, since agreeing answers needs them; viewers and consultants see the agreed
answers, scores and reports, not who answered what. Pages, XLSX, CSV, the PDF and the bulk zip
follow the same permissions (organisations.permissions); the whole organisation's data in one
file is for its lead alone.
"""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments import services
from frameworks.models import Question
from organisations.models import Role
from reports.bulk import bulk_export_start
from reports.models import BulkExport
from tests.conftest import CsrfClient
from tests.docx import docx_text
from tests.factories import (
    ConsultantGrantFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
)
from tests.pdf import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

AGREED = "agreed evidence of the organisation"


def evidence_of(email):
    return f"evidence written by {email}"


@pytest.fixture
def body():
    organisation = OrganisationFactory(name="Matrix Borough Council")
    people = {
        "lead": MembershipFactory(
            organisation=organisation, role=Role.LEAD, user=UserFactory(email="lead@m.example")
        ).user,
        "respondent": MembershipFactory(
            organisation=organisation,
            role=Role.RESPONDENT,
            user=UserFactory(email="first.respondent@m.example"),
        ).user,
        "colleague": MembershipFactory(
            organisation=organisation,
            role=Role.RESPONDENT,
            user=UserFactory(email="second.respondent@m.example"),
        ).user,
        "viewer": MembershipFactory(
            organisation=organisation, role=Role.VIEWER, user=UserFactory(email="v@m.example")
        ).user,
        "consultant": ConsultantGrantFactory(
            organisation=organisation, consultant=UserFactory(email="c@firm.example")
        ).consultant,
    }
    fv = make_version(dimensions=1, questions=2)
    assessment = services.assessment_start(
        organisation=organisation, framework_version=fv, round_label="2026/27", user=people["lead"]
    )
    for n, question in enumerate(Question.objects.filter(dimension__framework_version=fv)):
        for who, level in (("respondent", 1), ("colleague", 4)):
            services.answer_save(
                assessment=assessment,
                question=question,
                respondent=people[who],
                data=services.AnswerData(
                    state="level", level=level, evidence=evidence_of(people[who].email)
                ),
                base_version=0,
            )
        services.agreed_answer_save(
            assessment=assessment,
            question=question,
            lead=people["lead"],
            data=services.AnswerData(state="level", level=2 + n, evidence=AGREED),
            base_version=0,
        )
    services.assessment_submit(assessment=assessment, user=people["lead"])
    return assessment, people


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    return "\n".join([*workbook.sheetnames, *cells])


def download(user, name, assessment, tmp_path) -> str:
    client = CsrfClient()
    client.force_login(user)
    url = reverse(name, kwargs={"pk": assessment.organisation_id, "apk": assessment.pk})
    response = client.get(url)
    assert response.status_code == 200
    if name == "reports:export_xlsx":
        return xlsx_text(response.content)
    if name == "reports:report_pdf":
        return pdf_text(response.content, tmp_path)
    if name == "reports:report_docx":
        return docx_text(response.content)
    return response.content.decode()


# The board report, as a PDF and as a Word document: the same words, the same reader.
REPORTS = {"reports:report_pdf", "reports:report_docx"}
# role -> the respondents whose answers it may see
SEES = {
    "lead": {"respondent", "colleague"},
    "respondent": {"respondent"},
    "colleague": {"colleague"},
    "viewer": set(),
    "consultant": set(),
}
DOWNLOADS = [
    "reports:export_xlsx",
    "reports:export_csv",
    "reports:report_pdf",
    "reports:report_docx",
]


@pytest.mark.parametrize("name", DOWNLOADS)
@pytest.mark.parametrize("who", sorted(SEES))
def test_each_download_carries_exactly_the_answers_its_reader_may_see(body, who, name, tmp_path):
    assessment, people = body
    text = download(people[who], name, assessment, tmp_path)
    assert AGREED in " ".join(text.split()) or name in REPORTS
    for other in ("respondent", "colleague"):
        email = people[other].email
        visible = other in SEES[who] and name == "reports:export_xlsx"
        assert (evidence_of(email) in text) == visible, (who, name, other)
        assert (email in text) == visible, (who, name, other)


@pytest.mark.parametrize("name", sorted(REPORTS))
@pytest.mark.parametrize("who", sorted(SEES))
def test_only_those_who_see_everyones_answers_get_their_spread_in_the_report(
    body, who, name, tmp_path
):
    assessment, people = body
    text = download(people[who], name, assessment, tmp_path)
    assert ("Spread" in text) == (who == "lead")


def test_a_consultants_bulk_zip_carries_no_individual_answers(body, tmp_path, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    assessment, people = body
    export = bulk_export_start(
        consultant=people["consultant"],
        framework=assessment.framework_version.framework,
        organisations=[assessment.organisation],
    )
    export.refresh_from_db()
    assert export.status == BulkExport.Status.DONE, export.error
    with export.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        names = archive.namelist()
        xlsx = next(n for n in names if n.endswith(".xlsx"))
        pdf = next(n for n in names if n.endswith(".pdf"))
        text = xlsx_text(archive.read(xlsx)) + pdf_text(archive.read(pdf), tmp_path)
    assert AGREED in text
    for other in ("respondent", "colleague"):
        assert people[other].email not in text
        assert evidence_of(people[other].email) not in text
    assert "Spread" not in text


@pytest.mark.parametrize("who", ["lead", "respondent", "viewer"])
def test_branding_and_bulk_exports_are_for_consultants_only(body, who):
    _, people = body
    client = CsrfClient()
    client.force_login(people[who])
    for name in ("reports:branding", "reports:bulk_exports"):
        assert client.get(reverse(name)).status_code == 403, name
    consultant = CsrfClient()
    consultant.force_login(people["consultant"])
    assert consultant.get(reverse("reports:branding")).status_code == 200


@pytest.mark.parametrize("who", sorted(SEES))
def test_all_the_organisations_data_is_for_its_lead_with_everyones_answers(body, who):
    assessment, people = body
    client = CsrfClient()
    client.force_login(people[who])
    response = client.get(
        reverse("reports:organisation_data", kwargs={"pk": assessment.organisation_id})
    )
    if who != "lead":
        assert response.status_code == 403
        return
    text = response.content.decode()
    assert AGREED in text
    for other in ("respondent", "colleague"):
        assert evidence_of(people[other].email) in text


@pytest.mark.parametrize("who", [*sorted(SEES), "anonymous"])
def test_a_draft_frameworks_files_are_for_framework_editors_only(body, who):
    """Published framework files are public; a draft's are a 404 to all but its editors."""
    _, people = body
    draft = make_version(slug="draft-only", publish=False)
    client, editor = CsrfClient(), CsrfClient()
    if who != "anonymous":
        client.force_login(people[who])
    editor.force_login(UserFactory(editor=True))
    for extension in ("yaml", "json", "xlsx"):
        url = reverse(
            f"frameworks:download_{extension}",
            kwargs={"slug": draft.framework.slug, "version": draft.version},
        )
        assert client.get(url).status_code == 404, url
        response = editor.get(url)
        assert response.status_code == 200
        assert f"draft-only-1.0.0.{extension}" in response["Content-Disposition"]


@pytest.mark.parametrize("who", sorted(SEES))
def test_evidence_files_reach_exactly_those_who_may_see_their_answers(body, who):
    """A respondent's file is theirs and the lead's, open or submitted; the agreed answer's is
    the lead's while open, then everyone's who sees results."""
    from tests import evidence_files

    submitted, people = body
    question = Question.objects.filter(
        dimension__framework_version=submitted.framework_version
    ).first()
    assessment = services.assessment_start(
        organisation=submitted.organisation,
        framework_version=submitted.framework_version,
        round_label="2027/28",
        user=people["lead"],
    )
    files = {
        owner: services.evidence_attach(
            assessment=assessment,
            question=question,
            user=people[owner],
            upload=evidence_files.upload(f"{owner}.pdf", evidence_files.pdf()),
            agreed=owner == "lead",
        )
        for owner in ("respondent", "colleague", "lead")
    }
    client = CsrfClient()
    client.force_login(people[who])

    def status(owner):
        url = reverse(
            "assessments:evidence_file",
            kwargs={"pk": assessment.organisation_id, "apk": assessment.pk, "fpk": files[owner].pk},
        )
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        return response.status_code

    for owner in ("respondent", "colleague"):
        assert status(owner) == (200 if owner in SEES[who] else 404), (who, owner)
    assert status("lead") == (200 if who == "lead" else 404)
    for q in Question.objects.filter(dimension__framework_version=assessment.framework_version):
        services.agreed_answer_save(
            assessment=assessment,
            question=q,
            lead=people["lead"],
            data=services.AnswerData(state="level", level=2),
            base_version=0,
        )
    services.assessment_submit(assessment=assessment, user=people["lead"])
    for owner in ("respondent", "colleague"):
        assert status(owner) == (200 if owner in SEES[who] else 404), (who, owner)
    assert status("lead") == 200
