"""The one base for every form: sets up the crispy-forms-gds helper the same way everywhere."""

from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size, Submit
from django import forms
from django.core.exceptions import ValidationError

from maturity.audit.describe import listed


class GDSFormHelper(FormHelper):
    """crispy-forms-gds turns `label_size` and `legend_size` into CSS classes only for a form
    with a layout; for the others the bare "s" reached the page (`class="govuk-label s"`), so
    every label was regular weight. Here they are turned into classes for every form."""

    def get_attributes(self, template_pack=None):
        items = super().get_attributes(*([template_pack] if template_pack else []))
        if items.get("label_size") in Size._values:
            items["label_size"] = Size.for_label(items["label_size"])
        if items.get("legend_size") in Size._values:
            items["legend_size"] = Size.for_legend(items["legend_size"])
        return items


class GDSFormMixin:
    """Adds a GOV.UK form helper. Subclasses may set `submit_label` (None for no button)."""

    submit_label: str | None = "Continue"
    form_action: str = ""
    # GOV.UK validates on the server and shows an error summary; browser pop-ups would pre-empt it.
    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = GDSFormHelper()
        self.helper.form_method = "post"
        self.helper.form_action = self.form_action
        self.helper.attrs = {"novalidate": ""}
        self.helper.label_size = "s"
        self.helper.legend_size = "s"
        if self.submit_label:
            self.helper.add_input(Submit("submit", self.submit_label))
        for field in self.fields.values():
            # crispy-forms-gds 2.0.1 raises KeyError for a character count with no help text.
            if "govuk-js-character-count" in field.widget.attrs.get("class", ""):
                field.widget.attrs.setdefault("aria-describedby", "")
            if isinstance(field, forms.CharField):
                _text_error_messages(field)


def _text_error_messages(field: forms.CharField) -> None:
    """GOV.UK wording, in place of Django's, for text that is too long or holds a NUL byte.
    The message sits beside the field and the summary links to it, so it need not name it."""
    field.error_messages.setdefault(
        "max_length", "Enter %(limit_value)d characters or fewer; this has %(show_value)d"
    )
    # A NUL byte is invisible, usually pasted from another program, and no database keeps it.
    field.error_messages.setdefault(
        "null_characters_not_allowed",
        "Type this again instead of pasting it: it contains a hidden null character",
    )


class GDSForm(GDSFormMixin, forms.Form):
    pass


class ConfirmForm(GDSForm):
    """An empty form for confirmation pages: CSRF and one button."""

    def __init__(self, *args, submit_label: str, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)


class DateField(DateInputField):
    """GOV.UK's day, month and year boxes, which may be left blank, with its error messages that
    name the field ("From date must be a real date", not Python's "day is out of range for
    month") and mark the box that needs fixing."""

    PARTS = ("day", "month", "year")

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        parts = [str(v or "").strip() for v in (list(value or []) + [""] * 3)[:3]]
        for field in self.fields:
            field.widget.errors = []
        if not any(parts):
            return None
        missing = [i for i, part in enumerate(parts) if not part]
        if missing:
            self._fail(
                f"{self.label} must include a {listed([self.PARTS[i] for i in missing])}", missing
            )
        if any(not part.isascii() or not part.isdigit() for part in parts):
            self._fail(f"{self.label} must be a real date", [])
        day, month, year = parts
        if len(year) != 4:
            self._fail(f"{self.label} must include a year with 4 numbers", [2])
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            self._fail(f"{self.label} must be a real date", [])

    def _fail(self, message: str, parts: list[int]):
        # Errors on a part go to that box (and the error summary links to it); others to all.
        for i in parts:
            self.fields[i].widget.errors = [message]
        raise ValidationError(message)
