"""The disclosure thresholds in words on pages and in the PDF, from the one place that sets them,
and the published figures' own number format."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from benchmarks import disclosure

register = template.Library()


@register.simple_tag
def median_threshold() -> int:
    """Bodies a group needs before its median is shown (each then sees at least 5 others)."""
    return disclosure.MIN_FOR_MEDIAN


@register.simple_tag
def quartile_threshold() -> int:
    """Bodies a group needs before its quartiles are shown."""
    return disclosure.MIN_FOR_DISTRIBUTION


@register.filter
def figure(value) -> str:
    """A published figure to one decimal place, exactly as `floatformat:1` shows it (halves
    round up; nothing for no value), at a tenth of its cost: the national page shows hundreds."""
    if value is None:
        return ""
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
