"""The national picture and the consultant's comparison: read stored scores in bulk.

Open data and the national page publish the released figures (`benchmarks.figures`), under
the disclosure rules: the same numbers for a group as the dashboards, the comparison and the
report show.

Scores are only comparable within one framework version, so both work per version: each
published version keeps its own open data after a newer one is published, and clients are
compared with the organisations on the version they submitted on.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone

from assessments.models import Assessment, Score
from benchmarks import disclosure
from benchmarks import groups as fixed_groups
from benchmarks.figures import released_figures, released_figures_of
from frameworks import structure
from frameworks.models import Dimension, FrameworkVersion, ScaleLevel
from frameworks.selectors import newest_first
from organisations.models import ConsultantGrant, Organisation

OGL_NAME = "Open Government Licence v3.0"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True)
class Grouping:
    label: str  # the "grouping" column of the open data, and the table's first column header
    heading: str
    names: dict[str, str]  # the group key's value -> the group's name


# Kinds split all organisations between them; regions and sizes split each sector. Named
# peer groups are not open data.
GROUPINGS = {
    "kind": Grouping(
        "Kind of organisation", "By kind of organisation", dict(Organisation.Kind.choices)
    ),
    # Regions and sizes within each sector (local government, NHS, central government).
    "region": Grouping("Region", "By region", fixed_groups.names("region")),
    "size": Grouping("Size of organisation", "By size of organisation", fixed_groups.names("size")),
}
EVERYONE = "All organisations"


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
    figures = released_figures_of(
        {
            v.pk: [lv.value for lv in structure.scale_levels(v)]
            for v in versions
            if v.has_submissions
        }
    )
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
    """Per dimension and overall: the released figures for all bodies, and by kind, region and
    size (one table of groups per grouping and measure), each group with the date it was
    released. Withheld groups are kept, with their reasons, for the downloads."""
    scale = [lv.value for lv in structure.scale_levels(framework_version)]
    dimensions = structure.dimensions(framework_version)
    figures = released_figures(framework_version_id=framework_version.pk, scale_values=scale)
    released = figures.group_keys
    measures = [("overall", "Overall")] + [(str(d.pk), d.name) for d in dimensions]
    everyone = [
        (name, figures.summary("all", measure), figures.released_at("all"))
        for measure, name in measures
    ]
    groupings = []
    for prefix, grouping in GROUPINGS.items():
        keys = [(f"{prefix}:{value}", name) for value, name in grouping.names.items()]
        keys = [(key, name) for key, name in keys if key in released]
        tables = [
            {
                "measure": name,
                "shown": any(figures.summary(key, measure).has_median for key, _ in keys),
                "caption": f"{'Overall score' if measure == 'overall' else name} by "
                f"{grouping.label.lower()}",
                "groups": [
                    (group, figures.summary(key, measure), figures.released_at(key))
                    for key, group in keys
                ],
            }
            for measure, name in measures
        ]
        groupings.append({"slug": prefix, "grouping": grouping, "tables": tables})
    summaries = [(s, when) for _, s, when in everyone] + [
        (s, when) for g in groupings for t in g["tables"] for _, s, when in t["groups"]
    ]
    dates = [when for _, when in summaries if when is not None]
    return {
        "framework_version": framework_version,
        # The released figures' stamp names the tables drawn from them (national.html keeps
        # them for the process under it; version and dimensions never change once published).
        "stamp": hashlib.sha256(repr(figures.stamp).encode()).hexdigest(),
        "scale": (scale[0], scale[-1]) if scale else None,
        "everyone": everyone,
        "groupings": groupings,
        "has_figures": any(summary.has_median for summary, _ in summaries),
        "as_of": max(dates) if dates else None,
        "oldest": min(dates) if dates else None,
    }


def release_day(when) -> str | None:
    return timezone.localdate(when).isoformat() if when else None


def open_data_rows(picture: dict) -> list[dict]:
    """Flat rows for CSV and JSON: exactly the numbers the page shows, nothing more (and the
    withheld groups, with the reason)."""
    found = [(name, EVERYONE, EVERYONE, s, when) for name, s, when in picture["everyone"]]
    for g in picture["groupings"]:
        for table in g["tables"]:
            for group, summary, when in table["groups"]:
                found.append((table["measure"], g["grouping"].label, group, summary, when))
    rows = []
    for measure, grouping, group, summary, as_of in found:
        data = summary.as_dict()
        rows.append(
            {
                "measure": measure,
                "grouping": grouping,
                "group": group,
                "organisations": data.get("n"),
                "median": data.get("median"),
                "lower_quartile": data.get("lower_quartile"),
                "upper_quartile": data.get("upper_quartile"),
                "note": summary.reason or summary.distribution_reason or "",
                "figures_as_of": release_day(as_of),
            }
        )
    return rows


@dataclass(frozen=True)
class Field:
    name: str
    meaning: str
    type: str
    units: str
    example: str


def data_dictionary(picture: dict) -> list[Field]:
    """Each column of the CSV (each field of a JSON row), in order: what it means, its type,
    units and an example. The page, the JSON file and the CSV's column order all read this."""
    low, high = picture["scale"] or (1, 5)
    points = f"Points on the framework's scale of {low} to {high}"
    withheld = "Empty in the CSV (null in the JSON) when the group has fewer than {} "
    return [
        Field(
            "measure",
            "What the figures are of: the overall score, or one dimension of the framework "
            "by its name",
            "Text",
            "None",
            "Overall",
        ),
        Field(
            "grouping",
            f"How organisations are grouped: {EVERYONE}, "
            + ", ".join(g.label for g in GROUPINGS.values()),
            "Text",
            "None",
            "Kind of organisation",
        ),
        Field(
            "group",
            f"The group the figures are for, such as one kind of organisation ({EVERYONE} "
            "for everyone)",
            "Text",
            "None",
            "Unitary authority",
        ),
        Field(
            "organisations",
            "How many organisations the figures count: each one's latest submitted assessment "
            "on this version. "
            + withheld.format(disclosure.MIN_FOR_MEDIAN)
            + "organisations, or is withheld",
            "Whole number",
            "Organisations",
            "38",
        ),
        Field(
            "median",
            "The middle score of the group: half the organisations scored this or more. "
            + withheld.format(disclosure.MIN_FOR_MEDIAN)
            + "organisations, or is withheld",
            "Number to 1 decimal place",
            points,
            "2.8",
        ),
        Field(
            "lower_quartile",
            "A quarter of the organisations scored this or less. "
            + withheld.format(disclosure.MIN_FOR_DISTRIBUTION)
            + "organisations, or is withheld",
            "Number to 1 decimal place",
            points,
            "2.1",
        ),
        Field(
            "upper_quartile",
            "A quarter of the organisations scored this or more. "
            + withheld.format(disclosure.MIN_FOR_DISTRIBUTION)
            + "organisations, or is withheld",
            "Number to 1 decimal place",
            points,
            "3.4",
        ),
        Field(
            "note",
            "Why a figure is not given, in words; empty when every figure is given",
            "Text",
            "None",
            disclosure.NOT_ENOUGH_FOR_DISTRIBUTION,
        ),
        Field(
            "figures_as_of",
            "The day the group's figures were released",
            "Date (year-month-day)",
            "None",
            "2026-04-01",
        ),
    ]


# The JSON file's own fields, around the rows, in the order the file has them.
JSON_FIELDS = [
    ("framework", "The framework's short name, as in its address on this site"),
    ("version", "The version of the framework the figures are for"),
    ("licence", "The licence the figures are published under: its name and address"),
    ("figures_as_of", "The day of the most recent release in the file (each row has its own)"),
    ("data_dictionary", "The address of this data dictionary"),
    ("rules", "How the figures are protected, in words, one rule to an item"),
    ("fields", "This data dictionary: name, meaning, type, units and example of each field"),
    ("rows", "The figures: one object for each measure and group, with the fields above"),
]


def disclosure_rules() -> list[str]:
    """The disclosure rules in plain words, for the page and the JSON file, from the numbers
    that enforce them (`benchmarks.disclosure`)."""
    d = disclosure
    return [
        "Each organisation counts once in each group it belongs to, through its latest "
        "submitted assessment on this version.",
        f"A group's median is given only when it has {d.MIN_FOR_MEDIAN} or more organisations, "
        f"and its quartiles only when it has {d.MIN_FOR_DISTRIBUTION} or more. For a smaller "
        "group nothing is given, not even how many organisations it has.",
        f"Scores are rounded to {d.PRECISION} decimal place.",
        "No single organisation's score, and no lowest, highest or average score, is ever "
        "published.",
        f"Where two groups differ by fewer than {d.MIN_DIFFERENCE} organisations, only one is "
        "published, because the difference between their figures could show one "
        "organisation's score.",
        "Regions and sizes are grouped within each sector (local government, NHS, central "
        "government), so an NHS trust is compared with NHS bodies. Where a hidden group's "
        "count could be worked out by adding and subtracting the published counts, one more "
        "group is withheld, so that it cannot.",
        f"Figures are released in batches, not as each assessment arrives: a group's figures "
        f"change only once {d.MIN_DIFFERENCE} or more of its organisations have submitted or "
        "reopened an assessment since its last release, or when the figures for a collection "
        "round are released together. So no one organisation's submission can be picked out.",
        "Counts of organisations are not rounded: the withholding above already stops a hidden "
        "group's count being worked out.",
    ]


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
        median_overall = figures.summary("all", "overall").median
        medians = [figures.summary("all", str(d.pk)).median for d in dimensions[fv.pk]]
        tables.append(
            {
                "framework_version": fv,
                "dimensions": dimensions[fv.pk],
                "clients": rows,
                "median_overall": median_overall,
                "medians": medians,
                "parts": _compare_parts(rows, dimensions[fv.pk], median_overall, medians),
                "as_of": figures.released_at("all"),
            }
        )
    return {
        "framework": next(iter(versions.values())).framework,
        "has_clients": bool(clients),
        "versions": tables,
        "not_submitted": [c for c in clients if c.pk not in latest],
    }


# Clients per table on the comparison page: with the dimension names and the median, the
# columns fit a 960-pixel page (a 1280-pixel screen) without scrolling sideways.
CLIENTS_PER_TABLE = 3


def _compare_parts(clients: list[dict], dimensions, median_overall, medians) -> list[dict]:
    """The comparison turned on its side: a row per dimension (however many a framework has)
    and a column per client, in tables of at most `CLIENTS_PER_TABLE` clients each."""
    parts = []
    for start in range(0, len(clients), CLIENTS_PER_TABLE):
        chunk = clients[start : start + CLIENTS_PER_TABLE]
        rows = [("Overall", [c["overall"] for c in chunk], median_overall)]
        rows += [
            (d.name, [c["scores"][i] for c in chunk], medians[i]) for i, d in enumerate(dimensions)
        ]
        parts.append(
            {
                "clients": chunk,
                "first": start + 1,
                "last": start + len(chunk),
                "of": len(clients),
                "rows": [{"name": n, "values": v, "median": m} for n, v, m in rows],
            }
        )
    return parts
