"""The demo's second version of a built-in framework: made as an editor makes one, crosswalked."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessments import scoring
from assessments.models import AgreedAnswer, Assessment, Comparison
from assessments.selectors import stored_scores
from assessments.services import assessment_compute_scores, comparison_build
from demo.rounds import DEFAULT_ROUNDS, HOME_CODE, demo_rounds_load
from demo.versions import FRAMEWORK, VERSION, demo_version_load
from frameworks.builtin import library_load
from frameworks.models import FrameworkVersion, Question
from frameworks.selectors import version_map
from frameworks.services import framework_version_create_draft
from maturity.audit.models import AuditEvent
from organisations.models import Organisation, Role
from tests.demo.test_rounds import KINDS, answer_rows, numbers
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

K = Organisation.Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def builtin():
    library_load()
    return FrameworkVersion.objects.get(framework__slug=FRAMEWORK, version="1.0.0")


def slugs(fv):
    return list(
        Question.objects.filter(dimension__framework_version=fv)
        .order_by("dimension__position", "position", "id")
        .values_list("slug", flat=True)
    )


def test_demo_version_is_a_published_draft_of_the_builtin_with_its_crosswalk(builtin):
    editor = UserFactory(editor=True)

    result = demo_version_load(user=editor)

    fv = result.version
    assert result.created and fv.version == VERSION and fv.is_published
    assert fv.cloned_from == builtin and fv.published_by == editor
    assert fv.published_at.year == 2025  # before the demo round answered on it
    lineage = version_map(earlier=builtin, later=fv)
    by_slug = {q.slug: q for q in Question.objects.filter(dimension__framework_version=fv)}
    old = {q.pk: q.slug for q in Question.objects.filter(dimension__framework_version=builtin)}
    relations = {slug: lineage.relation[q.pk] for slug, q in by_slug.items()}
    assert {s: r for s, r in relations.items() if r != "same"} == {
        "data-quality": "reworded",
        "cyber-security": "split-from",
        "resilience-and-recovery": "split-from",
        "data-skills": "new",
    }
    # The split question is gone from 1.1.0, but nothing of 1.0.0 is lost: its parts carry it.
    assert "security-and-resilience" not in by_slug and lineage.removed == frozenset()
    for slug in ("cyber-security", "resilience-and-recovery"):
        assert {old[q] for q in lineage.ancestors[by_slug[slug].pk]} == {"security-and-resilience"}
    assert by_slug["data-skills"].new_in_version
    assert (
        by_slug["data-quality"].text
        != Question.objects.get(dimension__framework_version=builtin, slug="data-quality").text
    )
    # The split question's parts stand where it stood; the new question ends its dimension.
    before, after = slugs(builtin), slugs(fv)
    at = before.index("security-and-resilience")
    assert before[at - 1 : at + 2] == [
        "hosting-and-cloud",
        "security-and-resilience",
        "workplace-technology",
    ]
    at = after.index("hosting-and-cloud")
    assert after[at : at + 4] == [
        "hosting-and-cloud",
        "cyber-security",
        "resilience-and-recovery",
        "workplace-technology",
    ]
    assert after[after.index("data-trust-and-protection") + 1] == "data-skills"
    assert len(after) == len(before) + 2
    # Made through the services, so the record of changes says who did what.
    actions = set(AuditEvent.objects.filter(actor=editor).values_list("action", flat=True))
    assert {
        "framework_version.create_draft",
        "question.update",
        "question.create",
        "question.delete",
        "question.crosswalk",
        "framework_version.publish",
    } <= actions


def test_demo_version_load_a_second_time_changes_nothing(builtin):
    first = demo_version_load()
    versions, questions = FrameworkVersion.objects.count(), Question.objects.count()

    second = demo_version_load()

    assert (second.version, second.created) == (first.version, False)
    assert (FrameworkVersion.objects.count(), Question.objects.count()) == (versions, questions)


def test_demo_version_leaves_an_editors_own_version_alone(builtin):
    framework_version_create_draft(framework=builtin.framework, version="2.0.0", clone_from=builtin)

    result = demo_version_load()

    assert result.version is None and not result.created
    assert "higher" in result.note
    assert not FrameworkVersion.objects.filter(version=VERSION).exists()


def test_demo_version_needs_the_builtin_loaded():
    result = demo_version_load()

    assert result.version is None and "not loaded" in result.note


# ---------------------------------------------------------------------------------------------
# Rounds across the two versions


@pytest.fixture
def revision(builtin):
    return demo_version_load().version


@pytest.fixture
def home():
    return OrganisationFactory(name="Demo Home Council", code=HOME_CODE, kind=K.UNITARY)


@pytest.fixture
def orgs(home):
    others = [OrganisationFactory(kind=kind, region=region) for kind, region in KINDS]
    return [home, *others, *(OrganisationFactory() for _ in range(12))]


def dst_rounds(org):
    return list(
        Assessment.objects.filter(organisation=org, framework_version__framework__slug=FRAMEWORK)
        .order_by("round_label")
        .values_list("round_label", "framework_version__version")
    )


def test_demo_rounds_take_the_last_round_on_the_revision(builtin, revision, home, orgs):
    result = demo_rounds_load(organisations=orgs, revision=revision)

    assert str(revision) in result.frameworks and result.frameworks_missing == ()
    assert dst_rounds(home) == [
        (DEFAULT_ROUNDS[0], "1.0.0"),
        (DEFAULT_ROUNDS[1], "1.0.0"),
        (DEFAULT_ROUNDS[2], VERSION),
    ]
    last = Assessment.objects.filter(
        round_label=DEFAULT_ROUNDS[-1], framework_version__framework__slug=FRAMEWORK
    )
    on_revision = last.filter(framework_version=revision).count()
    # Most bodies moved on, some did not: both versions have bodies in the last round.
    assert len(orgs) // 2 < on_revision < len(orgs)
    assert last.count() == len(orgs)
    assert not Assessment.objects.filter(
        framework_version=revision, round_label__in=DEFAULT_ROUNDS[:-1]
    ).exists()
    # Each round on the revision follows the body's round before, on the built-in version.
    for assessment in last.filter(framework_version=revision).select_related("carried_from"):
        previous = Assessment.objects.filter(
            organisation=assessment.organisation_id,
            framework_version__framework__slug=FRAMEWORK,
            round_label=DEFAULT_ROUNDS[1],
        ).first()  # bodies that joined late have none
        assert assessment.carried_from == previous
        assert previous is None or previous.framework_version == builtin
    # Latest submissions per version: peers compare on one version only.
    latest = Assessment.objects.filter(is_latest_submission=True, framework_version=revision)
    assert latest.count() == on_revision


def test_demo_rounds_on_the_revision_answer_every_question_and_store_their_scores(
    builtin, revision, orgs
):
    demo_rounds_load(organisations=orgs, revision=revision)

    questions = Question.objects.filter(dimension__framework_version=revision).count()
    on_revision = Assessment.objects.filter(framework_version=revision)
    assert on_revision.exists()
    for assessment in on_revision:
        assert assessment.agreed_answers.count() == questions
        recomputed = numbers(assessment_compute_scores(assessment=assessment))
        assert numbers(stored_scores(assessment=assessment)) == recomputed


def test_demo_rounds_carry_answers_through_the_crosswalk(builtin, revision, home, orgs):
    """On the revision, the same and reworded questions keep what the body would have answered
    on the built-in version that round (the answers of a load without the revision)."""
    demo_rounds_load(organisations=orgs)
    before = {
        (code, slug): level
        for code, slug, level in AgreedAnswer.objects.filter(
            assessment__round_label=DEFAULT_ROUNDS[-1],
            assessment__framework_version=builtin,
        ).values_list("assessment__organisation__code", "question__slug", "level")
    }
    Assessment.objects.all().delete()

    demo_rounds_load(organisations=orgs, revision=revision)

    after = AgreedAnswer.objects.filter(assessment__framework_version=revision).values_list(
        "assessment__organisation__code", "question__slug", "level"
    )
    kept = {"data-quality", "data-ownership", "hosting-and-cloud"}  # reworded and two the same
    compared = [(key, level) for *key, level in after if key[1] in kept]
    assert compared and all(before[tuple(key)] == level for key, level in compared)
    home_new = AgreedAnswer.objects.get(
        assessment__organisation=home,
        assessment__framework_version=revision,
        question__slug="data-skills",
    )
    assert home_new.level in range(1, 6)
    latest = Assessment.objects.get(organisation=home, framework_version=revision)
    found = scoring.flags(scores=assessment_compute_scores(assessment=latest), dimension_names={})
    assert scoring.TECHNOLOGY_AHEAD_OF_DATA in [f.code for f in found]


def test_demo_rounds_without_the_revision_are_unchanged_by_it(builtin, revision, orgs):
    """The other frameworks' answers, and the earlier rounds, are drawn as without a revision."""
    demo_rounds_load(organisations=orgs)
    first = {row for row in answer_rows() if row[1] != FRAMEWORK or row[2] != DEFAULT_ROUNDS[-1]}
    Assessment.objects.all().delete()

    demo_rounds_load(organisations=orgs, revision=revision)

    again = {row for row in answer_rows() if row[1] != FRAMEWORK or row[2] != DEFAULT_ROUNDS[-1]}
    assert again == first


def test_demo_rounds_with_the_revision_a_second_time_create_nothing(builtin, revision, orgs):
    demo_rounds_load(organisations=orgs, revision=revision)
    count = Assessment.objects.count()

    second = demo_rounds_load(organisations=orgs, revision=revision)

    assert second.assessments_created == 0 and Assessment.objects.count() == count


def test_demo_rounds_never_answer_a_round_twice_on_two_versions(builtin, revision, orgs):
    """A database loaded before the revision existed keeps its rounds: none is added beside."""
    demo_rounds_load(organisations=orgs)
    count = Assessment.objects.count()

    result = demo_rounds_load(organisations=orgs, revision=revision)

    assert result.assessments_created == 0 and Assessment.objects.count() == count


def test_demo_leads_dashboard_shows_rounds_on_both_versions(builtin, revision, home, orgs):
    demo_rounds_load(organisations=orgs, revision=revision)
    lead = MembershipFactory(organisation=home, role=Role.LEAD).user
    client = Client()
    client.force_login(lead)

    response = client.get(
        reverse("benchmarks:dashboard", kwargs={"pk": home.pk, "framework": FRAMEWORK})
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
        (DEFAULT_ROUNDS[2], VERSION),
    ]


def rounded(rows):
    return sorted(tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows)


def test_demo_rounds_store_the_comparison_a_submission_would(builtin, revision, home, orgs):
    demo_rounds_load(organisations=orgs, revision=revision)

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
    assert (
        changed
        == Assessment.objects.filter(framework_version=revision, carried_from__isnull=False).count()
    )
    # The home body's move to 1.1.0: all but the split and new questions are comparable.
    move = Comparison.objects.get(
        assessment__organisation=home, assessment__framework_version=revision
    )
    assert (move.comparable, move.questions, move.previous_questions) == (15, 18, 16)
