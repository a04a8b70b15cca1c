from crispy_forms_gds.choices import Choice
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from assessments.models import AnswerFields, Assessment
from maturity.forms import DateField, GDSForm


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
    due_date = DateField(label="Answers due by", help_text="Optional. For example, 27 3 2027.")
    carry_over = forms.BooleanField(
        label="Start from the answers agreed in your last submitted assessment on this framework",
        required=False,
        help_text=(
            "They are marked as carried over until someone changes them. If the framework has "
            "a new version since, answers follow its questions: those that changed are marked "
            "for checking, and new questions start unanswered."
        ),
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
    # Hidden: the answer's version when the page was drawn. Only a page cut short or tampered
    # with sends a bad one, so the message says how to start again.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            code: "The page was sent incomplete: reload it and enter your answer again"
            for code in ("required", "invalid", "min_value")
        },
    )

    def __init__(
        self,
        *args,
        question,
        levels,
        label: str,
        descriptors: bool = True,
        question_levels=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.helper.inputs = []  # the page lays out its own buttons
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.fields["answer"].label = label
        # Autosave only validates, so it skips loading the descriptors shown as hints; a page
        # may pass them in (`question_levels`) rather than have them queried.
        if descriptors and question_levels is None:
            question_levels = question.levels.all()
        self.fields["answer"].choices = _level_choices(
            levels, question_levels if descriptors else None
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

    def answer_data(self, rationale: str = "", *, keep=None):
        """The answer as the form gives it. With `keep` (the stored answer, or None for a new
        one), fields that did not validate keep their stored value instead: autosave stores
        what is valid and never the invalid value (DESIGN's one exception to "bad input
        changes nothing")."""
        from assessments.services import AnswerData

        cleaned = self.cleaned_data
        if "answer" in self.errors:
            state, level = (keep.state, keep.level) if keep else ("", None)
        else:
            value = cleaned.get("answer") or ""
            if value.isdigit():
                state, level = AnswerFields.State.LEVEL, int(value)
            else:
                state, level = value, None

        def field(name, default):
            if name in self.errors:
                return getattr(keep, name) if keep else default
            return cleaned.get(name, default)

        return AnswerData(
            state=state,
            level=level,
            target_level=field("target_level", None),
            evidence=field("evidence", ""),
            links=field("links", ""),
            confidence=field("confidence", "") or "",
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

    def __init__(self, *args, hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # The suggested answer is said beside the options, never chosen for the lead.
        self.fields["answer"].help_text = hint

    def answer_data(self, *, keep=None):
        if "rationale" in self.errors:
            rationale = keep.rationale if keep else ""
        else:
            rationale = self.cleaned_data.get("rationale", "")
        return super().answer_data(rationale=rationale, keep=keep)


class AcceptSuggestionsForm(GDSForm):
    """The confirmation of "accept the suggested answers": it carries the suggestions the page
    showed (question id:level), so a suggestion that changes meanwhile is not agreed unseen."""

    accepted = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, suggestions, **kwargs):
        count = len(suggestions)
        self.submit_label = f"Accept {count} suggested answer{'' if count == 1 else 's'}"
        shown = ",".join(f"{s.question.pk}:{s.level}" for s in suggestions)
        super().__init__(*args, initial={"accepted": shown}, **kwargs)

    def clean(self):
        text = self.cleaned_data.get("accepted", "")
        try:
            pairs = dict(
                (int(pk), int(level)) for pk, level in (item.split(":") for item in text.split(","))
            )
        except ValueError:
            raise forms.ValidationError(
                "The page was sent incomplete: go back to the dimension and try again"
            ) from None
        return {"accepted": pairs}


class ReopenForm(GDSForm):
    submit_label = "Reopen assessment"

    reason = forms.CharField(
        label="Why are you reopening it?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are reopening the assessment"},
    )
    ask_again = forms.BooleanField(
        label="Ask everyone who answers to check their answers again",
        required=False,
        help_text=(
            "Each of them is emailed with your reason and a link to their answers, and nobody "
            "counts as finished until they say so again."
        ),
    )


class EvidenceForm(GDSForm):
    """One evidence file for an answer. What it is, and whether it may be kept, is decided by
    its content in services.evidence_check, not here."""

    submit_label = "Attach file"

    file = forms.FileField(
        label="Upload a file",
        help_text="A PDF, Word (.docx), Excel (.xlsx), OpenDocument, PNG or JPEG file.",
        error_messages={
            "required": "Select a file to attach",
            "empty": "The selected file is empty",
            "invalid": "Select a file to attach",
        },
    )
