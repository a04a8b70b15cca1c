"""Signing in and out, the account page, and changing or resetting a password."""

import time

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

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


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/message_page.html"
    extra_context = {
        "title": "Your password has been reset",
        "body": "You can now sign in with your new password.",
        "link": reverse_lazy("accounts:login"),
        "link_text": "Sign in",
    }
