"""The framework editor's forms: one per page, GOV.UK wording, limits as in the file format.

Rules that need the database (a short name already used, the scale's size) are the services'
(services.EditRefused, shown against the field it names), so they are checked once, under the
version's lock.
"""

import re

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.utils.text import slugify

from frameworks.fileformat import (
    LENS_IMBALANCE,
    LIMITS,
    SLUG_RE,
    TECHNOLOGY_AHEAD_OF_DATA,
    FlagSpec,
)
from frameworks.models import FrameworkVersion
from frameworks.services import QuestionContent
from maturity.forms import GDSForm, _text_error_messages

NOTE_LIMIT = 2000  # each paragraph, as the schema has it
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
    notes = forms.CharField(
        label="About this version (optional)",
        help_text="What changed in this version and why, shown on its page. Leave a blank line "
        "between paragraphs.",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
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

    def clean_notes(self) -> list[str]:
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", self.cleaned_data["notes"])]
        paragraphs = [p for p in paragraphs if p]
        for n, paragraph in enumerate(paragraphs, start=1):
            if len(paragraph) > NOTE_LIMIT:
                raise forms.ValidationError(
                    f"Paragraph {n} of about this version must be {NOTE_LIMIT:,} characters or "
                    "fewer; split it with a blank line"
                )
        return paragraphs


class WarningsForm(GDSForm):
    """The flags a draft declares: which warnings results show, and what they compare."""

    submit_label = "Save warnings"

    lens_imbalance = forms.BooleanField(
        label="Warn when one dimension is 2 or more levels ahead of another",
        help_text="For frameworks whose dimensions are ways of seeing one thing, like lenses: "
        "a big gap suggests one view has captured the rest.",
        required=False,
    )
    lens_dimensions = forms.MultipleChoiceField(
        label="Dimensions to compare (optional)",
        help_text="Leave all unticked to compare every dimension.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    technology_ahead = forms.BooleanField(
        label="Warn when new systems, automation or AI run ahead of the foundations",
        help_text="Shown when the questions ticked below average a level or more above the "
        "first value of the layer axis (data, in the built-in frameworks).",
        required=False,
    )
    adoption_questions = forms.MultipleChoiceField(
        label="Questions that say how far new systems, automation or AI have been started",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, dimensions, questions, axis, **kwargs):
        super().__init__(*args, **kwargs)
        self.axis = axis
        self.fields["lens_dimensions"].choices = [(d.slug, d.name) for d in dimensions]
        self.fields["adoption_questions"].choices = [(q.slug, q.text) for q in questions]
        if axis is None:
            self.fields[
                "technology_ahead"
            ].help_text = (
                "Needs a layer axis: mark a facet as the layer axis on the Facets page first."
            )
        else:
            self.fields["adoption_questions"].help_text = (
                f"Questions on the {axis.foundations[1].lower()} layer are not listed: they are "
                "what the warning compares against."
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("lens_imbalance") and len(cleaned.get("lens_dimensions") or ()) == 1:
            self.add_error(
                "lens_dimensions", "Select at least 2 dimensions to compare, or none for all"
            )
        if cleaned.get("technology_ahead"):
            if self.axis is None:
                self.add_error(
                    "technology_ahead",
                    "Mark a facet as the layer axis on the Facets page before choosing this "
                    "warning",
                )
            elif not cleaned.get("adoption_questions"):
                self.add_error(
                    "adoption_questions",
                    "Select the questions that say how far new systems, automation or AI have "
                    "been started",
                )
        return cleaned

    def flags(self) -> tuple[FlagSpec, ...]:
        data = self.cleaned_data
        found = []
        if data["lens_imbalance"]:
            found.append(FlagSpec(LENS_IMBALANCE, dimensions=tuple(data["lens_dimensions"])))
        if data["technology_ahead"]:
            found.append(
                FlagSpec(TECHNOLOGY_AHEAD_OF_DATA, questions=tuple(data["adoption_questions"]))
            )
        return tuple(found)


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
