from django import forms
from django.contrib.auth import forms as auth_forms

from maturity.accounts.models import User
from maturity.forms import GDSFormMixin


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
