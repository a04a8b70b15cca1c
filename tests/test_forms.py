"""The one base form and its fields: GOV.UK label and legend sizes reach the page as their CSS
classes; dates are checked in GOV.UK's words."""

import re
from datetime import date

import pytest
from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.template import Context, Template

from maturity.forms import DateField, GDSForm


class Example(GDSForm):
    name = forms.CharField(label="Your name")
    colour = forms.ChoiceField(label="Colour", choices=[("r", "Red")], widget=forms.RadioSelect)


def classes(form) -> set[str]:
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": form, "csrf_token": "x"})
    )
    return set(re.findall(r'class="(govuk-(?:label|fieldset__legend)[^"]*)"', html))


def test_labels_and_legends_are_small_and_bold():
    # Before: "govuk-label s" and "govuk-fieldset__legend s", which GOV.UK Frontend ignores.
    assert classes(Example()) == {
        "govuk-label govuk-label--s",
        "govuk-fieldset__legend govuk-fieldset__legend--s",
        "govuk-label govuk-radios__label",
    }


def test_a_form_with_a_layout_gets_the_same_classes():
    form = Example()
    form.helper.layout = Layout(Field.text("name"), Field.radios("colour"))
    assert classes(form) == classes(Example())


class Due(GDSForm):
    due = DateField(label="Answers due by")


@pytest.mark.parametrize(
    "day, month, year, message",
    [
        ("31", "2", "2027", "Answers due by must be a real date"),
        ("1", "13", "2027", "Answers due by must be a real date"),
        ("0", "1", "2027", "Answers due by must be a real date"),
        ("1", "1", "27", "Answers due by must include a year with 4 numbers"),
        ("1", "", "2027", "Answers due by must include a month"),
    ],
)
def test_a_date_that_does_not_exist_is_named_in_plain_words(day, month, year, message):
    # Before, on the start page: "day is out of range for month", "month must be in 1..12".
    form = Due({"due_0": day, "due_1": month, "due_2": year})
    assert not form.is_valid()
    assert form.errors["due"] == [message]


def test_a_real_date_is_kept():
    form = Due({"due_0": "29", "due_1": "2", "due_2": "2028"})
    assert form.is_valid() and form.cleaned_data["due"] == date(2028, 2, 29)


class Single(GDSForm):
    carry = forms.BooleanField(label="Start from last year", required=False, help_text="Marked.")


def test_a_single_checkbox_has_its_hint_under_its_label():
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": Single(), "csrf_token": "x"})
    )
    item = re.search(r'<div class="govuk-checkboxes__item">(.*?)</div>\s*</div>', html, re.S)
    assert item, html
    inside = item.group(1)
    assert inside.index("<input") < inside.index("<label") < inside.index("govuk-checkboxes__hint")
    assert 'aria-describedby="id_carry_hint"' in inside and 'id="id_carry_hint"' in inside
    assert html.count("Marked.") == 1
