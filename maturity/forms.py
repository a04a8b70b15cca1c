"""The one base for every form: sets up the crispy-forms-gds helper the same way everywhere."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms


class GDSFormMixin:
    """Adds a GOV.UK form helper. Subclasses may set `submit_label` (None for no button)."""

    submit_label: str | None = "Continue"
    form_action: str = ""
    # GOV.UK validates on the server and shows an error summary; browser pop-ups would pre-empt it.
    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
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


class GDSForm(GDSFormMixin, forms.Form):
    pass


class ConfirmForm(GDSForm):
    """An empty form for confirmation pages: CSRF and one button."""

    def __init__(self, *args, submit_label: str, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
