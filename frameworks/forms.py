from django import forms
from django.conf import settings

from frameworks.fileformat import LIMITS, SLUG_RE, VERSION_RE
from frameworks.models import Framework
from frameworks.services import FrameworkVersionNotHigher, framework_version_ensure_higher
from maturity.forms import GDSForm


def _check_version(value: str) -> str:
    value = value.strip()
    if not VERSION_RE.match(value):
        raise forms.ValidationError("Enter a version number using digits and dots, like 1.1.0")
    return value


def not_higher_message(exc: FrameworkVersionNotHigher) -> str:
    higher = f"a version number higher than {exc.highest}, the highest version so far"
    if exc.exists:
        return f"Version {exc.version} already exists; enter {higher}"
    return f"Enter {higher}"


class FrameworkImportForm(GDSForm):
    submit_label = "Upload framework"

    file = forms.FileField(
        label="Framework file",
        help_text="A YAML or JSON file in the maturity-framework/1 format, or a spreadsheet "
        "(.xlsx) laid out as a framework's spreadsheet download is, up to 2 MB.",
        error_messages={"required": "Select a framework file to upload"},
    )
    publish = forms.BooleanField(
        label="Publish this version straight away",
        required=False,
        help_text="Leave unticked to import it as a draft you can review first.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".yaml", ".yml", ".json", ".xlsx")):
            raise forms.ValidationError(
                "The selected file must be a .yaml, .yml or .json file, or an .xlsx spreadsheet"
            )
        if upload.size > settings.FRAMEWORK_FILE_MAX_BYTES:
            limit = settings.FRAMEWORK_FILE_MAX_BYTES / 1024 / 1024
            raise forms.ValidationError(f"The selected file must be smaller than {limit:.0f} MB")
        return upload


class FrameworkCreateForm(GDSForm):
    submit_label = "Create draft framework"

    name = forms.CharField(
        label="Framework name",
        max_length=200,
        error_messages={"required": "Enter a name for the framework"},
    )
    slug = forms.CharField(
        label="Short name for web addresses",
        help_text="Lower-case letters, digits and hyphens, like cyber-resilience. "
        "It cannot be changed later.",
        max_length=80,
        error_messages={"required": "Enter a short name for web addresses"},
    )
    # The same limit as a framework file's descriptions.
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=LIMITS["description"],
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip()
        if not SLUG_RE.match(slug):
            raise forms.ValidationError(
                "Short name must use only lower-case letters, digits and single hyphens"
            )
        if Framework.objects.filter(slug=slug).exists():
            raise forms.ValidationError("A framework with this short name already exists")
        return slug


class NewDraftForm(GDSForm):
    submit_label = "Create draft"

    version = forms.CharField(
        label="New version number",
        max_length=40,
        help_text="For example 1.1.0 for a revision, 2.0.0 for a substantial change.",
        error_messages={"required": "Enter a version number for the new draft"},
    )

    def __init__(self, *args, framework: Framework, **kwargs):
        self.framework = framework
        super().__init__(*args, **kwargs)

    def clean_version(self):
        version = _check_version(self.cleaned_data["version"])
        try:
            framework_version_ensure_higher(framework=self.framework, version=version)
        except FrameworkVersionNotHigher as exc:
            raise forms.ValidationError(not_higher_message(exc)) from None
        return version


class VersionCompareForm(GDSForm):
    """Which other version to compare with (a GET form: the choice is in the page's address)."""

    submit_label = "Compare"

    other = forms.ChoiceField(
        label="Compare with version",
        error_messages={
            "required": "Select a version to compare with",
            "invalid_choice": "Select a version from the list",
        },
    )

    def __init__(self, data=None, *, versions, **kwargs):
        super().__init__(data, **kwargs)
        self.helper.form_method = "get"
        self.fields["other"].choices = [
            (v.version, f"{v.version} ({v.get_status_display().lower()})") for v in versions
        ]


CROSSWALK_RELATIONS = [
    ("same", "The same question"),
    ("reworded", "Reworded: the same question in other words"),
    ("split-from", "Split from an earlier question that became several"),
    ("merged-from", "Merged from two or more earlier questions"),
    ("new", "New: no earlier question"),
]


class QuestionLinkForm(GDSForm):
    """How one question of a draft relates to the version the draft was made from."""

    submit_label = "Save and return to the crosswalk"

    relation = forms.ChoiceField(
        choices=CROSSWALK_RELATIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how this question relates to the earlier version"},
    )
    ancestors = forms.MultipleChoiceField(
        label="Earlier questions",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick one for the same, reworded or split; two or more for merged; none for new.",
        error_messages={"invalid_choice": "Select questions from the list"},
    )

    def __init__(self, *args, earlier, source_version: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relation"].label = f"How does it relate to version {source_version}?"
        self.fields["ancestors"].label = f"Questions of version {source_version}"
        self.fields["ancestors"].choices = [(str(q.pk), f"{q.text} ({q.slug})") for q in earlier]

    def clean(self):
        cleaned = super().clean()
        relation, ancestors = cleaned.get("relation"), cleaned.get("ancestors") or []
        if relation == "new" and ancestors:
            self.add_error(
                "ancestors",
                "A new question has no earlier question: untick them, or choose another answer",
            )
        elif relation == "merged-from" and len(ancestors) < 2:
            self.add_error("ancestors", "Select two or more earlier questions it was merged from")
        elif relation in ("same", "reworded", "split-from") and len(ancestors) != 1:
            self.add_error("ancestors", "Select the one earlier question it comes from")
        return cleaned


class DroppedReasonForm(GDSForm):
    """Why a question of the earlier version is no longer asked."""

    submit_label = "Save and return to the crosswalk"

    reason = forms.CharField(
        label="Why is this question no longer asked?",
        help_text="Shown on the version page and in the list of changes, so people comparing "
        "results can see why. Leave it empty to say nothing.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ConfirmProposalsForm(GDSForm):
    """ "Confirm all proposals": carries a fingerprint of the proposals shown, so only those
    are confirmed."""

    submit_label = "Confirm all proposals"

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, action: str, **kwargs):
        self.form_action = action
        super().__init__(*args, **kwargs)
