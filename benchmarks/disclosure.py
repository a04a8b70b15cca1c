"""Peer benchmarks under disclosure control: every peer number on every page passes through here.

Pure: no Django, no database. `benchmarks.figures` gathers each group's released scores (each
body's latest submission on one framework version) as `(org_id, value)` pairs; this module
decides what of them may be shown.
Pages, PDFs, CSV/JSON downloads and the open data all call it, so one set of property-tested
rules protects every route out of the system, and no view computes a peer statistic itself.

The rules (DESIGN.md, "Benchmarks and disclosure control"):

- One population everywhere: a group's figures count every body in it, the viewer's own too,
  so the dashboard, the national page and its downloads, the consultant comparison and the PDF
  show the same numbers for the same group. (Leaving the viewer out on one page and counting it
  on another would let a body subtract one median from the other.)
- A median needs a group in which every member sees at least 5 others: `MIN_FOR_MEDIAN` (6)
  bodies; quartiles need `MIN_FOR_DISTRIBUTION` (11). Below a threshold the summary carries no
  numbers at all, not even the count: "there are 3 of us" already narrows down who the others
  are.
- No minimum, maximum, mean, sum or single organisation's value is ever published. The median
  and inclusive quartiles of at least 6 (11) values never read the two smallest or two largest
  values, so an outlier cannot be recovered from them; a mean or sum would let two groups that
  differ by one body be subtracted to give that body's score.
- Groups published together are checked together (`withheld_groups`): two groups whose bodies
  differ by fewer than `MIN_DIFFERENCE` are not both published (the difference of their medians
  could be one body's score), and wherever a withheld group's count could be worked out by
  adding and subtracting published counts (kinds, regions and size bands each split a sector,
  the sectors split all bodies), a published group that working used is withheld too.
- Figures are not live: pages read the released figures (`benchmarks.figures`), which change
  only once `MIN_DIFFERENCE` of a group's bodies have submitted or reopened since, or when a
  platform admin releases a version's figures (`benchmarks.services`). So one submission cannot
  be read off as the difference between a group's figures before and after it. (An admin's
  release is the one exception, and is meant for the end of a collection window, when many
  bodies have changed.)
- Published numbers are rounded to `PRECISION` decimal place. That is what people can read
  anyway, and the lost precision also blunts differencing: two medians that differ by one body
  give an interval for its score, not the score.
- The viewer's position is a quarter of the group in words that cannot be read two ways
  ("second lowest quarter", not "second quartile", which some read from the top), never a rank.
"""

import itertools
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assessments.scoring import BAND_PRECISION

MIN_FOR_MEDIAN = 6
MIN_FOR_DISTRIBUTION = 11
PRECISION = 1

# Groups whose memberships differ by fewer bodies than this are not both published, and a
# group's released figures change only once this many of its bodies have changed.
MIN_DIFFERENCE = 3

NOT_ENOUGH_PEERS = "Not enough peers to compare"
NOT_ENOUGH_FOR_DISTRIBUTION = "Not enough peers to show quartiles or a distribution"
TOO_CLOSE = "Not shown: this group is almost the same as another published group"
COMPLEMENTARY = "Not shown, so that a smaller group's figures cannot be worked out from it"

# Named from the ends, so that no name depends on which end a reader counts from.
QUARTER_BANDS = (
    "lowest quarter",
    "second lowest quarter",
    "second highest quarter",
    "highest quarter",
)
LOWEST_QUARTER, SECOND_LOWEST_QUARTER, SECOND_HIGHEST_QUARTER, HIGHEST_QUARTER = QUARTER_BANDS


# ---------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True)
class PeerSummary:
    """What may be published about one group of peers, and why anything else is withheld.

    Every number here is safe to show as is: `n` is None below `MIN_FOR_MEDIAN`, the quartiles
    are None below `MIN_FOR_DISTRIBUTION`. Floats are rounded to `PRECISION` places.

    Each `*_reason` is the sentence to show in place of the missing item, None when it is shown:
    `reason` stands in for the whole comparison, `distribution_reason` for the quartiles (box
    plot) and the viewer's quarter.
    """

    n: int | None
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    reason: str | None
    distribution_reason: str | None

    @property
    def has_median(self) -> bool:
        return self.median is not None

    @property
    def has_distribution(self) -> bool:
        """Quartiles are shown (and so the viewer's quarter can be)."""
        return self.lower_quartile is not None

    def as_dict(self) -> dict[str, object]:
        """The published fields, for CSV/JSON downloads."""
        return {
            "n": self.n,
            "median": self.median,
            "lower_quartile": self.lower_quartile,
            "upper_quartile": self.upper_quartile,
            "reason": self.reason,
            "distribution_reason": self.distribution_reason,
        }


def withheld(reason: str) -> PeerSummary:
    """A group that publishes nothing, saying why."""
    return PeerSummary(
        n=None,
        median=None,
        lower_quartile=None,
        upper_quartile=None,
        reason=reason,
        distribution_reason=reason,
    )


NOTHING = withheld(NOT_ENOUGH_PEERS)


# ---------------------------------------------------------------------------------------------
# Validation and helpers


def _check_scale(scale_values: Sequence[int]) -> tuple[int, ...]:
    values = tuple(scale_values)
    if not values:
        raise ValueError("The scale has no levels")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"Scale level {v!r} is not a whole number")
    if any(a >= b for a, b in itertools.pairwise(values)):
        raise ValueError(f"Scale levels must be in strictly ascending order, found {values}")
    return values


def _check_value(value: object, scale: tuple[int, ...]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"Peer value {value!r} is not a finite number")
    # A value off the scale means scores from another framework version were mixed in.
    if not scale[0] <= round(value, BAND_PRECISION) <= scale[-1]:
        raise ValueError(f"Peer value {value!r} is outside the scale ({scale[0]} to {scale[-1]})")
    return float(value)


def _publish(value: float) -> float:
    """Round for publication; `round` agrees with `scoring.display`, so words match the page."""
    return round(value, PRECISION)


def _checked_sorted(values: Iterable[float], scale: tuple[int, ...]) -> list[float]:
    """Sorted floats, refusing anything that is not a finite number on the scale.

    Checks the whole list at once (type, finiteness) and the ends for range: thousands of
    values cost one pass instead of a function call each.
    """
    data = list(values)
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in data):
        bad = next(v for v in data if isinstance(v, bool) or not isinstance(v, int | float))
        raise ValueError(f"Peer value {bad!r} is not a finite number")
    if data and not math.isfinite(math.fsum(data)):
        bad = next(v for v in data if not math.isfinite(v))
        raise ValueError(f"Peer value {bad!r} is not a finite number")
    data = sorted(map(float, data))
    for value in data[:1] + data[-1:]:
        _check_value(value, scale)
    return data


# ---------------------------------------------------------------------------------------------
# Summaries


def summarise(values: Iterable[float], *, scale_values: Sequence[int]) -> PeerSummary:
    """The publishable summary of the values of every body in a group.

    Callers holding organisation ids should use `peer_summary`, which refuses duplicates and
    drops unscored bodies; this is the arithmetic underneath. Order does not matter.

    Median by `statistics.median`; quartiles by `statistics.quantiles(method="inclusive")`, which
    interpolates at positions (n - 1)/4 and 3(n - 1)/4. With n >= 11 those positions are at least
    2.5 places in from either end, so neither the quartiles nor the median ever depend on the
    two lowest or two highest values: moving an extreme body further out changes nothing shown.
    """
    scale = _check_scale(scale_values)
    data = _checked_sorted(values, scale)
    n = len(data)
    if n < MIN_FOR_MEDIAN:
        return NOTHING

    median = statistics.median(data)
    if n < MIN_FOR_DISTRIBUTION:
        return PeerSummary(
            n=n,
            median=_publish(median),
            lower_quartile=None,
            upper_quartile=None,
            reason=None,
            distribution_reason=NOT_ENOUGH_FOR_DISTRIBUTION,
        )

    lower, _, upper = statistics.quantiles(data, n=4, method="inclusive")
    # Interpolation can carry float noise past the median or the data; clamp so the box is
    # always ordered and inside the peers' range.
    lower = min(max(lower, data[0]), median)
    upper = max(min(upper, data[-1]), median)
    return PeerSummary(
        n=n,
        median=_publish(median),
        lower_quartile=_publish(lower),
        upper_quartile=_publish(upper),
        reason=None,
        distribution_reason=None,
    )


def peer_summary(
    *, peers: Iterable[tuple[int, float | None]], scale_values: Sequence[int]
) -> PeerSummary:
    """The summary of one group: `(org_id, value)` for every body in it, the viewer's own
    included (one population everywhere). A None value (no submitted assessment on this
    framework version) does not count towards n; a body listed twice is refused, since it
    would count twice towards the thresholds."""
    seen: set[int] = set()
    values: list[float] = []
    for org_id, value in peers:
        if org_id in seen:
            raise ValueError(f"Organisation {org_id!r} appears twice among the peers")
        seen.add(org_id)
        if value is not None:
            values.append(value)
    return summarise(values, scale_values=scale_values)


def withheld_groups[K](
    groups: Mapping[K, frozenset[int]], *, partitions: Iterable[tuple[object, Sequence[K]]]
) -> dict[K, str]:
    """Which groups publish nothing, and why, when they are published together.

    `groups` maps each group (in order of priority: where two clash, the later one is
    withheld) to the bodies counted in it. `partitions` lists `(whole, parts)`: the parts split
    the whole between them (each sector's kinds, its regions and its size bands split the
    sector; the sectors split "all"). A whole that is not in `groups` is a subtotal nobody
    publishes, which can still be worked out from a partition of it that is all published.
    Withheld are:
    - groups of fewer than `MIN_FOR_MEDIAN` bodies;
    - a group whose bodies differ from a published group's by fewer than `MIN_DIFFERENCE`
      (one body's score would otherwise be the difference of two medians);
    - where the count of a group withheld for either reason above could be worked out by
      adding and subtracting published counts along the partitions (a whole less its other
      parts, a subtotal from its parts, and so on), the smallest published group that working
      used (complementary suppression).
    Repeated until nothing changes, since each withholding can make another necessary.
    """
    order = list(groups)
    wholes = {whole for whole, _ in partitions}
    # A part that is neither a group nor a subtotal has no bodies: nothing to work out.
    equations = [
        [whole, *(key for key in parts if key in groups or key in wholes)]
        for whole, parts in partitions
    ]
    parts_of_some = {key for _, *parts in equations for key in parts if key in groups}
    reasons = {key: NOT_ENOUGH_PEERS for key in order if len(groups[key]) < MIN_FOR_MEDIAN}
    changed = True
    while changed:
        changed = False
        shown = [key for key in order if key not in reasons]
        for i, first in enumerate(shown):
            for second in shown[i + 1 :]:
                # Sizes MIN_DIFFERENCE apart cannot clash: skip the set arithmetic for them.
                clash = abs(len(groups[first]) - len(groups[second])) < MIN_DIFFERENCE and (
                    len(groups[first] ^ groups[second]) < MIN_DIFFERENCE
                )
                if clash and first not in reasons and second not in reasons:
                    reasons[second] = TOO_CLOSE
                    changed = True
        known = {key for key in groups if key not in reasons or not groups[key]}
        derived = _worked_out(known, equations)
        for key in order:
            # A group withheld as too close to another is known to within a body or two by
            # design: that rule hides which bodies differ, not how many.
            if key not in derived or not groups[key] or reasons[key] == TOO_CLOSE:
                continue
            used = [g for g in _support(key, derived) if g in parts_of_some and groups[g]]
            if used:
                smallest = min(used, key=lambda g: (len(groups[g]), order.index(g)))
                reasons[smallest] = COMPLEMENTARY
                changed = True
                break  # what can be worked out has changed
    return reasons


def _worked_out(known: set, equations: list[list]) -> dict:
    """Every term of the equations (whole = sum of parts) that the known ones give, by solving
    any equation left with one unknown term, again and again; each with the terms it used."""
    known = set(known)
    derived: dict = {}
    changed = True
    while changed:
        changed = False
        for equation in equations:
            unknown = [term for term in equation if term not in known]
            if len(unknown) == 1:
                (term,) = unknown
                derived[term] = [other for other in equation if other != term]
                known.add(term)
                changed = True
    return derived


def _support(term, derived: dict) -> set:
    """The published counts that working out `term` used, through every step."""
    found, seen, stack = set(), {term}, [term]
    while stack:
        for used in derived[stack.pop()]:
            if used in derived:
                if used not in seen:
                    seen.add(used)
                    stack.append(used)
            else:
                found.add(used)
    return found


# ---------------------------------------------------------------------------------------------
# The viewer's position


def quarter_band(value: float, summary: PeerSummary) -> str | None:
    """Which quarter of its peers the viewer's value falls in; None without quartiles.

    The value is rounded as published first, so the words agree with the numbers on the page
    (a 2.96 shown as 3.0 beside a median of 3.0 is not "below the median"). A value equal to a
    boundary goes to the higher band: on the lower quartile is "second lowest quarter", on the
    median "second highest", on the upper quartile "highest". So when many peers share a score,
    a body with that same score is placed in the higher band, never told it trails peers it
    equals.
    """
    lower, median, upper = summary.lower_quartile, summary.median, summary.upper_quartile
    if lower is None or median is None or upper is None:
        return None
    shown = _publish(value)
    if shown < lower:
        return LOWEST_QUARTER
    if shown < median:
        return SECOND_LOWEST_QUARTER
    if shown < upper:
        return SECOND_HIGHEST_QUARTER
    return HIGHEST_QUARTER


def position_phrase(value: float, summary: PeerSummary, *, group_label_plural: str) -> str:
    """E.g. "second lowest quarter of 38 unitary authorities", or the sentence saying why not.

    A band in words, not a rank: "12th of 38" would let neighbours in the table work out each
    other's scores.
    """
    band = quarter_band(value, summary)
    if band is None:
        return summary.distribution_reason or NOT_ENOUGH_FOR_DISTRIBUTION
    return f"{band} of {summary.n} {group_label_plural}"
