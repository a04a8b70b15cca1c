"""Bulk export, end to end: the form, the django-tasks-db queue, a real `db_worker`, the zip."""

import csv
import io
import signal
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from maturity.accounts.branding import branding_save
from organisations.models import Organisation
from reports import bulk
from reports.models import BulkExport
from tests.conftest import CsrfClient
from tests.factories import (
    ConsultantGrantFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    submit,
)
from tests.pdf import pdf_text


def run_worker():
    """`manage.py db_worker --batch`: runs every queued task in this process, then stops."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


def no_zip_kept() -> bool:
    return not default_storage.exists("exports") or default_storage.listdir("exports")[1] == []


def signed_in(user) -> CsrfClient:
    client = CsrfClient()
    client.force_login(user)
    return client


@pytest.fixture
def clients_world():
    """A consultant with three clients that have submitted, and one that has not."""
    fv = make_version(dimensions=2, questions=1)
    consultant = UserFactory(email="consultant@advisory.example")
    names = ["Alpha Borough Council", "Beta District Council", "Gamma County Council"]
    assessments = []
    for number, name in enumerate(names):
        org = OrganisationFactory(name=name, code=f"Z0000000{number}")
        assessments.append(submit(org, fv, [2 + number, 3])[0])
        ConsultantGrantFactory(consultant=consultant, organisation=org)
    idle = OrganisationFactory(name="Delta Town Council")
    ConsultantGrantFactory(consultant=consultant, organisation=idle)
    return fv, consultant, assessments, idle


def start(client, fv, organisations):
    return client.submit(
        reverse("reports:bulk_exports"),
        {"framework": str(fv.framework.pk), "organisations": [str(o.pk) for o in organisations]},
    )


@pytest.mark.django_db(transaction=True)
def test_bulk_export_end_to_end_through_the_queue_and_a_worker(clients_world, tmp_path):
    fv, consultant, assessments, _ = clients_world
    branding_save(consultant=consultant, display_name="Acme Advisory", logo=None, remove_logo=False)
    client = signed_in(consultant)
    response = start(client, fv, [a.organisation for a in assessments])
    export = BulkExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:bulk_export", args=[export.pk])
    # Queued in the database, not run in the request.
    task = DBTaskResult.objects.get()
    assert str(task.id) == export.task_id and task.status == "READY"
    page = client.get(response["Location"]).content.decode()
    assert "Waiting to start" in page and "Check progress again" in page
    status = client.get(reverse("reports:bulk_export_status", args=[export.pk])).json()
    assert status["status"] == "queued" and not status["finished"]

    run_worker()

    export.refresh_from_db()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert (export.status, export.done, export.total, export.error) == ("done", 3, 3, "")
    status = client.get(reverse("reports:bulk_export_status", args=[export.pk])).json()
    assert status["finished"] and status["done"] == 3
    page = client.get(reverse("reports:bulk_export", args=[export.pk])).content.decode()
    assert "Your export is ready" in page and "Download the zip file" in page

    download = client.get(reverse("reports:bulk_export_download", args=[export.pk]))
    assert download["Content-Type"] == "application/zip"
    assert "client-reports-test-framework-" in download["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert archive.testzip() is None
    names = sorted(archive.namelist())
    assert names == [
        "Z00000000-alpha-borough-council/Z00000000-test-framework-2026-27.pdf",
        "Z00000000-alpha-borough-council/Z00000000-test-framework-2026-27.xlsx",
        "Z00000001-beta-district-council/Z00000001-test-framework-2026-27.pdf",
        "Z00000001-beta-district-council/Z00000001-test-framework-2026-27.xlsx",
        "Z00000002-gamma-county-council/Z00000002-test-framework-2026-27.pdf",
        "Z00000002-gamma-county-council/Z00000002-test-framework-2026-27.xlsx",
        "manifest.csv",
    ]
    text = pdf_text(archive.read(names[2]), tmp_path)
    assert "Beta District Council" in text and "Prepared by Acme Advisory" in text
    assert "Dimension 1" in text and "Dimension 2" in text and "DRAFT" not in text
    sheet = load_workbook(io.BytesIO(archive.read(names[5])))["Agreed answers"]
    assert [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)] == [4, 3]
    manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode())))
    assert manifest[0][:3] == ["Organisation", "Code", "Framework"]
    assert [row[0] for row in manifest[1:]] == [a.organisation.name for a in assessments]
    # Another consultant cannot see, poll or download it.
    other = signed_in(UserFactory())
    for name in ("bulk_export", "bulk_export_status", "bulk_export_download"):
        assert other.get(reverse(f"reports:{name}", args=[export.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_grant_withdrawn_before_the_export_runs_fails_it_with_no_file(clients_world):
    fv, consultant, assessments, _ = clients_world
    client = signed_in(consultant)
    start(client, fv, [a.organisation for a in assessments])
    export = BulkExport.objects.get()
    beta = assessments[1].organisation
    beta.consultant_grants.update(revoked_at=timezone.now())

    run_worker()

    export.refresh_from_db()
    assert export.status == "failed" and not export.file
    assert "Your access to Beta District Council was withdrawn" in export.error
    assert (
        default_storage.listdir("exports") == ([], [])
        if default_storage.exists("exports")
        else True
    )
    page = client.get(reverse("reports:bulk_export", args=[export.pk])).content.decode()
    assert "The export did not finish" in page and "was withdrawn" in page
    assert "Download the zip" not in page
    download = client.get(reverse("reports:bulk_export_download", args=[export.pk]))
    assert download.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_error_fails_the_export_and_keeps_no_partial_file(clients_world, monkeypatch):
    fv, consultant, assessments, _ = clients_world
    start(signed_in(consultant), fv, [a.organisation for a in assessments])
    export = BulkExport.objects.get()
    made = []

    def render_pdf(*, assessment, branding):
        if len(made) == 2:
            raise OSError("disk full")
        made.append(assessment.pk)
        return b"%PDF-1.7"

    monkeypatch.setattr(bulk, "render_pdf", render_pdf)
    run_worker()

    export.refresh_from_db()
    assert export.status == "failed" and not export.file and export.done == 2
    assert "while preparing Gamma County Council" in export.error
    assert f"quote export number {export.pk}" in export.error
    assert DBTaskResult.objects.get().status == "FAILED"
    assert no_zip_kept()


@pytest.mark.django_db(transaction=True)
def test_a_task_delivered_twice_runs_once(clients_world, monkeypatch):
    fv, consultant, assessments, _ = clients_world
    start(signed_in(consultant), fv, [assessments[0].organisation])
    export = BulkExport.objects.get()
    run_worker()
    export.refresh_from_db()
    first = export.file.name
    calls = []
    monkeypatch.setattr(bulk, "render_pdf", lambda **kw: calls.append(1))
    bulk.bulk_export_run(export.pk)
    export.refresh_from_db()
    assert export.file.name == first and calls == [] and export.status == "done"


@pytest.mark.django_db
def test_the_form_lists_clients_and_refuses_what_cannot_be_exported(clients_world):
    fv, consultant, assessments, idle = clients_world
    client = signed_in(consultant)
    page = client.get(reverse("reports:bulk_exports")).content.decode()
    for a in assessments:
        assert a.organisation.name in page
    assert "Delta Town Council" in page and "Nothing submitted yet" in page
    assert "Submitted by 3 of your clients" in page

    response = client.submit(reverse("reports:bulk_exports"), {})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select a framework" in page and "Select at least one client" in page

    response = start(client, fv, [assessments[0].organisation, idle])
    page = response.content.decode()
    assert (
        f"Delta Town Council has not submitted a {fv.framework.name} assessment: leave it out"
        in page
    )
    assert BulkExport.objects.count() == 0 and DBTaskResult.objects.count() == 0


@pytest.mark.django_db
def test_only_your_own_clients_can_be_chosen(clients_world):
    fv, consultant, _, _ = clients_world
    stranger = OrganisationFactory(name="Omega City Council", kind=Organisation.Kind.UNITARY)
    submit(stranger, fv, [5, 5])
    client = signed_in(consultant)
    assert "Omega City Council" not in client.get(reverse("reports:bulk_exports")).content.decode()
    response = start(client, fv, [stranger])
    assert "Select a valid choice" in response.content.decode()
    assert BulkExport.objects.count() == 0


@pytest.mark.django_db
def test_the_exports_page_shows_recent_exports_with_few_queries(
    clients_world, django_assert_num_queries
):
    fv, consultant, assessments, _ = clients_world
    for _ in range(3):
        bulk.bulk_export_start(
            consultant=consultant,
            framework=fv.framework,
            organisations=[a.organisation for a in assessments],
        )
    client = signed_in(consultant)
    with django_assert_num_queries(9):  # 6, and 3 for the session (save in a savepoint)
        page = client.get(reverse("reports:bulk_exports")).content.decode()
    assert page.count("Waiting to start") == 3


@pytest.mark.django_db
def test_an_export_that_does_not_start_or_does_not_finish_says_so(clients_world):
    fv, consultant, assessments, _ = clients_world
    export = bulk.bulk_export_start(
        consultant=consultant, framework=fv.framework, organisations=[assessments[0].organisation]
    )
    client = signed_in(consultant)
    url = reverse("reports:bulk_export_status", args=[export.pk])
    assert client.get(url).json()["stalled"] == ""
    BulkExport.objects.filter(pk=export.pk).update(
        created_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    assert "worker may not be running" in client.get(url).json()["stalled"]
    page = client.get(reverse("reports:bulk_export", args=[export.pk])).content.decode()
    assert "worker may not be running" in page
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.Status.RUNNING, started_at=timezone.now() - timezone.timedelta(hours=1)
    )
    assert "may have stopped" in client.get(url).json()["stalled"]
