"""A single board report, drawn by the task worker rather than in the web request.

WeasyPrint takes seconds and holds the GIL, so a PDF drawn in a gunicorn thread slows every
other request that worker serves. Instead `report_render_request` queues `render_report`
(django.tasks, on the django-tasks-db queue) and the report page waits for it; the next visit
finds the file ready and serves it.

A render is keyed to its reader and to everything the PDF shows (`render_key`), so a file is
only ever served to the person it was drawn for, and never once the assessment, its peers'
figures or the reader's branding have changed. Files are kept for RETENTION, then deleted
(`report_renders_prune`, run by the workers' housekeeping and `prune_exports`); a render whose
worker died is failed with a reason (`report_renders_reap`).
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from assessments.models import AgreedAnswer, Answer, Assessment, EvidenceLink, Score
from benchmarks.models import PeerRelease
from improvement.models import Action, ActionNote
from maturity.accounts.branding import branding_for
from organisations.models import Membership
from reports.models import ReportRender
from reports.report import render_pdf

logger = logging.getLogger(__name__)

# How long a drawn report is kept for its reader to download (and download again).
RETENTION = timedelta(hours=1)
# A render takes seconds; one still running after this has lost its worker.
STALE = timedelta(minutes=5)

STOPPED = (
    "The report stopped part way (the worker drawing it stopped), so no file was kept. "
    "Try again; if it stops again, tell your administrator."
)


def _failed(render_pk: int) -> str:
    return (
        "Something went wrong on our side while drawing the report, so no file was kept. Try "
        f"again; if it fails again, contact support and quote report number {render_pk}."
    )


def render_key(*, user, assessment: Assessment, with_spread: bool, branding) -> str:
    """What this reader's PDF of this assessment would show, as a digest: who asked, which
    variant, and the last-changed state of everything the report reads (answers, agreed
    answers, evidence files, improvement actions and their notes, stored scores, the
    organisation's other submissions, released peer figures, the branding). Any change gives a
    new key, so a stored file is never out of date."""

    def state(rows, stamp):
        found = rows.aggregate(n=Count("pk"), ids=Sum("pk"), last=Max(stamp))
        return (found["n"], found["ids"], str(found["last"]))

    fv_id = assessment.framework_version_id
    organisation = assessment.organisation
    parts = [
        user.pk,
        assessment.pk,
        with_spread,
        assessment.status,
        assessment.submitted_at and assessment.submitted_at.isoformat(),
        assessment.round_label,
        organisation.name,
        organisation.code,
        organisation.kind,
        state(Answer.objects.filter(assessment=assessment), "updated_at"),
        state(AgreedAnswer.objects.filter(assessment=assessment), "updated_at"),
        # Files attached or erased (the appendix lists them; an erased one must go at once).
        state(EvidenceLink.objects.filter(assessment=assessment), "pk"),
        state(Score.objects.filter(assessment=assessment), "pk"),
        # The improvement plan in the roadmap: actions added, changed or noted.
        state(Action.objects.filter(organisation=organisation), "updated_at"),
        state(ActionNote.objects.filter(action__organisation=organisation), "pk"),
        state(
            Assessment.objects.filter(
                organisation=organisation,
                framework_version__framework_id=assessment.framework_version.framework_id,
                status=Assessment.Status.SUBMITTED,
            ),
            "submitted_at",
        ),
        state(
            PeerRelease.objects.filter(framework_version_id=fv_id, released_at__isnull=False),
            "released_at",
        ),
        (branding.display_name, branding.logo.name) if branding else None,
        # Who took part is counted by role: a change of role changes the report.
        list(
            Membership.objects.filter(organisation=organisation)
            .order_by("user_id")
            .values_list("user_id", "role")
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def report_render_request(
    *, user, assessment: Assessment, with_spread: bool, branding
) -> ReportRender:
    """This reader's render of the report as it stands: the one already made or queued, or a
    new one, queued now. Two requests at once queue one render: the key is unique, and the
    request that loses the race to insert it takes the winner's row."""
    from reports.tasks import render_report

    key = render_key(user=user, assessment=assessment, with_spread=with_spread, branding=branding)
    found = ReportRender.objects.filter(key=key).first()
    if found is not None and found.status == ReportRender.Status.DONE:
        if found.file.storage.exists(found.file.name):
            return found
        # Its file was deleted (by a prune that ran between): draw it again.
        ReportRender.objects.filter(pk=found.pk).delete()
    elif found is not None:
        return found
    try:
        with transaction.atomic():
            render = ReportRender.objects.create(
                key=key,
                assessment=assessment,
                requested_by=user,
                with_spread=with_spread,
                branded=branding is not None,
            )
            # Queued in the same transaction: a render row always has its task. (With the
            # immediate backend, as some tests use, the task runs here and then.)
            result = render_report.enqueue(render.pk)
            ReportRender.objects.filter(pk=render.pk).update(task_id=str(result.id))
    except IntegrityError:
        return ReportRender.objects.get(key=key)
    render.refresh_from_db()
    return render


def report_render_retry(*, render: ReportRender) -> None:
    """Forget a failed render, so that the next visit queues a new one."""
    ReportRender.objects.filter(pk=render.pk, status=ReportRender.Status.FAILED).delete()


def report_render_run(render_id: int) -> bool:
    """Draw and store the PDF if this call claims the render. False if it was not queued (a
    task is delivered at least once, and two workers may hold the same delivery at once)."""
    now = timezone.now()
    # One conditional UPDATE: of two workers here at once, exactly one moves it to running.
    if not ReportRender.objects.filter(pk=render_id, status=ReportRender.Status.QUEUED).update(
        status=ReportRender.Status.RUNNING, started_at=now
    ):
        return False
    render = ReportRender.objects.select_related("assessment", "requested_by").get(pk=render_id)
    try:
        pdf = render_pdf(
            assessment=render.assessment,
            branding=branding_for(render.requested_by) if render.branded else None,
            with_spread=render.with_spread,
        )
        name = render.file.storage.save(
            f"reports/{secrets.token_urlsafe(24)}.pdf", ContentFile(pdf)
        )
    except Exception:
        logger.exception("Report render %s failed", render_id)
        ReportRender.objects.filter(pk=render_id, status=ReportRender.Status.RUNNING).update(
            status=ReportRender.Status.FAILED, error=_failed(render_id), finished_at=timezone.now()
        )
        raise
    if not ReportRender.objects.filter(pk=render_id, status=ReportRender.Status.RUNNING).update(
        status=ReportRender.Status.DONE, file=name, finished_at=timezone.now()
    ):
        # Failed as stopped meanwhile: the reader was told no file was kept, so none is.
        render.file.storage.delete(name)
    return True


def report_renders_reap() -> int:
    """Fail every render still running STALE after it started: its worker died. A queued one
    is left to wait for a worker (its page says if it waits long)."""
    cutoff = timezone.now() - STALE
    reaped = ReportRender.objects.filter(
        status=ReportRender.Status.RUNNING, started_at__lt=cutoff
    ).update(status=ReportRender.Status.FAILED, error=STOPPED, finished_at=timezone.now())
    if reaped:
        logger.warning("%d report render(s) marked as failed: their worker stopped", reaped)
    return reaped


def report_renders_prune() -> int:
    """Delete renders (and their files) made more than RETENTION ago, and files that old that
    no render refers to (a worker that stopped between storing a file and recording it)."""
    cutoff = timezone.now() - RETENTION
    storage = ReportRender._meta.get_field("file").storage
    old = ReportRender.objects.filter(created_at__lt=cutoff).filter(
        ~Q(status__in=[ReportRender.Status.QUEUED, ReportRender.Status.RUNNING])
        | Q(created_at__lt=cutoff - STALE)
    )
    deleted = 0
    for render in old.only("pk", "file"):
        # Deleted by pk, so two prunes at once delete (and count) each render once.
        if ReportRender.objects.filter(pk=render.pk).delete()[0]:
            if render.file.name:
                storage.delete(render.file.name)
            deleted += 1
    if storage.exists("reports"):
        recorded = set(ReportRender.objects.exclude(file="").values_list("file", flat=True))
        for filename in storage.listdir("reports")[1]:
            name = f"reports/{filename}"
            if name not in recorded and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
    return deleted
