from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from assessments.models import ROLE_HINTS, AnswerFields, Assessment, Role
from maturity.forms import GDSForm

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


class StartAssessmentForm(GDSForm):
    submit_label = "Start assessment"

    framework_version = forms.ModelChoiceField(
        queryset=None,
        label="Framework",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select a framework"},
    )
    round_label = forms.CharField(
        label="Round",
        max_length=40,
        help_text="For example 2026/27. Each framework has one assessment per round.",
        error_messages={"required": "Enter the round, for example 2026/27"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    due_date = DateInputField(
        label="Answers due by",
        help_text="Optional. For example, 27 3 2027.",
        required=False,
    )
    carry_over = forms.BooleanField(
        label="Start from the answers agreed in your last submitted assessment on this framework",
        required=False,
        help_text="They are marked as carried over until someone changes them.",
    )

    def __init__(self, *args, organisation, versions, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)
        self.fields["framework_version"].queryset = versions
        self.fields["framework_version"].label_from_instance = lambda v: f"{v.name} ({v.version})"

    def clean(self):
        cleaned = super().clean()
        version, label = cleaned.get("framework_version"), cleaned.get("round_label")
        if (
            version
            and label
            and Assessment.objects.filter(
                organisation=self.organisation, framework_version=version, round_label=label.strip()
            ).exists()
        ):
            self.add_error(
                "round_label",
                f"There is already a {label.strip()} assessment on this framework; use another "
                "round or open the existing one",
            )
        return cleaned


def _level_choices(levels, question_levels) -> list:
    descriptors = {ql.value: ql.descriptor for ql in question_levels or ()}
    choices = [
        Choice(str(lv.value), f"{lv.value}. {lv.label}", hint=descriptors.get(lv.value, ""))
        for lv in levels
    ]
    if choices:
        choices[-1].divider = "or"
    choices += [
        Choice(AnswerFields.State.NOT_APPLICABLE, "Not applicable to us"),
        Choice(AnswerFields.State.DONT_KNOW, "Don't know"),
    ]
    return choices


class AnswerForm(GDSForm):
    """One question's answer. Used for a respondent's own answer and for the agreed one."""

    submit_label = "Save and continue"

    answer = forms.ChoiceField(
        widget=forms.RadioSelect,
        required=False,
        error_messages={
            "invalid_choice": "Select one of the levels, or not applicable, or don't know"
        },
    )
    target_level = forms.TypedChoiceField(
        label="Target level (optional)",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Where you intend to be by the next round.",
    )
    evidence = forms.CharField(
        label="Evidence (optional)",
        required=False,
        max_length=10000,
        help_text="What shows this level: documents, decisions, measures, examples.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    links = forms.CharField(
        label="Links to evidence (optional)",
        required=False,
        max_length=5000,
        help_text="One web address a line.",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    confidence = forms.ChoiceField(
        label="How confident are you in this answer? (optional)",
        required=False,
        widget=forms.RadioSelect,
        choices=AnswerFields.Confidence.choices,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, question, levels, label: str, descriptors: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs = []  # the page lays out its own buttons
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.fields["answer"].label = label
        # Autosave only validates, so it skips loading the descriptors shown as hints.
        self.fields["answer"].choices = _level_choices(
            levels, question.levels.all() if descriptors else None
        )
        self.fields["target_level"].choices = [("", "No target")] + [
            (lv.value, f"{lv.value}. {lv.label}") for lv in levels
        ]

    def clean_links(self):
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        validator = URLValidator(schemes=["http", "https"])
        for number, line in enumerate(lines, start=1):
            try:
                validator(line)
            except ValidationError:
                raise forms.ValidationError(
                    f"Link {number} is not a web address: enter it in full, like "
                    "https://www.example.gov.uk/strategy"
                ) from None
        return "\n".join(lines)

    def answer_data(self, rationale: str = ""):
        from assessments.services import AnswerData

        value = self.cleaned_data.get("answer") or ""
        if value.isdigit():
            state, level = AnswerFields.State.LEVEL, int(value)
        else:
            state, level = value, None
        return AnswerData(
            state=state,
            level=level,
            target_level=self.cleaned_data.get("target_level"),
            evidence=self.cleaned_data.get("evidence", ""),
            links=self.cleaned_data.get("links", ""),
            confidence=self.cleaned_data.get("confidence") or "",
            rationale=rationale,
        )

    @staticmethod
    def initial_for(answer) -> dict:
        if answer is None:
            return {"version": 0}
        value = str(answer.level) if answer.state == AnswerFields.State.LEVEL else answer.state
        return {
            "answer": value,
            "target_level": answer.target_level,
            "evidence": answer.evidence,
            "links": answer.links,
            "confidence": answer.confidence,
            "version": answer.version,
        }


class AgreeForm(AnswerForm):
    rationale = forms.CharField(
        label="Why this is the agreed answer (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def answer_data(self):
        return super().answer_data(rationale=self.cleaned_data.get("rationale", ""))


class ReopenForm(GDSForm):
    submit_label = "Reopen assessment"

    reason = forms.CharField(
        label="Why are you reopening it?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are reopening the assessment"},
    )


class BrandingForm(GDSForm):
    submit_label = "Save branding"

    display_name = forms.CharField(
        label="Name to show on your exports",
        help_text="Usually your firm's name. Report covers say “Prepared by” this name, and "
        "spreadsheets carry it on their About sheet.",
        max_length=100,
        error_messages={
            "required": "Enter the name to show on your exports",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    logo = forms.FileField(
        label="Logo (optional)",
        help_text="A PNG or JPEG image smaller than 500 KB. It appears on report covers, "
        "up to 70 mm wide.",
        required=False,
    )
    remove_logo = forms.BooleanField(label="Remove my current logo", required=False)

    def __init__(self, *args, has_logo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_logo:
            self.fields["logo"].label = "Replace the logo (optional)"
        else:
            del self.fields["remove_logo"]

    def clean_logo(self):
        from maturity.accounts.branding import checked_logo

        upload = self.cleaned_data.get("logo")
        return checked_logo(upload) if upload else None


class BulkExportForm(GDSForm):
    submit_label = "Start the export"

    framework = forms.ChoiceField(
        label="Framework",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a framework"},
    )
    organisations = forms.MultipleChoiceField(
        label="Clients",
        help_text="For each client, the zip holds the board report (PDF) and the data (XLSX) of "
        "its most recent submitted assessment of the framework.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one client"},
    )

    def __init__(self, *args, clients, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.clients = {str(c.organisation.pk): c for c in clients}
        self.frameworks = {str(f.pk): f for f in frameworks}
        self.fields["framework"].choices = [
            Choice(
                key,
                f.name,
                hint=f"Submitted by {sum(f.pk in c.latest for c in clients)} of your clients",
            )
            for key, f in self.frameworks.items()
        ]
        self.fields["organisations"].choices = [
            Choice(
                key,
                c.organisation.name,
                hint=(
                    "Submitted: "
                    + "; ".join(
                        f"{a.framework_version.framework.name} {a.round_label}"
                        for a in sorted(
                            c.latest.values(), key=lambda a: a.framework_version.framework.name
                        )
                    )
                    if c.latest
                    else "Nothing submitted yet"
                ),
            )
            for key, c in self.clients.items()
        ]

    def clean(self):
        from assessments.bulk import MAX_BODIES

        data = super().clean()
        framework = self.frameworks.get(data.get("framework", ""))
        chosen = [self.clients[key] for key in data.get("organisations", [])]
        if len(chosen) > MAX_BODIES:
            self.add_error(
                "organisations", f"Select {MAX_BODIES} clients or fewer; you selected {len(chosen)}"
            )
        if framework:
            missing = [c.organisation.name for c in chosen if framework.pk not in c.latest]
            if missing:
                self.add_error(
                    "organisations",
                    f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} not submitted "
                    f"a {framework.name} assessment: leave {'it' if len(missing) == 1 else 'them'} "
                    "out or select another framework",
                )
        data["framework_obj"] = framework
        data["organisation_objs"] = [c.organisation for c in chosen]
        return data
