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
