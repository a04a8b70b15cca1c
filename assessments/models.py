"""Who measured: organisations, the people in them, and the consultants they let in."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

INVITATION_LIFETIME = timedelta(days=7)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COUNTY = "county", "County council"
        DISTRICT = "district", "District council"
        UNITARY = "unitary", "Unitary authority"
        METROPOLITAN = "metropolitan", "Metropolitan borough"
        LONDON_BOROUGH = "london_borough", "London borough"
        NHS_TRUST = "nhs_trust", "NHS trust"
        ICB = "icb", "Integrated care board"
        CENTRAL_DEPARTMENT = "central_department", "Central government department"
        ARMS_LENGTH_BODY = "arms_length_body", "Arm's-length body"
        POLICE = "police", "Police force"
        FIRE = "fire", "Fire and rescue service"
        OTHER = "other", "Other public body"

    class Region(models.TextChoices):
        NORTH_EAST = "north_east", "North East"
        NORTH_WEST = "north_west", "North West"
        YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
        EAST_MIDLANDS = "east_midlands", "East Midlands"
        WEST_MIDLANDS = "west_midlands", "West Midlands"
        EAST = "east", "East of England"
        LONDON = "london", "London"
        SOUTH_EAST = "south_east", "South East"
        SOUTH_WEST = "south_west", "South West"
        SCOTLAND = "scotland", "Scotland"
        WALES = "wales", "Wales"
        NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"
        UK_WIDE = "uk_wide", "UK-wide"

    class SizeBand(models.TextChoices):
        SMALL = "small", "Small"
        MEDIUM = "medium", "Medium"
        LARGE = "large", "Large"
        VERY_LARGE = "very_large", "Very large"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    region = models.CharField(max_length=30, choices=Region.choices)
    code = models.CharField(
        max_length=20,
        unique=True,
        help_text="Official code: GSS for councils (E07000223), ODS for NHS bodies (RX1).",
    )
    size_band = models.CharField(max_length=20, choices=SizeBand.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["region"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assessments:organisation", kwargs={"pk": self.pk})


class PeerGroup(models.Model):
    """A named group of organisations that a platform admin defines for comparison."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    organisations = models.ManyToManyField(Organisation, related_name="peer_groups", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    RESPONDENT = "respondent", "Respondent"
    VIEWER = "viewer", "Viewer"


ROLE_RANK = {Role.VIEWER: 1, Role.RESPONDENT: 2, Role.LEAD: 3}
ROLE_HINTS = {
    Role.LEAD: "Starts assessments, agrees answers, submits, and manages people and consultants.",
    Role.RESPONDENT: "Answers questions and adds evidence.",
    Role.VIEWER: "Reads results and reports, changes nothing.",
}


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="assessments_membership_unique"
            )
        ]

    def __str__(self):
        return f"{self.user}, {self.get_role_display().lower()} at {self.organisation}"


class Invitation(models.Model):
    """An emailed, signed, single-use link that makes someone a member or a consultant."""

    class Kind(models.TextChoices):
        MEMBER = "member", "Member"
        CONSULTANT = "consultant", "Consultant"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MEMBER)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    nonce = models.CharField(max_length=64, default=secrets.token_urlsafe, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(Lower("email"), name="assessments_invitation_email")]

    def __str__(self):
        return f"Invitation for {self.email} to {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def role_label(self) -> str:
        return "Consultant" if self.kind == self.Kind.CONSULTANT else self.get_role_display()


class ConsultantGrant(models.Model):
    """A lead lets a consultant see their organisation. Dated, and revocable at any time."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="consultant_grants"
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultant_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "consultant"],
                condition=models.Q(revoked_at__isnull=True),
                name="assessments_one_active_grant",
            )
        ]

    def __str__(self):
        return f"{self.consultant} for {self.organisation}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class BulkExport(models.Model):
    """A consultant's zip of reports and data for several clients, built by a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "In progress"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bulk_exports"
    )
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.CASCADE, related_name="+"
    )
    organisations = models.ManyToManyField(Organisation, related_name="+")
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

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Export {self.pk} for {self.consultant}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Assessment(models.Model):
    """One organisation scoring itself on one framework version, in one round."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Collecting answers"
        IN_REVIEW = "in_review", "Agreeing answers"
        SUBMITTED = "submitted", "Submitted"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="assessments"
    )
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="+"
    )
    round_label = models.CharField(max_length=40)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The organisation's most recent submission on this framework version: what peers compare
    # against. Kept by the submit and reopen services so dashboards need no "latest" subquery.
    is_latest_submission = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "framework_version", "round_label"],
                name="assessments_one_assessment_per_round",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(
                fields=["framework_version", "organisation"],
                condition=models.Q(is_latest_submission=True),
                name="assessments_latest_submission",
            ),
        ]

    def __str__(self):
        return f"{self.organisation}, {self.round_label}"

    def get_absolute_url(self):
        return reverse(
            "assessments:assessment", kwargs={"pk": self.organisation_id, "apk": self.pk}
        )

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class AnswerFields(models.Model):
    """What an answer holds, for a respondent's own answer and for the agreed one alike."""

    class State(models.TextChoices):
        LEVEL = "level", "A level"
        NOT_APPLICABLE = "na", "Not applicable"
        DONT_KNOW = "dont_know", "Don't know"

    class Confidence(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    question = models.ForeignKey("frameworks.Question", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, blank=True)
    level = models.IntegerField(null=True, blank=True)
    target_level = models.IntegerField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    links = models.TextField(blank=True, help_text="One web address a line.")
    confidence = models.CharField(max_length=10, choices=Confidence.choices, blank=True)
    # Optimistic concurrency: a save names the version it started from; a stale one is refused.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_answered(self) -> bool:
        return bool(self.state)

    @property
    def scored_level(self) -> int | None:
        return self.level if self.state == self.State.LEVEL else None

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Answer(AnswerFields):
    """One respondent's own answer to one question."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers"
    )
    carried_over = models.BooleanField(
        default=False, help_text="Copied from the last round and not yet changed."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question", "respondent"], name="assessments_answer_unique"
            )
        ]

    def __str__(self):
        # Ids only: this is written into the audit log on every save, without extra queries.
        return f"Answer by person {self.respondent_id} to question {self.question_id}"


class AgreedAnswer(AnswerFields):
    """The organisation's answer, set by a lead: what scores and benchmarks use."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="agreed_answers"
    )
    rationale = models.TextField(blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried_over = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="assessments_agreed_unique"
            )
        ]

    def __str__(self):
        return f"Agreed answer to question {self.question_id}"


class Score(models.Model):
    """A score stored at submission, so dashboards read rows and never recompute."""

    class Scope(models.TextChoices):
        OVERALL = "overall", "Overall"
        DIMENSION = "dimension", "Dimension"
        FACET = "facet", "Facet value"
        GRID = "grid", "Dimension by facet value"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    scope = models.CharField(max_length=10, choices=Scope.choices)
    dimension = models.ForeignKey(
        "frameworks.Dimension", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    facet_value = models.ForeignKey(
        "frameworks.FacetValue", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = models.FloatField(null=True)
    band_value = models.IntegerField(null=True)
    target = models.FloatField(null=True)
    answered = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        # Written only by assessment_submit, which replaces an assessment's scores as a whole.
        indexes = [models.Index(fields=["assessment", "scope"])]

    def __str__(self):
        return f"{self.scope} {self.value}"


class PeerValues(models.Model):
    """Every organisation's latest score in one peer group, for one measure, kept sorted.

    Rebuilt when an assessment is submitted or reopened (and when peer groups change), so a
    dashboard reads a handful of rows however many bodies there are. Only `benchmarks` ever
    turns these into numbers a person sees.
    """

    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.CASCADE, related_name="+"
    )
    group_key = models.CharField(max_length=60)  # all, kind:unitary, region:london, group:7
    measure = models.CharField(max_length=20)  # "overall" or a dimension id
    organisation_ids = models.JSONField(default=list)
    values = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["framework_version", "group_key", "measure"],
                name="assessments_peervalues_unique",
            )
        ]

    def __str__(self):
        return f"{self.group_key} {self.measure} ({len(self.values)})"
