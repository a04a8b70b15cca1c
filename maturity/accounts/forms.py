from django import forms
from django.contrib.auth import forms as auth_forms

from maturity.accounts import lockout
from maturity.accounts.models import User
from maturity.accounts.tasks import send_password_reset
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
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
            "max_length": "Enter an email address of 254 characters or fewer",
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
        try:
            return super().clean()
        except forms.ValidationError:
            # django-axes counted the failure; say so if it, or an earlier one, means a refusal.
            if not getattr(self.request, "axes_locked_out", False):
                raise
            refusal = lockout.refusal(self.request, self.cleaned_data)
            if refusal is None:
                raise
            wait = f"{refusal.minutes} minute{'s' if refusal.minutes > 1 else ''}"
            if refusal.reason == "account":
                message = (
                    "There have been too many failed attempts to sign in to this account. "
                    f"Try again in {wait}, or reset your password to unlock it now."
                )
            else:
                message = (
                    "There have been too many failed attempts to sign in from your network. "
                    f"Try again in {wait}."
                )
            raise forms.ValidationError(message, code="refused") from None


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
            "max_length": "Enter an email address of 254 characters or fewer",
        },
    )

    def save(self, *, request, use_https=False, domain_override=None, **kwargs):
        """Queue one task, whether or not the address has an account: the worker looks it up.

        The request then does the same work either way, and never waits for the mail server.
        """
        send_password_reset.enqueue(
            email=self.cleaned_data["email"],
            domain=domain_override or request.get_host(),
            use_https=use_https,
        )


class SetPasswordForm(GDSFormMixin, auth_forms.SetPasswordForm):
    submit_label = "Set new password"


class PasswordChangeForm(GDSFormMixin, auth_forms.PasswordChangeForm):
    submit_label = "Change password"
