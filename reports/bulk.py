"""A consultant's bulk export: one zip of several clients' PDF reports and XLSX files.

`bulk_export_start` records the request and queues `build_bulk_export` (django.tasks, on the
django-tasks-db queue) in the same transaction. The worker runs `bulk_export_run`, which writes
the zip to a temporary file and keeps it only if every client's files were made: a failure is
recorded with its reason and no partial zip is ever offered. Access is checked again when the
export runs, so a grant withdrawn in between is honoured.
"""

import csv
import io
import logging
import tempfile
import uuid
import zipfile
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from assessments.models import Assessment
from frameworks.models import Framework
from maturity.accounts.branding import branding_for
from maturity.spreadsheets import safe_cell
from organisations.models import ConsultantGrant, Organisation
from reports.exports import assessment_xlsx, file_stem
from reports.models import BulkExport
from reports.report import render_pdf

logger = logging.getLogger(__name__)

MAX_BODIES = 50


class ExportFailed(Exception):
    """A reason the person can act on; shown on the progress page as it is."""


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
        for grant in ConsultantGrant.objects.filter(consultant=user, revoked_at__isnull=True)
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
def bulk_export_start(*, consultant, framework: Framework, organisations) -> BulkExport:
    from reports.tasks import build_bulk_export

    export = BulkExport.objects.create(
        consultant=consultant, framework=framework, total=len(organisations)
    )
    export.organisations.set(organisations)
    result = build_bulk_export.enqueue(export.pk)
    BulkExport.objects.filter(pk=export.pk).update(task_id=str(result.id))
    export.task_id = str(result.id)
    return export


def _progress(export: BulkExport, **fields) -> None:
    """Written at once (outside any transaction) so the progress page sees it."""
    BulkExport.objects.filter(pk=export.pk).update(**fields)
    for name, value in fields.items():
        setattr(export, name, value)


def bulk_export_run(export_id: int) -> None:
    export = BulkExport.objects.select_related("consultant", "framework").get(pk=export_id)
    if export.status != BulkExport.Status.QUEUED:
        return  # already run (a task is delivered at least once)
    organisations = sorted(export.organisations.all(), key=lambda o: o.name)
    _progress(
        export,
        status=BulkExport.Status.RUNNING,
        started_at=timezone.now(),
        total=len(organisations),
        done=0,
    )
    try:
        name = _build_zip(export, organisations)
    except ExportFailed as failure:
        _progress(
            export,
            status=BulkExport.Status.FAILED,
            error=str(failure),
            current="",
            finished_at=timezone.now(),
        )
        return
    except Exception:
        logger.exception("Bulk export %s failed", export.pk)
        where = f" while preparing {export.current}" if export.current else ""
        _progress(
            export,
            status=BulkExport.Status.FAILED,
            error=(
                f"Something went wrong on our side{where}, so no file was kept. Try again; if it "
                f"fails again, contact support and quote export number {export.pk}."
            ),
            current="",
            finished_at=timezone.now(),
        )
        raise
    _progress(
        export,
        status=BulkExport.Status.DONE,
        file=name,
        current="",
        finished_at=timezone.now(),
    )


def _build_zip(export: BulkExport, organisations: list[Organisation]) -> str:
    branding = branding_for(export.consultant)
    prepared_by = branding.display_name if branding else ""
    granted = set(
        ConsultantGrant.objects.filter(
            consultant=export.consultant, revoked_at__isnull=True
        ).values_list("organisation_id", flat=True)
    )
    latest = latest_submissions(
        organisation_ids=[o.pk for o in organisations], framework_ids=[export.framework_id]
    )
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(
        ["Organisation", "Code", "Framework", "Version", "Round", "Submitted", "Report", "Data"]
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
                folder = f"{organisation.code}-{slugify(organisation.name)}"
                stem = file_stem(assessment)
                archive.writestr(
                    f"{folder}/{stem}.pdf", render_pdf(assessment=assessment, branding=branding)
                )
                archive.writestr(
                    f"{folder}/{stem}.xlsx",
                    assessment_xlsx(assessment=assessment, prepared_by=prepared_by),
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
                    ]
                )
            archive.writestr("manifest.csv", manifest.getvalue())
        _progress(export, done=len(organisations), current="")
        spool.seek(0, io.SEEK_END)
        size = spool.tell()
        spool.seek(0)
        stored = export.file.storage.save(f"exports/{uuid.uuid4().hex}.zip", File(spool))
    _progress(export, size=size)
    return stored
