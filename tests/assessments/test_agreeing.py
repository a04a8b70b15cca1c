"""A lead agreeing answers (issue 14): the suggestion offered, not chosen; a whole dimension's
suggestions accepted after one confirmation; "not applicable" beside levels flagged; the way on
after a dimension; the check page's warning; the task list's "Cannot start yet"."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.models import AgreedAnswer, Assessment
from assessments.scoring import is_disagreement
from frameworks.models import Question
from maturity.audit.models import AuditEvent
from organisations.models import Role
from tests.conftest import CsrfClient
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_version
from tests.races import in_threads, postgresql_only

pytestmark = pytest.mark.django_db

ACCEPTED = "Accepted the suggested answer"


def _team(questions=3):
    org = OrganisationFactory(name="Kappa District Council")
    people = {}
    for role, name in (
        (Role.LEAD, "lee"),
        (Role.RESPONDENT, "ana"),
        (Role.RESPONDENT, "ben"),
        (Role.RESPONDENT, "cal"),
        (Role.VIEWER, "vic"),
    ):
        people[name] = MembershipFactory(
            organisation=org,
            role=role,
            user=UserFactory(email=f"{name}@kappa.example", full_name=name.title()),
        ).user
    fv = make_version(dimensions=2, questions=questions)
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=people["lee"]
    )
    qs = list(
        Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position"
        )
    )
    return assessment, people, qs


@pytest.fixture
def team():
    return _team()


def answer(assessment, person, question, level=None, state="level"):
    services.answer_save(
        assessment=assessment,
        question=question,
        respondent=person,
        data=services.AnswerData(state=state, level=level),
        base_version=0,
    )


def agree(assessment, lead, question, level, **fields):
    services.agreed_answer_save(
        assessment=assessment,
        question=question,
        lead=lead,
        data=services.AnswerData(state="level" if level else "", level=level, **fields),
        base_version=0,
    )


def client_for(user):
    client = CsrfClient()
    client.force_login(user)
    return client


def url(name, assessment, **kwargs):
    return reverse(
        f"assessments:{name}",
        kwargs={"pk": assessment.organisation_id, "apk": assessment.pk, **kwargs},
    )


def accept(client, assessment, dimension_id, **kwargs):
    """Open the confirmation page and confirm it, as a person would: the page's own form."""
    page = client.get(url("agree_accept", assessment, dpk=dimension_id)).content.decode()
    shown = re.search(r'name="accepted" value="([^"]*)"', page)
    assert shown, "The confirmation page has no form"
    return client.submit(
        url("agree_accept", assessment, dpk=dimension_id), {"accepted": shown.group(1)}, **kwargs
    )


# ---------------------------------------------------------------------------------------------
# The suggestion is offered, not chosen


def test_agree_page_shows_the_suggestion_without_choosing_it(team):
    assessment, people, qs = team
    for name, level in (("ana", 2), ("ben", 3), ("cal", 3)):
        answer(assessment, people[name], qs[0], level)
    page = client_for(people["lee"]).get(url("agree_question", assessment, qpk=qs[0].pk))
    text = page.content.decode()
    assert "answer" not in page.context["form"].initial
    assert re.search(r'name="answer"[^>]*checked', text) is None  # no radio chosen for the lead
    # Beside the options, as the radios' hint, so a screen reader hears it with them.
    assert (
        '<div id="id_answer_hint" class="govuk-hint">Suggested from 3 answers: level 3 (Defined)'
        in text
    )
    assert 'aria-describedby="id_answer_hint"' in text
    assert "Ana" in text and "Ben" in text  # the answers it comes from, beside it


def test_agree_page_still_shows_the_answer_the_lead_agreed(team):
    assessment, people, qs = team
    answer(assessment, people["ana"], qs[0], 2)
    agree(assessment, people["lee"], qs[0], 4)
    page = client_for(people["lee"]).get(url("agree_question", assessment, qpk=qs[0].pk))
    assert page.context["form"].initial["answer"] == "4"
    assert re.search(r'name="answer"[^>]*value="4"[^>]*checked', page.content.decode())


# ---------------------------------------------------------------------------------------------
# "Not applicable" beside levels


def test_not_applicable_beside_a_level_is_a_disagreement():
    assert is_disagreement([3, 3], not_applicable=1)
    assert not is_disagreement([None], not_applicable=2)  # everyone says not applicable
    assert not is_disagreement([3, 4], not_applicable=0)
    assert is_disagreement([1, 3], not_applicable=0)


def test_not_applicable_beside_levels_is_flagged_where_disagreements_show(team):
    assessment, people, qs = team
    answer(assessment, people["ana"], qs[0], state="na")
    answer(assessment, people["ben"], qs[0], 3)
    answer(assessment, people["cal"], qs[0], 3)
    lead = client_for(people["lee"])
    overview = lead.get(url("agree_dimension", assessment, dpk=qs[0].dimension_id))
    assert "Not applicable to some" in overview.content.decode()
    page = lead.get(url("agree_question", assessment, qpk=qs[0].pk)).content.decode()
    assert "1 person said not applicable and 2 gave a level" in page


# ---------------------------------------------------------------------------------------------
# Accepting the suggested answers for a dimension


def test_accepting_asks_once_and_leaves_alone_what_needs_the_lead():
    assessment, people, qs = _team(questions=5)
    lee = people["lee"]
    q1, q2, q3, q4, q5 = qs[:5]
    for name, level in (("ana", 2), ("ben", 3), ("cal", 3)):
        answer(assessment, people[name], q1, level)  # suggested: 3
    answer(assessment, people["ana"], q2, 1)
    answer(assessment, people["ben"], q2, 4)  # 3 levels apart
    answer(assessment, people["ana"], q3, state="dont_know")  # no level given: no suggestion
    answer(assessment, people["ana"], q4, 2)
    answer(assessment, people["ben"], q4, 2)
    agree(assessment, lee, q4, 4, rationale="Seen the evidence")  # agreed already
    answer(assessment, people["ana"], q5, state="na")
    answer(assessment, people["ben"], q5, 3)
    lead = client_for(lee)

    page = lead.get(url("agree_accept", assessment, dpk=q1.dimension_id)).content.decode()
    assert "Accept the suggested answers for Dimension 1" in page
    confirm = page.split("Left for you to agree")[0]
    assert "Question 1 of dimension 1?" in confirm and "3. Defined" in confirm
    assert "Question 2 of dimension 1?" not in confirm
    left = page.split("Left for you to agree")[1]
    assert "Question 2 of dimension 1?" in left and "Answers differ by 3 levels" in left
    assert "Question 5 of dimension 1?" in left and "Not applicable to some" in left
    assert "Question 3 of dimension 1?" in left and "No one has given a level" in left
    assert "Question 4 of dimension 1?" in left and "Already agreed" in left
    assert AgreedAnswer.objects.filter(question=q1).count() == 0  # the page changes nothing

    before = AuditEvent.objects.count()
    response = accept(lead, assessment, q1.dimension_id, follow=True)
    assert response.redirect_chain[-1][0] == url("agree_dimension", assessment, dpk=q1.dimension_id)
    assert "1 suggested answer accepted" in response.content.decode()
    agreed = AgreedAnswer.objects.get(question=q1)
    assert (agreed.state, agreed.level, agreed.set_by, agreed.rationale) == (
        "level",
        3,
        lee,
        ACCEPTED,
    )
    kept = AgreedAnswer.objects.get(question=q4)
    assert (kept.level, kept.rationale, kept.version) == (4, "Seen the evidence", 1)
    assert not AgreedAnswer.objects.filter(question__in=[q2, q3, q5]).exists()
    event = AuditEvent.objects.order_by("pk").last()
    assert (event.action, event.object_id, event.actor) == (
        "agreed_answer.save",
        str(agreed.pk),
        lee,
    )
    assert event.changes["rationale"] == ["", ACCEPTED]
    assert AuditEvent.objects.count() == before + 1


def test_accepting_a_whole_dimension_goes_on_to_the_next_then_to_check(team):
    assessment, people, qs = team
    for q in qs:
        for name in ("ana", "ben"):
            answer(assessment, people[name], q, 2)
    lead = client_for(people["lee"])
    first = accept(lead, assessment, qs[0].dimension_id)
    assert first["Location"] == url("agree_dimension", assessment, dpk=qs[3].dimension_id)
    last = accept(lead, assessment, qs[3].dimension_id)
    assert last["Location"] == url("check", assessment)
    assert AgreedAnswer.objects.filter(level=2, rationale=ACCEPTED).count() == 6
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.IN_REVIEW


def test_accepting_changes_nothing_when_an_answer_changed_after_the_page_was_drawn(team):
    assessment, people, qs = team
    answer(assessment, people["ana"], qs[0], 3)
    answer(assessment, people["ben"], qs[0], 4)  # suggested: 3
    answer(assessment, people["ana"], qs[1], 2)
    lead = client_for(people["lee"])
    page = lead.get(url("agree_accept", assessment, dpk=qs[0].dimension_id)).content.decode()
    shown = re.search(r'name="accepted" value="([^"]*)"', page).group(1)
    services.answer_save(  # Ana changes her mind: the suggestion is now 4
        assessment=assessment,
        question=qs[0],
        respondent=people["ana"],
        data=services.AnswerData(state="level", level=4),
        base_version=1,
    )
    response = lead.submit(
        url("agree_accept", assessment, dpk=qs[0].dimension_id), {"accepted": shown}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Some answers changed after this page was drawn" in text
    assert "4. Embedded" in text  # the new suggestion, to confirm again
    assert not AgreedAnswer.objects.exists()


def test_accepting_keeps_what_the_lead_typed_on_a_question_with_no_agreed_level(team):
    assessment, people, qs = team
    answer(assessment, people["ana"], qs[0], 2)
    agree(assessment, people["lee"], qs[0], None, evidence="Board minutes", target_level=4)
    accept(client_for(people["lee"]), assessment, qs[0].dimension_id)
    agreed = AgreedAnswer.objects.get()
    assert (agreed.level, agreed.evidence, agreed.target_level, agreed.version) == (
        2,
        "Board minutes",
        4,
        2,
    )


def test_accepting_is_refused_once_submitted(team):
    assessment, people, qs = team
    for q in qs:
        agree(assessment, people["lee"], q, 3)
    services.assessment_submit(assessment=assessment, user=people["lee"])
    with pytest.raises(services.AssessmentLocked):
        services.agreed_answers_accept_suggested(
            assessment=assessment,
            dimension=qs[0].dimension,
            lead=people["lee"],
            confirmed={},
        )


def test_only_a_lead_may_accept(team):
    assessment, people, qs = team
    answer(assessment, people["ana"], qs[0], 2)
    target = url("agree_accept", assessment, dpk=qs[0].dimension_id)
    for name in ("ana", "vic"):
        client = Client()  # no CSRF check: the permission alone must refuse it
        client.force_login(people[name])
        assert client.get(target).status_code == 403
        assert client.post(target, {"accepted": f"{qs[0].pk}:2"}).status_code == 403
    assert not AgreedAnswer.objects.exists()


@pytest.mark.parametrize("shown", ["", "abc", "1:<script>", "1:2,3", "99999999999999999999:3"])
def test_accepting_a_tampered_list_changes_nothing_and_says_what_to_do(team, shown):
    assessment, people, qs = team
    answer(assessment, people["ana"], qs[0], 2)
    lead = client_for(people["lee"])
    response = lead.submit(
        url("agree_accept", assessment, dpk=qs[0].dimension_id), {"accepted": shown}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert (
        "go back to the dimension and try again" in text
        or "Some answers changed after this page was drawn" in text
    )
    assert not AgreedAnswer.objects.exists()


# Session, user, membership, assessment, dimension, scale, questions, everyone's answers, the
# agreed answers.
ACCEPT_PAGE = 9


@pytest.mark.parametrize("size", [1, 6])
def test_accept_page_query_count_is_the_same_for_one_question_and_many(
    size, django_assert_num_queries
):
    assessment, people, qs = _team(questions=size)
    for q in qs[:size]:
        answer(assessment, people["ana"], q, 2)
    client = client_for(people["lee"])
    client.get("/")  # the first page after signing in saves the session
    with django_assert_num_queries(ACCEPT_PAGE):
        page = client.get(url("agree_accept", assessment, dpk=qs[0].dimension_id))
    assert f"Accept {size} suggested answer" in page.content.decode()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_leads_accepting_at_once_agree_each_answer_once():
    assessment, people, qs = _team()
    other = MembershipFactory(organisation=assessment.organisation, role=Role.LEAD).user
    dimension = qs[0].dimension
    for q in qs[:3]:
        answer(assessment, people["ana"], q, 2)
    confirmed = {q.pk: 2 for q in qs[:3]}

    def run(lead):
        return lambda: services.agreed_answers_accept_suggested(
            assessment=assessment, dimension=dimension, lead=lead, confirmed=confirmed
        )

    assert in_threads(run(people["lee"]), run(other)) == []
    rows = AgreedAnswer.objects.filter(question__in=qs[:3])
    assert sorted(r.version for r in rows) == [1, 1, 1]
    assert AuditEvent.objects.filter(action="agreed_answer.save").count() == 3


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_lead_agreeing_while_another_accepts_is_never_overwritten():
    assessment, people, qs = _team()
    other = MembershipFactory(organisation=assessment.organisation, role=Role.LEAD).user
    for q in qs[:3]:
        answer(assessment, people["ana"], q, 2)

    outcome = {}

    def save():
        try:
            services.agreed_answer_save(
                assessment=assessment,
                question=qs[0],
                lead=other,
                data=services.AnswerData(state="level", level=5, rationale="Workshop"),
                base_version=0,
            )
            outcome["save"] = "saved"
        except services.AnswerConflict:
            outcome["save"] = "conflict"

    def accept_all():
        services.agreed_answers_accept_suggested(
            assessment=assessment,
            dimension=qs[0].dimension,
            lead=people["lee"],
            confirmed={q.pk: 2 for q in qs[:3]},
        )

    assert in_threads(save, accept_all) == []  # the accept never fails
    first = AgreedAnswer.objects.get(question=qs[0])
    if outcome["save"] == "conflict":  # the accept came first: the other lead is told
        assert (first.level, first.set_by) == (2, people["lee"])
    else:  # the save came first: the accept left it alone
        assert (first.level, first.rationale, first.set_by) == (5, "Workshop", other)
    assert AgreedAnswer.objects.filter(question__in=qs[1:3], level=2).count() == 2


# ---------------------------------------------------------------------------------------------
# The way on, the check page, the task list


def test_saving_the_last_agreed_answer_of_a_dimension_goes_on_to_the_next_dimension(team):
    assessment, people, qs = team
    lead = client_for(people["lee"])

    def save(question):
        return lead.submit(
            url("agree_question", assessment, qpk=question.pk),
            {"answer": "3", "version": "0", "then": "next"},
        )["Location"]

    assert save(qs[0]) == url("agree_question", assessment, qpk=qs[1].pk)
    assert save(qs[2]) == url("agree_dimension", assessment, dpk=qs[3].dimension_id)
    assert save(qs[5]) == url("check", assessment)
    page = lead.get(url("agree_question", assessment, qpk=qs[5].pk)).content.decode()
    assert "Save and continue" in page and "Save and finish" not in page


def test_check_page_warns_when_most_respondents_have_not_answered(team):
    assessment, people, qs = team
    answer(assessment, people["ana"], qs[0], 3)
    lead = client_for(people["lee"])
    text = lead.get(url("check", assessment)).content.decode()
    assert "2 of 3 respondents have not answered any question" in text
    answer(assessment, people["ben"], qs[0], 3)
    text = lead.get(url("check", assessment)).content.decode()
    assert "have not answered any question" not in text


def test_task_list_links_check_answers_only_once_it_can_start(team):
    assessment, people, qs = team
    lead = client_for(people["lee"])
    check = url("check", assessment)
    for q in qs[:-1]:
        agree(assessment, people["lee"], q, 3)
    text = lead.get(assessment.get_absolute_url()).content.decode()
    assert f'href="{check}"' not in text
    assert (
        '<div class="govuk-task-list__status govuk-task-list__status--cannot-start-yet" '
        'id="submit-status">Cannot start yet</div>'
    ) in text
    agree(assessment, people["lee"], qs[-1], 3)
    text = lead.get(assessment.get_absolute_url()).content.decode()
    assert f'href="{check}"' in text and "Cannot start yet" not in text
