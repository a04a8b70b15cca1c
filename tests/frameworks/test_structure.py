"""A frozen framework version's structure is read from the database once per process; a draft's
every time; and every caller gets instances of its own."""

import pytest

from frameworks import services, structure
from frameworks.models import Dimension, Question, QuestionLevel, ScaleLevel
from tests.factories import make_version

pytestmark = pytest.mark.django_db


def _orm(fv):
    """What the pages read before: the same rows, straight from the database."""
    return {
        "scale": [
            (lv.pk, lv.value, lv.label)
            for lv in ScaleLevel.objects.filter(framework_version=fv).order_by("value")
        ],
        "dimensions": [
            (d.pk, d.slug, d.name)
            for d in Dimension.objects.filter(framework_version=fv).order_by("position", "id")
        ],
        "questions": [
            (q.pk, q.slug, q.text, q.dimension.pk, q.dimension.name)
            for q in Question.objects.filter(dimension__framework_version=fv)
            .select_related("dimension")
            .order_by("dimension__position", "dimension_id", "position", "id")
        ],
    }


def _read(fv):
    return {
        "scale": [(lv.pk, lv.value, lv.label) for lv in structure.scale_levels(fv)],
        "dimensions": [(d.pk, d.slug, d.name) for d in structure.dimensions(fv)],
        "questions": [
            (q.pk, q.slug, q.text, q.dimension.pk, q.dimension.name)
            for q in structure.questions(fv)
        ],
    }


def test_a_published_version_is_read_once_and_matches_the_database(
    django_assert_num_queries,
):
    fv = make_version(dimensions=3, questions=4)
    with django_assert_num_queries(4):  # scale, dimensions, questions with theirs, levels
        first = _read(fv)
        question = structure.questions(fv)[5]
        levels = structure.question_levels(fv, question.pk)
    assert first == _orm(fv)
    assert [(ql.value, ql.descriptor) for ql in levels] == [
        (ql.value, ql.descriptor) for ql in QuestionLevel.objects.filter(question=question)
    ]
    with django_assert_num_queries(0):
        assert _read(fv) == first
        assert len(structure.question_levels(fv, question.pk)) == len(levels)


def test_every_caller_gets_instances_of_its_own():
    fv = make_version()
    mine = structure.questions(fv)
    mine[0].text = "Changed in one request"
    mine[0].dimension.name = "Renamed in one request"
    theirs = structure.questions(fv)
    assert theirs[0].text != "Changed in one request"
    assert theirs[0].dimension.name != "Renamed in one request"
    assert theirs[0] is not mine[0]


def test_a_draft_is_read_afresh_and_once_published_is_read_again(django_assert_num_queries):
    fv = make_version(publish=False)
    assert structure.dimensions(fv)[0].name == "Dimension 1"
    dimension = Dimension.objects.get(framework_version=fv, slug="dimension-1")
    services.dimension_update(
        dimension=dimension, slug="dimension-1", name="Renamed", description="", weight=1.0
    )
    with django_assert_num_queries(1):
        assert structure.dimensions(fv)[0].name == "Renamed"
    services.framework_version_publish(framework_version=fv)
    fv.refresh_from_db()
    with django_assert_num_queries(1):
        assert structure.dimensions(fv)[0].name == "Renamed"
    with django_assert_num_queries(0):
        assert structure.dimensions(fv)[0].name == "Renamed"
