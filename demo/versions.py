"""A fictional second version of a built-in framework, so the demo shows a framework that evolves.

Version 1.1.0 of "Data, systems and technology layers", made the way an editor makes one: a new
draft from the built-in 1.0.0 (every question linked to itself as the same), then edited through
the framework services: one question reworded, one split in two (the old one removed), one new
question, the crosswalk set to say so, and published. Demo bodies take their last round on it
(demo.rounds), so the dashboard's trend crosses the version boundary.

Only for the demo: the built-in library, which production loads, is untouched.
"""

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction

from frameworks.lineage import NEW
from frameworks.models import Dimension, FrameworkVersion, Question, QuestionLink
from frameworks.services import (
    FrameworkVersionNotHigher,
    QuestionContent,
    framework_version_create_draft,
    framework_version_publish,
    question_add,
    question_links_set,
    question_move,
    question_remove,
    question_update,
)

FRAMEWORK = "data-systems-technology"
FROM_VERSION = "1.0.0"
VERSION = "1.1.0"
# Dated before the demo's last round (2025/26, submitted in March 2026) was answered on it.
PUBLISHED_AT = datetime(2025, 9, 1, 10, 0, tzinfo=UTC)

REWORDED = (
    "data-quality",
    "How well does the organisation understand, measure and improve the quality of its data?",
)
SPLIT = "security-and-resilience"
SPLIT_INTO = (
    {
        "slug": "cyber-security",
        "text": "How well is the technology estate protected against cyber attack?",
        "help": (
            "Consider patching, access control, multi-factor authentication, monitoring, and "
            "alignment with a recognised framework such as Cyber Essentials or the National "
            "Cyber Security Centre's Cyber Assessment Framework."
        ),
        "weight": 0.75,
        "descriptors": {
            1: "Security relies mainly on perimeter defences, and some systems are unpatched.",
            2: "Basic controls such as patching and access control are in place, but risks are "
            "not reviewed regularly.",
            3: "Security controls follow a recognised framework, and risks are reviewed and "
            "acted on.",
            4: "Security is monitored continuously and built into new services from the start.",
            5: "Security practice improves from evidence, and threat intelligence is shared "
            "with peers.",
        },
        "recommendations": {
            1: "Patch critical systems and turn on multi-factor authentication.",
            2: "Assess yourself against a recognised framework and fix the highest risks first.",
            3: "Monitor security continuously and build it into service design from the outset.",
            4: "Share threat intelligence and lessons with peers and partners.",
        },
    },
    {
        "slug": "resilience-and-recovery",
        "text": "How well can services keep running, and recover, when technology fails?",
        "help": (
            "Consider backups kept apart from live systems, tested recovery, business "
            "continuity plans and the response to incidents, including cyber incidents."
        ),
        "weight": 0.75,
        "descriptors": {
            1: "Backups have never been tested, and there is no plan for a major outage.",
            2: "Backups are taken, but recovery has not been tested and continuity plans are "
            "out of date.",
            3: "Backups and recovery are tested, and there is an incident and continuity plan.",
            4: "Recovery is exercised regularly across services, and lessons change how "
            "services are built.",
            5: "The organisation is highly resilient, learns openly from incidents and helps "
            "others recover.",
        },
        "recommendations": {
            1: "Make sure backups are kept separately from live systems, and test one restore.",
            2: "Test recovery from backup for critical services and write an incident response "
            "plan.",
            3: "Exercise your incident and continuity plans regularly with the services that "
            "rely on them.",
            4: "Share what you learn from incidents and exercises with peers and partners.",
        },
    },
)
NEW_IN = "data-foundations"
NEW_QUESTION = {
    "slug": "data-skills",
    "text": "Do people across the organisation have the data skills their work needs?",
    "help": (
        "Consider data literacy for all staff, specialist analysts and engineers, training, and "
        "whether leaders can question the evidence put in front of them."
    ),
    "weight": 1.0,
    "descriptors": {
        1: "Data skills are rare and depend on a few individuals.",
        2: "Some teams have analysts, but most staff are not confident using data.",
        3: "Data skills are defined for each role, and training is available to everyone.",
        4: "Data literacy is part of everyday work, and leaders expect and challenge evidence.",
        5: "The organisation grows data talent deliberately and shares its training with partners.",
    },
    "recommendations": {
        1: "Find out where data skills sit today and name the gaps that matter most.",
        2: "Define the data skills each role needs and offer basic data literacy training.",
        3: "Build data literacy into induction, appraisal and leadership development.",
        4: "Share training and career paths for data roles with partners.",
    },
}


@dataclass(frozen=True)
class VersionResult:
    """What demo_version_load did, for the setup_demo command to print."""

    version: FrameworkVersion | None  # None: not made (see `note`)
    created: bool
    note: str


def _content(question: Question, **changes) -> QuestionContent:
    """A question's content as the editor's form holds it, with `changes`."""
    levels = list(question.levels.all())
    content = QuestionContent(
        dimension=question.dimension,
        slug=question.slug,
        text=question.text,
        help=question.help,
        weight=question.weight,
        tags=tuple(question.tags.all()),
        descriptors={lv.value: lv.descriptor for lv in levels},
        recommendations={lv.value: lv.recommendation for lv in levels if lv.recommendation},
    )
    return dataclasses.replace(content, **changes)


def _add(dimension: Dimension, spec: dict, *, tags, user) -> Question:
    return question_add(
        content=QuestionContent(dimension=dimension, tags=tuple(tags), **spec), user=user
    )


def _move_to(question: Question, index: int, *, user) -> None:
    """Move a question up its dimension until it stands at `index`."""
    order = list(
        question.dimension.questions.order_by("position", "id").values_list("pk", flat=True)
    )
    for _ in range(order.index(question.pk) - index):
        question_move(question=question, direction="up", user=user)


@transaction.atomic
def demo_version_load(*, user=None) -> VersionResult:
    """Make and publish version 1.1.0 of data-systems-technology from the built-in 1.0.0.

    Idempotent: when 1.1.0 is already published it is used as it is. Nothing is made when the
    built-in version is not loaded, or when an editor has already made 1.1.0 or a higher
    version themselves (theirs stands)."""
    base = (
        FrameworkVersion.objects.filter(
            framework__slug=FRAMEWORK,
            version=FROM_VERSION,
            status=FrameworkVersion.Status.PUBLISHED,
        )
        .select_related("framework")
        .first()
    )
    if base is None:
        return VersionResult(None, False, f"{FRAMEWORK} {FROM_VERSION} is not loaded")
    existing = FrameworkVersion.objects.filter(framework=base.framework, version=VERSION).first()
    if existing is not None:
        if existing.is_published:
            return VersionResult(existing, False, "already there")
        return VersionResult(None, False, f"version {VERSION} exists and is not published")
    try:
        draft = framework_version_create_draft(
            framework=base.framework, version=VERSION, user=user, clone_from=base
        )
    except FrameworkVersionNotHigher:
        return VersionResult(None, False, f"a version higher than {VERSION} exists")

    questions = {
        q.slug: q
        for q in Question.objects.filter(dimension__framework_version=draft)
        .select_related("dimension")
        .prefetch_related("levels", "tags")
    }
    ancestors = {q.slug: q for q in Question.objects.filter(dimension__framework_version=base)}
    slug, text = REWORDED
    question_update(
        question=questions[slug], content=_content(questions[slug], text=text), user=user
    )
    question_links_set(
        question=questions[slug],
        relation=QuestionLink.Relation.REWORDED,
        ancestors=[ancestors[slug]],
        user=user,
    )

    old = questions[SPLIT]
    index = list(old.dimension.questions.order_by("position", "id")).index(old)
    for offset, spec in enumerate(SPLIT_INTO):
        part = _add(old.dimension, spec, tags=old.tags.all(), user=user)
        question_links_set(
            question=part,
            relation=QuestionLink.Relation.SPLIT_FROM,
            ancestors=[ancestors[SPLIT]],
            user=user,
        )
        _move_to(part, index + 1 + offset, user=user)
    question_remove(question=old, user=user)

    dimension = next(q.dimension for q in questions.values() if q.dimension.slug == NEW_IN)
    sibling = next(q for q in questions.values() if q.dimension_id == dimension.pk)
    added = _add(dimension, NEW_QUESTION, tags=sibling.tags.all(), user=user)
    question_links_set(question=added, relation=NEW, ancestors=[], user=user)

    published = framework_version_publish(framework_version=draft, user=user)
    FrameworkVersion.objects.filter(pk=published.pk).update(published_at=PUBLISHED_AT)
    published.refresh_from_db()
    return VersionResult(published, True, "created and published")
