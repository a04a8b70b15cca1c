"""Movement between rounds as pages and the PDF show it."""

from django import template

from assessments import scoring

register = template.Library()


@register.filter
def signed(value) -> str:
    """A change to one decimal place with its sign and a true minus sign (scoring.signed)."""
    return "" if value is None else scoring.signed(value)


@register.filter
def in_words(value) -> str:
    """ "up 0.4", "down 0.2" or "no change", rounded as `signed` rounds."""
    if value is None:
        return ""
    shown = scoring.signed(value)
    if shown == "0.0":
        return "no change"
    return f"{'up' if shown[0] == '+' else 'down'} {shown[1:]}"
