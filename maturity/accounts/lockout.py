"""Sign-in throttling: too many failures for one account, or from one address, locks it out.

Counts failures in a sliding window. The account limit stops guessing one person's password;
the (higher) address limit stops one machine trying many accounts without locking out a whole
council behind one shared address.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from maturity.accounts.models import SignInFailure


@dataclass(frozen=True)
class Lockout:
    reason: str  # "account" or "address"
    until: datetime


def client_ip(request) -> str | None:
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        # The proxy appends the address it saw last; earlier entries are client-supplied.
        return request.META[header].split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def lockout_for(*, email: str, ip: str | None, now: datetime | None = None) -> Lockout | None:
    now = now or timezone.now()
    window = timedelta(seconds=settings.SIGN_IN_WINDOW_SECONDS)
    since = now - window
    email = email.strip().lower()
    checks = [
        (
            "account",
            SignInFailure.objects.filter(email=email),
            settings.SIGN_IN_FAILURES_PER_ACCOUNT,
        )
    ]
    if ip:
        checks.append(
            (
                "address",
                SignInFailure.objects.filter(ip_address=ip),
                settings.SIGN_IN_FAILURES_PER_ADDRESS,
            )
        )
    for reason, failures, limit in checks:
        recent = list(
            failures.filter(at__gte=since).order_by("-at").values_list("at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            # Locked until the oldest of the last `limit` failures leaves the window.
            return Lockout(reason=reason, until=recent[-1] + window)
    return None


def record_failure(*, email: str, ip: str | None) -> None:
    SignInFailure.objects.create(email=email.strip().lower()[:254], ip_address=ip)
    # Keep the table small: nothing older than a day matters.
    SignInFailure.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()


def clear_failures(*, email: str) -> None:
    SignInFailure.objects.filter(email=email.strip().lower()).delete()
