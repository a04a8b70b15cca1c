"""Movement between rounds on different framework versions: stored at submit, through the
crosswalk, split into like-for-like change on the comparable questions and the rest.

The numbers are worked by hand below (not with the scoring code), from make_spec's weights:
dimension 1 weighs 1 and dimension 2 weighs 2; in each dimension questions 1 and 3 weigh 1 and
question 2 weighs 2.
"""

import math

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments import scoring, services
from assessments.models import Comparison, DimensionComparison
from frameworks.models import Dimension, Question, QuestionLevel, QuestionLink
from frameworks.services import framework_version_create_draft, framework_version_publish
from tests.conftest import CsrfClient
from tests.factories import LEVELS, OrganisationFactory, make_version, submit

TOL = 1e-9


def close(a, b):
    return math.isclose(a, b, abs_tol=TOL)


def _add_question(dimension, slug, *, weight, position):
    question = Question.objects.create(
        dimension=dimension, slug=slug, text=f"{slug}?", weight=weight, position=position
    )
    QuestionLevel.objects.bulk_create(
        QuestionLevel(question=question, value=lv.value, descriptor=f"{slug} at {lv.value}.")
        for lv in LEVELS
    )
    return question


def second_version(first):
    """Version 2.0.0 drafted from `first` (every question linked to itself as the same), then
    edited: d1-q1 reworded; d1-q2 split into d1-q2 and a new d1-q4; d2-q4 added as new."""
    draft = framework_version_create_draft(
        framework=first.framework, version="2.0.0", clone_from=first
    )
    questions = {q.slug: q for q in Question.objects.filter(dimension__framework_version=draft)}
    old = {q.slug: q for q in Question.objects.filter(dimension__framework_version=first)}
    questions["d1-q1"].text = "Question 1 of dimension 1, put another way?"
    questions["d1-q1"].save()
    QuestionLink.objects.filter(question=questions["d1-q1"]).update(relation="reworded")
    QuestionLink.objects.filter(question=questions["d1-q2"]).update(relation="split-from")
    dimension_1 = Dimension.objects.get(framework_version=draft, slug="dimension-1")
    dimension_2 = Dimension.objects.get(framework_version=draft, slug="dimension-2")
    half = _add_question(dimension_1, "d1-q4", weight=1, position=4)
    QuestionLink.objects.create(question=half, ancestor=old["d1-q2"], relation="split-from")
    added = _add_question(dimension_2, "d2-q4", weight=1, position=4)
    added.new_in_version = True
    added.save()
    framework_version_publish(framework_version=draft)
    return draft


@pytest.fixture
def versions(db):
    first = make_version(slug="trend", dimensions=2, questions=3)
    return first, second_version(first)


# Version 1.0.0, in question order d1-q1..q3, d2-q1..q3.
EARLIER = [2, 2, 3, 1, 2, 3]
# Version 2.0.0, in question order d1-q1, d1-q2, d1-q3, d1-q4 (the split's new half),
# d2-q1, d2-q2, d2-q3, d2-q4 (new).
LATER = [3, 4, 3, 1, 2, 2, 3, 5]

# By hand. Earlier: d1 = (2 + 2*2 + 3)/4 = 2.25; d2 = (1 + 2*2 + 3)/4 = 2.0;
# overall = (2.25 + 2*2.0)/3 = 6.25/3.
EARLIER_OVERALL = 6.25 / 3
# Later: d1 = (3 + 4*2 + 3 + 1)/5 = 3.0; d2 = (2 + 2*2 + 3 + 5)/5 = 2.8;
# overall = (3.0 + 2*2.8)/3 = 8.6/3.
LATER_OVERALL = 8.6 / 3
# Comparable (same or reworded, one to one): d1-q1, d1-q3, d2-q1, d2-q2, d2-q3: 5 of 8.
# Scored with 2.0.0's weights. Later: d1 = (3 + 3)/2 = 3.0; d2 = (2 + 2*2 + 3)/4 = 2.25;
# overall = (3.0 + 2*2.25)/3 = 2.5. Earlier: d1 = (2 + 3)/2 = 2.5; d2 = (1 + 2*2 + 3)/4 = 2.0;
# overall = (2.5 + 2*2.0)/3 = 6.5/3.
LIKE_FOR_LIKE = 2.5 - 6.5 / 3


def test_submit_stores_the_comparison_across_versions(versions):
    first, second = versions
    org = OrganisationFactory()
    earlier, lead = submit(org, first, EARLIER, round_label="2024/25")
    later, _ = submit(org, second, LATER, round_label="2025/26", lead=lead)

    assert not Comparison.objects.filter(assessment=earlier).exists()  # nothing before it
    stored = Comparison.objects.get(assessment=later)
    assert stored.previous == earlier and stored.version_changed
    assert (stored.comparable, stored.questions, stored.previous_questions) == (5, 8, 6)
    assert close(stored.movement, LATER_OVERALL - EARLIER_OVERALL)  # 0.7833...
    assert close(stored.like_for_like, LIKE_FOR_LIKE)  # 0.3333...
    assert close(stored.rest, 0.45)
    assert scoring.movement_split(stored.movement, stored.like_for_like) == (
        "+0.8",
        "+0.3",
        "+0.5",
    )

    rows = {
        row.dimension.slug: row
        for row in DimensionComparison.objects.filter(comparison=stored).select_related(
            "dimension", "previous_dimension__framework_version"
        )
    }
    # Each dimension follows the earlier dimension its comparable questions come from.
    assert rows["dimension-1"].previous_dimension.framework_version == first
    assert rows["dimension-1"].previous_dimension.slug == "dimension-1"
    assert rows["dimension-1"].comparable == 2 and rows["dimension-2"].comparable == 3
    assert close(rows["dimension-1"].movement, 3.0 - 2.25)
    assert close(rows["dimension-1"].like_for_like, 3.0 - 2.5)
    assert close(rows["dimension-2"].movement, 2.8 - 2.0)
    assert close(rows["dimension-2"].like_for_like, 2.25 - 2.0)


def test_reopen_and_resubmit_recomputes_the_comparison(versions):
    first, second = versions
    org = OrganisationFactory()
    _, lead = submit(org, first, EARLIER, round_label="2024/25")
    later, _ = submit(org, second, LATER, round_label="2025/26", lead=lead)
    services.assessment_reopen(assessment=later, user=lead, reason="d2-q4 was too generous")
    assert not Comparison.objects.filter(assessment=later).exists()
    new_question = Question.objects.get(dimension__framework_version=second, slug="d2-q4")
    services.agreed_answer_save(
        assessment=later,
        question=new_question,
        lead=lead,
        data=services.AnswerData(state="level", level=2, target_level=5),
        base_version=1,
    )
    services.assessment_submit(assessment=later, user=lead)
    stored = Comparison.objects.get(assessment=later)
    # d2 = (2 + 2*2 + 3 + 2)/5 = 2.2; overall = (3.0 + 2*2.2)/3 = 7.4/3. The new question is
    # not comparable, so the like-for-like change stays; only the rest moves.
    assert close(stored.movement, 7.4 / 3 - EARLIER_OVERALL)  # 0.3833...
    assert close(stored.like_for_like, LIKE_FOR_LIKE)
    assert close(stored.rest, 0.05)
    assert DimensionComparison.objects.filter(comparison=stored).count() == 2


def test_reopening_a_round_moves_the_next_rounds_comparison_to_the_one_before(versions):
    first, second = versions
    org = OrganisationFactory()
    a, lead = submit(org, first, EARLIER, round_label="2023/24")
    b, _ = submit(org, first, [5] * 6, round_label="2024/25", lead=lead)
    c, _ = submit(org, second, LATER, round_label="2025/26", lead=lead)
    assert Comparison.objects.get(assessment=c).previous == b
    services.assessment_reopen(assessment=b, user=lead, reason="Not agreed after all")
    stored = Comparison.objects.get(assessment=c)
    assert stored.previous == a
    assert close(stored.like_for_like, LIKE_FOR_LIKE)


def test_rounds_on_one_version_compare_in_full(versions):
    first, _ = versions
    org = OrganisationFactory()
    _, lead = submit(org, first, EARLIER, round_label="2024/25")
    later, _ = submit(org, first, [3, 3, 3, 3, 3, 3], round_label="2025/26", lead=lead)
    stored = Comparison.objects.get(assessment=later)
    assert not stored.version_changed
    assert (stored.comparable, stored.questions, stored.previous_questions) == (6, 6, 6)
    assert close(stored.movement, 3.0 - EARLIER_OVERALL)
    assert stored.rest == 0


# ---------------------------------------------------------------------------------------------
# The pure arithmetic


SCALE = tuple(scoring.Level(v, f"Level {v}") for v in range(1, 6))


def _round(levels, weights, dimension_weights):
    dimensions = [scoring.DimensionIn(f"d{i}", f"D{i}", w) for i, w in enumerate(dimension_weights)]
    questions = [
        scoring.QuestionIn(f"q{i}", f"d{i % len(dimension_weights)}", w, level)
        for i, (level, w) in enumerate(zip(levels, weights, strict=True))
    ]
    return scoring.Round(scale=SCALE, dimensions=dimensions, questions=questions)


levels = st.one_of(st.none(), st.integers(1, 5))
weights = st.floats(0.1, 10, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(st.tuples(levels, levels, weights), min_size=2, max_size=12),
    dimension_weights=st.lists(weights, min_size=1, max_size=3),
)
def test_the_same_version_compares_like_for_like_in_full(data, dimension_weights):
    """Every question comparable to itself: the like-for-like change is the whole movement."""
    earlier = _round([e for e, _, _ in data], [w for _, _, w in data], dimension_weights)
    later = _round([lv for _, lv, _ in data], [w for _, _, w in data], dimension_weights)
    result = scoring.compare_rounds(
        earlier=earlier, later=later, comparable={q.key: q.key for q in later.questions}
    )
    assert result.comparable == len(data)
    assert result.overall.movement == result.overall.like_for_like
    assert result.overall.rest in (None, 0)


def test_a_changed_scale_leaves_nothing_comparable():
    earlier = _round([2, 3], [1, 1], [1])
    later = scoring.Round(
        scale=SCALE[:4], dimensions=earlier.dimensions, questions=earlier.questions
    )
    result = scoring.compare_rounds(earlier=earlier, later=later, comparable={"q0": "q0"})
    assert result.comparable == 0 and result.overall.like_for_like is None
    assert close(result.overall.movement, 0)


def test_a_dimension_whose_comparable_questions_come_equally_from_two_is_not_followed():
    earlier = _round([1, 5], [1, 1], [1, 1])  # q0 in d0, q1 in d1
    later = scoring.Round(
        scale=SCALE,
        dimensions=[scoring.DimensionIn("n", "New", 1)],
        questions=[
            scoring.QuestionIn("a", "n", 1, 2),
            scoring.QuestionIn("b", "n", 1, 4),
        ],
    )
    result = scoring.compare_rounds(earlier=earlier, later=later, comparable={"a": "q0", "b": "q1"})
    row = result.dimensions["n"]
    assert row.previous is None and row.movement is None and row.comparable == 2
    assert close(row.like_for_like, 0)  # (2 + 4)/2 against (1 + 5)/2


@pytest.mark.parametrize(
    ("movement", "like_for_like", "shown"),
    [
        (0.44, 0.26, ("+0.4", "+0.3", "+0.1")),  # the rest shown adds up: not +0.2
        (-0.26, 0.04, ("\N{MINUS SIGN}0.3", "0.0", "\N{MINUS SIGN}0.3")),
        (0.0, -0.04, ("0.0", "0.0", "0.0")),
    ],
)
def test_the_split_shown_adds_up(movement, like_for_like, shown):
    assert scoring.movement_split(movement, like_for_like) == shown


# ---------------------------------------------------------------------------------------------
# The results page


def test_the_results_page_says_where_the_framework_changed(versions):
    first, second = versions
    org = OrganisationFactory()
    _, lead = submit(org, first, EARLIER, round_label="2024/25")
    later, _ = submit(org, second, LATER, round_label="2025/26", lead=lead)
    client = CsrfClient()
    client.force_login(lead)
    page = client.get(reverse("assessments:results", kwargs={"pk": org.pk, "apk": later.pk}))
    text = " ".join(page.content.decode().split())
    assert "The overall score changed by +0.8 since 2024/25." in text
    assert (
        "The framework changed from version 1.0.0 to 2.0.0 between these rounds. "
        "5 of 8 questions are comparable. Of the +0.8 movement, +0.3 is like-for-like change on "
        "those questions and +0.5 comes from questions added, removed, split or merged."
    ) in text
    # Dimension 1: moved 3.0 - 2.25 = +0.75, shown +0.8; like for like 3.0 - 2.5 = +0.5.
    assert (
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-change>+0.8</td> '
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-like-for-like>+0.5</td>'
    ) in text
