"""Every read of frameworks that a view or command needs.

Framework content is not tenant data: published versions are public to signed-in and
anonymous visitors alike. Drafts are visible only to framework editors.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from frameworks.crosswalk import (
    TO_REVIEW,
    Crosswalk,
    Item,
    Row,
    counts,
    propose,
    relation_of,
)
from frameworks.diff import VersionDiff, diff_versions
from frameworks.fileformat import (
    DimensionSpec,
    DroppedSpec,
    FacetSpec,
    FacetValueSpec,
    FrameworkSpec,
    LevelSpec,
    LinkSpec,
    QuestionSpec,
    flags_from_json,
    version_key,
)
from frameworks.layers import LayerAxis, axis_of
from frameworks.lineage import VersionMap, build_map, identity_map
from frameworks.models import (
    Dimension,
    Facet,
    FacetValue,
    Framework,
    FrameworkVersion,
    Question,
    QuestionLevel,
    QuestionLink,
    ScaleLevel,
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


def framework_version_spec(*, framework_version: FrameworkVersion) -> FrameworkSpec:
    """The version as a file-format spec: what export writes and round-trips compare.

    Read as plain rows (8 queries, no model instances): a 200-question version has some 2,000
    rows, and making model objects of them was most of the editor's and publish's time."""
    fv = FrameworkVersion.objects.select_related("framework").get(pk=framework_version.pk)
    in_version = {"question__dimension__framework_version": fv}
    levels = tuple(
        LevelSpec(value=value, label=label, description=description)
        for value, label, description in ScaleLevel.objects.filter(framework_version=fv)
        .order_by("value")
        .values_list("value", "label", "description")
    )
    values_of = defaultdict(list)
    for facet_id, slug, name, weight in (
        FacetValue.objects.filter(facet__framework_version=fv)
        .order_by("position", "id")
        .values_list("facet_id", "slug", "name", "weight")
    ):
        values_of[facet_id].append(FacetValueSpec(slug=slug, name=name, weight=weight))
    facets = tuple(
        FacetSpec(
            slug=slug,
            name=name,
            description=description,
            values=tuple(values_of[pk]),
            layer_axis=layer_axis,
        )
        for pk, slug, name, description, layer_axis in Facet.objects.filter(framework_version=fv)
        .order_by("position", "id")
        .values_list("pk", "slug", "name", "description", "layer_axis")
    )
    descriptors, recommendations = defaultdict(dict), defaultdict(dict)
    for question_id, value, descriptor, recommendation in (
        QuestionLevel.objects.filter(**in_version)
        .order_by("question_id", "value")
        .values_list("question_id", "value", "descriptor", "recommendation")
    ):
        descriptors[question_id][value] = descriptor
        if recommendation:
            recommendations[question_id][value] = recommendation
    tags = defaultdict(dict)
    for question_id, facet, value in (
        Question.tags.through.objects.filter(**in_version)
        .order_by("facetvalue__facet__position", "facetvalue__facet_id")
        .values_list("question_id", "facetvalue__facet__slug", "facetvalue__slug")
    ):
        tags[question_id][facet] = value
    links = defaultdict(list)
    for question_id, version, slug, relation in (
        QuestionLink.objects.filter(confirmed=True, **in_version)
        .order_by("question_id", "ancestor__dimension__position", "ancestor__position", "id")
        .values_list(
            "question_id",
            "ancestor__dimension__framework_version__version",
            "ancestor__slug",
            "relation",
        )
    ):
        links[question_id].append(LinkSpec(version=version, question=slug, relation=relation))
    questions_of = defaultdict(list)
    for pk, dimension_id, slug, text, help, weight, new in (
        Question.objects.filter(dimension__framework_version=fv)
        .order_by("position", "id")
        .values_list("pk", "dimension_id", "slug", "text", "help", "weight", "new_in_version")
    ):
        questions_of[dimension_id].append(
            QuestionSpec(
                slug=slug,
                text=text,
                help=help,
                weight=weight,
                tags=tags[pk],
                levels=descriptors[pk],
                recommendations=recommendations[pk],
                # The confirmed crosswalk as files write it (unconfirmed proposals are not).
                derived_from=() if new else (tuple(links[pk]) or None),
            )
        )
    dimensions = [
        DimensionSpec(
            slug=slug,
            name=name,
            description=description,
            weight=weight,
            questions=tuple(questions_of[pk]),
        )
        for pk, slug, name, description, weight in Dimension.objects.filter(framework_version=fv)
        .order_by("position", "id")
        .values_list("pk", "slug", "name", "description", "weight")
    ]
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
        licence=fv.licence,
        publisher=fv.publisher,
        publication_date=fv.publication_date,
        flags=flags_from_json(fv.flags),
        dropped=tuple(DroppedSpec(**d) for d in fv.dropped or ()),
    )


@dataclass(frozen=True)
class DroppedQuestion:
    version: str
    slug: str
    text: str
    reason: str


def dropped_questions(*, framework_version: FrameworkVersion) -> list[DroppedQuestion]:
    """The earlier questions the version says it no longer asks, with their wording then (one
    query, none when it drops nothing)."""
    dropped = framework_version.dropped or []
    if not dropped:
        return []
    texts = {
        (version, slug): text
        for version, slug, text in Question.objects.filter(
            dimension__framework_version__framework_id=framework_version.framework_id,
            dimension__framework_version__version__in={d["version"] for d in dropped},
            slug__in={d["question"] for d in dropped},
        ).values_list("dimension__framework_version__version", "slug", "text")
    }
    return [
        DroppedQuestion(
            version=d["version"],
            slug=d["question"],
            text=texts.get((d["version"], d["question"]), d["question"]),
            reason=d["reason"],
        )
        for d in dropped
    ]


def framework_version_layer_axis(*, framework_version: FrameworkVersion) -> LayerAxis | None:
    """The version's layer axis, its values foundations first (two queries); None without one."""
    return axis_of(
        Facet.objects.filter(framework_version=framework_version, layer_axis=True).prefetch_related(
            "values"
        )
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
    # Unordered: the map does not depend on the links' order, and the model's ordering joins
    # both questions and their dimensions again (seconds a call on a busy PostgreSQL).
    links = (
        QuestionLink.objects.filter(
            confirmed=True, question__dimension__framework_version__framework_id=later.framework_id
        )
        .order_by()
        .values_list("question_id", "ancestor_id", "relation")
    )
    return build_map(links=links, later=ids[later.pk], earlier=ids[earlier.pk])


# The framework editor's reads: a version's parts, each found only inside that version.


def version_dimension(*, framework_version: FrameworkVersion, pk: int) -> Dimension:
    try:
        return framework_version.dimensions.select_related("framework_version").get(pk=pk)
    except Dimension.DoesNotExist:
        raise Http404("No such dimension") from None


def version_question(*, framework_version: FrameworkVersion, pk: int) -> Question:
    try:
        return Question.objects.select_related("dimension__framework_version").get(
            pk=pk, dimension__framework_version=framework_version
        )
    except Question.DoesNotExist:
        raise Http404("No such question") from None


def version_facet(*, framework_version: FrameworkVersion, pk: int) -> Facet:
    try:
        return framework_version.facets.select_related("framework_version").get(pk=pk)
    except Facet.DoesNotExist:
        raise Http404("No such facet") from None


def version_facet_value(*, facet: Facet, pk: int) -> FacetValue:
    try:
        return facet.values.select_related("facet__framework_version").get(pk=pk)
    except FacetValue.DoesNotExist:
        raise Http404("No such facet value") from None


def version_scale_level(*, framework_version: FrameworkVersion, pk: int) -> ScaleLevel:
    try:
        return framework_version.levels.select_related("framework_version").get(pk=pk)
    except ScaleLevel.DoesNotExist:
        raise Http404("No such level") from None


def version_questions(*, framework_version: FrameworkVersion) -> list[Question]:
    """The version's questions in the order respondents meet them, with their dimensions."""
    return list(
        Question.objects.filter(dimension__framework_version=framework_version)
        .select_related("dimension")
        .order_by("dimension__position", "dimension_id", "position", "id")
    )


def version_outline(*, framework_version: FrameworkVersion) -> list[Dimension]:
    """The version's dimensions in order, each with its questions (and how many descriptors
    each has), in 2 queries whatever the size."""
    questions = Question.objects.annotate(descriptor_count=Count("levels")).order_by(
        "position", "id"
    )
    return list(
        framework_version.dimensions.order_by("position", "id").prefetch_related(
            Prefetch("questions", queryset=questions)
        )
    )


def version_facets(*, framework_version: FrameworkVersion) -> list[Facet]:
    """The version's facets with their values and how many questions carry each, in 2 queries."""
    values = FacetValue.objects.annotate(question_count=Count("questions")).order_by(
        "position", "id"
    )
    return list(
        framework_version.facets.order_by("position", "id").prefetch_related(
            Prefetch("values", queryset=values)
        )
    )


# Comparing versions: the diff and the crosswalk (frameworks/crosswalk_views.py).


def framework_versions_diff(*, earlier: FrameworkVersion, later: FrameworkVersion) -> VersionDiff:
    """What changed from `earlier` to `later`, matching questions through the crosswalk when
    any of `later`'s questions descends from one of `earlier`'s, else by slug. A fixed number
    of queries whatever the size of the framework."""
    earlier_spec = framework_version_spec(framework_version=earlier)
    later_spec = framework_version_spec(framework_version=later)
    links = version_map(earlier=earlier, later=later)
    if earlier.pk == later.pk or not any(links.ancestors.values()):
        return diff_versions(earlier_spec, later_spec)
    keys = {
        qid: (dimension, slug)
        for qid, dimension, slug in Question.objects.filter(
            dimension__framework_version__in=[earlier.pk, later.pk]
        ).values_list("id", "dimension__slug", "slug")
    }
    lineage = {
        keys[qid]: (links.relation[qid], frozenset(keys[a] for a in ancestors))
        for qid, ancestors in links.ancestors.items()
    }
    return diff_versions(earlier_spec, later_spec, lineage=lineage)


def crosswalk_links(
    *, framework_version: FrameworkVersion
) -> tuple[list[Question], dict[int, list[QuestionLink]]]:
    """The version's questions in order (with their dimensions), and each one's confirmed
    links with their ancestors, in 2 queries."""
    questions = list(
        Question.objects.filter(dimension__framework_version=framework_version)
        .select_related("dimension")
        .order_by("dimension__position", "dimension_id", "position", "id")
    )
    links: dict[int, list[QuestionLink]] = {}
    for link in QuestionLink.objects.filter(
        confirmed=True, question__dimension__framework_version=framework_version
    ).select_related("ancestor__dimension__framework_version"):
        links.setdefault(link.question_id, []).append(link)
    return questions, links


def crosswalk_of(*, framework_version: FrameworkVersion) -> Crosswalk | None:
    """The crosswalk page of a version drafted from another: each question's links and the
    editor's proposals for it. None for a version not drafted from another. 5 queries."""
    source = (
        FrameworkVersion.objects.filter(pk=framework_version.cloned_from_id)
        .select_related("framework")
        .first()
    )
    if source is None:
        return None
    questions, links = crosswalk_links(framework_version=framework_version)
    earlier = list(
        Question.objects.filter(dimension__framework_version=source)
        .select_related("dimension")
        .order_by("dimension__position", "dimension_id", "position", "id")
    )
    proposals = propose(
        earlier=[Item(q.pk, q.slug, q.text) for q in earlier],
        later=[Item(q.pk, q.slug, q.text) for q in questions],
        links={qid: [(k.ancestor_id, k.relation) for k in found] for qid, found in links.items()},
        new=[q.pk for q in questions if q.new_in_version],
    )
    by_id = {q.pk: q for q in earlier}
    rows = []
    for q in questions:
        found = links.get(q.pk, [])
        proposal = proposals.get(q.pk)
        rows.append(
            Row(
                question=q,
                relation=relation_of(new=q.new_in_version, relations=[k.relation for k in found]),
                links=found,
                proposal=proposal,
                proposed_ancestor=by_id.get(proposal.ancestor) if proposal else None,
            )
        )
    return Crosswalk(
        framework_version=framework_version,
        source=source,
        rows=rows,
        earlier=earlier,
        proposals=list(proposals.values()),
    )


def crosswalk_summary(*, framework_version: FrameworkVersion) -> dict[str, int] | None:
    """How many questions are the same, reworded, split, merged, new or not yet reviewed, from
    a version loaded by framework_version_content (no further query); None when the version
    has no crosswalk at all."""
    relations = [
        relation_of(new=q.new_in_version, relations=[k.relation for k in q.links.all()])
        for d in framework_version.dimensions.all()
        for q in d.questions.all()
    ]
    if framework_version.cloned_from_id is None and all(r == TO_REVIEW for r in relations):
        return None
    # Keys a template can read: same, reworded, split, merged, new, to_review.
    return {
        relation.removesuffix("-from").replace("-", "_"): n
        for relation, n in counts(relations).items()
    }


def crosswalk_question(*, framework_version: FrameworkVersion, pk: int) -> Question:
    try:
        return Question.objects.select_related("dimension__framework_version").get(
            pk=pk, dimension__framework_version=framework_version
        )
    except Question.DoesNotExist:
        raise Http404("No such question") from None
