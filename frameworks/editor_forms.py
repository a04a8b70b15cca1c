"""The framework editor's forms: one per page, GOV.UK wording, limits as in the file format.

Rules that need the database (a short name already used, the scale's size) are the services'
(services.EditRefused, shown against the field it names), so they are checked once, under the
version's lock.
"""

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.utils.text import slugify

from frameworks.fileformat import LIMITS, SLUG_RE
from frameworks.models import FrameworkVersion
from frameworks.services import QuestionContent
from maturity.forms import GDSForm, _text_error_messages

SLUG_HELP = (
    "Used in web addresses and framework files: lower-case letters, digits and hyphens, like "
    "data-quality. Leave blank to make one from the name."
)


def _text(label: str, *, limit: str, required_message: str | None = None, rows: int = 0, **kw):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    field = forms.CharField(
        label=label,
        max_length=LIMITS[limit],
        required=required_message is not None,
        widget=widget,
        **kw,
    )
    if required_message:
        field.error_messages["required"] = required_message
    return field


def _gds_messages(form) -> None:
    """GOV.UK wording for the text fields a form adds as it is made (the base form words the
    fields it was declared with)."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            _text_error_messages(field)


def _weight(label: str = "Weight") -> forms.FloatField:
    return forms.FloatField(
        label=label,
        initial=1,
        help_text="Relative to the others at the same level: 2 counts twice as much as 1.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
        error_messages={
            "required": "Enter a weight, like 1 or 0.5",
            "invalid": "Enter the weight as a number, like 1 or 0.5",
        },
    )


class _SlugFormMixin:
    """A short name that may be left blank on the way in: it is then made from `slug_from`."""

    slug_from = "name"

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight <= 0:
            raise forms.ValidationError("Enter a weight greater than 0, like 1 or 0.5")
        return weight

    def clean(self):
        cleaned = super().clean()
        slug = (cleaned.get("slug") or "").strip()
        if not slug and cleaned.get(self.slug_from):
            # A few words are enough to name it; slugify keeps only letters, digits, hyphens.
            words = cleaned[self.slug_from].split()[:6]
            slug = slugify(" ".join(words))[: LIMITS["slug"]].strip("-")
        if "slug" in self.errors or self.slug_from in self.errors:
            return cleaned
        if not slug:
            self.add_error("slug", "Enter a short name, like data-quality")
        elif not SLUG_RE.match(slug):
            self.add_error(
                "slug", "Short name must use only lower-case letters, digits and single hyphens"
            )
        cleaned["slug"] = slug
        return cleaned


def _slug_field() -> forms.CharField:
    return forms.CharField(
        label="Short name (optional)",
        help_text=SLUG_HELP,
        required=False,
        max_length=LIMITS["slug"],
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )


class DetailsForm(GDSForm):
    submit_label = "Save details"

    name = _text("Framework name", limit="name", required_message="Enter the framework's name")
    description = _text("Description (optional)", limit="description", rows=5)
    licence = _text(
        "Licence (optional)",
        limit="name",
        help_text="The licence the framework's text is published under, like Open Government "
        "Licence v3.0.",
    )
    publisher = _text("Publisher (optional)", limit="name", help_text="Who publishes it.")
    publication_date = DateInputField(
        label="Publication date (optional)", help_text="For example, 1 4 2027.", required=False
    )
    scoring = forms.ChoiceField(
        label="How scores are worked out",
        choices=FrameworkVersion.Scoring.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how scores are worked out",
            "invalid_choice": "Select how scores are worked out",
        },
    )


class ScaleForm(GDSForm):
    """Every level's label and description on one page."""

    submit_label = "Save the scale"

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = list(levels)
        for level in self.levels:
            self.fields[f"label_{level.value}"] = _text(
                f"Level {level.value}: label",
                limit="label",
                required_message=f"Enter a label for level {level.value}",
                initial=level.label,
            )
            self.fields[f"description_{level.value}"] = _text(
                f"Level {level.value}: what it means in general (optional)",
                limit="text",
                rows=2,
                initial=level.description,
            )
        _gds_messages(self)

    def texts(self) -> dict[int, tuple[str, str]]:
        return {
            level.value: (
                self.cleaned_data[f"label_{level.value}"],
                self.cleaned_data[f"description_{level.value}"],
            )
            for level in self.levels
        }


class LevelAddForm(GDSForm):
    submit_label = "Add level"

    value = forms.IntegerField(
        label="Level number",
        help_text="Levels are shown in order of their numbers, lowest first.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the level's number, like 6",
            "invalid": "Enter the level's number as a whole number, like 6",
        },
    )
    label = _text("Label", limit="label", required_message="Enter a label for the level")
    description = _text("What it means in general (optional)", limit="text", rows=3)


class FacetForm(_SlugFormMixin, GDSForm):
    submit_label = "Save facet"

    name = _text("Facet name", limit="name", required_message="Enter the facet's name, like Layer")
    slug = _slug_field()
    description = _text("Description (optional)", limit="description", rows=3)
    layer_axis = forms.BooleanField(
        label="This facet is the layer axis",
        required=False,
        help_text="Its values' order is the roadmap's order, foundations first (for example "
        "data, then systems, then technology). Only one facet can be the layer axis.",
    )


class FacetValueForm(_SlugFormMixin, GDSForm):
    submit_label = "Save value"

    name = _text("Value name", limit="name", required_message="Enter the value's name, like Data")
    slug = _slug_field()
    weight = _weight()


class DimensionForm(_SlugFormMixin, GDSForm):
    submit_label = "Save dimension"

    name = _text("Dimension name", limit="name", required_message="Enter the dimension's name")
    slug = _slug_field()
    description = _text("Description (optional)", limit="description", rows=4)
    weight = _weight()


class QuestionForm(_SlugFormMixin, GDSForm):
    """A question with everything on one page: where it sits, its text, weight and tags, and
    what each level looks like with how to reach the next."""

    submit_label = "Save question"
    slug_from = "text"

    text = _text("Question", limit="text", rows=3, required_message="Enter the question's text")
    slug = _slug_field()
    help = _text("Help for respondents (optional)", limit="text", rows=3)
    dimension = forms.TypedChoiceField(
        label="Dimension",
        coerce=int,
        error_messages={
            "required": "Select a dimension",
            "invalid_choice": "Select one of this version's dimensions",
        },
    )
    weight = _weight()

    def __init__(self, *args, dimensions, levels, facets, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimensions = {d.pk: d for d in dimensions}
        self.levels = list(levels)
        self.facets = list(facets)
        self.fields["dimension"].choices = [(d.pk, d.name) for d in dimensions]
        self.values = {}
        for facet in self.facets:
            self.values.update({v.pk: v for v in facet.values.all()})
            self.fields[f"tag_{facet.pk}"] = forms.TypedChoiceField(
                label=f"{facet.name} (optional)",
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "None")] + [(v.pk, v.name) for v in facet.values.all()],
                error_messages={"invalid_choice": f"Select one of the values of {facet.name}"},
            )
        top = self.levels[-1].value if self.levels else None
        for level in self.levels:
            name = f"level {level.value} ({level.label})"
            self.fields[f"descriptor_{level.value}"] = _text(
                f"What {name} looks like",
                limit="text",
                rows=3,
                required_message=f"Enter what {name} looks like for this question",
            )
            if level.value != top:
                self.fields[f"recommendation_{level.value}"] = _text(
                    f"How to move up from {name} (optional)", limit="text", rows=2
                )
        _gds_messages(self)

    @staticmethod
    def initial_for(question) -> dict:
        initial = {
            "text": question.text,
            "slug": question.slug,
            "help": question.help,
            "dimension": question.dimension_id,
            "weight": question.weight,
        }
        for tag in question.tags.all():
            initial[f"tag_{tag.facet_id}"] = tag.pk
        for ql in question.levels.all():
            initial[f"descriptor_{ql.value}"] = ql.descriptor
            initial[f"recommendation_{ql.value}"] = ql.recommendation
        return initial

    def content(self) -> QuestionContent:
        data = self.cleaned_data
        return QuestionContent(
            dimension=self.dimensions[data["dimension"]],
            slug=data["slug"],
            text=data["text"],
            help=data["help"],
            weight=data["weight"],
            tags=tuple(
                self.values[data[f"tag_{f.pk}"]]
                for f in self.facets
                if data.get(f"tag_{f.pk}") is not None
            ),
            descriptors={lv.value: data[f"descriptor_{lv.value}"] for lv in self.levels},
            recommendations={
                lv.value: data.get(f"recommendation_{lv.value}", "") for lv in self.levels
            },
        )
