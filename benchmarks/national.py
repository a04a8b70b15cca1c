"""The national picture and the consultant's comparison: read stored scores in bulk.

Open data and the national page publish the released figures (`benchmarks.figures`), under
the disclosure rules: the same numbers for a group as the dashboards, the comparison and the
report show.

Scores are only comparable within one framework version, so both work per version: each
published version keeps its own open data after a newer one is published, and clients are
compared with the organisations on the version they submitted on.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.http import Http404

from assessments.models import Assessment, Score
from benchmarks.figures import released_figures, released_figures_of
from frameworks.models import Dimension, FrameworkVersion, ScaleLevel
from frameworks.selectors import newest_first
from organisations.models import ConsultantGrant, Organisation

GROUPINGS = {
    "kind": ("Kind of organisation", dict(Organisation.Kind.choices)),
    "region": ("Region", dict(Organisation.Region.choices)),
}


@dataclass(frozen=True)
class VersionChoice:
    framework_version: FrameworkVersion
    has_figures: bool  # the all-organisations median is published, so the page shows numbers


def _versions_with_data(framework_slug: str) -> list[FrameworkVersion]:
    """Published versions, and retired ones that have submissions, highest number first."""
    versions = (
        FrameworkVersion.objects.filter(
            framework__slug=framework_slug,
            status__in=[FrameworkVersion.Status.PUBLISHED, FrameworkVersion.Status.RETIRED],
        )
        .select_related("framework")
        .annotate(
            has_submissions=Exists(
                Assessment.objects.filter(
                    framework_version=OuterRef("pk"), is_latest_submission=True
                )
            )
        )
    )
    found = newest_first(v for v in versions if v.is_published or v.has_submissions)
    if not found:
        raise Http404("No such framework")
    return found


def _scales(framework_version_ids) -> dict[int, list[int]]:
    scales: dict[int, list[int]] = defaultdict(list)
    for fv_id, value in (
        ScaleLevel.objects.filter(framework_version_id__in=framework_version_ids)
        .order_by("framework_version_id", "value")
        .values_list("framework_version_id", "value")
    ):
        scales[fv_id].append(value)
    return scales


def national_versions(*, framework_slug: str) -> list[VersionChoice]:
    """The versions that have a national picture, highest first, each saying whether any figure
    is published for it (whether its released all-organisations median passes disclosure)."""
    versions = _versions_with_data(framework_slug)
    submitted = [v.pk for v in versions if v.has_submissions]
    figures = released_figures_of(_scales(submitted))
    released = {fv_id for fv_id in submitted if figures[fv_id].summary("all", "overall").has_median}
    return [VersionChoice(v, v.pk in released) for v in versions]


def default_version(choices: list[VersionChoice]) -> FrameworkVersion:
    """What /national/<framework>/ shows: the highest published version with figures, else the
    highest published one, else (all retired) the highest with figures, else the highest."""
    ranked = sorted(
        choices,
        key=lambda c: (not c.framework_version.is_published, not c.has_figures),
    )  # stable: highest number first within each rank
    return ranked[0].framework_version


def national_version(*, framework_slug: str, version: str | None) -> tuple:
    """The version to show (`version` as named in the URL, or the default) and the choices."""
    choices = national_versions(framework_slug=framework_slug)
    if version is None:
        return default_version(choices), choices
    for choice in choices:
        if choice.framework_version.version == version:
            return choice.framework_version, choices
    raise Http404("No open data for this version")


def national_picture(*, framework_version: FrameworkVersion) -> dict:
    """Per dimension and overall: the released figures for all bodies, by kind and by region,
    each with the date it was released."""
    scale = list(
        ScaleLevel.objects.filter(framework_version=framework_version).values_list(
            "value", flat=True
        )
    )
    dimensions = list(Dimension.objects.filter(framework_version=framework_version))
    figures = released_figures(framework_version_id=framework_version.pk, scale_values=scale)
    released = figures.group_keys
    measures = [("overall", "Overall")] + [(str(d.pk), d.name) for d in dimensions]
    tables = []
    for measure, name in measures:
        groups = [
            ("All organisations", "", figures.summary("all", measure), figures.released_at("all"))
        ]
        for grouping, (label, names) in GROUPINGS.items():
            for value, display in names.items():
                key = f"{grouping}:{value}"
                if key in released:
                    groups.append(
                        (label, display, figures.summary(key, measure), figures.released_at(key))
                    )
        tables.append({"measure": name, "groups": groups})
    as_of = [when for t in tables for *_, when in t["groups"] if when is not None]
    return {
        "framework_version": framework_version,
        "tables": tables,
        "has_figures": any(summary.has_median for t in tables for _, _, summary, _ in t["groups"]),
        "as_of": max(as_of) if as_of else None,
    }


def open_data_rows(picture: dict) -> list[dict]:
    """Flat rows for CSV and JSON: exactly the numbers the page shows, nothing more."""
    rows = []
    for table in picture["tables"]:
        for grouping, group, summary, as_of in table["groups"]:
            data = summary.as_dict()
            rows.append(
                {
                    "measure": table["measure"],
                    "grouping": grouping or "All organisations",
                    "group": group or "All organisations",
                    "organisations": data.get("n"),
                    "median": data.get("median"),
                    "lower_quartile": data.get("lower_quartile"),
                    "upper_quartile": data.get("upper_quartile"),
                    "note": summary.reason or summary.distribution_reason or "",
                    "figures_as_of": as_of.date().isoformat() if as_of else None,
                }
            )
    return rows


def consultant_comparison(*, user, framework_slug: str) -> dict:
    """A consultant's client bodies side by side (their own scores, which the consultant may
    see), one table per framework version: each client sits in the table of the version of its
    latest submitted assessment, beside the median of all organisations on that version under
    the disclosure rules (the same population as that version's open data)."""
    versions = {v.pk: v for v in _versions_with_data(framework_slug)}
    clients = list(
        Organisation.objects.filter(
            pk__in=ConsultantGrant.objects.active().filter(consultant=user).values("organisation")
        ).order_by("name")
    )
    # Each client's latest submission on any version (the one its dashboard shows).
    latest: dict[int, tuple[int, int, str]] = {}
    for org_id, pk, fv_id, round_label in (
        Assessment.objects.filter(
            organisation__in=clients,
            framework_version_id__in=list(versions),
            is_latest_submission=True,
        )
        .order_by("-submitted_at", "-pk")
        .values_list("organisation_id", "pk", "framework_version_id", "round_label")
    ):
        latest.setdefault(org_id, (pk, fv_id, round_label))
    used = {fv_id for _, fv_id, _ in latest.values()}
    dimensions: dict[int, list[Dimension]] = defaultdict(list)
    for dimension in Dimension.objects.filter(framework_version_id__in=used):
        dimensions[dimension.framework_version_id].append(dimension)
    scales = _scales(used)
    client_assessments = {pk for pk, _, _ in latest.values()}
    own: dict = defaultdict(dict)
    for assessment_id, dimension_id, value in Score.objects.filter(
        assessment_id__in=client_assessments,
        scope__in=[Score.Scope.OVERALL, Score.Scope.DIMENSION],
    ).values_list("assessment_id", "dimension_id", "value"):
        own[assessment_id][dimension_id or "overall"] = value
    released = released_figures_of({fv_id: scales[fv_id] for fv_id in used})
    tables = []
    for fv in versions.values():  # highest version first
        if fv.pk not in used:
            continue
        figures = released[fv.pk]
        rows = []
        for client in clients:
            if client.pk in latest and latest[client.pk][1] == fv.pk:
                pk, _, round_label = latest[client.pk]
                rows.append(
                    {
                        "organisation": client,
                        "round": round_label,
                        "overall": own[pk].get("overall"),
                        "scores": [own[pk].get(d.pk) for d in dimensions[fv.pk]],
                    }
                )
        tables.append(
            {
                "framework_version": fv,
                "dimensions": dimensions[fv.pk],
                "clients": rows,
                "median_overall": figures.summary("all", "overall").median,
                "medians": [figures.summary("all", str(d.pk)).median for d in dimensions[fv.pk]],
                "as_of": figures.released_at("all"),
            }
        )
    return {
        "framework": next(iter(versions.values())).framework,
        "has_clients": bool(clients),
        "versions": tables,
        "not_submitted": [c for c in clients if c.pk not in latest],
    }
