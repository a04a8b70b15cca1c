import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

SIGNED_IN_AT = "signed_in_at"


class SessionLifetimeMiddleware:
    """Ends a signed-in session 12 hours after sign-in, however active it has been.

    (The 30-minute idle limit is the session cookie's own age, renewed on every request.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(SIGNED_IN_AT, now)
            if now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "For your security you were signed out after 12 hours.")
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
