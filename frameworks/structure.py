"""A framework version's structure (its scale, dimensions, questions and their levels), read
from the database once per process for versions that can no longer change.

Published and retired versions are frozen: every change goes through services that refuse
anything but a draft (frameworks/services.py), and the admin edits drafts only. The pages
people use most (answering, autosave, the task list, results, dashboards, the national
picture) therefore take a frozen version's structure from memory rather than querying it on
every request. Drafts are always read afresh.

What is kept is plain rows; every call builds new model instances from them, so nothing a
caller sets on an instance reaches another request or thread. The key includes the version's
status and publication time, so a version read as a draft is read again once published.
"""

from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS

from frameworks.models import Dimension, FrameworkVersion, Question, QuestionLevel, ScaleLevel

# Enough for every version a service holds (four frameworks, a few versions each) with room.
VERSIONS_KEPT = 64
SCALE, DIMENSIONS, QUESTIONS, QUESTION_LEVELS = "scale", "dimensions", "questions", "levels"


def _fields(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _query(part: str, version_id: int) -> list[tuple]:
    """One part of the version's structure as plain rows, in the order pages show them. A
    question's row ends with its dimension's fields."""
    if part == SCALE:
        rows = ScaleLevel.objects.filter(framework_version_id=version_id).order_by("value")
        fields = _fields(ScaleLevel)
    elif part == DIMENSIONS:
        rows = Dimension.objects.filter(framework_version_id=version_id).order_by("position", "id")
        fields = _fields(Dimension)
    elif part == QUESTIONS:
        rows = Question.objects.filter(dimension__framework_version_id=version_id).order_by(
            "dimension__position", "dimension_id", "position", "id"
        )
        fields = _fields(Question) + [f"dimension__{name}" for name in _fields(Dimension)]
    else:
        rows = QuestionLevel.objects.filter(
            question__dimension__framework_version_id=version_id
        ).order_by("question_id", "value")
        fields = _fields(QuestionLevel)
    return list(rows.values_list(*fields))


@lru_cache(maxsize=VERSIONS_KEPT * 4)
def _frozen(part: str, version_id: int, status: str, published_at) -> list[tuple]:
    return _query(part, version_id)


def _rows(version: FrameworkVersion, part: str) -> list[tuple]:
    if version.status == FrameworkVersion.Status.DRAFT:
        return _query(part, version.pk)
    return _frozen(part, version.pk, version.status, version.published_at)


def _build(model, rows) -> list:
    fields = _fields(model)
    return [model.from_db(DEFAULT_DB_ALIAS, fields, row) for row in rows]


def scale_levels(version: FrameworkVersion) -> list[ScaleLevel]:
    """The version's scale, lowest level first."""
    return _build(ScaleLevel, _rows(version, SCALE))


def dimensions(version: FrameworkVersion) -> list[Dimension]:
    """The version's dimensions in order."""
    return _build(Dimension, _rows(version, DIMENSIONS))


def questions(version: FrameworkVersion) -> list[Question]:
    """Every question in order (by dimension, then within it), each with its dimension set."""
    width = len(_fields(Question))
    rows = _rows(version, QUESTIONS)
    built = _build(Question, [row[:width] for row in rows])
    dimensions: dict[int, Dimension] = {}
    for question, row in zip(built, rows, strict=True):
        if question.dimension_id not in dimensions:
            dimensions[question.dimension_id] = _build(Dimension, [row[width:]])[0]
        question.dimension = dimensions[question.dimension_id]
    return built


def question_levels(version: FrameworkVersion, question_id: int) -> list[QuestionLevel]:
    """One question's own level descriptors, lowest first."""
    field = _fields(QuestionLevel).index("question_id")
    rows = [row for row in _rows(version, QUESTION_LEVELS) if row[field] == question_id]
    return _build(QuestionLevel, rows)


def clear() -> None:
    """Forget every version read (tests, whose rolled-back rows can reuse a key)."""
    _frozen.cache_clear()
