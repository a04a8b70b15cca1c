"""Every read of frameworks that a view or command needs.

Framework content is not tenant data: published versions are public to signed-in and
anonymous visitors alike. Drafts are visible only to framework editors.
"""

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from frameworks.fileformat import (
    DimensionSpec,
    FacetSpec,
    FacetValueSpec,
    FrameworkSpec,
    LevelSpec,
    LinkSpec,
    QuestionSpec,
    version_key,
)
from frameworks.lineage import VersionMap, build_map, identity_map
from frameworks.models import (
    Dimension,
    Facet,
    Framework,
    FrameworkVersion,
    Question,
    QuestionLink,
)

AUTHOR_PERMISSION = "frameworks.author_framework"


def user_can_author(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(AUTHOR_PERMISSION))


def _visible_versions(user) -> QuerySet[FrameworkVersion]:
    qs = FrameworkVersion.objects.select_related("framework")
    if user_can_author(user):
        return qs
    return qs.filter(status=FrameworkVersion.Status.PUBLISHED)


def newest_first(versions) -> list[FrameworkVersion]:
    """Versions highest number first (the number decides "newest", not a date)."""
    return sorted(versions, key=lambda v: version_key(v.version), reverse=True)


def framework_highest_version(*, framework: Framework) -> str | None:
    """The highest version number the framework has in any status, or None."""
    return max(framework.versions.values_list("version", flat=True), key=version_key, default=None)


def framework_catalogue(*, user) -> list[dict]:
    """One entry per framework the user may see, with its versions newest first; `current`
    is the newest published version (the newest draft when none is published)."""
    versions = (
        _visible_versions(user)
        .annotate(dimension_count=Count("dimensions", distinct=True))
        .annotate(question_count=Count("dimensions__questions", distinct=True))
        .order_by("framework__name", "framework_id")
    )
    entries: dict[int, dict] = {}
    for v in versions:
        entries.setdefault(v.framework_id, {"framework": v.framework, "versions": []})
        entries[v.framework_id]["versions"].append(v)
    for entry in entries.values():
        entry["versions"] = newest_first(entry["versions"])
        entry["current"] = next(
            (v for v in entry["versions"] if v.is_published), entry["versions"][0]
        )
    return list(entries.values())


def framework_for_user(*, user, slug: str) -> tuple[Framework, list[FrameworkVersion]]:
    versions = newest_first(
        _visible_versions(user)
        .filter(framework__slug=slug)
        .annotate(question_count=Count("dimensions__questions", distinct=True))
    )
    if not versions:
        raise Http404("No such framework")
    return versions[0].framework, versions


def framework_version_for_user(*, user, slug: str, version: str) -> FrameworkVersion:
    try:
        return _visible_versions(user).get(framework__slug=slug, version=version)
    except FrameworkVersion.DoesNotExist:
        raise Http404("No such framework version") from None


def framework_version_content(*, framework_version: FrameworkVersion) -> FrameworkVersion:
    """The version with its scale, facets, dimensions, questions, levels and confirmed crosswalk
    links loaded in 7 queries."""
    return (
        FrameworkVersion.objects.select_related("framework")
        .prefetch_related(
            "levels",
            Prefetch("facets", queryset=Facet.objects.prefetch_related("values")),
            Prefetch(
                "dimensions",
                queryset=Dimension.objects.prefetch_related(
                    Prefetch(
                        "questions",
                        queryset=Question.objects.prefetch_related(
                            "levels",
                            "tags__facet",
                            Prefetch(
                                "links",
                                queryset=QuestionLink.objects.filter(confirmed=True).select_related(
                                    "ancestor__dimension__framework_version"
                                ),
                            ),
                        ),
                    )
                ),
            ),
        )
        .get(pk=framework_version.pk)
    )


def _derived_from(question: Question) -> tuple[LinkSpec, ...] | None:
    """The question's confirmed crosswalk as written in files (unconfirmed proposals are not)."""
    if question.new_in_version:
        return ()
    links = tuple(
        LinkSpec(
            version=link.ancestor.dimension.framework_version.version,
            question=link.ancestor.slug,
            relation=link.relation,
        )
        for link in question.links.all()
    )
    return links or None


def framework_version_spec(*, framework_version: FrameworkVersion) -> FrameworkSpec:
    """The version as a file-format spec: what export writes and round-trips compare."""
    fv = framework_version_content(framework_version=framework_version)
    levels = tuple(
        LevelSpec(value=lv.value, label=lv.label, description=lv.description)
        for lv in fv.levels.all()
    )
    facets = tuple(
        FacetSpec(
            slug=f.slug,
            name=f.name,
            description=f.description,
            values=tuple(
                FacetValueSpec(slug=v.slug, name=v.name, weight=v.weight) for v in f.values.all()
            ),
        )
        for f in fv.facets.all()
    )
    dimensions = []
    for d in fv.dimensions.all():
        questions = tuple(
            QuestionSpec(
                slug=q.slug,
                text=q.text,
                help=q.help,
                weight=q.weight,
                tags={t.facet.slug: t.slug for t in q.tags.all()},
                levels={ql.value: ql.descriptor for ql in q.levels.all()},
                recommendations={
                    ql.value: ql.recommendation for ql in q.levels.all() if ql.recommendation
                },
                derived_from=_derived_from(q),
            )
            for q in d.questions.all()
        )
        dimensions.append(
            DimensionSpec(
                slug=d.slug,
                name=d.name,
                description=d.description,
                weight=d.weight,
                questions=questions,
            )
        )
    return FrameworkSpec(
        slug=fv.framework.slug,
        name=fv.name,
        version=fv.version,
        description=fv.description,
        source=fv.source or {},
        scoring=fv.scoring,
        levels=levels,
        facets=facets,
        dimensions=tuple(dimensions),
    )


def published_versions() -> QuerySet[FrameworkVersion]:
    return FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED).select_related(
        "framework"
    )


def version_map(*, earlier: FrameworkVersion, later: FrameworkVersion) -> VersionMap:
    """How `earlier`'s questions become `later`'s through the confirmed crosswalk (two queries;
    none beyond one when both are the same version). See frameworks/lineage.py."""
    if earlier.pk == later.pk:
        return identity_map(
            Question.objects.filter(dimension__framework_version=later).values_list("id", flat=True)
        )
    if earlier.framework_id != later.framework_id:
        raise ValueError("Only versions of one framework can be compared.")
    ids: dict[int, list[int]] = {earlier.pk: [], later.pk: []}
    for qid, version_id in Question.objects.filter(
        dimension__framework_version__in=[earlier.pk, later.pk]
    ).values_list("id", "dimension__framework_version_id"):
        ids[version_id].append(qid)
    links = QuestionLink.objects.filter(
        confirmed=True, question__dimension__framework_version__framework_id=later.framework_id
    ).values_list("question_id", "ancestor_id", "relation")
    return build_map(links=links, later=ids[later.pk], earlier=ids[earlier.pk])
