"""Sign-in throttling on top of django-axes.

Axes hooks the authentication backend, so every `authenticate()` counts (the service's sign-in,
and the admin's, which redirects to it). It keeps one count of failures per address and one per
account; this module adds what it lacks:

- separate limits: an address may fail more often than an account, because a council's offices
  share one address and one person's typos must not refuse all their colleagues;
- a short refusal instead of an hour's lock: once a limit is reached, sign-in is refused for
  SIGN_IN_REFUSAL_MINUTES, and each failure after a refusal doubles the next one, up to
  SIGN_IN_REFUSAL_MAX_MINUTES. Failures during a refusal are not counted (AXES_RESET_COOL_OFF_
  ON_FAILURE_DURING_LOCKOUT is off), so nobody can keep an account refused by hammering it;
- a successful sign-in clears the account's failures (not the address's: an attacker could
  otherwise clear them by signing in to an account of their own), and so does a password reset.

Nothing here sleeps: a refusal is an immediate answer, so it cannot tie up the server's threads.
"""

import ipaddress
import math
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpResponse
from django.utils import timezone


@dataclass(frozen=True)
class Refusal:
    reason: str  # "account" or "address"
    until: datetime

    @property
    def minutes(self) -> int:
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))


def client_ip(request) -> str | None:
    header = settings.CLIENT_IP_HEADER
    if header and request.META.get(header):
        # The proxy appends the address it saw last; earlier entries are client-supplied.
        last = request.META[header].split(",")[-1].strip()
        with suppress(ValueError):
            return str(ipaddress.ip_address(last))
    return request.META.get("REMOTE_ADDR") or None


def username(request, credentials) -> str | None:
    """The email address tried, in the form accounts store it, so case cannot dodge the count."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    return value.strip().lower()[:255] if isinstance(value, str) else None


def refusal_minutes(failures: int, limit: int) -> int:
    doublings = min(failures - limit, 16)  # 2**16 minutes is past any sensible cap
    return min(
        settings.SIGN_IN_REFUSAL_MINUTES * 2**doublings, settings.SIGN_IN_REFUSAL_MAX_MINUTES
    )


def refusal(request, credentials=None) -> Refusal | None:
    """Why and until when this sign-in is refused, or None if it may go ahead."""
    ip = getattr(request, "axes_ip_address", None) or client_ip(request)
    checks = [
        ("account", {"username": username(request, credentials)}, "SIGN_IN_FAILURES_PER_ACCOUNT"),
        ("address", {"ip_address": ip}, "SIGN_IN_FAILURES_PER_ADDRESS"),
    ]
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    for reason, match, limit_name in checks:
        if None in match.values():
            continue
        limit = getattr(settings, limit_name)
        counted = AccessAttempt.objects.filter(attempt_time__gte=since, **match).aggregate(
            failures=Sum("failures_since_start"), last=Max("attempt_time")
        )
        if (counted["failures"] or 0) >= limit:
            until = counted["last"] + timedelta(minutes=refusal_minutes(counted["failures"], limit))
            if until > timezone.now():
                return Refusal(reason=reason, until=until)
    return None


class SignInHandler(AxesDatabaseHandler):
    """Axes' database handler, deciding refusals with `refusal()` above."""

    def get_failures(self, request, credentials=None) -> int:
        # Axes compares one number with one limit (AXES_FAILURE_LIMIT); with two limits and a
        # refusal that ends, the answer is the limit itself while a refusal is due, else 0.
        return settings.AXES_FAILURE_LIMIT if refusal(request, credentials) else 0

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        clear_account(user.get_username())


def clear_account(email: str) -> None:
    """Forget an account's failed sign-ins: its owner has proved who they are."""
    AccessAttempt.objects.filter(username=email.strip().lower()).delete()


def refused_response(request, original_response, credentials=None):
    """The sign-in page, which already says why and for how long, with 429 Too Many Requests."""
    if not isinstance(original_response, HttpResponse):
        original_response = HttpResponse("Too many failed attempts to sign in. Try again later.")
    original_response.status_code = 429
    return original_response
