from django import forms

from frameworks.models import Question
from improvement.models import Action
from maturity.forms import DateField, GDSForm


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, membership):
        user = membership.user
        name = (user.full_name or "").strip()
        return f"{name} ({user.email})" if name else user.email


class ActionForm(GDSForm):
    submit_label = "Save action"

    title = forms.CharField(
        label="What will be done",
        max_length=200,
        error_messages={"required": "Enter what will be done"},
    )
    description = forms.CharField(
        label="More detail (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    dimension = forms.ModelChoiceField(
        label="Dimension it should move (optional)",
        queryset=None,
        required=False,
        empty_label="No particular dimension",
    )
    questions = forms.ModelMultipleChoiceField(
        label="Questions it should move (optional)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_level = forms.TypedChoiceField(
        label="Target level (optional)", coerce=int, empty_value=None, required=False
    )
    owner = OwnerChoiceField(
        label="Owner (optional)",
        queryset=None,
        required=False,
        empty_label="Nobody yet",
        help_text="A member of the organisation. They see it under “Your actions” and are "
        "emailed if it becomes overdue.",
    )
    due_date = DateField(label="Due date (optional)", help_text="For example, 31 3 2027")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, framework_version, members, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].queryset = framework_version.dimensions.all()
        self.fields["questions"].queryset = (
            Question.objects.filter(dimension__framework_version=framework_version)
            .select_related("dimension")
            .order_by("dimension__position", "position", "id")
        )
        self.fields["questions"].label_from_instance = lambda q: f"{q.dimension.name}: {q.text}"
        self.fields["target_level"].choices = [("", "No target level")] + [
            (level.value, str(level)) for level in levels
        ]
        self.fields["owner"].queryset = members


class StatusForm(GDSForm):
    submit_label = "Save status"

    status = forms.ChoiceField(
        label="Status",
        choices=Action.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a status"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=5000,
        help_text="What was done, or why the status changed.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class NoteForm(GDSForm):
    submit_label = "Add note"

    text = forms.CharField(
        label="Note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the note"},
    )


class PlanSettingsForm(GDSForm):
    submit_label = "Save"

    respondents_may_edit = forms.BooleanField(
        label="Respondents may add and change actions",
        required=False,
        help_text="Leads always can. Owners of an action can always change its status and add "
        "notes.",
    )


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Action.Status.choices]
    )
    owner = forms.ChoiceField(label="Owner", required=False)
    overdue = forms.BooleanField(label="Only overdue actions", required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Anyone"), ("none", "Nobody yet"), *owners]
