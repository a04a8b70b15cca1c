import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

SIGNED_IN_AT = "signed_in_at"
REFRESHED_AT = "refreshed_at"
# The idle limit is the session's own expiry, pushed back each time the session is saved.
# Saving it on every request cost a database write per page, so it is saved at most this often:
# a session left idle ends between 29 and 30 minutes after the last request.
REFRESH_SECONDS = 60


class SessionLifetimeMiddleware:
    """Ends a signed-in session 12 hours after sign-in, however active it has been, and keeps
    an active one alive by saving it (renewing its 30-minute idle expiry) at most once a minute.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = int(time.time())
        if request.user.is_authenticated:
            started = request.session.setdefault(SIGNED_IN_AT, now)
            if now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "For your security you were signed out after 12 hours.")
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        if request.user.is_authenticated:
            session = request.session
            if session.modified or now - session.get(REFRESHED_AT, 0) >= REFRESH_SECONDS:
                session[REFRESHED_AT] = now  # marks the session modified, so it is saved
        return response
