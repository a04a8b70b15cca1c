"""The organisation dashboard: own scores, peers (through disclosure control), trend, flags.

Reads stored scores only (never answers), in a fixed number of queries whatever the number of
peers. Every peer number comes out of `disclosure`, which applies the disclosure rules.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, OuterRef, Subquery
from django.http import Http404

from assessments import scoring
from assessments.models import Assessment, Score
from assessments.selectors import assessment_flags, scores_from_rows
from benchmarks import disclosure
from benchmarks import groups as fixed_groups
from benchmarks.figures import released_figures
from frameworks import structure
from frameworks.models import Dimension, FacetValue, Framework
from organisations.models import Organisation, PeerGroup
from organisations.selectors import Access


@dataclass(frozen=True)
class PeerGroupChoice:
    key: str  # all, kind, region, size, or group-<id>
    label: str  # for the switcher
    plural: str  # for sentences: "second lowest quarter of 38 unitary authorities"


def _fixed(organisation: Organisation) -> dict[str, str]:
    """Switcher choice -> the peer group key (as in `PeerValues` and `PeerRelease`)."""
    keys = fixed_groups.fixed_keys(
        kind=organisation.kind, region=organisation.region, size_band=organisation.size_band
    )
    return dict(zip(("all", "kind", "region", "size"), keys, strict=True))


def peer_group_choices(organisation: Organisation) -> list[PeerGroupChoice]:
    """The fixed groups, and the named groups the organisation belongs to. No free filters:
    two overlapping free filters could be subtracted to expose one body."""
    choices = [
        PeerGroupChoice(choice, fixed_groups.label(key), fixed_groups.plural(key))
        for choice, key in _fixed(organisation).items()
    ]
    for group in PeerGroup.objects.filter(organisations=organisation).order_by("name"):
        choices.append(
            PeerGroupChoice(f"group-{group.pk}", group.name, f"organisations in {group.name}")
        )
    return choices


def _peer_key(organisation: Organisation, key: str) -> str:
    """The peer group key for a switcher choice."""
    fixed = _fixed(organisation)
    if key in fixed:
        return fixed[key]
    if key.startswith("group-") and key[6:].isdigit():
        return f"group:{int(key[6:])}"
    raise Http404("No such peer group")


@dataclass
class DimensionRow:
    dimension: Dimension
    value: float | None
    display: str
    band_label: str
    target: float | None
    gap: float | None
    peers: disclosure.PeerSummary
    position: str


@dataclass
class Dashboard:
    organisation: Organisation
    framework: Framework
    assessment: Assessment
    levels: list
    group: PeerGroupChoice
    groups: list[PeerGroupChoice]
    overall: float | None
    overall_display: str
    overall_band: str
    overall_peers: disclosure.PeerSummary
    overall_position: str
    dimensions: list[DimensionRow]
    grid: dict = field(default_factory=dict)  # (dimension name, value name) -> display
    grid_rows: list = field(default_factory=list)
    grid_columns: list = field(default_factory=list)
    # Per round: round label, version, overall, {dimension slug: value}; and against the
    # round before: change, like_for_like, version_changed and the note saying so.
    trend: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    version_changes: list = field(default_factory=list)
    figures_as_of: datetime | None = None  # when the peer group's figures were last released
    version_bodies: str = ""  # how many organisations have submitted on this version


def _display(value):
    return scoring.display(value) if value is not None else "—"


def _band_label(value, levels):
    return scoring.band(value, levels).label if value is not None else "No score"


def build_dashboard(*, access: Access, framework_slug: str, group_key: str) -> Dashboard:
    organisation = access.organisation
    assessment = (
        Assessment.objects.filter(
            organisation=organisation,
            framework_version__framework__slug=framework_slug,
            status=Assessment.Status.SUBMITTED,
        )
        .select_related("framework_version__framework")
        # How many organisations' latest submissions are on this version, in the same query.
        .annotate(
            version_bodies=Subquery(
                Assessment.objects.filter(
                    framework_version=OuterRef("framework_version"),
                    is_latest_submission=True,
                    status=Assessment.Status.SUBMITTED,
                )
                .order_by()
                .values("framework_version")
                .annotate(n=Count("pk"))
                .values("n")
            )
        )
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if assessment is None:
        raise Http404("No submitted assessment on this framework")
    fv = assessment.framework_version
    groups = peer_group_choices(organisation)
    group = next((g for g in groups if g.key == group_key), None)
    if group is None:
        raise Http404("No such peer group")
    levels = [scoring.Level(lv.value, lv.label) for lv in structure.scale_levels(fv)]
    scale_values = [lv.value for lv in levels]
    dimensions = structure.dimensions(fv)

    own = list(Score.objects.filter(assessment=assessment).select_related("facet_value__facet"))
    own_overall = next((s for s in own if s.scope == Score.Scope.OVERALL), None)
    own_dims = {s.dimension_id: s for s in own if s.scope == Score.Scope.DIMENSION}

    peer_key = _peer_key(organisation, group.key)
    figures = released_figures(framework_version_id=fv.pk, scale_values=scale_values)

    def summary(measure):
        return figures.summary(peer_key, measure)

    overall_value = own_overall.value if own_overall else None
    overall_peers = summary("overall")
    rows = []
    for d in dimensions:
        score = own_dims.get(d.pk)
        value = score.value if score else None
        peers = summary(str(d.pk))
        rows.append(
            DimensionRow(
                dimension=d,
                value=value,
                display=_display(value),
                band_label=_band_label(value, levels),
                target=score.target if score else None,
                gap=(score.target - value)
                if score and score.target is not None and value is not None
                else None,
                peers=peers,
                position=(
                    disclosure.position_phrase(value, peers, group_label_plural=group.plural)
                    if value is not None
                    else "No score"
                ),
            )
        )

    dashboard = Dashboard(
        organisation=organisation,
        framework=fv.framework,
        assessment=assessment,
        levels=levels,
        group=group,
        groups=groups,
        overall=overall_value,
        overall_display=_display(overall_value),
        overall_band=_band_label(overall_value, levels),
        overall_peers=overall_peers,
        overall_position=(
            disclosure.position_phrase(
                overall_value, overall_peers, group_label_plural=group.plural
            )
            if overall_value is not None
            else "No score"
        ),
        dimensions=rows,
        figures_as_of=figures.released_at(peer_key),
        version_bodies=_version_bodies(
            assessment.version_bodies or 0, figures.summary("all", "overall"), fv.version
        ),
    )
    _add_grid(dashboard, own, dimensions)
    _add_trend(dashboard, access=access, framework=fv.framework)
    dashboard.flags = assessment_flags(
        assessment=assessment,
        scores=scores_from_rows(own, levels),
        dimensions=dimensions,
    )
    return dashboard


def _version_bodies(live: int, everyone: disclosure.PeerSummary, version: str) -> str:
    """How many organisations have submitted on this version, without telling a count the
    disclosure rules withhold: below the median threshold it is "fewer than 6"; above it, the
    count in the released figures of all organisations (as the open data publishes it), or
    "at least 6" before those are released."""
    if live < disclosure.MIN_FOR_MEDIAN:
        return (
            f"Fewer than {disclosure.MIN_FOR_MEDIAN} organisations have submitted on version "
            f"{version} of this framework so far."
        )
    if everyone.n is not None:
        return (
            f"{everyone.n} organisations had submitted on version {version} of this framework "
            "when its figures were last released."
        )
    return (
        f"At least {disclosure.MIN_FOR_MEDIAN} organisations have submitted on version "
        f"{version} of this framework."
    )


def _add_grid(dashboard: Dashboard, own: list[Score], dimensions: list[Dimension]) -> None:
    grid_scores = [s for s in own if s.scope == Score.Scope.GRID]
    if not grid_scores:
        return
    values = {
        v.pk: v
        for v in FacetValue.objects.filter(pk__in={s.facet_value_id for s in grid_scores})
        .select_related("facet")
        .order_by("facet__position", "position")
    }
    dashboard.grid_columns = list(values.values())
    names = {d.pk: d for d in dimensions}
    cells = {(s.dimension_id, s.facet_value_id): s.value for s in grid_scores}
    for d in dimensions:
        if any((d.pk, v.pk) in cells for v in dashboard.grid_columns):
            dashboard.grid_rows.append(
                (
                    names[d.pk],
                    [
                        _display(cells[(d.pk, v.pk)]) if (d.pk, v.pk) in cells else ""
                        for v in dashboard.grid_columns
                    ],
                )
            )


def _add_trend(dashboard: Dashboard, *, access: Access, framework: Framework) -> None:
    rows = (
        Score.objects.filter(
            assessment__organisation=access.organisation,
            assessment__framework_version__framework=framework,
            assessment__status=Assessment.Status.SUBMITTED,
            scope__in=[Score.Scope.OVERALL, Score.Scope.DIMENSION],
        )
        .order_by("assessment__submitted_at", "assessment_id")
        # Plain values, not model instances: an organisation's history grows every round.
        # The stored comparison with the round before comes in the same query (one to one).
        .values_list(
            "assessment_id",
            "assessment__round_label",
            "assessment__framework_version__version",
            "scope",
            "dimension__slug",
            "value",
            "assessment__comparison__previous_id",
            "assessment__comparison__comparable",
            "assessment__comparison__questions",
            "assessment__comparison__movement",
            "assessment__comparison__like_for_like",
        )
    )
    by_assessment: dict[int, dict] = {}
    for assessment_id, round_label, version, scope, dimension_slug, value, *compared in rows:
        entry = by_assessment.setdefault(
            assessment_id,
            {
                "id": assessment_id,
                "round": round_label,
                "version": version,
                "overall": None,
                "dimensions": {},
                "compared": compared,
            },
        )
        if scope == Score.Scope.OVERALL:
            entry["overall"] = value
        else:
            # By slug, so a dimension is followed across framework versions.
            entry["dimensions"][dimension_slug] = value
    dashboard.trend = list(by_assessment.values())
    previous = None
    for entry in dashboard.trend:
        previous_id, comparable, questions, movement, like_for_like = entry.pop("compared")
        entry.update(version_changed=False, change=None, like_for_like=None, note=None)
        if previous is None:
            previous = entry
            continue
        entry["version_changed"] = entry["version"] != previous["version"]
        # A submission without a stored comparison (made before comparisons were stored), or
        # one stored against another round, shows the change of version but no split.
        stored = previous_id == previous["id"]
        if stored:
            entry["change"] = movement
            entry["like_for_like"] = like_for_like
        if entry["version_changed"]:
            dashboard.version_changes.append(entry["round"])
            entry["note"] = (
                " ".join(
                    scoring.version_change_sentences(
                        earlier_version=previous["version"],
                        later_version=entry["version"],
                        comparable=comparable,
                        questions=questions,
                        movement=movement,
                        like_for_like=like_for_like,
                        between=f"{previous['round']} and {entry['round']}",
                    )
                )
                if stored
                else (
                    f"The framework changed from version {previous['version']} to "
                    f"{entry['version']} between {previous['round']} and {entry['round']}."
                )
            )
        previous = entry
