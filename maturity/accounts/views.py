"""Signing in and out, the account page, and changing or resetting a password."""

import time

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy

from maturity.accounts import lockout
from maturity.accounts import services as account_services
from maturity.accounts.forms import (
    AccountDetailsForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    SignInForm,
)
from maturity.accounts.middleware import SIGNED_IN_AT


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)  # logs in, which also rotates the session key
        self.request.session[SIGNED_IN_AT] = int(time.time())
        return response

    def get_default_redirect_url(self):
        if self.request.user.memberships.exists() or self.request.user.consultant_grants.exists():
            return reverse_lazy("organisations:your_organisations")
        return super().get_default_redirect_url()


class SignOutView(auth_views.LogoutView):
    template_name = "accounts/signed_out.html"


@login_required
def account(request):
    form = AccountDetailsForm(request.POST or None, initial={"full_name": request.user.full_name})
    if request.method == "POST" and form.is_valid():
        account_services.user_update_details(user=request.user, **form.cleaned_data)
        messages.success(request, "Your details were saved.")
        return redirect("accounts:account")
    return render(request, "accounts/account.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/form_page.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:account")
    extra_context = {"title": "Change your password"}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password was changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/form_page.html"
    form_class = PasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {
        "title": "Reset your password",
        "intro": "Enter the email address you sign in with. If it has an account, we will "
        "send it a link to set a new password. The link works for 2 hours.",
    }


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/message_page.html"
    extra_context = {
        "title": "Check your email",
        "body": "If the address you entered has an account, we have sent it a link to set a new "
        "password. The link works for 2 hours. Check your spam folder if it does not arrive.",
    }


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    # Signed in at once: nobody can refuse the account again between the reset and sign-in.
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def form_valid(self, form):
        response = super().form_valid(form)
        lockout.clear_account(form.user.get_username())  # the reset lifts any refusal
        self.request.session[SIGNED_IN_AT] = int(time.time())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/message_page.html"
    extra_context = {
        "title": "Your password has been reset",
        "body": "You are signed in. Use your new password next time you sign in.",
        "link": reverse_lazy("home"),
        "link_text": "Continue",
    }


def admin_sign_in(request, extra_context=None):
    """The admin site's login page: the service's own sign-in instead, so there is one form and
    one set of limits on guessing passwords."""
    if request.user.is_authenticated:
        # Signed in but not staff: sending them to sign in would bounce straight back here.
        raise PermissionDenied
    return redirect_to_login(
        request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"), reverse("accounts:login")
    )
