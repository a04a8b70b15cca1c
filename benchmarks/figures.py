"""The released peer figures of a framework version, under the disclosure rules: the one
source every page and download reads (dashboards, the national picture and open data, the
consultant comparison, the report), so a group's figures are the same numbers everywhere.

Which groups publish nothing is decided over all of the version's groups together
(`disclosure.withheld_groups`), so that no page's figures let another page's withheld group be
worked out.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from benchmarks import disclosure
from benchmarks.groups import partitions
from benchmarks.models import PeerRelease

# Where two groups clash, the later in this order is withheld: named groups first, then size
# bands, regions and kinds; "all" is kept longest.
PRIORITY = ("all", "kind:", "region:", "size:", "group:")


@dataclass(frozen=True)
class Figures:
    """Which groups are withheld is decided for all groups at once; each shown group's summary
    is worked out only when a page asks for it (a dashboard shows one group of many)."""

    groups: dict[str, dict[str, list]]  # measure -> group key -> [[org, value], ...]
    withheld: dict[str, dict[str, str]]  # measure -> group key -> reason
    scale_values: list[int]
    as_of: dict[str, datetime]
    # What these figures were read from (version, scale, each release's id and date): equal
    # stamps, equal figures, so anything drawn from them alone may be kept under it.
    stamp: tuple = ()
    _worked_out: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def group_keys(self) -> set[str]:
        return {key for groups in self.groups.values() for key in groups}

    def summary(self, group_key: str, measure: str) -> disclosure.PeerSummary:
        pairs = self.groups.get(measure, {}).get(group_key)
        if pairs is None:
            return disclosure.NOTHING
        if (group_key, measure) not in self._worked_out:
            reason = self.withheld[measure].get(group_key)
            self._worked_out[(group_key, measure)] = (
                disclosure.withheld(reason)
                if reason
                else disclosure.peer_summary(
                    peers=[(org, value) for org, value in pairs], scale_values=self.scale_values
                )
            )
        return self._worked_out[(group_key, measure)]

    def released_at(self, group_key: str) -> datetime | None:
        return self.as_of.get(group_key)


def _priority(key: str) -> tuple[int, str]:
    rank = next((i for i, p in enumerate(PRIORITY) if key == p or key.startswith(p)), 99)
    return rank, key


def released_figures(*, framework_version_id: int, scale_values) -> Figures:
    """The released figures of one framework version."""
    return released_figures_of({framework_version_id: scale_values})[framework_version_id]


# Reading every body's released values and deciding what to withhold grows with the number of
# bodies, and the result changes only when a group is released again (a new `released_at`).
# So each process keeps the figures of its most recent releases, keyed by the releases' ids and
# dates: a page then reads those two columns only, however many bodies there are.
_RECENT: OrderedDict[tuple, Figures] = OrderedDict()
_RECENT_SIZE = 32
_recent_lock = threading.Lock()


def forget_recent() -> None:
    """Drop the figures this process keeps (tests, whose ids and dates may repeat)."""
    with _recent_lock:
        _RECENT.clear()


def _key(fv_id: int, scale_values, stamps) -> tuple:
    return (fv_id, tuple(scale_values), tuple(stamps))


def released_figures_of(scales: dict[int, list[int]]) -> dict[int, Figures]:
    """The released figures of several framework versions (id -> scale values), read at once."""
    stamps: dict[int, list[tuple]] = {fv_id: [] for fv_id in scales}
    for pk, fv_id, released_at in (
        PeerRelease.objects.filter(framework_version_id__in=list(scales), released_at__isnull=False)
        .order_by("group_key")
        .values_list("pk", "framework_version_id", "released_at")
    ):
        stamps[fv_id].append((pk, released_at))
    found = {}
    with _recent_lock:
        for fv_id in scales:
            key = _key(fv_id, scales[fv_id], stamps[fv_id])
            if key in _RECENT:
                _RECENT.move_to_end(key)
                found[fv_id] = _RECENT[key]
    missing = [fv_id for fv_id in scales if fv_id not in found]
    if not missing:
        return found
    releases: dict[int, list[PeerRelease]] = {fv_id: [] for fv_id in missing}
    for release in PeerRelease.objects.filter(
        framework_version_id__in=missing, released_at__isnull=False
    ).order_by("group_key"):
        releases[release.framework_version_id].append(release)
    for fv_id in missing:
        # Keyed by the rows just read (a release may have happened since the first query).
        key = _key(fv_id, scales[fv_id], [(r.pk, r.released_at) for r in releases[fv_id]])
        found[fv_id] = figures = _figures(releases[fv_id], scales[fv_id], stamp=key)
        with _recent_lock:
            _RECENT[key] = figures
            while len(_RECENT) > _RECENT_SIZE:
                _RECENT.popitem(last=False)
    return found


def _figures(releases: list[PeerRelease], scale_values, *, stamp: tuple = ()) -> Figures:
    by_measure: dict[str, dict[str, list]] = {}
    for release in releases:
        for measure, pairs in release.measures.items():
            by_measure.setdefault(measure, {})[release.group_key] = pairs
    withheld = {}
    for measure, groups in by_measure.items():
        keys = sorted(groups, key=_priority)
        members = {key: frozenset(org for org, _ in groups[key]) for key in keys}
        withheld[measure] = disclosure.withheld_groups(members, partitions=partitions(keys))
    return Figures(
        groups=by_measure,
        withheld=withheld,
        scale_values=list(scale_values),
        as_of={r.group_key: r.released_at for r in releases},
        stamp=stamp,
    )
