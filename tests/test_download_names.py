"""Every download's file name, and every entry in a zip, is safe whatever people typed.

Organisation codes are validated at the model, but a code that got into the database another way
(a raw update, an old row) must still give a well-formed Content-Disposition header and zip
entries that are plain relative paths: `../../x";y` once broke the header and made a zip-slip
entry. Framework slugs and versions are validated too; their downloads are checked all the same.
"""

import io
import re
import zipfile

import pytest
from django.urls import reverse

from maturity.downloads import file_name
from organisations.models import Organisation
from reports.bulk import bulk_export_start
from reports.models import BulkExport
from tests.conftest import CsrfClient
from tests.factories import ConsultantGrantFactory, OrganisationFactory, make_version, submit

pytestmark = pytest.mark.django_db

HOSTILE_CODE = '../../x";y'
HOSTILE_ROUND = '../..\\2026/27";evil'
SAFE_PART = r"[A-Za-z0-9][A-Za-z0-9._-]*"
HEADER = re.compile(rf'attachment; filename="(?P<name>{SAFE_PART})"')


def assert_safe_attachment(response) -> str:
    assert response.status_code == 200, response.status_code
    header = response["Content-Disposition"]
    match = HEADER.fullmatch(header)
    assert match, header
    assert ".." not in match["name"], header
    return match["name"]


def assert_plain_relative_path(entry: str) -> None:
    parts = entry.split("/")
    assert all(re.fullmatch(SAFE_PART, part) for part in parts), entry
    assert all(".." not in part for part in parts), entry


@pytest.fixture
def hostile(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    fv = make_version(dimensions=1, questions=1)
    organisation = OrganisationFactory(name='Hostile "Borough" ../Council')
    Organisation.objects.filter(pk=organisation.pk).update(code=HOSTILE_CODE)  # no validation
    organisation.refresh_from_db()
    assessment, lead = submit(organisation, fv, [3], round_label=HOSTILE_ROUND)
    consultant = ConsultantGrantFactory(organisation=organisation).consultant
    return fv, organisation, assessment, lead, consultant


def signed_in(user) -> CsrfClient:
    client = CsrfClient()
    client.force_login(user)
    return client


def test_every_organisation_download_has_a_well_formed_name(hostile):
    _, organisation, assessment, lead, _ = hostile
    client = signed_in(lead)
    on_assessment = {"pk": organisation.pk, "apk": assessment.pk}
    urls = [
        reverse("reports:report_pdf", kwargs=on_assessment),
        reverse("reports:export_xlsx", kwargs=on_assessment),
        reverse("reports:export_csv", kwargs=on_assessment),
        reverse("reports:organisation_data", kwargs={"pk": organisation.pk}),
        reverse("organisations:audit_csv", kwargs={"pk": organisation.pk}),
        reverse("reports:report_docx", kwargs=on_assessment),
    ]
    names = [assert_safe_attachment(client.get(url)) for url in urls]
    assert names[:3] == [
        "x-y-test-framework-2026-27evil.pdf",
        "x-y-test-framework-2026-27evil.xlsx",
        "x-y-test-framework-2026-27evil.csv",
    ]
    assert names[3].startswith("organisation-data-x-y-") and names[3].endswith(".json")
    assert names[4] == "record-of-changes-x-y.csv"
    assert names[5] == "x-y-test-framework-2026-27evil.docx"


def test_every_framework_download_has_a_well_formed_name(hostile, client):
    fv = hostile[0]
    version = {"slug": fv.framework.slug, "version": fv.version}
    urls = [
        reverse("frameworks:download_yaml", kwargs=version),
        reverse("frameworks:download_json", kwargs=version),
        reverse("frameworks:download_xlsx", kwargs=version),
        reverse("frameworks:questionnaire_pdf", kwargs=version),
    ]
    assert [assert_safe_attachment(client.get(url)) for url in urls] == [
        "test-framework-1.0.0.yaml",
        "test-framework-1.0.0.json",
        "test-framework-1.0.0.xlsx",
        "test-framework-1.0.0-questionnaire.pdf",
    ]


def test_the_bulk_zip_has_a_safe_name_and_only_plain_relative_entries(hostile):
    fv, organisation, _, _, consultant = hostile
    export = bulk_export_start(
        consultant=consultant, framework=fv.framework, organisations=[organisation]
    )
    export.refresh_from_db()
    assert export.status == BulkExport.Status.DONE, export.error
    response = signed_in(consultant).get(reverse("reports:bulk_export_download", args=[export.pk]))
    assert assert_safe_attachment(response).startswith("client-reports-test-framework-")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    for entry in names:
        assert_plain_relative_path(entry)
    folder = "x-y-hostile-borough-council"
    assert sorted(names) == [
        "manifest.csv",
        f"{folder}/x-y-test-framework-2026-27evil.pdf",
        f"{folder}/x-y-test-framework-2026-27evil.xlsx",
    ]


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("E07000223", "core", "2026-27"), "E07000223-core-2026-27.pdf"),
        ((HOSTILE_CODE, "core"), "x-y-core.pdf"),
        (("..", "...", "/"), "download.pdf"),
        (("Ysgol G\u0175yr", "1.0.0"), "Ysgol-Gwyr-1.0.0.pdf"),
        (("a\0b\r\nc",), "a-b-c.pdf"),
    ],
)
def test_file_names_keep_letters_digits_dots_and_hyphens_only(parts, expected):
    assert file_name(*parts, extension="pdf") == expected
