"""What will change: an organisation's improvement actions, made from an assessment's results,
with an owner, a due date, a status and dated notes."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class PlanSettings(models.Model):
    """The lead's switch: may respondents add and edit actions too? (Off until a lead says so.)"""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    respondents_may_edit = models.BooleanField(default=False)

    def __str__(self):
        return f"Plan settings of {self.organisation}"


class Action(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    CLOSED = (Status.DONE, Status.DROPPED)

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    # The round whose results it came from.
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    dimension = models.ForeignKey(
        "frameworks.Dimension", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    questions = models.ManyToManyField("frameworks.Question", blank=True, related_name="+")
    target_level = models.IntegerField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    # Set when the status becomes done, so the next round can tell what was done since.
    done_at = models.DateTimeField(null=True, blank=True)
    # The due date an overdue email was sent for: a later due date that passes sends again.
    overdue_emailed_for = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "improvement:action", kwargs={"pk": self.organisation_id, "action_pk": self.pk}
        )

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()


class ActionNote(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    # The status this note came with, when it was written with a status change.
    status = models.CharField(max_length=20, choices=Action.Status.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.text[:50]
