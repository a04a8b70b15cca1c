"""Every write to frameworks. Each function runs in one transaction and audits itself.

The rule that matters most: only a draft version changes. A published or retired version is
frozen so every assessment made against it stays readable and comparable.
"""

import dataclasses
import datetime

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from frameworks.crosswalk import NEW, same_text
from frameworks.fileformat import (
    MAX_LEVELS,
    MIN_LEVELS,
    FlagSpec,
    FrameworkFileError,
    FrameworkSpec,
    LinkSpec,
    Problem,
    editor_message,
    flags_from_json,
    flags_to_json,
    place_of,
    validate_document,
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
from frameworks.selectors import (
    crosswalk_links,
    crosswalk_of,
    framework_highest_version,
    framework_version_spec,
)
from maturity.audit.services import audit_record

# Made, with every frameworks permission, by frameworks' first migration.
EDITORS_GROUP = "Framework editors"

DEFAULT_SCALE = (
    (1, "Initial", "Little deliberate practice exists; what happens depends on individuals."),
    (2, "Emerging", "Pockets of good practice exist but they are inconsistent."),
    (3, "Defined", "An agreed and documented approach is used across most of the organisation."),
    (4, "Embedded", "The approach is routine, measured and owned by leaders."),
    (
        5,
        "Leading",
        "Practice is done well throughout, checked against evidence and improved continuously.",
    ),
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
    """The single guard every write to a version's content goes through.

    Call it inside the writer's transaction: it locks the version's row until that transaction
    ends. Without the lock an edit could read "draft", a publish commit, and the edit then land
    in a published version; with it, a publish waits for the edit (and validates what it wrote),
    or the edit waits for the publish and is refused."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "framework_version_ensure_draft must run inside the writer's transaction"
        )
    status = (
        FrameworkVersion.objects.select_for_update()
        .filter(pk=framework_version.pk)
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
            layer_axis=f.layer_axis,
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
    wanted = {link.version for _, q in specs for link in q.derived_from or ()} | {
        d.version for d in spec.dropped
    }
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
    for k, dropped in enumerate(spec.dropped):
        version = versions.get(version_key(dropped.version))
        if version is None:
            problems.append(
                Problem(
                    f"framework.dropped[{k}].version",
                    f"{spec.name} has no version {dropped.version} earlier than "
                    f"{framework_version.version} here; import that version first",
                )
            )
        elif (version.pk, dropped.question) not in ancestors:
            problems.append(
                Problem(
                    f"framework.dropped[{k}].question",
                    f"version {version.version} has no question {dropped.question!r}",
                )
            )
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
        dropped=(),
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
        licence=spec.licence,
        publisher=spec.publisher,
        publication_date=spec.publication_date,
        flags=flags_to_json(spec.flags),
        dropped=[dataclasses.asdict(d) for d in spec.dropped],
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
            licence=spec.licence,
            publisher=spec.publisher,
            publication_date=spec.publication_date,
            # The flags it means carry over; what it dropped was relative to its own past.
            flags=flags_to_json(spec.flags),
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
    """What stops a version from being published, in words an editor can act on.

    The rules are the file format's: the version is checked as the file it would export to, by
    the validator that checks imported files, so the service and its files cannot drift apart.
    Then what only a stored version can get wrong, which its file would not show."""
    spec = framework_version_spec(framework_version=framework_version)
    document = spec.to_document()
    found: list[Problem] = []
    try:
        validate_document(document)
    except FrameworkFileError as exc:
        found = exc.problems
    # The file leaves out a recommendation for the top level; a stored draft may still hold one.
    top = spec.levels[-1].value if spec.levels else None
    for di, d in enumerate(spec.dimensions):
        for qi, q in enumerate(d.questions):
            if top is not None and q.recommendations.get(top):
                path = ("framework", "dimensions", di, "questions", qi, "recommendations")
                found.append(
                    Problem(
                        place_of(path),
                        f"level {top} is the top of the scale, so it has no recommendation for "
                        "moving up; remove it",
                        path=path,
                    )
                )
    problems = [editor_message(problem, document) for problem in found]
    problems += crosswalk_problems(framework_version=framework_version)
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


# The framework editor (frameworks/editor_views.py). Every write locks the version's row first
# through framework_version_ensure_draft, so none can land in a version as it is published.


class EditRefused(ValueError):
    """An edit that breaks a rule of the framework's shape; `field` names the form field."""

    def __init__(self, message: str, *, field: str | None = None):
        self.message = message
        self.field = field
        super().__init__(message)


MOVES = ("up", "down")


def _editor_audit(user, action: str, obj, framework_version: FrameworkVersion, **changes) -> None:
    audit_record(
        actor=user,
        action=action,
        obj=obj,
        changes={"framework_version": str(framework_version), **changes},
    )


def _next_position(siblings) -> int:
    """The position after the last of `siblings` (a related manager or queryset)."""
    return (siblings.aggregate(last=Max("position"))["last"] or 0) + 1


def _flags_follow(
    framework_version: FrameworkVersion, *, kind: str, old: str, new: str | None
) -> None:
    """Keep the declared flags naming what they named: a question or dimension ("questions",
    "dimensions") renamed from `old` to `new` is renamed in them, a removed one (None) leaves
    them. Under the version's lock, so the stored flags are read afresh."""
    stored = FrameworkVersion.objects.values_list("flags", flat=True).get(pk=framework_version.pk)
    flags = flags_to_json(flags_from_json(stored))
    changed = False
    for flag in flags:
        if old in flag[kind]:
            flag[kind] = [new if name == old else name for name in flag[kind] if new or name != old]
            changed = True
    if changed:
        FrameworkVersion.objects.filter(pk=framework_version.pk).update(flags=flags)
        framework_version.flags = flags


@transaction.atomic
def framework_version_flags_update(
    *, framework_version: FrameworkVersion, flags: tuple[FlagSpec, ...], user=None
) -> FrameworkVersion:
    """Declare the warnings the framework means (publishing checks what they name)."""
    framework_version_ensure_draft(framework_version=framework_version)
    changed = _update(framework_version, {"flags": flags_to_json(flags)})
    _editor_audit(
        user,
        "framework_version.flags",
        framework_version,
        framework_version,
        fields=changed,
        flags=[f.code for f in flags],
    )
    return framework_version


@transaction.atomic
def framework_version_dropped_set(
    *, framework_version: FrameworkVersion, question: Question, reason: str, user=None
) -> FrameworkVersion:
    """Say why a question of the version this draft was made from is no longer asked (an
    empty reason takes the statement back)."""
    framework_version_ensure_draft(framework_version=framework_version)
    source = framework_version.cloned_from
    if source is None or question.dimension.framework_version_id != source.pk:
        raise EditRefused("Choose a question of the version this draft was made from")
    if QuestionLink.objects.filter(
        question__dimension__framework_version=framework_version, ancestor=question
    ).exists():
        raise EditRefused(
            "A question of this draft is linked to it, so it is still asked; change the link "
            "on the crosswalk first"
        )
    dropped = [
        d
        for d in FrameworkVersion.objects.values_list("dropped", flat=True).get(
            pk=framework_version.pk
        )
        if (d["version"], d["question"]) != (source.version, question.slug)
    ]
    if reason.strip():
        dropped.append({"version": source.version, "question": question.slug, "reason": reason})
    _update(framework_version, {"dropped": dropped})
    _editor_audit(
        user,
        "framework_version.dropped",
        framework_version,
        framework_version,
        question=question.slug,
        reason=reason,
    )
    return framework_version


def _dropped_forget(framework_version: FrameworkVersion, ancestors: list[Question]) -> None:
    """An earlier question linked again is asked again: no longer listed as dropped."""
    source = framework_version.cloned_from
    stored = FrameworkVersion.objects.values_list("dropped", flat=True).get(pk=framework_version.pk)
    linked = {(source.version, a.slug) for a in ancestors} if source else set()
    kept = [d for d in stored if (d["version"], d["question"]) not in linked]
    if len(kept) != len(stored):
        FrameworkVersion.objects.filter(pk=framework_version.pk).update(dropped=kept)
        framework_version.dropped = kept


def _update(instance, fields: dict) -> list[str]:
    """Set the fields that changed and save only those; returns their names."""
    changed = [name for name, value in fields.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, fields[name])
    if changed:
        instance.save(update_fields=changed)
    return changed


def _move(items: list, item, direction: str) -> bool:
    """Swap `item` with its neighbour in `items` (in their order) and number them all again,
    so old gaps or ties in positions cannot stop a move. False at either end."""
    if direction not in MOVES:
        raise EditRefused("Choose to move it up or down")
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items):
        other.position = position
    type(item).objects.bulk_update(items, ["position"])
    return True


@transaction.atomic
def framework_version_details_update(
    *,
    framework_version: FrameworkVersion,
    name: str,
    description: str,
    scoring: str,
    licence: str,
    publisher: str,
    publication_date: datetime.date | None,
    notes: list[str] | None = None,
    user=None,
) -> FrameworkVersion:
    framework_version_ensure_draft(framework_version=framework_version)
    source = {k: v for k, v in (framework_version.source or {}).items() if k != "notes"}
    if notes is None:
        source = framework_version.source
    elif notes:
        source["notes"] = notes
    changed = _update(
        framework_version,
        {
            "source": source,
            "name": name,
            "description": description,
            "scoring": scoring,
            "licence": licence,
            "publisher": publisher,
            "publication_date": publication_date,
        },
    )
    _editor_audit(
        user, "framework_version.update", framework_version, framework_version, fields=changed
    )
    return framework_version


@transaction.atomic
def scale_level_add(
    *, framework_version: FrameworkVersion, value: int, label: str, description: str = "", user=None
) -> ScaleLevel:
    """A new level on the scale. Every question then needs a descriptor for it (publishing
    says which do not have one yet)."""
    framework_version_ensure_draft(framework_version=framework_version)
    values = list(framework_version.levels.values_list("value", flat=True))
    if len(values) >= MAX_LEVELS:
        raise EditRefused(f"The scale already has {MAX_LEVELS} levels, the most it can have")
    if value in values:
        raise EditRefused(
            f"Level {value} is already on the scale; enter another number", field="value"
        )
    level = ScaleLevel.objects.create(
        framework_version=framework_version, value=value, label=label, description=description
    )
    _editor_audit(user, "scalelevel.create", level, framework_version, value=value)
    return level


@transaction.atomic
def scale_levels_update(
    *, framework_version: FrameworkVersion, texts: dict[int, tuple[str, str]], user=None
) -> None:
    """New labels and descriptions for the scale's levels, by value."""
    framework_version_ensure_draft(framework_version=framework_version)
    changed = []
    for level in framework_version.levels.all():
        if level.value in texts:
            label, description = texts[level.value]
            if _update(level, {"label": label, "description": description}):
                changed.append(level.value)
    _editor_audit(user, "scalelevel.update", framework_version, framework_version, levels=changed)


@transaction.atomic
def scale_level_remove(*, level: ScaleLevel, user=None) -> int:
    """Take a level off the scale, with every question's descriptor and recommendation for it.
    When it was the top level, the new top's recommendations go too (the top has none).
    Returns how many questions lost a descriptor."""
    framework_version = level.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    values = list(framework_version.levels.values_list("value", flat=True))
    if len(values) <= MIN_LEVELS:
        raise EditRefused(
            f"A scale needs at least {MIN_LEVELS} levels, so this one cannot be removed"
        )
    content = QuestionLevel.objects.filter(question__dimension__framework_version=framework_version)
    removed, _ = content.filter(value=level.value).delete()
    if level.value == max(values):
        content.filter(value=sorted(values)[-2]).update(recommendation="")
    _editor_audit(user, "scalelevel.delete", level, framework_version, value=level.value)
    level.delete()
    return removed


def _facet_fields_check(framework_version: FrameworkVersion, slug: str, pk=None) -> None:
    if framework_version.facets.filter(slug=slug).exclude(pk=pk).exists():
        raise EditRefused(f"Another facet already uses the short name {slug}", field="slug")


def _only_layer_axis(facet: Facet) -> None:
    # At most one facet a version is the layer axis (a constraint): the new one takes over.
    if facet.layer_axis:
        Facet.objects.filter(framework_version_id=facet.framework_version_id).exclude(
            pk=facet.pk
        ).update(layer_axis=False)


@transaction.atomic
def facet_add(
    *,
    framework_version: FrameworkVersion,
    slug: str,
    name: str,
    description: str = "",
    layer_axis: bool = False,
    user=None,
) -> Facet:
    framework_version_ensure_draft(framework_version=framework_version)
    _facet_fields_check(framework_version, slug)
    if layer_axis:
        framework_version.facets.update(layer_axis=False)
    facet = Facet.objects.create(
        framework_version=framework_version,
        slug=slug,
        name=name,
        description=description,
        layer_axis=layer_axis,
        position=_next_position(framework_version.facets),
    )
    _editor_audit(user, "facet.create", facet, framework_version, slug=slug)
    return facet


@transaction.atomic
def facet_update(
    *, facet: Facet, slug: str, name: str, description: str, layer_axis: bool, user=None
) -> Facet:
    framework_version = facet.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    _facet_fields_check(framework_version, slug, facet.pk)
    if layer_axis:
        framework_version.facets.exclude(pk=facet.pk).update(layer_axis=False)
    changed = _update(
        facet, {"slug": slug, "name": name, "description": description, "layer_axis": layer_axis}
    )
    _editor_audit(user, "facet.update", facet, framework_version, fields=changed)
    return facet


@transaction.atomic
def facet_remove(*, facet: Facet, user=None) -> None:
    """Remove a facet, its values and every question's tag on it."""
    framework_version = facet.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    _editor_audit(user, "facet.delete", facet, framework_version, slug=facet.slug)
    facet.delete()


def _value_check(facet: Facet, slug: str, pk=None) -> None:
    if facet.values.filter(slug=slug).exclude(pk=pk).exists():
        raise EditRefused(
            f"Another value of {facet.name} already uses the short name {slug}", field="slug"
        )


@transaction.atomic
def facet_value_add(*, facet: Facet, slug: str, name: str, weight: float, user=None) -> FacetValue:
    framework_version = facet.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    _value_check(facet, slug)
    value = FacetValue.objects.create(
        facet=facet, slug=slug, name=name, weight=weight, position=_next_position(facet.values)
    )
    _editor_audit(user, "facetvalue.create", value, framework_version, slug=slug)
    return value


@transaction.atomic
def facet_value_update(
    *, value: FacetValue, slug: str, name: str, weight: float, user=None
) -> FacetValue:
    framework_version = value.facet.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    _value_check(value.facet, slug, value.pk)
    changed = _update(value, {"slug": slug, "name": name, "weight": weight})
    _editor_audit(user, "facetvalue.update", value, framework_version, fields=changed)
    return value


@transaction.atomic
def facet_value_remove(*, value: FacetValue, user=None) -> None:
    """Remove a facet's value and every question's tag with it."""
    framework_version = value.facet.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    _editor_audit(user, "facetvalue.delete", value, framework_version, slug=value.slug)
    value.delete()


def _dimension_check(framework_version: FrameworkVersion, slug: str, pk=None) -> None:
    if framework_version.dimensions.filter(slug=slug).exclude(pk=pk).exists():
        raise EditRefused(f"Another dimension already uses the short name {slug}", field="slug")


@transaction.atomic
def dimension_add(
    *,
    framework_version: FrameworkVersion,
    slug: str,
    name: str,
    description: str = "",
    weight: float = 1.0,
    user=None,
) -> Dimension:
    """A new dimension, last in the version."""
    framework_version_ensure_draft(framework_version=framework_version)
    _dimension_check(framework_version, slug)
    dimension = Dimension.objects.create(
        framework_version=framework_version,
        slug=slug,
        name=name,
        description=description,
        weight=weight,
        position=_next_position(framework_version.dimensions),
    )
    _editor_audit(user, "dimension.create", dimension, framework_version, slug=slug)
    return dimension


@transaction.atomic
def dimension_update(
    *, dimension: Dimension, slug: str, name: str, description: str, weight: float, user=None
) -> Dimension:
    framework_version = dimension.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    _dimension_check(framework_version, slug, dimension.pk)
    old_slug = dimension.slug
    changed = _update(
        dimension, {"slug": slug, "name": name, "description": description, "weight": weight}
    )
    if "slug" in changed:
        _flags_follow(framework_version, kind="dimensions", old=old_slug, new=slug)
    _editor_audit(user, "dimension.update", dimension, framework_version, fields=changed)
    return dimension


@transaction.atomic
def dimension_move(*, dimension: Dimension, direction: str, user=None) -> bool:
    """Move a dimension one place up or down; False when it is already at that end."""
    framework_version = dimension.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    moved = _move(
        list(framework_version.dimensions.order_by("position", "id")), dimension, direction
    )
    if moved:
        _editor_audit(user, "dimension.move", dimension, framework_version, direction=direction)
    return moved


@transaction.atomic
def dimension_remove(*, dimension: Dimension, user=None) -> None:
    """Remove a dimension and its questions."""
    framework_version = dimension.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    _editor_audit(
        user,
        "dimension.delete",
        dimension,
        framework_version,
        slug=dimension.slug,
        questions=list(dimension.questions.values_list("slug", flat=True)),
    )
    _flags_follow(framework_version, kind="dimensions", old=dimension.slug, new=None)
    for slug in dimension.questions.values_list("slug", flat=True):
        _flags_follow(framework_version, kind="questions", old=slug, new=None)
    dimension.delete()


@dataclasses.dataclass(frozen=True)
class QuestionContent:
    """What the editor's question form sets: everything about a question but its place."""

    dimension: Dimension
    slug: str
    text: str
    help: str = ""
    weight: float = 1.0
    tags: tuple[FacetValue, ...] = ()
    descriptors: dict[int, str] = dataclasses.field(default_factory=dict)
    recommendations: dict[int, str] = dataclasses.field(default_factory=dict)


def _question_check(framework_version: FrameworkVersion, content: QuestionContent, pk=None) -> None:
    """Question slugs are unique in the whole version (the file format's rule), and a question
    stays among its version's dimensions and facets."""
    if content.dimension.framework_version_id != framework_version.pk:
        raise EditRefused("Choose one of this version's dimensions", field="dimension")
    if any(v.facet.framework_version_id != framework_version.pk for v in content.tags):
        raise EditRefused("Choose values of this version's facets")
    taken = (
        Question.objects.filter(dimension__framework_version=framework_version, slug=content.slug)
        .exclude(pk=pk)
        .select_related("dimension")
        .first()
    )
    if taken is not None:
        raise EditRefused(
            f"The question “{taken.text}” in {taken.dimension.name} already uses the short name "
            f"{content.slug}; enter another",
            field="slug",
        )


def _question_content_save(question: Question, content: QuestionContent) -> None:
    """The question's descriptors, recommendations (none for the top level) and tags."""
    values = list(
        ScaleLevel.objects.filter(framework_version_id=content.dimension.framework_version_id)
        .order_by("value")
        .values_list("value", flat=True)
    )
    top = values[-1] if values else None
    question.levels.all().delete()
    QuestionLevel.objects.bulk_create(
        QuestionLevel(
            question=question,
            value=value,
            descriptor=content.descriptors[value],
            recommendation="" if value == top else content.recommendations.get(value, ""),
        )
        for value in values
        if content.descriptors.get(value)
    )
    question.tags.set(content.tags)


@transaction.atomic
def question_add(*, content: QuestionContent, user=None) -> Question:
    """A new question, last in its dimension. In a draft made from another version it has no
    ancestor yet: the crosswalk page asks the editor to link it or mark it as new."""
    framework_version = content.dimension.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    _question_check(framework_version, content)
    question = Question.objects.create(
        dimension=content.dimension,
        slug=content.slug,
        text=content.text,
        help=content.help,
        weight=content.weight,
        position=_next_position(content.dimension.questions),
    )
    _question_content_save(question, content)
    _editor_audit(user, "question.create", question, framework_version, slug=content.slug)
    return question


@transaction.atomic
def question_update(*, question: Question, content: QuestionContent, user=None) -> Question:
    """Change a question; a new dimension moves it there, last."""
    framework_version = question.dimension.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    _question_check(framework_version, content, question.pk)
    fields = {
        "slug": content.slug,
        "text": content.text,
        "help": content.help,
        "weight": content.weight,
    }
    if content.dimension.pk != question.dimension_id:
        position = _next_position(content.dimension.questions)
        fields |= {"dimension": content.dimension, "position": position}
    old_slug = question.slug
    changed = _update(question, fields)
    if "slug" in changed:
        _flags_follow(framework_version, kind="questions", old=old_slug, new=content.slug)
    _question_content_save(question, content)
    _editor_audit(user, "question.update", question, framework_version, fields=changed)
    return question


@transaction.atomic
def question_move(*, question: Question, direction: str, user=None) -> bool:
    """Move a question one place up or down in its dimension; False when already at that end
    (moving to another dimension is a change on the question's own page)."""
    framework_version = question.dimension.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    moved = _move(
        list(question.dimension.questions.order_by("position", "id")), question, direction
    )
    if moved:
        _editor_audit(user, "question.move", question, framework_version, direction=direction)
    return moved


@transaction.atomic
def question_remove(*, question: Question, user=None) -> None:
    framework_version = question.dimension.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    _editor_audit(user, "question.delete", question, framework_version, slug=question.slug)
    _flags_follow(framework_version, kind="questions", old=question.slug, new=None)
    question.delete()


# The crosswalk of a draft made from another version (frameworks/crosswalk_views.py). Each
# write locks the version's row through framework_version_ensure_draft, as the editor's do.


class CrosswalkRefused(ValueError):
    """A link that breaks the crosswalk's rules, in words for the person editing."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class CrosswalkChanged(Exception):
    """The proposals are no longer those the person saw: the draft changed in between."""


# How many ancestors each choice takes: (fewest, most).
CROSSWALK_CHOICES = {
    "same": (1, 1),
    "reworded": (1, 1),
    "split-from": (1, 1),
    "merged-from": (2, None),
    NEW: (0, 0),
}
CROSSWALK_ONE_MESSAGE = "Select the one earlier question it comes from"
CROSSWALK_COUNT_MESSAGES = {
    NEW: "A new question has no earlier question: untick them, or choose another answer",
    "merged-from": "Select two or more earlier questions it was merged from",
}
CROSSWALK_PROBLEMS_SHOWN = 10


def _links_replace(question: Question, relation: str, ancestor_ids: list[int]) -> None:
    QuestionLink.objects.filter(question=question).delete()
    QuestionLink.objects.bulk_create(
        QuestionLink(question=question, ancestor_id=a, relation=relation, confirmed=True)
        for a in ancestor_ids
    )


@transaction.atomic
def question_links_set(
    *, question: Question, relation: str, ancestors: list[Question], user=None
) -> Question:
    """Confirm or correct how a draft's question relates to the version the draft was made
    from: the same as, reworded from or split from one of its questions, merged from two or
    more, or new."""
    framework_version = question.dimension.framework_version
    framework_version_ensure_draft(framework_version=framework_version)
    source_id = framework_version.cloned_from_id
    if source_id is None:
        raise CrosswalkRefused(
            "This version was not drafted from another, so its questions have nothing to link to"
        )
    if relation not in CROSSWALK_CHOICES:
        raise CrosswalkRefused("Select how this question relates to the earlier version")
    ids = sorted({a.pk for a in ancestors})
    if Question.objects.filter(pk__in=ids, dimension__framework_version_id=source_id).count() != (
        len(ids)
    ):
        raise CrosswalkRefused("Select questions of the version this draft was made from")
    fewest, most = CROSSWALK_CHOICES[relation]
    if len(ids) < fewest or (most is not None and len(ids) > most):
        raise CrosswalkRefused(CROSSWALK_COUNT_MESSAGES.get(relation, CROSSWALK_ONE_MESSAGE))
    before = [
        f"{link.relation} {link.ancestor.slug}"
        for link in question.links.select_related("ancestor")
    ] or ([NEW] if question.new_in_version else [])
    _links_replace(question, relation, ids)
    _dropped_forget(framework_version, ancestors)
    question.new_in_version = relation == NEW
    question.save(update_fields=["new_in_version"])
    audit_record(
        actor=user,
        action="question.crosswalk",
        obj=question,
        changes={
            "framework_version": str(framework_version),
            "before": before,
            "after": [f"{relation} {a.slug}" for a in ancestors] or [NEW],
        },
    )
    return question


@transaction.atomic
def crosswalk_proposals_confirm(
    *, framework_version: FrameworkVersion, seen: str, user=None
) -> int:
    """Confirm every proposal on the crosswalk page at once. `seen` is the fingerprint of the
    proposals the person was shown: if the draft has changed since, nothing is confirmed
    (CrosswalkChanged). Returns how many questions were confirmed."""
    framework_version_ensure_draft(framework_version=framework_version)
    crosswalk = crosswalk_of(framework_version=framework_version)
    if crosswalk is None:
        raise CrosswalkRefused("This version was not drafted from another, so it has no crosswalk")
    if crosswalk.fingerprint != seen:
        raise CrosswalkChanged()
    rows = [row for row in crosswalk.rows if row.proposal is not None]
    QuestionLink.objects.filter(question__in=[row.question for row in rows]).delete()
    QuestionLink.objects.bulk_create(
        QuestionLink(
            question=row.question,
            ancestor_id=row.proposal.ancestor,
            relation=row.proposal.relation,
            confirmed=True,
        )
        for row in rows
        if row.proposal.relation != NEW
    )
    _dropped_forget(
        framework_version, [row.proposed_ancestor for row in rows if row.proposed_ancestor]
    )
    for row in rows:
        row.question.new_in_version = row.proposal.relation == NEW
    Question.objects.bulk_update([row.question for row in rows], ["new_in_version"])
    audit_record(
        actor=user,
        action="framework_version.crosswalk_confirm",
        obj=framework_version,
        changes={
            "confirmed": [
                f"{row.question.slug}: {row.proposal.relation}"
                + (f" {row.proposed_ancestor.slug}" if row.proposed_ancestor else "")
                for row in rows
            ]
        },
    )
    return len(rows)


def crosswalk_problems(*, framework_version: FrameworkVersion) -> list[str]:
    """What stops a draft made from another version from being published: every question
    linked to an earlier question or marked as new, and none linked as the same whose text
    has changed (trends would compare different questions as one)."""
    if framework_version.cloned_from_id is None:
        return []
    questions, links = crosswalk_links(framework_version=framework_version)
    problems = []
    for q in questions:
        where = f"Question “{q.slug}” in “{q.dimension.name}”"
        found = links.get(q.pk, [])
        if not found and not q.new_in_version:
            problems.append(
                f"{where} is not linked to an earlier question or marked as new: confirm or "
                "correct it on the crosswalk page."
            )
        elif (
            len(found) == 1
            and found[0].relation == "same"
            and not same_text(found[0].ancestor.text, q.text)
        ):
            ancestor = found[0].ancestor
            problems.append(
                f"{where} is linked as the same as “{ancestor.slug}” in version "
                f"{ancestor.dimension.framework_version.version}, but its text has changed: "
                "link it as reworded on the crosswalk page."
            )
    if len(problems) > CROSSWALK_PROBLEMS_SHOWN:
        more = len(problems) - CROSSWALK_PROBLEMS_SHOWN
        problems = [
            *problems[:CROSSWALK_PROBLEMS_SHOWN],
            f"{more} more question{'s' if more > 1 else ''} to review on the crosswalk page.",
        ]
    return problems
