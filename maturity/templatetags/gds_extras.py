from django import forms, template

register = template.Library()


@register.filter
def error_anchor(bound_field):
    """The id an error-summary link should point at.

    GOV.UK links a radio or checkbox group's error to its first input, which crispy-forms-gds
    numbers from 1; other fields link to the input itself.
    """
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"id_{bound_field.html_name}_1"
    return bound_field.id_for_label or bound_field.auto_id


@register.filter
def radio_items(bound_field) -> list[tuple]:
    """A radio group's choices as (id, value, label, checked, hint, divider), worked out here
    rather than in the template, which would cost several lookups a choice (the question page
    draws about ten on every load). Ids are numbered from 1, as crispy-forms-gds numbers them;
    `hint` and `divider` come from crispy-forms-gds `Choice`s and are empty for plain pairs."""
    current = str(bound_field.value())
    return [
        (
            f"id_{bound_field.html_name}_{number}",
            str(choice[0]),
            choice[1],
            str(choice[0]) == current,
            getattr(choice, "hint", ""),
            getattr(choice, "divider", ""),
        )
        for number, choice in enumerate(bound_field.field.choices, start=1)
    ]
