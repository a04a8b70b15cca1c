"""Demo history: three rounds of submitted assessments, scored as a real submission would be."""

import re
import statistics
from collections import Counter, defaultdict

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessments import scoring
from assessments.models import AgreedAnswer, Assessment, Comparison, Score
from assessments.selectors import assessment_flags, stored_scores
from assessments.services import assessment_compute_scores, comparison_build, store_scores
from demo.rounds import (
    BUILTIN_SLUGS,
    DATA_SYSTEMS_TECHNOLOGY,
    DEFAULT_ROUNDS,
    HOME_CODE,
    SEVEN_TRIBES,
    demo_rounds_load,
    library_revisions,
)
from frameworks.builtin import library_load
from frameworks.lineage import MERGED_FROM, NEW, SPLIT_FROM
from frameworks.models import FrameworkVersion, Question
from frameworks.selectors import version_map
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
    """The version of each built-in framework the demo history starts from."""
    library_load()
    return {
        fv.framework.slug: fv
        for fv in FrameworkVersion.objects.filter(version="1.0.0").select_related("framework")
    }


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


def test_demo_rounds_load_gives_home_every_round_and_targets(frameworks, home, orgs):
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
    demo_rounds_load(organisations=orgs)
    submitted = Assessment.objects.filter(status=Assessment.Status.SUBMITTED)
    assert set(submitted.values_list("framework_version", flat=True)) == {
        fv.pk for fv in frameworks.values()
    }
    for assessment in submitted.select_related("framework_version"):
        recomputed = numbers(assessment_compute_scores(assessment=assessment))
        assert numbers(stored_scores(assessment=assessment)) == recomputed, assessment


# ---------------------------------------------------------------------------------------------
# The last round on the built-in 2.0.0s, answers carried through the crosswalk


@pytest.fixture
def revisions(frameworks):
    return library_revisions()


@pytest.fixture
def bodies(home):
    """The home body and 29 others with fixed codes: which bodies show a flag follows the code."""
    return [home] + [
        OrganisationFactory(code=f"ZT{i:04d}", kind=kind, region=region)
        for i in range(1, 30)
        for kind, region in [KINDS[i % len(KINDS)]]
    ]


def rounds_of(org, framework):
    return list(
        Assessment.objects.filter(organisation=org, framework_version__framework=framework)
        .order_by("round_label")
        .values_list("round_label", "framework_version__version")
    )


def flags_of(assessment):
    return [
        flag.code
        for flag in assessment_flags(
            assessment=assessment,
            scores=stored_scores(assessment=assessment),
            dimensions=list(assessment.framework_version.dimensions.all()),
        )
    ]


def test_library_revisions_are_the_builtin_2_0_0s(revisions):
    assert sorted((fv.framework.slug, fv.version) for fv in revisions) == sorted(
        (slug, "2.0.0") for slug in BUILTIN_SLUGS
    )
    assert all(fv.is_published for fv in revisions)


def test_demo_rounds_take_the_last_round_on_the_revisions(frameworks, revisions, home, bodies):
    result = demo_rounds_load(organisations=bodies, revisions=revisions)

    assert {str(fv) for fv in revisions} <= set(result.frameworks)
    assert result.frameworks_missing == ()
    for fv in revisions:
        builtin = frameworks[fv.framework.slug]
        assert rounds_of(home, fv.framework) == [
            (DEFAULT_ROUNDS[0], "1.0.0"),
            (DEFAULT_ROUNDS[1], "1.0.0"),
            (DEFAULT_ROUNDS[2], "2.0.0"),
        ]
        last = Assessment.objects.filter(
            round_label=DEFAULT_ROUNDS[-1], framework_version__framework=fv.framework
        )
        on_revision = last.filter(framework_version=fv)
        # Most bodies moved on, some did not: both versions have bodies in the last round.
        assert last.count() // 2 < on_revision.count() < last.count()
        assert not Assessment.objects.filter(
            framework_version=fv, round_label__in=DEFAULT_ROUNDS[:-1]
        ).exists()
        # Each round on 2.0.0 follows the body's round before, on 1.0.0.
        for assessment in on_revision:
            previous = Assessment.objects.filter(
                organisation=assessment.organisation_id,
                framework_version__framework=fv.framework,
                round_label=DEFAULT_ROUNDS[1],
            ).first()  # bodies that joined late have none
            assert assessment.carried_from == previous
            assert previous is None or previous.framework_version == builtin
        # Latest submissions per version: peers compare on one version only.
        latest = Assessment.objects.filter(is_latest_submission=True, framework_version=fv)
        assert latest.count() == on_revision.count()


def test_demo_rounds_on_the_revisions_answer_every_question_and_store_their_scores(
    revisions, bodies
):
    demo_rounds_load(organisations=bodies, revisions=revisions)

    for fv in revisions:
        questions = Question.objects.filter(dimension__framework_version=fv).count()
        on_revision = Assessment.objects.filter(framework_version=fv)
        assert on_revision.exists()
        for assessment in on_revision:
            assert assessment.agreed_answers.count() == questions
            recomputed = numbers(assessment_compute_scores(assessment=assessment))
            assert numbers(stored_scores(assessment=assessment)) == recomputed


def test_demo_rounds_carry_answers_through_the_crosswalk(frameworks, revisions, bodies):
    """On 2.0.0 a body answers what it would have answered on 1.0.0 that round (the answers of
    a load without the revisions), carried through each framework's crosswalk."""
    demo_rounds_load(organisations=bodies)
    before = {
        (code, question): (state, level)
        for code, question, state, level in AgreedAnswer.objects.filter(
            assessment__round_label=DEFAULT_ROUNDS[-1]
        ).values_list("assessment__organisation__code", "question_id", "state", "level")
    }
    Assessment.objects.all().delete()

    demo_rounds_load(organisations=bodies, revisions=revisions)
    if connection.vendor == "postgresql":
        # Thousands of rows deleted and made again inside one transaction: without fresh
        # statistics PostgreSQL may join them row by row (minutes instead of a second).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    checked = Counter()
    for fv in revisions:
        lineage = version_map(earlier=frameworks[fv.framework.slug], later=fv)
        parts = defaultdict(list)  # (body, split question of 1.0.0): levels of its parts
        for code, question, state, level in (
            AgreedAnswer.objects.filter(assessment__framework_version=fv)
            .order_by("question__dimension__position", "question__position")
            .values_list("assessment__organisation__code", "question_id", "state", "level")
        ):
            relation = lineage.relation[question]
            earlier = [before[(code, a)] for a in sorted(lineage.ancestors[question])]
            levels = [lv for _, lv in earlier if lv is not None]
            if question in lineage.comparable:  # the same or reworded: the same answer
                assert (state, level) == before[(code, lineage.comparable[question])]
            elif relation == MERGED_FROM and levels:  # the lowest of the merged answers
                assert level == min(levels)
            elif relation == SPLIT_FROM and levels:  # each part within a level of the whole
                assert abs(level - levels[0]) <= 1
                parts[(code, *lineage.ancestors[question])].append(level)
            elif relation == NEW:
                assert level in range(1, 6)
            checked[relation] += 1
        # The home body's second part of a split question stands a level below its first.
        for (code, _), levels in parts.items():
            if code == HOME_CODE:
                assert levels[1:] == [max(levels[0] - 1, 1)] * (len(levels) - 1)
    assert set(checked) == {"same", "reworded", SPLIT_FROM, MERGED_FROM, NEW}


def test_demo_rounds_before_the_last_are_unchanged_by_the_revisions(revisions, bodies):
    demo_rounds_load(organisations=bodies)
    first = {row for row in answer_rows() if row[2] != DEFAULT_ROUNDS[-1]}
    Assessment.objects.all().delete()

    demo_rounds_load(organisations=bodies, revisions=revisions)

    assert {row for row in answer_rows() if row[2] != DEFAULT_ROUNDS[-1]} == first


def test_demo_rounds_with_the_revisions_a_second_time_create_nothing(revisions, bodies):
    demo_rounds_load(organisations=bodies, revisions=revisions)
    count = Assessment.objects.count()

    second = demo_rounds_load(organisations=bodies, revisions=revisions)

    assert second.assessments_created == 0 and Assessment.objects.count() == count


def test_demo_rounds_never_answer_a_round_twice_on_two_versions(revisions, bodies):
    """A database loaded before the revisions existed keeps its rounds: none is added beside."""
    demo_rounds_load(organisations=bodies)
    count = Assessment.objects.count()

    result = demo_rounds_load(organisations=bodies, revisions=revisions)

    assert result.assessments_created == 0 and Assessment.objects.count() == count


def test_demo_rounds_skip_a_revision_that_is_not_later(frameworks, bodies):
    builtin = frameworks[DATA_SYSTEMS_TECHNOLOGY]

    result = demo_rounds_load(
        organisations=bodies[:3], frameworks=[DATA_SYSTEMS_TECHNOLOGY], revisions=[builtin]
    )

    assert result.frameworks_missing == (str(builtin),)
    assert set(Assessment.objects.values_list("framework_version", flat=True)) == {builtin.pk}


def rounded(rows):
    return sorted(tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows)


def test_demo_rounds_store_the_comparison_a_submission_would(frameworks, revisions, home, bodies):
    demo_rounds_load(organisations=bodies, revisions=revisions)

    later = Assessment.objects.exclude(round_label=DEFAULT_ROUNDS[0]).filter(
        carried_from__isnull=False
    )
    assert later.exists()
    changed = 0
    for assessment in later.select_related("framework_version"):
        stored = Comparison.objects.get(assessment=assessment)
        built, dimensions = comparison_build(assessment=assessment)
        fields = ("previous_id", "version_changed", "comparable", "questions", "previous_questions")
        assert [getattr(stored, f) for f in fields] == [getattr(built, f) for f in fields]
        assert stored.movement == pytest.approx(built.movement)
        assert stored.like_for_like == pytest.approx(built.like_for_like)
        assert rounded(
            stored.dimensions.values_list(
                "dimension_id", "previous_dimension_id", "comparable", "movement", "like_for_like"
            )
        ) == rounded(
            (d.dimension_id, d.previous_dimension_id, d.comparable, d.movement, d.like_for_like)
            for d in dimensions
        )
        changed += stored.version_changed
    moved = Assessment.objects.filter(framework_version__in=revisions, carried_from__isnull=False)
    assert changed == moved.count()
    # The home body's move to 2.0.0: the same and reworded questions compare, the rest do not.
    for fv in revisions:
        builtin = frameworks[fv.framework.slug]
        move = Comparison.objects.get(
            assessment__organisation=home, assessment__framework_version=fv
        )
        assert (move.comparable, move.questions, move.previous_questions) == (
            len(version_map(earlier=builtin, later=fv).comparable),
            Question.objects.filter(dimension__framework_version=fv).count(),
            Question.objects.filter(dimension__framework_version=builtin).count(),
        )
        assert 0 < move.comparable < move.questions


def test_demo_leads_dashboard_shows_the_trend_across_versions(revisions, home, bodies):
    demo_rounds_load(organisations=bodies, revisions=revisions)
    lead = MembershipFactory(organisation=home, role=Role.LEAD).user
    client = Client()
    client.force_login(lead)

    for fv in revisions:
        response = client.get(
            reverse("benchmarks:dashboard", kwargs={"pk": home.pk, "framework": fv.framework.slug})
        )

        assert response.status_code == 200
        page = response.content.decode()
        table = page[page.index('data-table="trend"') :]
        table = table[: table.index("</table>")]
        rows = re.findall(
            r'<th scope="row" class="govuk-table__header">([^<]+)</th>\s*'
            r'<td class="govuk-table__cell">([0-9.]+)',
            table,
        )
        assert rows == [
            (DEFAULT_ROUNDS[0], "1.0.0"),
            (DEFAULT_ROUNDS[1], "1.0.0"),
            (DEFAULT_ROUNDS[2], "2.0.0"),
        ]
        move = Comparison.objects.get(
            assessment__organisation=home, assessment__framework_version=fv
        )
        text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
        assert (
            "The framework changed from version 1.0.0 to 2.0.0 between "
            f"{DEFAULT_ROUNDS[1]} and {DEFAULT_ROUNDS[2]}."
        ) in text
        assert f"{move.comparable} of {move.questions} questions are comparable." in text
        assert "is like-for-like change on those questions" in text


def test_demo_flags_show_only_where_each_version_declares_them(revisions, bodies):
    """Technology ahead of data on data-systems-technology 2.0.0 only (1.0.0 declares no flag),
    lens imbalance on the seven tribes framework only: the home body and some others, not most."""
    demo_rounds_load(organisations=bodies, revisions=revisions)

    shown = defaultdict(set)
    for assessment in Assessment.objects.select_related(
        "framework_version__framework", "organisation"
    ):
        fv = assessment.framework_version
        for code in flags_of(assessment):
            shown[(fv.framework.slug, fv.version, code)].add(assessment.organisation.code)

    tech = (DATA_SYSTEMS_TECHNOLOGY, "2.0.0", scoring.TECHNOLOGY_AHEAD_OF_DATA)
    lens = (SEVEN_TRIBES, "2.0.0", scoring.ONE_LENS_AHEAD)
    assert set(shown) == {tech, lens, (SEVEN_TRIBES, "1.0.0", scoring.ONE_LENS_AHEAD)}
    assert HOME_CODE in shown[tech] and HOME_CODE not in shown[lens]
    assert shown[tech] - {HOME_CODE}
    for slug, version, code in (tech, lens):
        on_revision = Assessment.objects.filter(
            framework_version__framework__slug=slug, framework_version__version=version
        )
        assert 0 < len(shown[(slug, version, code)]) < on_revision.count() / 3, code
