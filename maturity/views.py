"""The site's own pages: home, accessibility statement, health check, error pages."""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

EXPIRED = (
    "Your last change was not saved because this page had expired (it was open for a long time, "
    "or you signed in again in another tab)."
)
SIGNED_OUT = "Your last change was not saved because you have been signed out."
TOO_LARGE = (
    "Not saved: what you typed is too large to save. Shorten any long text you pasted, and it "
    "will be saved."
)


@require_GET
def home(request):
    return render(request, "home.html")


@require_GET
def accessibility(request):
    return render(
        request, "accessibility.html", {"contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL}
    )


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request):
    """handler500: the service's error page. When the cause is that the database cannot be
    reached (stopped, restarting, failing over), 503 with Retry-After and a page that says so.

    Django calls this while handling the exception, so `sys.exception()` is that exception.
    Rendered without the request: its context processors and session need the database.
    """
    unreachable = isinstance(sys.exception(), OperationalError | InterfaceError)
    page = loader.render_to_string(
        "503.html" if unreachable else "500.html", {"service_name": settings.SERVICE_NAME}
    )
    response = HttpResponse(page, status=503 if unreachable else 500)
    if unreachable:
        response["Retry-After"] = "60"
    return response


def csrf_failure(request, reason=""):
    """A form (or an autosave) sent with a missing or stale security token: nothing was done.

    Settings' CSRF_FAILURE_VIEW. The usual cause is a page left open past the session, or a
    sign-in or sign-out in another tab; the person is told that plainly, not Django's reason.
    """
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        # Autosave keeps the text in the browser, and says what to do: sign in, or reload.
        if not request.user.is_authenticated:
            return JsonResponse({"error": "signed-out", "message": SIGNED_OUT}, status=403)
        return JsonResponse({"error": "expired", "message": EXPIRED}, status=403)
    return render(request, "csrf_failure.html", status=403)


def bad_request(request, exception):
    """handler400. A body too large, or with too many fields or files, is refused before any
    form sees it; the person is told that plainly rather than to check what they entered."""
    too_large = isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent)
    if too_large and request.headers.get("Accept") == "application/json":
        # Autosave reads JSON, and takes a page for a sign-in redirect: say what happened.
        return JsonResponse({"status": "too-large", "message": TOO_LARGE}, status=400)
    # Rendered without the request, as Django's own handler does: a bad Host header is a 400
    # too, and the context processors would meet it again.
    page = loader.render_to_string("400.html", {"too_large": too_large})
    return HttpResponse(page, status=400)
