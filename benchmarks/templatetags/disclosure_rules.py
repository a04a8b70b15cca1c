"""The disclosure thresholds in words on pages and in the PDF, from the one place that sets them."""

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
