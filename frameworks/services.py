"""Every write to frameworks. Each function runs in one transaction and audits itself.

The rule that matters most: only a draft version changes. A published or retired version is
frozen so every assessment made against it stays readable and comparable.
"""

import dataclasses

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from frameworks.fileformat import (
    FrameworkFileError,
    FrameworkSpec,
    LinkSpec,
    Problem,
    version_key,
)
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
from frameworks.selectors import framework_highest_version, framework_version_spec
from maturity.audit.services import audit_record

# Made, with every frameworks permission, by frameworks' first migration.
EDITORS_GROUP = "Framework editors"

DEFAULT_SCALE = (
    (1, "Initial", "Little deliberate practice exists; what happens depends on individuals."),
    (2, "Emerging", "Pockets of good practice exist but they are inconsistent."),
    (3, "Defined", "An agreed and documented approach is used across most of the organisation."),
    (4, "Embedded", "The approach is routine, measured and owned by leaders."),
    (5, "Leading", "Practice improves continuously from evidence and is shared openly."),
)


class FrameworkVersionFrozen(Exception):
    """Raised when anything tries to change a version that is not a draft."""

    def __init__(self, framework_version: FrameworkVersion):
        self.framework_version = framework_version
        super().__init__(
            f"{framework_version} is {framework_version.get_status_display().lower()} and cannot "
            "be changed; create a new draft version instead."
        )


class FrameworkVersionIncomplete(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class FrameworkVersionNotHigher(ValueError):
    """Raised when a new version's number is not higher than every existing one's."""

    def __init__(self, *, framework: Framework, version: str, highest: str, exists: bool):
        self.version = version
        self.highest = highest
        self.exists = exists  # this very number is taken, not just a lower or equal one
        super().__init__(
            f"Version {version} is not higher than {highest}, the highest version of "
            f"{framework.name} so far"
        )


def framework_version_ensure_higher(*, framework: Framework, version: str) -> None:
    """A new version must be numbered above every version of its framework (draft, published
    or retired), so "newest" and "highest" always agree and "1.0" cannot follow "1.0.0".

    Call inside the transaction that creates the version, which must hold the framework's row
    lock (`_lock_framework`)."""
    highest = framework_highest_version(framework=framework)
    if highest is not None and version_key(version) <= version_key(highest):
        raise FrameworkVersionNotHigher(
            framework=framework,
            version=version,
            highest=highest,
            exists=framework.versions.filter(version=version).exists(),
        )


def _lock_framework(framework: Framework) -> Framework:
    # Two requests adding versions to one framework at once ("1.0" and "1.0.0") would each
    # pass the check above and both be saved; the second now waits for the first to commit.
    return Framework.objects.select_for_update().get(pk=framework.pk)


def framework_version_ensure_draft(*, framework_version: FrameworkVersion) -> None:
    """The single guard every write to a version's content goes through."""
    status = (
        FrameworkVersion.objects.filter(pk=framework_version.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status is not None and status != FrameworkVersion.Status.DRAFT:
        raise FrameworkVersionFrozen(framework_version)


def _create_content(*, framework_version: FrameworkVersion, spec: FrameworkSpec) -> None:
    ScaleLevel.objects.bulk_create(
        ScaleLevel(
            framework_version=framework_version,
            value=lv.value,
            label=lv.label,
            description=lv.description,
        )
        for lv in spec.levels
    )
    value_ids: dict[tuple[str, str], int] = {}
    for fpos, f in enumerate(spec.facets):
        facet = Facet.objects.create(
            framework_version=framework_version,
            slug=f.slug,
            name=f.name,
            description=f.description,
            position=fpos,
        )
        created = FacetValue.objects.bulk_create(
            FacetValue(facet=facet, slug=v.slug, name=v.name, weight=v.weight, position=vpos)
            for vpos, v in enumerate(f.values)
        )
        for v in created:
            value_ids[(f.slug, v.slug)] = v.pk

    dimensions = Dimension.objects.bulk_create(
        Dimension(
            framework_version=framework_version,
            slug=d.slug,
            name=d.name,
            description=d.description,
            weight=d.weight,
            position=dpos,
        )
        for dpos, d in enumerate(spec.dimensions)
    )
    question_rows = []
    question_specs = []
    for dimension, d in zip(dimensions, spec.dimensions, strict=True):
        for qpos, q in enumerate(d.questions):
            question_rows.append(
                Question(
                    dimension=dimension,
                    slug=q.slug,
                    text=q.text,
                    help=q.help,
                    weight=q.weight,
                    position=qpos,
                )
            )
            question_specs.append(q)
    questions = Question.objects.bulk_create(question_rows)
    levels = []
    tags = []
    for question, q in zip(questions, question_specs, strict=True):
        for value, descriptor in sorted(q.levels.items()):
            levels.append(
                QuestionLevel(
                    question=question,
                    value=value,
                    descriptor=descriptor,
                    recommendation=q.recommendations.get(value, ""),
                )
            )
        for facet_slug, value_slug in q.tags.items():
            tags.append(
                Question.tags.through(
                    question_id=question.pk, facetvalue_id=value_ids[(facet_slug, value_slug)]
                )
            )
    QuestionLevel.objects.bulk_create(levels)
    Question.tags.through.objects.bulk_create(tags)
    _create_links(framework_version=framework_version, spec=spec, questions=questions)


def _create_links(
    *, framework_version: FrameworkVersion, spec: FrameworkSpec, questions: list[Question]
) -> None:
    """The crosswalk from each question's `derived_from`: the named versions must be earlier
    versions of the same framework held here, and hold the named questions."""
    specs = [
        (f"dimensions[{di}].questions[{qi}].derived_from", q)
        for di, d in enumerate(spec.dimensions)
        for qi, q in enumerate(d.questions)
    ]
    wanted = {link.version for _, q in specs for link in q.derived_from or ()}
    versions = {}
    if wanted:
        own = version_key(framework_version.version)
        for v in FrameworkVersion.objects.filter(framework_id=framework_version.framework_id):
            if v.pk != framework_version.pk and version_key(v.version) < own:
                versions[version_key(v.version)] = v
    ancestors: dict[tuple[int, str], Question] = {
        (q.dimension.framework_version_id, q.slug): q
        for q in Question.objects.filter(
            dimension__framework_version__in=list(versions.values())
        ).select_related("dimension")
    }
    problems, rows = [], []
    for (place, q), question in zip(specs, questions, strict=True):
        if q.derived_from == ():
            question.new_in_version = True
        for k, link in enumerate(q.derived_from or ()):
            version = versions.get(version_key(link.version))
            if version is None:
                problems.append(
                    Problem(
                        f"{place}[{k}].version",
                        f"{spec.name} has no version {link.version} earlier than "
                        f"{framework_version.version} here; import that version first",
                    )
                )
                continue
            ancestor = ancestors.get((version.pk, link.question))
            if ancestor is None:
                problems.append(
                    Problem(
                        f"{place}[{k}].question",
                        f"version {version.version} has no question {link.question!r}",
                    )
                )
                continue
            rows.append(QuestionLink(question=question, ancestor=ancestor, relation=link.relation))
    if problems:
        raise FrameworkFileError(problems)
    QuestionLink.objects.bulk_create(rows)
    Question.objects.bulk_update([q for q in questions if q.new_in_version], ["new_in_version"])


def _derived_from_all(spec: FrameworkSpec, *, version: str) -> FrameworkSpec:
    """The spec of a version, each question linked as the same as itself in `version`: how a
    new draft starts from the version it copies."""
    return dataclasses.replace(
        spec,
        dimensions=tuple(
            dataclasses.replace(
                d,
                questions=tuple(
                    dataclasses.replace(
                        q,
                        derived_from=(LinkSpec(version=version, question=q.slug, relation="same"),),
                    )
                    for q in d.questions
                ),
            )
            for d in spec.dimensions
        ),
    )


@transaction.atomic
def framework_version_import(
    *, spec: FrameworkSpec, user=None, publish: bool = False
) -> FrameworkVersion:
    """Create a version (and its framework, the first time) from a validated file spec."""
    framework, created = Framework.objects.get_or_create(
        slug=spec.slug, defaults={"name": spec.name, "description": spec.description}
    )
    framework = _lock_framework(framework)
    try:
        framework_version_ensure_higher(framework=framework, version=spec.version)
    except FrameworkVersionNotHigher as exc:
        if exc.exists:
            message = (
                f"version {spec.version!r} of {spec.slug!r} already exists; give the file a "
                f"version number higher than {exc.highest!r}, the highest so far"
            )
        else:
            message = (
                f"version {spec.version!r} of {spec.slug!r} is not higher than "
                f"{exc.highest!r}, the highest version so far; give the file a higher version "
                "number"
            )
        raise FrameworkFileError([Problem("framework.version", message)]) from None
    framework_version = FrameworkVersion.objects.create(
        framework=framework,
        version=spec.version,
        name=spec.name,
        description=spec.description,
        source=spec.source,
        scoring=spec.scoring,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    _create_content(framework_version=framework_version, spec=spec)
    audit_record(
        actor=user,
        action="framework_version.import",
        obj=framework_version,
        changes={
            "framework": spec.slug,
            "version": spec.version,
            "dimensions": len(spec.dimensions),
            "questions": spec.question_count,
            "new_framework": created,
        },
    )
    if publish:
        framework_version_publish(framework_version=framework_version, user=user)
    return framework_version


@transaction.atomic
def framework_create(
    *, slug: str, name: str, description: str = "", version: str = "0.1.0", user=None
) -> FrameworkVersion:
    """A new framework with a blank draft version on the default five-level scale."""
    framework = Framework.objects.create(slug=slug, name=name, description=description)
    audit_record(actor=user, action="framework.create", obj=framework, changes={"slug": slug})
    return framework_version_create_draft(
        framework=framework, version=version, user=user, description=description
    )


@transaction.atomic
def framework_version_create_draft(
    *,
    framework: Framework,
    version: str,
    user=None,
    clone_from: FrameworkVersion | None = None,
    description: str = "",
) -> FrameworkVersion:
    """A new draft: a copy of `clone_from` (any status) or a blank one with the default scale.

    Raises FrameworkVersionNotHigher unless `version` is above every existing version."""
    _lock_framework(framework)
    framework_version_ensure_higher(framework=framework, version=version)
    if clone_from is not None:
        spec = framework_version_spec(framework_version=clone_from)
        draft = FrameworkVersion.objects.create(
            framework=framework,
            version=version,
            name=spec.name,
            description=spec.description,
            source=spec.source,
            scoring=spec.scoring,
            created_by=user,
            cloned_from=clone_from,
        )
        _create_content(
            framework_version=draft, spec=_derived_from_all(spec, version=clone_from.version)
        )
    else:
        draft = FrameworkVersion.objects.create(
            framework=framework,
            version=version,
            name=framework.name,
            description=description or framework.description,
            created_by=user,
        )
        ScaleLevel.objects.bulk_create(
            ScaleLevel(framework_version=draft, value=v, label=label, description=text)
            for v, label, text in DEFAULT_SCALE
        )
    audit_record(
        actor=user,
        action="framework_version.create_draft",
        obj=draft,
        changes={"version": version, "cloned_from": str(clone_from) if clone_from else None},
    )
    return draft


def framework_version_problems(*, framework_version: FrameworkVersion) -> list[str]:
    """What stops a version from being published, in words an editor can act on."""
    spec = framework_version_spec(framework_version=framework_version)
    problems: list[str] = []
    values = [lv.value for lv in spec.levels]
    if not 2 <= len(values) <= 10:
        problems.append(f"The scale has {len(values)} levels; it needs 2 to 10.")
    labels = [lv.label for lv in spec.levels if not lv.label.strip()]
    if labels:
        problems.append("Every level on the scale needs a label.")
    if not spec.dimensions:
        problems.append("The version has no dimensions; add at least one.")
    seen: dict[str, str] = {}
    top = values[-1] if values else None
    for d in spec.dimensions:
        if not d.questions:
            problems.append(f"Dimension “{d.name}” has no questions; add at least one.")
        for q in d.questions:
            where = f"Question “{q.slug}” in “{d.name}”"
            if q.slug in seen:
                problems.append(f"{where} uses the same slug as a question in “{seen[q.slug]}”.")
            seen[q.slug] = d.name
            missing = [str(v) for v in values if not q.levels.get(v, "").strip()]
            if missing:
                problems.append(f"{where} has no descriptor for level {', '.join(missing)}.")
            extra = [str(v) for v in q.levels if v not in values]
            if extra:
                problems.append(
                    f"{where} has a descriptor for level {', '.join(extra)}, "
                    "which is not on the scale."
                )
            if top is not None and q.recommendations.get(top):
                problems.append(f"{where} has a recommendation for the top level; remove it.")
        if d.weight <= 0:
            problems.append(f"Dimension “{d.name}” needs a weight greater than 0.")
    for f in spec.facets:
        if not f.values:
            problems.append(f"Facet “{f.name}” has no values.")
    return problems


@transaction.atomic
def framework_version_publish(
    *, framework_version: FrameworkVersion, user=None
) -> FrameworkVersion:
    """Freeze a complete draft so assessments can use it. Refuses an incomplete one."""
    locked = FrameworkVersion.objects.select_for_update().get(pk=framework_version.pk)
    if locked.status != FrameworkVersion.Status.DRAFT:
        raise FrameworkVersionFrozen(locked)
    problems = framework_version_problems(framework_version=locked)
    if problems:
        raise FrameworkVersionIncomplete(problems)
    locked.status = FrameworkVersion.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = user if user is not None and user.is_authenticated else None
    locked.save(update_fields=["status", "published_at", "published_by"])
    published = FrameworkVersion.objects.filter(
        framework_id=locked.framework_id, status=FrameworkVersion.Status.PUBLISHED
    ).values_list("version", flat=True)
    # The framework is named as its highest published version, even when an older-numbered
    # draft is published after it.
    if max(published, key=version_key) == locked.version:
        Framework.objects.filter(pk=locked.framework_id).update(
            name=locked.name, description=locked.description
        )
    audit_record(
        actor=user,
        action="framework_version.publish",
        obj=locked,
        changes={"status": ["draft", "published"]},
    )
    framework_version.refresh_from_db()
    return locked


@transaction.atomic
def framework_version_retire(*, framework_version: FrameworkVersion, user=None) -> FrameworkVersion:
    """Take a published version out of use for new assessments. Its content stays frozen."""
    locked = FrameworkVersion.objects.select_for_update().get(pk=framework_version.pk)
    if locked.status != FrameworkVersion.Status.PUBLISHED:
        raise ValueError("Only a published version can be retired.")
    locked.status = FrameworkVersion.Status.RETIRED
    locked.save(update_fields=["status"])
    audit_record(
        actor=user,
        action="framework_version.retire",
        obj=locked,
        changes={"status": ["published", "retired"]},
    )
    framework_version.refresh_from_db()
    return locked


@transaction.atomic
def framework_version_delete_draft(*, framework_version: FrameworkVersion, user=None) -> None:
    framework_version_ensure_draft(framework_version=framework_version)
    audit_record(actor=user, action="framework_version.delete_draft", obj=framework_version)
    framework = framework_version.framework
    framework_version.delete()
    if not framework.versions.exists():
        framework.delete()


def framework_version_content_save(*, instance, framework_version: FrameworkVersion, user=None):
    """Save one piece of a draft's content (the admin's edits come through here)."""
    with transaction.atomic():
        framework_version_ensure_draft(framework_version=framework_version)
        changed = instance.pk is None
        instance.save()
        audit_record(
            actor=user,
            action=f"{instance._meta.model_name}.{'create' if changed else 'update'}",
            obj=instance,
            changes={"framework_version": str(framework_version)},
        )
        return instance


def editors_group() -> Group:
    """The framework editors' group. The first migration makes it; it is made again here, with
    the same permissions, only if it has gone (a test database flushed between tests)."""
    group, created = Group.objects.get_or_create(name=EDITORS_GROUP)
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="frameworks"))
    return group
