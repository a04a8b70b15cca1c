from crispy_forms_gds.choices import Choice
from django import forms
from django.contrib.auth import password_validation

from maturity.forms import GDSForm
from organisations.models import ROLE_HINTS, Role

EMAIL_ERRORS = {
    "required": "Enter an email address",
    "invalid": "Enter an email address in the correct format, like name@council.gov.uk",
}


class RoleChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[Choice(r.value, r.label, hint=ROLE_HINTS[r]) for r in Role],
            widget=forms.RadioSelect,
            error_messages={"required": "Select a role"},
            **kwargs,
        )


class InviteMemberForm(GDSForm):
    submit_label = "Send invitation"

    email = forms.EmailField(label="Email address", error_messages=EMAIL_ERRORS)
    role = RoleChoiceField(label="Role")


class GrantConsultantForm(GDSForm):
    submit_label = "Send invitation"

    email = forms.EmailField(
        label="Consultant's email address",
        help_text="They will be able to read your organisation's assessments and results, and "
        "export reports. They cannot change answers or manage people. You can withdraw access "
        "at any time.",
        error_messages=EMAIL_ERRORS,
    )


class ChangeRoleForm(GDSForm):
    submit_label = "Change role"

    role = RoleChoiceField(label="New role")


class AcceptInvitationForm(GDSForm):
    """Create the account an invitation is addressed to."""

    submit_label = "Create account and join"

    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={"required": "Enter your full name"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        help_text="At least 8 characters. Avoid common words and passwords you use elsewhere.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Create a password"},
    )
    password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter the password again"},
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean_password2(self):
        first = self.cleaned_data.get("password1")
        second = self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError("The passwords do not match")
        return second

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password1")
        if password:
            from maturity.accounts.models import User

            probe = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


# --- The assessment journey -------------------------------------------------------------------
