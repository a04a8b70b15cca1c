from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils import timezone
from django.utils.formats import time_format

from maturity.accounts import lockout
from maturity.accounts.models import User
from maturity.forms import GDSForm, GDSFormMixin


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class SignInForm(GDSFormMixin, auth_forms.AuthenticationForm):
    """Email and password, with GOV.UK error messages."""

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account is not active",
    }
    submit_label = "Sign in"

    def clean(self):
        email = self.cleaned_data.get("username")
        ip = lockout.client_ip(self.request) if self.request else None
        if email:
            locked = lockout.lockout_for(email=email, ip=ip)
            if locked:
                until = time_format(timezone.localtime(locked.until), "H:i")
                where = "for this account" if locked.reason == "account" else "from your network"
                raise forms.ValidationError(
                    f"There have been too many failed attempts to sign in {where}. Try again "
                    f"after {until}, or reset your password.",
                    code="locked_out",
                )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if email:
                lockout.record_failure(email=email, ip=ip)
            raise
        if email:
            lockout.clear_failures(email=email)
        return cleaned


class AccountDetailsForm(GDSForm):
    submit_label = "Save details"

    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={"required": "Enter your full name"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class PasswordResetForm(GDSFormMixin, auth_forms.PasswordResetForm):
    submit_label = "Send reset link"

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )


class SetPasswordForm(GDSFormMixin, auth_forms.SetPasswordForm):
    submit_label = "Set new password"


class PasswordChangeForm(GDSFormMixin, auth_forms.PasswordChangeForm):
    submit_label = "Change password"
