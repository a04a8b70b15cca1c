"""Who is measured: organisations, peer groups, their people and the consultants they let in."""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

INVITATION_LIFETIME = timedelta(days=7)
# The fields that put an organisation in the fixed peer groups (same kind, region, size band).
CLASSIFYING_FIELDS = ("kind", "region", "size_band")
CODE_MAX = 20
CODE_RE = re.compile(r"[A-Za-z0-9]+")


def validate_code(value: str) -> None:
    """The one rule for organisation codes, in the admin and the CSV import alike.

    Codes end up in download names and zip paths, so only ASCII letters and digits.
    """
    if not CODE_RE.fullmatch(value):
        raise ValidationError(
            "%(value)r may contain only letters and digits, like E07000223 or RX1",
            code="invalid_code",
            params={"value": value},
        )


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

    class Sector(models.TextChoices):
        """The part of the public sector a kind of body belongs to: peers by region and by
        size are compared within a sector, so an NHS trust is compared with NHS bodies."""

        LOCAL = "local", "Local government"
        NHS = "nhs", "NHS"
        CENTRAL = "central", "Central government"
        OTHER = "other", "Other public bodies"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    region = models.CharField(max_length=30, choices=Region.choices)
    code = models.CharField(
        max_length=CODE_MAX,
        unique=True,
        validators=[validate_code],
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
        return reverse("organisations:organisation", kwargs={"pk": self.pk})

    @property
    def sector(self) -> str:
        return SECTOR_OF_KIND[self.kind]


# Police forces and fire and rescue services are local government in the ONS classification of
# the public sector; NHS bodies are kept apart from central government (where the ONS puts
# them) because they are run, funded and assessed as a service of their own.
_K, _S = Organisation.Kind, Organisation.Sector
SECTOR_OF_KIND = {
    _K.COUNTY: _S.LOCAL,
    _K.DISTRICT: _S.LOCAL,
    _K.UNITARY: _S.LOCAL,
    _K.METROPOLITAN: _S.LOCAL,
    _K.LONDON_BOROUGH: _S.LOCAL,
    _K.POLICE: _S.LOCAL,
    _K.FIRE: _S.LOCAL,
    _K.NHS_TRUST: _S.NHS,
    _K.ICB: _S.NHS,
    _K.CENTRAL_DEPARTMENT: _S.CENTRAL,
    _K.ARMS_LENGTH_BODY: _S.CENTRAL,
    _K.OTHER: _S.OTHER,
}


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
                fields=["user", "organisation"], name="organisations_membership_unique"
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
        indexes = [models.Index(Lower("email"), name="organisations_invitation_email")]

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


class ConsultantGrantQuerySet(models.QuerySet):
    def active(self):
        """Grants not withdrawn: the only ones that let a consultant in."""
        return self.filter(revoked_at__isnull=True)


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

    objects = ConsultantGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "consultant"],
                condition=models.Q(revoked_at__isnull=True),
                name="organisations_one_active_grant",
            )
        ]

    def __str__(self):
        return f"{self.consultant} for {self.organisation}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
