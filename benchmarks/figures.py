"""The released peer figures of a framework version, under the disclosure rules: the one
source every page and download reads (dashboards, the national picture and open data, the
consultant comparison, the report), so a group's figures are the same numbers everywhere.

Which groups publish nothing is decided over all of the version's groups together
(`disclosure.withheld_groups`), so that no page's figures let another page's withheld group be
worked out.
"""

from dataclasses import dataclass
from datetime import datetime

from benchmarks import disclosure
from benchmarks.models import PeerRelease

# Each of these splits "all" between its groups (every body has one kind, region, size band).
PARTITION_PREFIXES = ("kind:", "region:", "size:")
# Where two groups clash, the later in this order is withheld: named groups first, then size
# bands, regions and kinds; "all" is kept longest.
PRIORITY = ("all", "kind:", "region:", "size:", "group:")


@dataclass(frozen=True)
class Figures:
    summaries: dict[tuple[str, str], disclosure.PeerSummary]
    as_of: dict[str, datetime]

    def summary(self, group_key: str, measure: str) -> disclosure.PeerSummary:
        return self.summaries.get((group_key, measure), disclosure.NOTHING)

    def released_at(self, group_key: str) -> datetime | None:
        return self.as_of.get(group_key)


def _priority(key: str) -> tuple[int, str]:
    rank = next((i for i, p in enumerate(PRIORITY) if key == p or key.startswith(p)), 99)
    return rank, key


def released_figures(*, framework_version_id: int, scale_values) -> Figures:
    """The released figures of one framework version."""
    return released_figures_of({framework_version_id: scale_values})[framework_version_id]


def released_figures_of(scales: dict[int, list[int]]) -> dict[int, Figures]:
    """The released figures of several framework versions (id -> scale values), read at once."""
    releases: dict[int, list[PeerRelease]] = {fv_id: [] for fv_id in scales}
    for release in PeerRelease.objects.filter(
        framework_version_id__in=list(scales), released_at__isnull=False
    ).order_by("group_key"):
        releases[release.framework_version_id].append(release)
    return {fv_id: _figures(releases[fv_id], scales[fv_id]) for fv_id in scales}


def _figures(releases: list[PeerRelease], scale_values) -> Figures:
    by_measure: dict[str, dict[str, list]] = {}
    for release in releases:
        for measure, pairs in release.measures.items():
            by_measure.setdefault(measure, {})[release.group_key] = pairs
    summaries = {}
    for measure, groups in by_measure.items():
        keys = sorted(groups, key=_priority)
        members = {key: frozenset(org for org, _ in groups[key]) for key in keys}
        partitions = [[k for k in keys if k.startswith(prefix)] for prefix in PARTITION_PREFIXES]
        withheld = disclosure.withheld_groups(members, partitions=partitions)
        for key in keys:
            summaries[(key, measure)] = (
                disclosure.withheld(withheld[key])
                if key in withheld
                else disclosure.peer_summary(
                    peers=[(org, value) for org, value in groups[key]], scale_values=scale_values
                )
            )
    return Figures(summaries=summaries, as_of={r.group_key: r.released_at for r in releases})
