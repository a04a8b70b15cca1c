"""Bulk export, end to end: the form, the django-tasks-db queue, a real `db_worker`, the zip."""

import csv
import io
import signal
import threading
import time
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from maturity.accounts.branding import branding_save
from organisations.models import ConsultantGrant, Membership, Organisation, Role
from organisations.services import consultant_grant_revoke
from reports import bulk
from reports.models import BulkExport
from tests.conftest import CsrfClient
from tests.docx import read_docx
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


def zips_kept() -> list[str]:
    if not default_storage.exists("exports"):
        return []
    return sorted(f"exports/{name}" for name in default_storage.listdir("exports")[1])


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
@pytest.mark.parametrize("exports", [1, 3])
def test_the_exports_page_shows_recent_exports_with_few_queries(
    clients_world, django_assert_num_queries, exports
):
    fv, consultant, assessments, _ = clients_world
    for _ in range(exports):
        bulk.bulk_export_start(
            consultant=consultant,
            framework=fv.framework,
            organisations=[a.organisation for a in assessments],
        )
    client = signed_in(consultant)
    # 9: session, user, consultant check, reap stopped exports, grants, submissions, exports,
    # withdrawn clients, branding; and 3 to save the session (in a savepoint).
    with django_assert_num_queries(12):
        page = client.get(reverse("reports:bulk_exports")).content.decode()
    assert page.count("Waiting to start") == exports


@pytest.mark.django_db
def test_a_queued_export_that_never_starts_says_so_and_is_left_queued(clients_world):
    fv, consultant, assessments, _ = clients_world
    export = bulk.bulk_export_start(
        consultant=consultant, framework=fv.framework, organisations=[assessments[0].organisation]
    )
    client = signed_in(consultant)
    url = reverse("reports:bulk_export_status", args=[export.pk])
    assert client.get(url).json()["stalled"] == ""
    BulkExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert "worker may not be running" in client.get(url).json()["stalled"]
    page = client.get(reverse("reports:bulk_export", args=[export.pk])).content.decode()
    assert "worker may not be running" in page
    # However long it waits, a queued export is only ever started by a worker, never failed.
    BulkExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - timedelta(days=1))
    status = client.get(url).json()
    assert status["status"] == "queued" and "has not started yet" in status["stalled"]
    call_command("prune_exports", stdout=io.StringIO())
    assert BulkExport.objects.get(pk=export.pk).status == "queued"


@pytest.mark.django_db
def test_a_running_export_that_stops_moving_on_says_so_before_it_is_failed(clients_world, settings):
    fv, consultant, assessments, _ = clients_world
    export = bulk.bulk_export_start(
        consultant=consultant, framework=fv.framework, organisations=[assessments[0].organisation]
    )
    quiet = timezone.now() - timedelta(minutes=3)
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.Status.RUNNING, started_at=quiet, heartbeat_at=quiet
    )
    status = signed_in(consultant).get(reverse("reports:bulk_export_status", args=[export.pk]))
    assert status.json()["status"] == "running"
    assert "has not moved on for a few minutes" in status.json()["stalled"]


class WorkerKilled(BaseException):
    """Stands for SIGKILL or a lost machine: no `except Exception` in our code sees it."""


@pytest.mark.django_db
def test_an_export_whose_worker_died_is_failed_with_a_reason_and_no_file(
    clients_world, monkeypatch, settings
):
    fv, consultant, assessments, _ = clients_world
    export = bulk.bulk_export_start(
        consultant=consultant,
        framework=fv.framework,
        organisations=[a.organisation for a in assessments],
    )
    made = []

    def render_pdf(*, assessment, branding):
        if len(made) == 1:
            raise WorkerKilled
        made.append(assessment.pk)
        return b"%PDF-1.7"

    monkeypatch.setattr(bulk, "render_pdf", render_pdf)
    with pytest.raises(WorkerKilled):
        bulk.bulk_export_run(export.pk)
    export.refresh_from_db()
    assert export.status == "running" and export.heartbeat_at is not None

    client = signed_in(consultant)
    status_url = reverse("reports:bulk_export_status", args=[export.pk])
    # Its heartbeat is recent: it may be alive, so it is left alone.
    assert client.get(status_url).json()["status"] == "running"

    silent = timedelta(minutes=settings.BULK_EXPORT_STALE_MINUTES, seconds=1)
    BulkExport.objects.filter(pk=export.pk).update(heartbeat_at=timezone.now() - silent)
    status = client.get(status_url).json()
    assert status["status"] == "failed" and status["finished"] and status["stalled"] == ""
    export.refresh_from_db()
    assert "The export stopped part way (the worker running it stopped)" in export.error
    assert "Start it again" in export.error
    assert export.finished_at is not None and export.current == "" and not export.file
    page = client.get(reverse("reports:bulk_export", args=[export.pk])).content.decode()
    assert "The export did not finish" in page and "stopped part way" in page
    assert "Download the zip" not in page
    assert no_zip_kept()


@pytest.mark.django_db(transaction=True)
def test_the_next_worker_fails_the_export_and_task_of_a_worker_that_died(
    clients_world, monkeypatch, settings
):
    """A worker killed mid-export (SIGKILL) leaves its export and its django-tasks-db task
    "running". The next worker, with nobody looking at the export, fails both with the reason,
    then carries on with the queue."""
    fv, consultant, assessments, _ = clients_world
    export = bulk.bulk_export_start(
        consultant=consultant,
        framework=fv.framework,
        organisations=[a.organisation for a in assessments],
    )
    task = DBTaskResult.objects.get(pk=export.task_id)
    task.claim("the-worker-that-died")

    def render_pdf(*, assessment, branding):
        raise WorkerKilled

    monkeypatch.setattr(bulk, "render_pdf", render_pdf)
    with pytest.raises(WorkerKilled):
        bulk.bulk_export_run(export.pk)
    monkeypatch.undo()
    silent = timedelta(minutes=settings.BULK_EXPORT_STALE_MINUTES, seconds=1)
    BulkExport.objects.filter(pk=export.pk).update(heartbeat_at=timezone.now() - silent)
    waiting = bulk.bulk_export_start(
        consultant=consultant, framework=fv.framework, organisations=[assessments[0].organisation]
    )

    run_worker()

    export.refresh_from_db()
    task.refresh_from_db()
    assert export.status == "failed" and "stopped part way" in export.error
    assert export.finished_at is not None and not export.file
    assert task.status == "FAILED" and task.finished_at is not None
    assert task.exception_class_path == "reports.bulk.WorkerStopped"
    assert "stopped part way" in task.traceback
    waiting.refresh_from_db()
    assert waiting.status == "done"
    assert DBTaskResult.objects.get(pk=waiting.task_id).status == "SUCCESSFUL"


@pytest.mark.django_db
def test_the_progress_page_itself_notices_a_stopped_worker(clients_world, settings):
    fv, consultant, assessments, _ = clients_world
    export = bulk.bulk_export_start(
        consultant=consultant, framework=fv.framework, organisations=[assessments[0].organisation]
    )
    long_ago = timezone.now() - timedelta(minutes=settings.BULK_EXPORT_STALE_MINUTES + 1)
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )
    client = signed_in(consultant)
    page = client.get(reverse("reports:bulk_export", args=[export.pk])).content.decode()
    assert "The export did not finish" in page and "stopped part way" in page
    assert BulkExport.objects.get(pk=export.pk).status == "failed"


@pytest.mark.django_db
def test_one_consultants_page_does_not_reap_another_consultants_export(clients_world, settings):
    fv, consultant, assessments, _ = clients_world
    export = bulk.bulk_export_start(
        consultant=consultant, framework=fv.framework, organisations=[assessments[0].organisation]
    )
    long_ago = timezone.now() - timedelta(minutes=settings.BULK_EXPORT_STALE_MINUTES + 1)
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )
    signed_in(UserFactory()).get(reverse("reports:bulk_exports"))
    assert BulkExport.objects.get(pk=export.pk).status == "running"


@pytest.mark.django_db
def test_a_worker_that_was_only_slow_keeps_no_file_once_its_export_was_failed(
    clients_world, monkeypatch, settings
):
    """Reaped while stuck on one client, the worker wakes up: it must not bring the export
    back to life or leave its zip in storage."""
    fv, consultant, assessments, _ = clients_world
    export = bulk.bulk_export_start(
        consultant=consultant,
        framework=fv.framework,
        organisations=[a.organisation for a in assessments],
    )
    made = []

    def render_pdf(*, assessment, branding):
        made.append(assessment.pk)
        if len(made) == 3:
            # Stuck on the last client for longer than the limit; meanwhile it is reaped.
            silent = timedelta(minutes=settings.BULK_EXPORT_STALE_MINUTES, seconds=1)
            BulkExport.objects.filter(pk=export.pk).update(heartbeat_at=timezone.now() - silent)
            assert bulk.bulk_exports_reap() == 1
        return b"%PDF-1.7"

    monkeypatch.setattr(bulk, "render_pdf", render_pdf)
    bulk.bulk_export_run(export.pk)

    export.refresh_from_db()
    assert export.status == "failed" and not export.file and "stopped part way" in export.error
    assert no_zip_kept()


class SlowUploadStorage(FileSystemStorage):
    """Object storage on a bad day: while the zip uploads, the export is failed as stopped."""

    def _save(self, name, content):
        saved = super()._save(name, content)
        if name.startswith("exports/"):
            silent = timedelta(minutes=django_settings.BULK_EXPORT_STALE_MINUTES, seconds=1)
            BulkExport.objects.update(heartbeat_at=timezone.now() - silent)
            assert bulk.bulk_exports_reap() == 1
        return saved


@pytest.mark.django_db
def test_an_export_failed_as_stopped_while_its_zip_was_stored_keeps_no_file(
    clients_world, settings
):
    fv, consultant, assessments, _ = clients_world
    export = bulk.bulk_export_start(
        consultant=consultant, framework=fv.framework, organisations=[assessments[0].organisation]
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.SlowUploadStorage"},
    }
    bulk.bulk_export_run(export.pk)

    export.refresh_from_db()
    assert export.status == "failed" and not export.file and "stopped part way" in export.error
    assert no_zip_kept()


@pytest.mark.django_db(transaction=True)
def test_download_is_refused_once_a_clients_grant_is_withdrawn(clients_world):
    fv, consultant, assessments, idle = clients_world
    alpha, beta = assessments[0].organisation, assessments[1].organisation
    client = signed_in(consultant)
    start(client, fv, [alpha, beta])
    run_worker()
    export = BulkExport.objects.get()
    assert export.status == "done" and zips_kept() == [export.file.name]
    download_url = reverse("reports:bulk_export_download", args=[export.pk])

    # Withdrawing a client that is not in the export changes nothing.
    consultant_grant_revoke(
        grant=ConsultantGrant.objects.get(consultant=consultant, organisation=idle), by=None
    )
    download = client.get(download_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    b"".join(download.streaming_content)

    beta_lead = Membership.objects.get(organisation=beta, role=Role.LEAD).user
    consultant_grant_revoke(
        grant=ConsultantGrant.objects.get(consultant=consultant, organisation=beta), by=beta_lead
    )

    refused = client.get(download_url)
    assert refused.status_code == 403
    assert not refused.streaming and refused["Content-Type"].startswith("text/html")
    assert b"PK\x03\x04" not in refused.content
    assert "Content-Disposition" not in refused
    text = refused.content.decode()
    assert "Your access to Beta District Council was withdrawn" in text
    assert "Alpha Borough Council was withdrawn" not in text
    assert "Start a new export without it" in text

    page = client.get(reverse("reports:bulk_export", args=[export.pk])).content.decode()
    assert "Your access to Beta District Council was withdrawn" in page
    assert download_url not in page and "Download the zip" not in page
    listing = client.get(reverse("reports:bulk_exports")).content.decode()
    assert download_url not in listing and "Access withdrawn" in listing

    # Access given again: the export is theirs to download again.
    ConsultantGrantFactory(consultant=consultant, organisation=beta)
    again = client.get(download_url)
    assert again.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(b"".join(again.streaming_content))).testzip() is None


def lock_waiters(pids) -> int:
    """How many of these connections are waiting for a lock (pg_locks is read live)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid = ANY(%s)",
            [list(pids)],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs two concurrent PostgreSQL connections"
)
def test_two_deliveries_at_once_build_the_export_once(clients_world):
    """Two workers take the same export at the same moment: exactly one builds it.

    The test holds the export's row lock while both workers start, waits until both are queued
    behind it, then lets go, so both reach the claim together every time.
    """
    fv, consultant, assessments, _ = clients_world
    export = bulk.bulk_export_start(
        consultant=consultant, framework=fv.framework, organisations=[assessments[0].organisation]
    )
    pids, outcomes, errors = [], [], []

    def deliver():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.append(cursor.fetchone()[0])
            outcomes.append(bulk.bulk_export_run(export.pk))
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    with transaction.atomic():
        BulkExport.objects.select_for_update().get(pk=export.pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while len(pids) < 2 or lock_waiters(pids) < 2:
            assert not errors, errors
            assert time.monotonic() < deadline, "both workers should be waiting on the row"
            time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    export.refresh_from_db()
    assert zips_kept() == [export.file.name]  # built once: no second zip, orphaned or not
    assert (export.status, export.done, export.total) == ("done", 1, 1)
    assert sorted(outcomes) == [False, True]  # the other delivery returned without building


@pytest.mark.django_db
def test_a_consultant_can_ask_for_word_documents_in_the_zip(clients_world, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    fv, consultant, assessments, _ = clients_world
    branding_save(consultant=consultant, display_name="Acme Advisory", logo=None, remove_logo=False)
    client = signed_in(consultant)
    form = client.get(reverse("reports:bulk_exports")).content.decode()
    assert "Word documents" in form
    response = client.submit(
        reverse("reports:bulk_exports"),
        {
            "framework": str(fv.framework.pk),
            "organisations": [str(a.organisation.pk) for a in assessments[:2]],
            "word": "on",
        },
    )
    assert response.status_code == 302
    export = BulkExport.objects.get()
    assert export.with_docx and export.status == BulkExport.Status.DONE, export.error
    with export.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        names = sorted(archive.namelist())
        word = [name for name in names if name.endswith(".docx")]
        assert word == [
            "Z00000000-alpha-borough-council/Z00000000-test-framework-2026-27.docx",
            "Z00000001-beta-district-council/Z00000001-test-framework-2026-27.docx",
        ]
        document = read_docx(archive.read(word[1]))
        manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode())))
    assert document.headings[0] == ("Title", "Beta District Council")
    assert "Prepared by Acme Advisory" in document.text
    summary = next(t for t in document.tables if t.rows[0][:2] == ["Dimension", "Score"])
    assert [row[:2] for row in summary.rows[1:]] == [["Dimension 1", "3.0"], ["Dimension 2", "3.0"]]
    assert manifest[0][-1] == "Word document" and manifest[2][-1] == word[1]


@pytest.mark.django_db
def test_without_word_documents_the_zip_has_none(clients_world, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    fv, consultant, assessments, _ = clients_world
    start(signed_in(consultant), fv, [assessments[0].organisation])
    export = BulkExport.objects.get()
    assert not export.with_docx and export.status == BulkExport.Status.DONE
    with export.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        assert not [name for name in archive.namelist() if name.endswith(".docx")]
        manifest = archive.read("manifest.csv").decode()
    assert "Word document" not in manifest
