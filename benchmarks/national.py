"""The national picture and the consultant's comparison: read stored scores in bulk.

Open data and the national page publish only what `benchmarks` lets through: medians of 5 or
more organisations, quartiles of 10 or more, never a single body's value.
"""

from collections import defaultdict

from django.http import Http404

from assessments.models import Assessment, Score
from benchmarks import disclosure
from benchmarks.dashboard import KIND_PLURALS, latest_submitted_ids
from frameworks.models import Dimension, FrameworkVersion, ScaleLevel
from organisations.models import Organisation

GROUPINGS = {
    "kind": ("Kind of organisation", "organisation__kind", dict(Organisation.Kind.choices)),
    "region": ("Region", "organisation__region", dict(Organisation.Region.choices)),
}


def current_version(framework_slug: str) -> FrameworkVersion:
    """The most recent published version with submissions (peers compare within a version)."""
    version = (
        FrameworkVersion.objects.filter(
            framework__slug=framework_slug, status=FrameworkVersion.Status.PUBLISHED
        )
        .select_related("framework")
        .order_by("-published_at", "-pk")
        .first()
    )
    if version is None:
        raise Http404("No such framework")
    return version


def national_picture(*, framework_version: FrameworkVersion) -> dict:
    """Per dimension and overall: the summary for all bodies, by kind and by region."""
    scale = list(
        ScaleLevel.objects.filter(framework_version=framework_version).values_list(
            "value", flat=True
        )
    )
    dimensions = list(Dimension.objects.filter(framework_version=framework_version))
    rows = Score.objects.filter(
        assessment__in=latest_submitted_ids(framework_version_id=framework_version.pk, filters={}),
        scope__in=[Score.Scope.OVERALL, Score.Scope.DIMENSION],
    ).values_list(
        "assessment__organisation_id",
        "assessment__organisation__kind",
        "assessment__organisation__region",
        "dimension_id",
        "value",
    )
    # measure -> grouping -> group value -> [(org, value)]
    pairs: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for org_id, kind, region, dimension_id, value in rows:
        measure = dimension_id or "overall"
        pairs[measure]["all"]["all"].append((org_id, value))
        pairs[measure]["kind"][kind].append((org_id, value))
        pairs[measure]["region"][region].append((org_id, value))
    measures = [("overall", "Overall")] + [(d.pk, d.name) for d in dimensions]
    tables = []
    for measure, name in measures:
        groups = []
        overall = disclosure.aggregate({"all": pairs[measure]["all"]["all"]}, scale_values=scale)
        groups.append(("All organisations", "", overall["all"]))
        for grouping, (label, _, names) in GROUPINGS.items():
            summaries = disclosure.aggregate(dict(pairs[measure][grouping]), scale_values=scale)
            for key, display in names.items():
                if key in summaries:
                    groups.append((label, display, summaries[key]))
        tables.append({"measure": name, "groups": groups})
    return {"framework_version": framework_version, "tables": tables}


def open_data_rows(picture: dict) -> list[dict]:
    """Flat rows for CSV and JSON: exactly the numbers the page shows, nothing more."""
    rows = []
    for table in picture["tables"]:
        for grouping, group, summary in table["groups"]:
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
                }
            )
    return rows


def consultant_comparison(*, user, framework_slug: str) -> dict:
    """A consultant's client bodies side by side (their own scores, which the consultant may
    see), with the median of all organisations under the disclosure rules."""
    version = current_version(framework_slug)
    dimensions = list(Dimension.objects.filter(framework_version=version))
    scale = list(
        ScaleLevel.objects.filter(framework_version=version).values_list("value", flat=True)
    )
    clients = list(
        Organisation.objects.filter(
            consultant_grants__consultant=user, consultant_grants__revoked_at__isnull=True
        ).order_by("name")
    )
    client_ids = {c.pk for c in clients}
    rows = Score.objects.filter(
        assessment__in=latest_submitted_ids(framework_version_id=version.pk, filters={}),
        scope__in=[Score.Scope.OVERALL, Score.Scope.DIMENSION],
    ).values_list("assessment__organisation_id", "dimension_id", "value")
    own: dict = defaultdict(dict)
    everyone: dict = defaultdict(list)
    for org_id, dimension_id, value in rows:
        measure = dimension_id or "overall"
        everyone[measure].append((org_id, value))
        if org_id in client_ids:
            own[org_id][measure] = value
    medians = {
        measure: disclosure.aggregate({"all": pairs}, scale_values=scale)["all"].median
        for measure, pairs in everyone.items()
    }
    rounds = dict(
        Assessment.objects.filter(
            pk__in=latest_submitted_ids(framework_version_id=version.pk, filters={}),
            organisation__in=clients,
        ).values_list("organisation_id", "round_label")
    )
    return {
        "framework_version": version,
        "dimensions": dimensions,
        "clients": [
            {
                "organisation": c,
                "round": rounds.get(c.pk),
                "overall": own[c.pk].get("overall"),
                "scores": [own[c.pk].get(d.pk) for d in dimensions],
            }
            for c in clients
        ],
        "median_overall": medians.get("overall"),
        "medians": [medians.get(d.pk) for d in dimensions],
        "kind_plurals": KIND_PLURALS,
    }
