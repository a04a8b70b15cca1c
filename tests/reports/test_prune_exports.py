"""`manage.py prune_exports`: old zips are deleted, stopped exports failed, and twice is once."""

import io
import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reports import bulk
from reports.models import BulkExport
from tests.conftest import CsrfClient
from tests.factories import ConsultantGrantFactory, OrganisationFactory, UserFactory, make_version
from tests.factories import submit as submit_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultant_and_client():
    fv = make_version(dimensions=1, questions=1)
    consultant = UserFactory(email="consultant@advisory.example")
    org = OrganisationFactory(name="Alpha Borough Council", code="Z00000001")
    submit_assessment(org, fv, [3])
    ConsultantGrantFactory(consultant=consultant, organisation=org)
    return fv, consultant, org


def built_export(fv, consultant, org, *, finished_days_ago: float) -> BulkExport:
    export = bulk.bulk_export_start(
        consultant=consultant, framework=fv.framework, organisations=[org]
    )
    bulk.bulk_export_run(export.pk)
    BulkExport.objects.filter(pk=export.pk).update(
        finished_at=timezone.now() - timedelta(days=finished_days_ago)
    )
    export.refresh_from_db()
    assert export.status == "done" and default_storage.exists(export.file.name)
    return export


def prune() -> str:
    out = io.StringIO()
    call_command("prune_exports", stdout=out)
    return out.getvalue()


def test_prune_exports_expires_old_zips_reaps_stopped_exports_and_is_idempotent(
    consultant_and_client, settings
):
    fv, consultant, org = consultant_and_client
    old = built_export(
        fv, consultant, org, finished_days_ago=settings.BULK_EXPORT_RETENTION_DAYS + 1
    )
    recent = built_export(fv, consultant, org, finished_days_ago=1)
    old_zip = old.file.name
    stopped = bulk.bulk_export_start(
        consultant=consultant, framework=fv.framework, organisations=[org]
    )
    silent = timezone.now() - timedelta(minutes=settings.BULK_EXPORT_STALE_MINUTES + 1)
    BulkExport.objects.filter(pk=stopped.pk).update(
        status=BulkExport.Status.RUNNING, started_at=silent, heartbeat_at=silent
    )

    out = prune()

    assert "1 stopped export marked as failed" in out
    assert "1 export older than 7 days expired and its zip file deleted" in out
    old.refresh_from_db()
    assert old.status == "expired" and not old.file
    assert not default_storage.exists(old_zip)
    recent.refresh_from_db()
    assert recent.status == "done" and default_storage.exists(recent.file.name)
    stopped.refresh_from_db()
    assert stopped.status == "failed" and "stopped part way" in stopped.error

    # A second run finds nothing left to do and changes nothing.
    before = list(BulkExport.objects.order_by("pk").values_list("pk", "status", "file", "error"))
    again = prune()
    assert "0 stopped exports marked as failed" in again
    assert "0 exports older than 7 days expired" in again
    assert list(BulkExport.objects.order_by("pk").values_list("pk", "status", "file", "error")) == (
        before
    )
    assert default_storage.exists(recent.file.name)

    # What the consultant sees: "Expired" in the list, no download, and why on its page.
    client = CsrfClient()
    client.force_login(consultant)
    listing = client.get(reverse("reports:bulk_exports")).content.decode()
    assert "Expired" in listing
    assert reverse("reports:bulk_export_download", args=[old.pk]) not in listing
    assert reverse("reports:bulk_export_download", args=[recent.pk]) in listing
    page = client.get(reverse("reports:bulk_export", args=[old.pk])).content.decode()
    assert "This export has expired" in page and "kept for 7 days" in page
    download = client.get(reverse("reports:bulk_export_download", args=[old.pk]))
    assert download.status_code == 302 and not download.streaming


def test_prune_exports_follows_the_retention_setting(consultant_and_client, settings):
    fv, consultant, org = consultant_and_client
    settings.BULK_EXPORT_RETENTION_DAYS = 2
    three_days = built_export(fv, consultant, org, finished_days_ago=3)
    one_day = built_export(fv, consultant, org, finished_days_ago=1)

    assert "1 export older than 2 days expired" in prune()

    assert BulkExport.objects.get(pk=three_days.pk).status == "expired"
    assert BulkExport.objects.get(pk=one_day.pk).status == "done"


def test_prune_exports_deletes_old_zips_that_no_export_refers_to(consultant_and_client, settings):
    """A worker stopped between storing its zip and recording it leaves a file behind."""
    fv, consultant, org = consultant_and_client
    kept = built_export(fv, consultant, org, finished_days_ago=0)
    old_stray = default_storage.save("exports/stray-old.zip", ContentFile(b"PK\x03\x04"))
    new_stray = default_storage.save("exports/stray-new.zip", ContentFile(b"PK\x03\x04"))
    long_ago = (
        timezone.now() - timedelta(days=settings.BULK_EXPORT_RETENTION_DAYS + 1)
    ).timestamp()
    os.utime(default_storage.path(old_stray), (long_ago, long_ago))
    # The export's own zip is as old, but it is recorded and the export recent: it stays.
    os.utime(default_storage.path(kept.file.name), (long_ago, long_ago))

    out = prune()

    assert "1 zip file that no export refers to deleted" in out
    assert not default_storage.exists(old_stray)
    # A fresh one may belong to an export being recorded right now.
    assert default_storage.exists(new_stray)
    assert default_storage.exists(kept.file.name)
    assert "0 zip files that no export refers to deleted" in prune()


def test_prune_exports_with_nothing_stored_says_so():
    out = prune()
    assert "0 stopped exports marked as failed" in out
    assert "0 exports older than 7 days expired" in out
