from crispy_forms_gds.choices import Choice
from django import forms
from django.contrib.auth import password_validation

from maturity.forms import DateField, GDSForm
from organisations.models import ROLE_HINTS, Role

EMAIL_ERRORS = {
    "required": "Enter an email address",
    "invalid": "Enter an email address in the correct format, like name@council.gov.uk",
    "max_length": "Enter an email address of 254 characters or fewer",
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

    # 254: the longest address SMTP carries, and the length of the column it is kept in.
    email = forms.EmailField(label="Email address", max_length=254, error_messages=EMAIL_ERRORS)
    role = RoleChoiceField(label="Role")


class GrantConsultantForm(GDSForm):
    submit_label = "Send invitation"

    email = forms.EmailField(
        label="Consultant's email address",
        max_length=254,
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


# --- The record of changes --------------------------------------------------------------------


class AuditFilterForm(GDSForm):
    """Narrow the record of changes: a GET form, so a filtered record has its own address."""

    submit_label = "Apply filters"

    who = forms.ChoiceField(
        label="Who made the change",
        required=False,
        error_messages={"invalid_choice": "Select a person from the list"},
    )
    kind = forms.ChoiceField(
        label="Kind of change",
        required=False,
        error_messages={"invalid_choice": "Select a kind of change from the list"},
    )
    date_from = DateField(label="From date", help_text="For example, 27 3 2026")
    date_to = DateField(label="To date", help_text="For example, 27 3 2026")

    def __init__(self, data, *, people: list[tuple[str, str]], kinds: list[tuple[str, str]]):
        super().__init__(data)
        self.helper.form_method = "get"
        self.fields["who"].choices = [("", "Anyone"), *people]
        self.fields["kind"].choices = [("", "Every kind"), *kinds]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "To date must be the same as or after the from date")
        return cleaned

    @property
    def filters(self) -> dict:
        """What the selector narrows by, once the form is valid."""
        return {
            "who": self.cleaned_data["who"],
            "kind": self.cleaned_data["kind"],
            "date_from": self.cleaned_data["date_from"],
            "date_to": self.cleaned_data["date_to"],
        }

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.filters.values())


# --- The assessment journey -------------------------------------------------------------------
