"""The disclosure thresholds in words on pages and in the PDF, from the one place that sets them,
and the published figures' own number format."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html_join

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


@register.simple_tag
def release_batch() -> int:
    """Changes in a group (submissions, reopenings) before its figures are released again."""
    return disclosure.MIN_DIFFERENCE


_CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
_ROW = (
    '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>'
    + _CELL * 4
    + "</tr>"
)


@register.simple_tag
def figures_rows(rows) -> str:
    """The rows of a national table, one for each group with a published median: its name,
    count, lower quartile, median, upper quartile; withheld groups are left out. Drawn here
    rather than cell by cell in the template: the national page has hundreds of rows, and
    this is a fraction of the cost."""
    return format_html_join(
        "\n",
        _ROW,
        (
            (
                name,
                summary.n,
                figure(summary.lower_quartile) or "—",
                figure(summary.median),
                figure(summary.upper_quartile) or "—",
            )
            for name, summary, *_ in rows
            if summary.has_median
        ),
    )
