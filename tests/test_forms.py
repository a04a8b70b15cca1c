"""The one base form: GOV.UK label and legend sizes reach the page as their CSS classes."""

import re

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.template import Context, Template

from maturity.forms import GDSForm


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
