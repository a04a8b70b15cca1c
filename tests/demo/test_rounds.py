"""Demo history: three rounds of submitted assessments, scored as a real submission would be."""

import statistics
from collections import defaultdict

import pytest

from assessments import scoring
from assessments.models import AgreedAnswer, Assessment, Score
from assessments.services import assessment_compute_scores, store_scores
from demo.rounds import (
    BUILTIN_SLUGS,
    DATA_SYSTEMS_TECHNOLOGY,
    DEFAULT_ROUNDS,
    HOME_CODE,
    demo_rounds_load,
)
from frameworks.builtin import library_load
from frameworks.models import FrameworkVersion, Question
from maturity.audit.models import AuditEvent
from organisations.models import Organisation, Role
from tests.factories import MembershipFactory, OrganisationFactory, make_version

pytestmark = pytest.mark.django_db

K = Organisation.Kind
R = Organisation.Region
KINDS = [
    (K.DISTRICT, R.SOUTH_WEST),
    (K.DISTRICT, R.NORTH_EAST),
    (K.COUNTY, R.EAST),
    (K.UNITARY, R.WALES),
    (K.METROPOLITAN, R.NORTH_WEST),
    (K.LONDON_BOROUGH, R.LONDON),
    (K.NHS_TRUST, R.YORKSHIRE),
    (K.ICB, R.WEST_MIDLANDS),
    (K.POLICE, R.EAST_MIDLANDS),
    (K.FIRE, R.SOUTH_EAST),
    (K.CENTRAL_DEPARTMENT, R.UK_WIDE),
]


@pytest.fixture
def frameworks():
    library_load()
    return {fv.framework.slug: fv for fv in FrameworkVersion.objects.select_related("framework")}


@pytest.fixture
def home():
    return OrganisationFactory(name="Demo Home Council", code=HOME_CODE, kind=K.UNITARY)


@pytest.fixture
def orgs(home):
    return [home] + [OrganisationFactory(kind=kind, region=region) for kind, region in KINDS]


def answer_rows():
    return sorted(
        AgreedAnswer.objects.values_list(
            "assessment__organisation__code",
            "assessment__framework_version__framework__slug",
            "assessment__round_label",
            "question__slug",
            "state",
            "level",
            "target_level",
        )
    )


def score_rows(assessment):
    return sorted(
        Score.objects.filter(assessment=assessment).values_list(
            "scope",
            "dimension_id",
            "facet_value_id",
            "value",
            "band_value",
            "target",
            "answered",
            "total",
        ),
        key=lambda row: tuple(-1 if v is None else v for v in row[:3]),
    )


def overall(assessment):
    return Score.objects.get(assessment=assessment, scope=Score.Scope.OVERALL).value


def test_demo_rounds_load_creates_submitted_assessments_in_every_round(frameworks, orgs):
    events = AuditEvent.objects.count()

    result = demo_rounds_load(organisations=orgs)

    assessments = Assessment.objects.all()
    assert result.assessments_created == assessments.count() > 0
    assert result.assessments_skipped == 0
    assert result.organisations == len(orgs)
    assert result.frameworks_missing == ()
    assert set(assessments.values_list("status", flat=True)) == {Assessment.Status.SUBMITTED}
    assert AuditEvent.objects.count() == events  # seed data, not anyone's change
    assert set(assessments.values_list("round_label", flat=True)) == set(DEFAULT_ROUNDS)
    for assessment in assessments:
        year = int(assessment.round_label[:4]) + 1
        assert (assessment.submitted_at.year, assessment.submitted_at.month) == (year, 3)
        assert assessment.created_at < assessment.submitted_at
    assert result.answers_created == AgreedAnswer.objects.count()
    assert result.scores_created == Score.objects.count()
    # Every question answered once, as a submission requires.
    for assessment in assessments.select_related("framework_version"):
        questions = Question.objects.filter(
            dimension__framework_version=assessment.framework_version
        ).count()
        assert assessment.agreed_answers.count() == questions
    # Everybody takes the two core frameworks in the latest round.
    latest = assessments.filter(round_label=DEFAULT_ROUNDS[-1])
    for slug in ("data-systems-technology", "seven-tribes-of-digital"):
        assert latest.filter(framework_version=frameworks[slug]).count() == len(orgs)


def test_demo_rounds_load_links_each_round_to_the_last(frameworks, orgs):
    demo_rounds_load(organisations=orgs)

    for assessment in Assessment.objects.exclude(round_label=DEFAULT_ROUNDS[0]):
        earlier = DEFAULT_ROUNDS[DEFAULT_ROUNDS.index(assessment.round_label) - 1]
        previous = Assessment.objects.filter(
            organisation=assessment.organisation,
            framework_version=assessment.framework_version,
            round_label=earlier,
        ).first()
        assert assessment.carried_from == previous


def test_demo_rounds_load_marks_each_bodys_latest_round_for_peers(frameworks, orgs):
    demo_rounds_load(organisations=orgs)

    latest = Assessment.objects.filter(is_latest_submission=True)
    assert set(latest.values_list("round_label", flat=True)) == {DEFAULT_ROUNDS[-1]}
    pairs = set(Assessment.objects.values_list("organisation", "framework_version"))
    assert sorted(latest.values_list("organisation", "framework_version")) == sorted(pairs)


def test_demo_rounds_load_stores_the_scores_a_submission_would(frameworks, orgs):
    demo_rounds_load(organisations=orgs)

    for fv in frameworks.values():
        assessment = Assessment.objects.filter(framework_version=fv).order_by("pk").first()
        scores = assessment_compute_scores(assessment=assessment)
        assert overall(assessment) == pytest.approx(scores.overall.value)
        for key, score in scores.dimensions.items():
            stored = Score.objects.get(
                assessment=assessment, scope=Score.Scope.DIMENSION, dimension_id=int(key)
            )
            target = scores.targets[key]
            assert stored.value == pytest.approx(score.value if score else None)
            assert stored.target == pytest.approx(target.value if target else None)
        # Row for row, what store_scores itself writes.
        generated = score_rows(assessment)
        store_scores(assessment=assessment, scores=scores)
        stored = score_rows(assessment)
        assert len(generated) == len(stored)
        for ours, theirs in zip(generated, stored, strict=True):
            assert ours == pytest.approx(theirs)


def test_demo_rounds_load_second_run_creates_nothing(frameworks, orgs):
    first = demo_rounds_load(organisations=orgs)
    counts = (Assessment.objects.count(), AgreedAnswer.objects.count(), Score.objects.count())

    second = demo_rounds_load(organisations=orgs)

    assert (second.assessments_created, second.answers_created, second.scores_created) == (0, 0, 0)
    assert second.assessments_skipped == first.assessments_created
    assert (Assessment.objects.count(), AgreedAnswer.objects.count(), Score.objects.count()) == (
        counts
    )


def test_demo_rounds_load_fills_only_missing_rounds(frameworks, orgs):
    demo_rounds_load(organisations=orgs, rounds=DEFAULT_ROUNDS[:2])
    before = answer_rows()

    result = demo_rounds_load(organisations=orgs)

    assert result.assessments_skipped > 0
    assert set(Assessment.objects.values_list("round_label", flat=True)) == set(DEFAULT_ROUNDS)
    assert set(before) <= set(answer_rows())


def test_demo_rounds_load_mean_overall_rises_from_first_round_to_last(frameworks, orgs):
    demo_rounds_load(organisations=orgs)

    by_org = defaultdict(dict)
    for org_id, label, value in Score.objects.filter(
        scope=Score.Scope.OVERALL,
        assessment__framework_version=frameworks[DATA_SYSTEMS_TECHNOLOGY],
    ).values_list("assessment__organisation_id", "assessment__round_label", "value"):
        by_org[org_id][label] = value
    first, last = DEFAULT_ROUNDS[0], DEFAULT_ROUNDS[-1]
    both = [rounds for rounds in by_org.values() if first in rounds and last in rounds]
    assert len(both) >= len(orgs) // 2
    assert statistics.mean(r[last] for r in both) > statistics.mean(r[first] for r in both)


def test_demo_rounds_load_is_deterministic_for_a_seed(frameworks, orgs):
    demo_rounds_load(organisations=orgs, seed=7)
    first = answer_rows()
    Assessment.objects.all().delete()

    demo_rounds_load(organisations=orgs, seed=7)
    assert answer_rows() == first

    Assessment.objects.all().delete()
    demo_rounds_load(organisations=orgs, seed=8)
    assert answer_rows() != first


def test_demo_rounds_load_levels_are_on_the_scale(frameworks, orgs):
    demo_rounds_load(organisations=orgs)

    answers = AgreedAnswer.objects.all()
    assert set(answers.values_list("version", flat=True)) == {1}
    for state, level, target in answers.values_list("state", "level", "target_level"):
        if state == AgreedAnswer.State.LEVEL:
            assert level in range(1, 6)
            assert target is None or level <= target <= 5
        else:
            assert state in (AgreedAnswer.State.NOT_APPLICABLE, AgreedAnswer.State.DONT_KNOW)
            assert level is None and target is None
    bands = Score.objects.exclude(band_value=None).values_list("band_value", flat=True)
    assert set(bands) <= {1, 2, 3, 4, 5}


def test_demo_rounds_load_gives_home_every_round_targets_and_the_tech_flag(frameworks, home, orgs):
    demo_rounds_load(organisations=orgs)

    mine = Assessment.objects.filter(organisation=home)
    assert mine.count() == len(BUILTIN_SLUGS) * len(DEFAULT_ROUNDS)
    for slug in BUILTIN_SLUGS:
        ordered = [
            mine.get(framework_version=frameworks[slug], round_label=label)
            for label in DEFAULT_ROUNDS
        ]
        values = [overall(a) for a in ordered]
        assert values == sorted(values) and values[-1] - values[0] >= 0.6, (slug, values)
        for assessment in ordered:
            answers = assessment.agreed_answers.filter(state=AgreedAnswer.State.LEVEL)
            assert answers.filter(target_level__isnull=False).count() >= 0.8 * answers.count()
    latest = mine.get(framework_version=frameworks[DATA_SYSTEMS_TECHNOLOGY], round_label="2025/26")
    found = scoring.flags(scores=assessment_compute_scores(assessment=latest), dimension_names={})
    assert scoring.TECHNOLOGY_AHEAD_OF_DATA in [f.code for f in found]


def test_demo_rounds_load_uses_the_lead_as_creator_and_submitter(frameworks, orgs):
    lead = MembershipFactory(organisation=orgs[1], role=Role.LEAD).user
    MembershipFactory(organisation=orgs[2], role=Role.RESPONDENT)

    demo_rounds_load(organisations=orgs[:3])

    for assessment in Assessment.objects.all():
        expected = lead if assessment.organisation == orgs[1] else None
        assert assessment.created_by == expected
        assert assessment.submitted_by == expected
        assert {a.set_by for a in assessment.agreed_answers.all()} == {expected}


def test_demo_rounds_load_defaults_to_demo_organisations_only(frameworks):
    demo = OrganisationFactory(code="ZD0042")
    OrganisationFactory(code="E07000223")

    result = demo_rounds_load(frameworks=[DATA_SYSTEMS_TECHNOLOGY])

    assert result.organisations == 1
    assert set(Assessment.objects.values_list("organisation", flat=True)) == {demo.pk}


def test_demo_rounds_load_skips_frameworks_that_are_not_loaded(orgs):
    draft = make_version(publish=False)

    result = demo_rounds_load(organisations=orgs, frameworks=[DATA_SYSTEMS_TECHNOLOGY, draft])

    assert result.assessments_created == 0
    assert result.frameworks_missing == (DATA_SYSTEMS_TECHNOLOGY, str(draft))
    assert not Assessment.objects.exists()


def numbers(scores):
    """Every stored number of a Scores (targets by value only: their counts are not stored)."""

    def of(score, counts=True):
        if score is None:
            return None
        return (round(score.value, 9), score.band_value) + (
            (score.answered, score.total) if counts else ()
        )

    return {
        "overall": of(scores.overall),
        "dimensions": {k: of(v) for k, v in scores.dimensions.items()},
        "targets": {k: of(v, counts=False) for k, v in scores.targets.items()},
        "gaps": {k: None if v is None else round(v, 9) for k, v in scores.gaps.items()},
        "facets": {k: of(v) for k, v in scores.facets.items()},
        "grid": {k: of(v) for k, v in scores.grid.items()},
    }


def test_every_demo_assessment_stores_exactly_what_its_answers_score(frameworks, orgs):
    """One source of truth: results, explain, the report, dashboards and exports read the stored
    scores, so for every demo assessment they must be what its agreed answers score."""
    from assessments.selectors import stored_scores

    demo_rounds_load(organisations=orgs)
    submitted = Assessment.objects.filter(status=Assessment.Status.SUBMITTED)
    assert set(submitted.values_list("framework_version", flat=True)) == {
        fv.pk for fv in frameworks.values()
    }
    for assessment in submitted.select_related("framework_version"):
        recomputed = numbers(assessment_compute_scores(assessment=assessment))
        assert numbers(stored_scores(assessment=assessment)) == recomputed, assessment
