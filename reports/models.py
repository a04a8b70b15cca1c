"""What goes out: a consultant's bulk export of reports and data."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class BulkExport(models.Model):
    """A consultant's zip of reports and data for several clients, built by a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "In progress"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"
        # Its zip was deleted after BULK_EXPORT_RETENTION_DAYS (manage.py prune_exports).
        EXPIRED = "expired", "Expired"

    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bulk_exports"
    )
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.CASCADE, related_name="+"
    )
    organisations = models.ManyToManyField("organisations.Organisation", related_name="+")
    # Each client's board report as a Word document too, beside the PDF.
    with_docx = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    current = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    size = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written with every progress update: a running export whose heartbeat stops has lost its
    # worker (bulk_exports_reap).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Export {self.pk} for {self.consultant}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class ReportRender(models.Model):
    """One person's board report PDF for one assessment, drawn by a background task so that
    WeasyPrint never holds a web worker (reports.rendering).

    `key` names exactly what the PDF shows (reader, assessment, variant, and the assessment's
    state when asked for), so a row is reused only while its file is still current, and at most
    one render per key is ever queued.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "In progress"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=64, unique=True)
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    with_spread = models.BooleanField(default=False)
    branded = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    # An unguessable name; served only through the permission-checked report view.
    file = models.FileField(upload_to="reports/", blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Report render {self.pk} for {self.requested_by}"
