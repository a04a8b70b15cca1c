"""Consultants' branding: the display name and logo on the reports and files they export."""

from assessments.models import ConsultantBranding


def branding_for(user) -> ConsultantBranding | None:
    """The person's branding, or None (anonymous, or never set)."""
    if not user.is_authenticated:
        return None
    return ConsultantBranding.objects.filter(consultant=user).first()
