"""Starting a round from last year's answers when the framework has a new version since: answers
follow the crosswalk (not the slugs), and those whose question changed are flagged for review."""

import dataclasses
import html
import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import AgreedAnswer
from frameworks.fileformat import DimensionSpec, LinkSpec, QuestionSpec
from frameworks.models import Question
from frameworks.services import framework_version_import
from maturity.audit.models import AuditEvent
from organisations.models import Role
from tests.conftest import CsrfClient
from tests.factories import (
    LEVELS,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_spec,
    make_version,
    submit,
)

pytestmark = pytest.mark.django_db

REVIEW = AgreedAnswer.Review
# Last round's agreed levels on version 1.0.0, by question slug.
LAST_ROUND = {"d1-q1": 2, "d1-q2": 3, "d1-q3": 4, "d2-q1": 2, "d2-q2": 5, "d2-q3": 1}


def question(slug, text, *derived_from):
    return QuestionSpec(
        slug=slug,
        text=text,
        levels={lv.value: f"{slug} at level {lv.value}." for lv in LEVELS},
        recommendations={lv.value: f"Move {slug} up from {lv.value}." for lv in LEVELS[:-1]},
        derived_from=tuple(LinkSpec("1.0.0", slug, relation) for slug, relation in derived_from),
    )


def second_version():
    """Version 2.0.0 of the test framework: d1-q1 reworded, d1-q2 split in two, d1-q3 and
    d2-q1 merged, d2-q2 the same under a new slug, d2-q3's slug reused for a new question, and
    d2-q4 new."""
    first = make_spec()
    return framework_version_import(
        spec=dataclasses.replace(
            first,
            version="2.0.0",
            facets=(),
            dimensions=(
                DimensionSpec(
                    slug="dimension-1",
                    name="Dimension 1",
                    questions=(
                        question("d1-q1", "Question 1, said another way?", ("d1-q1", "reworded")),
                        question(
                            "d1-q2a", "The first half of question 2?", ("d1-q2", "split-from")
                        ),
                        question(
                            "d1-q2b", "The other half of question 2?", ("d1-q2", "split-from")
                        ),
                        question(
                            "d1-q3",
                            "Questions 3 and 4 as one?",
                            ("d1-q3", "merged-from"),
                            ("d2-q1", "merged-from"),
                        ),
                    ),
                ),
                DimensionSpec(
                    slug="dimension-2",
                    name="Dimension 2",
                    questions=(
                        question("d2-q2-renamed", "Question 2 of dimension 2?", ("d2-q2", "same")),
                        question("d2-q3", "A different question under an old slug?"),
                        question("d2-q4", "A question new in this version?"),
                    ),
                ),
            ),
        ),
        publish=True,
    )


@pytest.fixture
def org():
    return OrganisationFactory(name="Testshire District Council")


@pytest.fixture
def lead(org):
    user = UserFactory(full_name="Jo Pritchard", email="jo@testshire.example")
    return MembershipFactory(organisation=org, role=Role.LEAD, user=user).user


@pytest.fixture
def respondent(org):
    return MembershipFactory(organisation=org, role=Role.RESPONDENT).user


@pytest.fixture
def last_round(org, lead):
    """The 2025/26 round, submitted on version 1.0.0."""
    v1 = make_version()
    order = Question.objects.filter(dimension__framework_version=v1).order_by(
        "dimension__position", "position"
    )
    assessment, _ = submit(
        org, v1, [LAST_ROUND[q.slug] for q in order], round_label="2025/26", lead=lead
    )
    return assessment


def carry_over(org, lead, last_round, framework_version):
    return services.assessment_start(
        organisation=org,
        framework_version=framework_version,
        round_label="2026/27",
        user=lead,
        carry_from=last_round,
    )


def agreed(assessment):
    return {
        a.question.slug: a
        for a in AgreedAnswer.objects.filter(assessment=assessment).select_related("question")
    }


def client_for(user):
    client = CsrfClient()
    client.force_login(user)
    return client


def page_text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def url(name, assessment, **kwargs):
    return reverse(
        f"assessments:{name}",
        kwargs={"pk": assessment.organisation_id, "apk": assessment.pk, **kwargs},
    )


def test_carry_over_within_one_version_carries_every_answer_unflagged(org, lead, last_round):
    new = carry_over(org, lead, last_round, last_round.framework_version)

    answers = agreed(new)
    assert {slug: a.level for slug, a in answers.items()} == LAST_ROUND
    assert all(a.carried_over and a.review == "" and a.target_level == 5 for a in answers.values())


def test_carry_over_across_versions_follows_the_crosswalk_not_the_slugs(org, lead, last_round):
    new = carry_over(org, lead, last_round, second_version())

    answers = agreed(new)
    assert {slug: (a.level, a.review) for slug, a in answers.items()} == {
        "d1-q1": (2, REVIEW.REWORDED),
        "d1-q2a": (3, REVIEW.SPLIT),
        "d1-q2b": (3, REVIEW.SPLIT),
        "d1-q3": (2, REVIEW.MERGED),  # the lower of 4 (d1-q3) and 2 (d2-q1)
        "d2-q2-renamed": (5, ""),  # the same question, renamed: carried, nothing to check
    }
    # d2-q3's slug now names a different question, and d2-q4 is new: both left unanswered.
    assert all(a.carried_over and a.state == "level" for a in answers.values())


def test_carry_over_audit_says_how_many_were_carried_and_flagged(org, lead, last_round):
    new = carry_over(org, lead, last_round, second_version())

    event = AuditEvent.objects.get(action="assessment.start", object_id=str(new.pk))
    assert event.changes["answers_carried_over"] == 5
    assert event.changes["answers_to_check"] == 4
    client = client_for(lead)
    record = page_text(
        client.get(
            reverse("organisations:audit_log", kwargs={"pk": org.pk}), {"kind": "assessments"}
        )
    )
    assert (
        "Jo Pritchard started the 2026/27 assessment (Framework test-framework 2.0.0), carrying "
        "over 5 agreed answers from the 2025/26 assessment, 4 of them to check because their "
        "questions changed"
    ) in record


def test_merged_question_takes_the_lowest_level_and_everyones_evidence(org, lead, last_round):
    old = agreed(last_round)
    AgreedAnswer.objects.filter(pk=old["d1-q3"].pk).update(
        evidence="The records plan.", links="https://a.example/plan", confidence="high"
    )
    AgreedAnswer.objects.filter(pk=old["d2-q1"].pk).update(
        evidence="The data audit.", links="https://a.example/audit", confidence="low"
    )

    merged = agreed(carry_over(org, lead, last_round, second_version()))["d1-q3"]

    assert (merged.level, merged.confidence) == (2, "low")  # d2-q1's answer, the lower
    assert merged.evidence == "The records plan.\n\nThe data audit."
    assert merged.link_list == ["https://a.example/plan", "https://a.example/audit"]


def test_merged_question_ignores_ancestors_without_a_level(org, lead, last_round):
    old = agreed(last_round)
    AgreedAnswer.objects.filter(pk=old["d2-q1"].pk).update(state="na", level=None)
    v2 = second_version()

    assert agreed(carry_over(org, lead, last_round, v2))["d1-q3"].level == 4

    AgreedAnswer.objects.filter(pk=old["d1-q3"].pk).update(state="dont_know", level=None)
    new = services.assessment_start(
        organisation=org,
        framework_version=v2,
        round_label="2027/28",
        user=lead,
        carry_from=last_round,
    )
    assert "d1-q3" not in agreed(new)  # no level to start from: left for the lead


def test_answers_to_check_are_shown_on_the_question_pages(org, lead, respondent, last_round):
    new = carry_over(org, lead, last_round, second_version())
    answers = agreed(new)
    reworded = answers["d1-q1"].question_id

    mine = page_text(client_for(respondent).get(url("question", new, qpk=reworded)))
    theirs = page_text(client_for(lead).get(url("agree_question", new, qpk=reworded)))

    said = (
        "Carried over from 2025/26, where the question was worded differently: check it still "
        "holds."
    )
    assert said in mine and said in theirs
    split = page_text(
        client_for(lead).get(url("agree_question", new, qpk=answers["d1-q2b"].question_id))
    )
    assert "Carried over from 2025/26, where this was part of a broader question" in split
    merged = page_text(
        client_for(lead).get(url("agree_question", new, qpk=answers["d1-q3"].question_id))
    )
    assert (
        "Carried over from 2025/26, where this was covered by several questions: this is the "
        "lowest of their answers."
    ) in merged
    same = page_text(
        client_for(lead).get(url("agree_question", new, qpk=answers["d2-q2-renamed"].question_id))
    )
    assert "Carried over from" not in same


def test_answers_to_check_are_listed_on_the_task_list(org, lead, respondent, last_round):
    new = carry_over(org, lead, last_round, second_version())

    for user in (lead, respondent):
        text = page_text(client_for(user).get(url("assessment", new)))
        assert "4 answers carried over from 2025/26 need checking" in text
        assert "Question 1, said another way? (the question was worded differently)" in text
        assert "Questions 3 and 4 as one? (this was covered by several questions)" in text
    lead_page = client_for(lead).get(url("assessment", new)).content.decode()
    d1q1 = agreed(new)["d1-q1"].question_id
    assert url("agree_question", new, qpk=d1q1) in lead_page


def test_saving_an_agreed_answer_clears_its_review_flag(org, lead, respondent, last_round):
    new = carry_over(org, lead, last_round, second_version())
    answer = agreed(new)["d1-q1"]

    # The lead checks it and saves it unchanged: that is the review.
    response = client_for(lead).submit(
        url("agree_question", new, qpk=answer.question_id),
        {
            "answer": "2",
            "target_level": "5",
            "evidence": "",
            "links": "",
            "confidence": "",
            "rationale": "",
            "version": answer.version,
            "then": "list",
        },
    )

    assert response.status_code == 302
    before = answer.version
    answer.refresh_from_db()
    assert (answer.review, answer.level, answer.version) == ("", 2, before + 1)
    text = page_text(client_for(respondent).get(url("assessment", new)))
    assert "3 answers carried over from 2025/26 need checking" in text
    assert "Question 1, said another way?" not in text.split("need checking")[1].split("Your")[0]
    record = page_text(
        client_for(lead).get(reverse("organisations:audit_log", kwargs={"pk": org.pk}))
    )
    assert "Jo Pritchard checked the carried-over agreed answer to" in record


def test_carry_over_refuses_another_frameworks_assessment(org, lead, last_round):
    other = make_version(slug="another-framework")

    with pytest.raises(ValueError, match="same framework"):
        carry_over(org, lead, last_round, other)


def test_starting_a_round_on_the_new_version_carries_over_from_the_old(org, lead, last_round):
    v2 = second_version()

    response = client_for(lead).submit(
        reverse("assessments:start", kwargs={"pk": org.pk}),
        {"framework_version": v2.pk, "round_label": "2026/27", "carry_over": "on"},
    )

    assert response.status_code == 302
    new = AgreedAnswer.objects.filter(assessment__framework_version=v2)
    assert new.count() == 5 and {a.assessment.carried_from for a in new} == {last_round}


def test_carry_over_leaves_out_levels_the_new_scale_lacks(org, lead, last_round):
    """A version on a four-level scale: last round's 5 is no starting point, nor a target of 5."""
    first = make_spec()
    four = LEVELS[:4]
    v2 = framework_version_import(
        spec=dataclasses.replace(
            first,
            version="2.0.0",
            levels=four,
            dimensions=tuple(
                dataclasses.replace(
                    d,
                    questions=tuple(
                        dataclasses.replace(
                            q,
                            levels={lv.value: q.levels[lv.value] for lv in four},
                            recommendations={
                                lv.value: q.recommendations[lv.value] for lv in four[:-1]
                            },
                            derived_from=(LinkSpec("1.0.0", q.slug, "same"),),
                        )
                        for q in d.questions
                    ),
                )
                for d in first.dimensions
            ),
        ),
        publish=True,
    )

    answers = agreed(carry_over(org, lead, last_round, v2))

    assert "d2-q2" not in answers  # was 5
    assert {slug: (a.level, a.target_level) for slug, a in answers.items()} == {
        slug: (level, None) for slug, level in LAST_ROUND.items() if level < 5
    }
