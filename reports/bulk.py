"""A consultant's bulk export: one zip of several clients' PDF reports and XLSX files (and, if
asked for, their reports as Word documents).

`bulk_export_start` records the request and queues `build_bulk_export` (django.tasks, on the
django-tasks-db queue) in the same transaction. The worker runs `bulk_export_run`, which claims
the export (one worker only), writes the zip to a temporary file and keeps it only if every
client's files were made: a failure is recorded with its reason and no partial zip is ever
offered. Access is checked again when the export runs, and again at download
(`withdrawn_clients`), so a grant withdrawn in between is honoured.

A running export writes a heartbeat with each step; `bulk_exports_reap` fails one whose
heartbeat has stopped (its worker died), and `bulk_exports_prune` deletes zips once they are
`BULK_EXPORT_RETENTION_DAYS` old.
"""

import csv
import io
import logging
import tempfile
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from assessments.models import Assessment
from frameworks.models import Framework
from maturity.accounts.branding import branding_for
from maturity.downloads import file_name
from maturity.spreadsheets import safe_cell
from organisations.models import ConsultantGrant, Organisation
from reports.exports import assessment_xlsx, file_stem
from reports.models import BulkExport
from reports.report import render_pdf

logger = logging.getLogger(__name__)

MAX_BODIES = 50


STOPPED = (
    "The export stopped part way (the worker running it stopped), so no file was kept. "
    "Start it again; if it stops again, tell your administrator."
)


class ExportFailed(Exception):
    """A reason the person can act on; shown on the progress page as it is."""


class WorkerStopped(Exception):
    """Recorded as the error of the task of an export whose worker died (`bulk_exports_reap`)."""


class ExportLost(Exception):
    """The export is no longer this worker's to finish: it was failed as stopped meanwhile."""


@dataclass(frozen=True)
class ClientChoice:
    organisation: Organisation
    # framework id -> the latest submitted assessment of it
    latest: dict[int, Assessment]


def latest_submissions(
    *, organisation_ids, framework_ids=None
) -> dict[tuple[int, int], Assessment]:
    """(organisation id, framework id) -> that body's most recent submitted assessment."""
    found = {}
    rows = (
        Assessment.objects.filter(
            organisation_id__in=list(organisation_ids), status=Assessment.Status.SUBMITTED
        )
        .select_related("framework_version__framework", "organisation")
        .order_by("-submitted_at", "-pk")
    )
    if framework_ids is not None:
        rows = rows.filter(framework_version__framework_id__in=list(framework_ids))
    for assessment in rows:
        found.setdefault(
            (assessment.organisation_id, assessment.framework_version.framework_id), assessment
        )
    return found


def client_choices(*, user) -> tuple[list[ClientChoice], list[Framework]]:
    """The consultant's active clients, each with what it has submitted, and those frameworks."""
    organisations = [
        grant.organisation
        for grant in ConsultantGrant.objects.active()
        .filter(consultant=user)
        .select_related("organisation")
        .order_by("organisation__name")
    ]
    latest = latest_submissions(organisation_ids=[o.pk for o in organisations])
    choices = [
        ClientChoice(o, {fid: a for (oid, fid), a in latest.items() if oid == o.pk})
        for o in organisations
    ]
    frameworks = {
        a.framework_version.framework_id: a.framework_version.framework for a in latest.values()
    }
    return choices, sorted(frameworks.values(), key=lambda f: f.name)


@transaction.atomic
def bulk_export_start(
    *, consultant, framework: Framework, organisations, with_docx: bool = False
) -> BulkExport:
    from reports.tasks import build_bulk_export

    export = BulkExport.objects.create(
        consultant=consultant, framework=framework, total=len(organisations), with_docx=with_docx
    )
    export.organisations.set(organisations)
    result = build_bulk_export.enqueue(export.pk)
    BulkExport.objects.filter(pk=export.pk).update(task_id=str(result.id))
    export.task_id = str(result.id)
    return export


def _progress(export: BulkExport, **fields) -> None:
    """Written at once (outside any transaction) so the progress page sees it, with a heartbeat
    that tells `bulk_exports_reap` this worker is alive.

    Only while the export is still running: once it has been failed as stopped, raises
    ExportLost, so a worker that was merely slow neither revives it nor keeps a zip.
    """
    fields["heartbeat_at"] = timezone.now()
    if not BulkExport.objects.filter(pk=export.pk, status=BulkExport.Status.RUNNING).update(
        **fields
    ):
        raise ExportLost(export.pk)
    for name, value in fields.items():
        setattr(export, name, value)


def _finish(export: BulkExport, **fields) -> bool:
    """The last write of a run; False if the export was failed as stopped in the meantime."""
    try:
        _progress(export, finished_at=timezone.now(), current="", **fields)
    except ExportLost:
        return False
    return True


def bulk_export_run(export_id: int) -> bool:
    """Build the export if this call claims it. False if it was not queued (a task is delivered
    at least once, and two workers may hold the same delivery at once)."""
    export = BulkExport.objects.select_related("consultant", "framework").get(pk=export_id)
    if export.status != BulkExport.Status.QUEUED:
        return False
    organisations = sorted(export.organisations.all(), key=lambda o: o.name)
    now = timezone.now()
    claim = {
        "status": BulkExport.Status.RUNNING,
        "started_at": now,
        "heartbeat_at": now,
        "total": len(organisations),
        "done": 0,
    }
    # One conditional UPDATE, not a read then a write: of two workers here at once, the database
    # lets exactly one move the row from queued to running, and the other builds nothing.
    if not BulkExport.objects.filter(pk=export.pk, status=BulkExport.Status.QUEUED).update(**claim):
        return False
    for name, value in claim.items():
        setattr(export, name, value)
    try:
        name, size = _build_zip(export, organisations)
    except ExportLost:
        logger.warning("Bulk export %s was failed as stopped while still running", export.pk)
        return True
    except ExportFailed as failure:
        _finish(export, status=BulkExport.Status.FAILED, error=str(failure))
        return True
    except Exception:
        logger.exception("Bulk export %s failed", export.pk)
        where = f" while preparing {export.current}" if export.current else ""
        _finish(
            export,
            status=BulkExport.Status.FAILED,
            error=(
                f"Something went wrong on our side{where}, so no file was kept. Try again; if it "
                f"fails again, contact support and quote export number {export.pk}."
            ),
        )
        raise
    if not _finish(export, status=BulkExport.Status.DONE, file=name, size=size):
        # Failed as stopped while the zip was being stored: the person was told no file was
        # kept, so none is.
        export.file.storage.delete(name)
        logger.warning("Bulk export %s was failed as stopped while storing its zip", export.pk)
    return True


def bulk_exports_reap(*, consultant=None) -> int:
    """Fail every running export (of `consultant`, or everyone's) whose worker has stopped:
    no heartbeat for BULK_EXPORT_STALE_MINUTES. A queued export is left to wait for a worker.

    The UPDATE repeats the staleness condition, which the database checks again on each row as
    it writes it, so a heartbeat that lands at the same moment keeps its export running. Each
    failed export's django-tasks-db task is marked failed too (it would say "running" for ever).
    Every task worker runs this every minute or so (maturity.housekeeping), as do the
    consultant's export pages and `prune_exports`.
    """
    cutoff = timezone.now() - timedelta(minutes=settings.BULK_EXPORT_STALE_MINUTES)
    stale = BulkExport.objects.filter(status=BulkExport.Status.RUNNING).filter(
        # Rows from before heartbeats were kept have only their start time.
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    if consultant is not None:
        stale = stale.filter(consultant=consultant)
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return 0
    now = timezone.now()
    reaped = stale.filter(pk__in=ids).update(
        status=BulkExport.Status.FAILED, error=STOPPED, current="", finished_at=now
    )
    stopped = BulkExport.objects.filter(pk__in=ids, status=BulkExport.Status.FAILED, error=STOPPED)
    task_ids = [
        uuid.UUID(task_id)
        for task_id in stopped.exclude(task_id="").values_list("task_id", flat=True)
    ]
    DBTaskResult.objects.filter(pk__in=task_ids, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerStopped.__module__}.{WorkerStopped.__qualname__}",
        traceback=STOPPED,
    )
    if reaped:
        logger.warning("%d bulk export(s) marked as failed: their worker stopped", reaped)
    return reaped


@dataclass(frozen=True)
class Pruned:
    expired: int
    strays: int


def bulk_exports_prune() -> Pruned:
    """Delete the zips of exports made more than BULK_EXPORT_RETENTION_DAYS ago. Their rows
    stay, marked expired, so the list says what happened. Also deletes zips that old which no
    export refers to (a worker that stopped between storing its zip and recording it)."""
    cutoff = timezone.now() - timedelta(days=settings.BULK_EXPORT_RETENTION_DAYS)
    storage = BulkExport._meta.get_field("file").storage
    expired = 0
    old = BulkExport.objects.filter(status=BulkExport.Status.DONE, finished_at__lt=cutoff)
    for export in old.only("pk", "file"):
        # Conditional, so two prunes at once expire each export (and count it) once.
        if BulkExport.objects.filter(pk=export.pk, status=BulkExport.Status.DONE).update(
            status=BulkExport.Status.EXPIRED, file=""
        ):
            if export.file.name:
                storage.delete(export.file.name)
            expired += 1
    strays = 0
    if storage.exists("exports"):
        recorded = set(BulkExport.objects.exclude(file="").values_list("file", flat=True))
        for filename in storage.listdir("exports")[1]:
            name = f"exports/{filename}"
            # A recent unrecorded zip may be one a worker is about to record: leave it.
            if name not in recorded and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                strays += 1
    return Pruned(expired=expired, strays=strays)


def withdrawn_clients(*, exports) -> dict[int, list[Organisation]]:
    """Export id -> the clients in it whose grant to the export's consultant is no longer
    active, by name. Such an export may not be downloaded: it holds their reports."""
    through = BulkExport.organisations.through
    active = ConsultantGrant.objects.active().filter(
        consultant_id=OuterRef("bulkexport__consultant_id"),
        organisation_id=OuterRef("organisation_id"),
    )
    found = defaultdict(list)
    rows = (
        through.objects.filter(bulkexport_id__in=[export.pk for export in exports])
        .filter(~Exists(active))
        .select_related("organisation")
        .order_by("organisation__name")
    )
    for row in rows:
        found[row.bulkexport_id].append(row.organisation)
    return dict(found)


def _build_zip(export: BulkExport, organisations: list[Organisation]) -> tuple[str, int]:
    """The stored zip's name and size."""
    # Imported here: python-docx is for the exports that ask for Word documents.
    from reports.docx import render_docx

    branding = branding_for(export.consultant)
    prepared_by = branding.display_name if branding else ""
    granted = set(
        ConsultantGrant.objects.active()
        .filter(consultant=export.consultant)
        .values_list("organisation_id", flat=True)
    )
    latest = latest_submissions(
        organisation_ids=[o.pk for o in organisations], framework_ids=[export.framework_id]
    )
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(
        ["Organisation", "Code", "Framework", "Version", "Round", "Submitted", "Report", "Data"]
        + (["Word document"] if export.with_docx else [])
    )
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for done, organisation in enumerate(organisations):
                _progress(export, current=organisation.name, done=done)
                if organisation.pk not in granted:
                    raise ExportFailed(
                        f"Your access to {organisation.name} was withdrawn after you asked for "
                        "this export, so no file was made. Start a new export without it."
                    )
                assessment = latest.get((organisation.pk, export.framework_id))
                if assessment is None:
                    raise ExportFailed(
                        f"{organisation.name} no longer has a submitted {export.framework.name} "
                        "assessment (it may have been reopened), so no file was made. Start a new "
                        "export without it, or wait until they submit again."
                    )
                # Each part a safe name, so every entry is a plain relative path (no zip slip).
                folder = file_name(organisation.code, slugify(organisation.name))
                stem = file_stem(assessment)
                archive.writestr(
                    f"{folder}/{stem}.pdf", render_pdf(assessment=assessment, branding=branding)
                )
                archive.writestr(
                    f"{folder}/{stem}.xlsx",
                    assessment_xlsx(assessment=assessment, prepared_by=prepared_by),
                )
                if export.with_docx:
                    archive.writestr(
                        f"{folder}/{stem}.docx",
                        render_docx(assessment=assessment, branding=branding),
                    )
                fv = assessment.framework_version
                writer.writerow(
                    safe_cell(cell)
                    for cell in [
                        organisation.name,
                        organisation.code,
                        fv.name,
                        fv.version,
                        assessment.round_label,
                        assessment.submitted_at.date().isoformat(),
                        f"{folder}/{stem}.pdf",
                        f"{folder}/{stem}.xlsx",
                        *([f"{folder}/{stem}.docx"] if export.with_docx else []),
                    ]
                )
            archive.writestr("manifest.csv", manifest.getvalue())
        _progress(export, done=len(organisations), current="")
        spool.seek(0, io.SEEK_END)
        size = spool.tell()
        spool.seek(0)
        stored = export.file.storage.save(f"exports/{uuid.uuid4().hex}.zip", File(spool))
    return stored, size
