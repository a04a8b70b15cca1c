"""A respondent's own journey: check their answers, go back to any question, say they have
finished (undone by answering again or by a lead asking again), and the emails that tell
people an assessment has started, needs their answers again, or is submitted."""

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from assessments import audit, services
from assessments.models import Assessment, Participation
from frameworks.models import Question
from maturity.audit.models import AuditEvent
from organisations.models import Membership, Role
from organisations.services import invitation_create, invitation_token
from tests.conftest import CsrfClient
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    org = OrganisationFactory(name="Kappa Borough Council")
    people = {
        name: MembershipFactory(
            organisation=org,
            role=role,
            user=UserFactory(email=f"{name}@kappa.example", full_name=name.title()),
        ).user
        for name, role in (
            ("lee", Role.LEAD),
            ("rae", Role.RESPONDENT),
            ("ray", Role.RESPONDENT),
            ("vic", Role.VIEWER),
        )
    }
    fv = make_version(dimensions=2, questions=2)
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=people["lee"]
    )
    questions = list(
        Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position"
        )
    )
    return assessment, people, questions


def client_for(user):
    client = CsrfClient()
    client.force_login(user)
    return client


def url(name, assessment, **kwargs):
    return reverse(
        f"assessments:{name}",
        kwargs={"pk": assessment.organisation_id, "apk": assessment.pk, **kwargs},
    )


def answer(assessment, person, question, level, evidence=""):
    current = assessment.answers.filter(respondent=person, question=question).first()
    return services.answer_save(
        assessment=assessment,
        question=question,
        respondent=person,
        data=services.AnswerData(state="level", level=level, evidence=evidence),
        base_version=current.version if current else 0,
    )


def agree_all_and_submit(assessment, lead, questions):
    for q in questions:
        services.agreed_answer_save(
            assessment=assessment,
            question=q,
            lead=lead,
            data=services.AnswerData(state="level", level=3),
            base_version=0,
        )
    services.assessment_submit(assessment=assessment, user=lead)


# ---------------------------------------------------------------------------------------------
# Checking one's own answers and finishing


def test_a_respondent_checks_their_own_answers_and_sees_what_is_unanswered(team):
    assessment, people, qs = team
    answer(assessment, people["rae"], qs[0], 2, evidence="Rae's own evidence")
    answer(assessment, people["ray"], qs[1], 5, evidence="Ray's private evidence")
    page = client_for(people["rae"]).get(url("your_answers", assessment))
    assert page.status_code == 200  # was 403: only leads had a check page
    text = page.content.decode()
    assert "Check your answers" in text
    assert "You have answered 1 of 4 questions" in text
    assert "2. Emerging" in text and "Rae&#x27;s own evidence" in text
    assert "Ray&#x27;s private evidence" not in text and "5. Leading" not in text
    # The three she has not answered are listed, each a link back to its question.
    change = url("question", assessment, qpk=qs[1].pk) + "?from=check"
    assert text.count(f'href="{change}"') == 2  # in the list, and as the row's "Answer"
    assert "You can finish with 3 questions unanswered" in text
    assert "I&#x27;ve finished" in text


def test_viewers_have_no_check_page_of_their_own(team):
    assessment, people, _ = team
    assert client_for(people["vic"]).get(url("your_answers", assessment)).status_code == 403


def test_the_last_question_goes_on_to_the_check_page_not_save_and_finish(team):
    assessment, people, qs = team
    rae = client_for(people["rae"])
    text = rae.get(url("question", assessment, qpk=qs[-1].pk)).content.decode()
    assert "Save and check your answers" in text and "Save and finish" not in text
    response = rae.submit(
        url("question", assessment, qpk=qs[-1].pk), {"answer": "3", "version": "0", "then": "next"}
    )
    assert response["Location"] == url("your_answers", assessment)
    # "Save and go back to the task list" still does what it says, on the last question too.
    response = rae.submit(
        url("question", assessment, qpk=qs[-1].pk), {"answer": "4", "version": "1", "then": "list"}
    )
    assert response["Location"] == assessment.get_absolute_url()


def test_a_change_made_from_the_check_page_goes_back_to_it(team):
    assessment, people, qs = team
    answer(assessment, people["rae"], qs[0], 2)
    rae = client_for(people["rae"])
    question = url("question", assessment, qpk=qs[0].pk) + "?from=check"
    assert "Save and go back to your answers" in rae.get(question).content.decode()
    response = rae.submit(question, {"answer": "4", "version": "1", "then": "check"})
    assert response["Location"] == url("your_answers", assessment)
    assert assessment.answers.get(respondent=people["rae"], question=qs[0]).level == 4


def test_finishing_is_recorded_and_the_lead_sees_who_has_finished(team):
    assessment, people, qs = team
    answer(assessment, people["rae"], qs[0], 2)
    rae = client_for(people["rae"])
    response = rae.submit(url("your_answers", assessment), {})
    assert response["Location"] == assessment.get_absolute_url()
    finished = Participation.objects.get(assessment=assessment, person=people["rae"])
    assert finished.finished_at is not None
    event = AuditEvent.objects.get(action="assessment.finish")
    assert event.changes == {"answered": 1}
    assert audit.describe_assessment_events([event]) == [
        f"Rae finished answering the 2026/27 assessment ({assessment.framework_version.name} "
        f"{assessment.framework_version.version}) (1 answered)"
    ]
    # Saying it twice records nothing more.
    rae.submit(url("your_answers", assessment), {})
    assert AuditEvent.objects.filter(action="assessment.finish").count() == 1

    mine = rae.get(assessment.get_absolute_url()).content.decode()
    assert "Check your answers and finish" in mine
    assert 'id="finish-status">Finished<' in mine

    lead = client_for(people["lee"]).get(assessment.get_absolute_url()).content.decode()
    assert "1 of 3 people have told you they have finished answering." in lead
    rows = lead.split("<tbody")[1]
    assert rows.index("Rae") < rows.index("Finished ") < rows.index("Ray")
    assert rows.count("Not yet") == 2  # Lee and Ray


def test_answering_again_undoes_finishing(team):
    assessment, people, qs = team
    answer(assessment, people["rae"], qs[0], 2)
    services.respondent_finish(assessment=assessment, respondent=people["rae"])
    services.respondent_finish(assessment=assessment, respondent=people["ray"])
    answer(assessment, people["rae"], qs[0], 3)
    assert Participation.objects.get(person=people["rae"]).finished_at is None
    assert Participation.objects.get(person=people["ray"]).finished_at is not None


def test_nobody_finishes_answering_a_submitted_assessment(team):
    assessment, people, qs = team
    agree_all_and_submit(assessment, people["lee"], qs)
    response = client_for(people["rae"]).submit(
        url("your_answers", assessment), {}, form_url=url("your_answers", assessment)
    )
    assert response.status_code == 302
    assert not Participation.objects.exists()
    page = client_for(people["rae"]).get(url("your_answers", assessment)).content.decode()
    assert "This assessment has been submitted" in page and "I&#x27;ve finished" not in page


def test_the_lead_reopening_and_asking_again_clears_finished(team, immediate_tasks):
    assessment, people, qs = team
    for name in ("rae", "ray"):
        answer(assessment, people[name], qs[0], 2)
        services.respondent_finish(assessment=assessment, respondent=people[name])
    agree_all_and_submit(assessment, people["lee"], qs)
    mail.outbox.clear()
    client_for(people["lee"]).submit(
        url("reopen", assessment), {"reason": "The data audit came back", "ask_again": "on"}
    )
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.IN_REVIEW
    assert not Participation.objects.filter(finished_at__isnull=False).exists()
    assert AuditEvent.objects.get(action="assessment.reopen").changes["asked_again"] is True
    assert sorted(m.to[0] for m in mail.outbox) == ["rae@kappa.example", "ray@kappa.example"]
    email = mail.outbox[0]
    assert email.subject == (
        "Kappa Borough Council: check your answers to the 2026/27 assessment again"
    )
    assert "Lee has reopened Kappa Borough Council's 2026/27" in email.body
    assert "Their reason: The data audit came back" in email.body
    assert f"http://testserver{url('your_answers', assessment)}" in email.body


def test_reopening_without_asking_again_leaves_finished_and_tells_nobody(team, immediate_tasks):
    assessment, people, qs = team
    services.respondent_finish(assessment=assessment, respondent=people["rae"])
    agree_all_and_submit(assessment, people["lee"], qs)
    mail.outbox.clear()
    client_for(people["lee"]).submit(url("reopen", assessment), {"reason": "A typo"})
    assert Participation.objects.get(person=people["rae"]).finished_at is not None
    assert mail.outbox == []


# ---------------------------------------------------------------------------------------------
# Email


def test_starting_an_assessment_queues_an_email_to_each_person_who_answers(team):
    assessment, people, _ = team
    lead = client_for(people["lee"])
    fv = make_version(slug="second", dimensions=1, questions=1)
    response = lead.submit(
        reverse("assessments:start", kwargs={"pk": assessment.organisation_id}),
        {"framework_version": fv.pk, "round_label": "2026/27"},
    )
    assert response.status_code == 302
    # Queued for the worker, one each (nobody sees who else was told); the lead who started it
    # and the viewer, who does not answer, get none. The request itself sends nothing.
    tasks = DBTaskResult.objects.all()
    assert sorted(t.args_kwargs["kwargs"]["to"] for t in tasks) == [
        ["rae@kappa.example"],
        ["ray@kappa.example"],
    ]
    assert mail.outbox == []


def test_the_start_email_says_what_to_do_and_links_to_the_assessment(team, immediate_tasks):
    assessment, people, _ = team
    fv = make_version(slug="second", dimensions=1, questions=1)
    client_for(people["lee"]).submit(
        reverse("assessments:start", kwargs={"pk": assessment.organisation_id}),
        {
            "framework_version": fv.pk,
            "round_label": "2026/27",
            "due_date_0": "31",
            "due_date_1": "3",
            "due_date_2": "2027",
        },
    )
    new = Assessment.objects.get(framework_version=fv)
    assert [m.to for m in mail.outbox] == [["rae@kappa.example"], ["ray@kappa.example"]]
    email = mail.outbox[0]
    assert email.subject == "Kappa Borough Council: the 2026/27 assessment has started"
    assert email.body.startswith("Hello Rae,\n\nKappa Borough Council has started its 2026/27")
    assert "Answers are due by 31 March 2027." in email.body
    assert f"http://testserver{new.get_absolute_url()}" in email.body
    assert "&" not in email.body and "<" not in email.body  # plain text, nothing escaped


def test_submitting_tells_everyone_who_answers_where_the_results_are(team, immediate_tasks):
    assessment, people, qs = team
    for q in qs:
        services.agreed_answer_save(
            assessment=assessment,
            question=q,
            lead=people["lee"],
            data=services.AnswerData(state="level", level=3),
            base_version=0,
        )
    mail.outbox.clear()
    client_for(people["lee"]).submit(url("check", assessment), {})
    assert Assessment.objects.get(pk=assessment.pk).is_submitted
    assert sorted(m.to[0] for m in mail.outbox) == ["rae@kappa.example", "ray@kappa.example"]
    email = mail.outbox[0]
    assert email.subject == "Kappa Borough Council: the 2026/27 assessment is submitted"
    assert f"http://testserver{url('results', assessment)}" in email.body


def test_a_change_that_fails_sends_no_email(team, immediate_tasks):
    assessment, people, _ = team
    mail.outbox.clear()
    # Not every question has an agreed answer: nothing is submitted, nobody is told.
    client_for(people["lee"]).submit(url("check", assessment), {})
    assert not Assessment.objects.get(pk=assessment.pk).is_submitted
    assert mail.outbox == []


def test_someone_made_a_respondent_is_told_of_the_assessment_collecting_answers(
    team, immediate_tasks
):
    assessment, people, _ = team
    submitted = services.assessment_start(
        organisation=assessment.organisation,
        framework_version=make_version(slug="older", dimensions=1, questions=1),
        round_label="2025/26",
        user=people["lee"],
    )
    agree_all_and_submit(
        submitted,
        people["lee"],
        list(Question.objects.filter(dimension__framework_version=submitted.framework_version)),
    )
    membership = Membership.objects.get(user=people["vic"])
    mail.outbox.clear()
    client_for(people["lee"]).submit(
        reverse(
            "organisations:change_role",
            kwargs={"pk": assessment.organisation_id, "membership_pk": membership.pk},
        ),
        {"role": Role.RESPONDENT},
    )
    # Only the assessment still collecting answers, not the submitted one.
    assert [m.to for m in mail.outbox] == [["vic@kappa.example"]]
    email = mail.outbox[0]
    assert email.subject == "Kappa Borough Council: the 2026/27 assessment needs your answers"
    assert "You are now a respondent of Kappa Borough Council" in email.body
    assert f"http://testserver{assessment.get_absolute_url()}" in email.body
    # A respondent made a lead already answers: nothing new to tell.
    mail.outbox.clear()
    rae_membership = Membership.objects.get(user=people["rae"])
    client_for(people["lee"]).submit(
        reverse(
            "organisations:change_role",
            kwargs={"pk": assessment.organisation_id, "membership_pk": rae_membership.pk},
        ),
        {"role": Role.LEAD},
    )
    assert mail.outbox == []


def test_someone_joining_as_a_respondent_is_told_of_the_assessment(team, immediate_tasks):
    assessment, people, _ = team
    invitation = invitation_create(
        organisation=assessment.organisation,
        email="new@kappa.example",
        role=Role.RESPONDENT,
        invited_by=people["lee"],
        base_url="http://testserver/",
    )
    mail.outbox.clear()
    CsrfClient().submit(
        reverse("organisations:invitation", kwargs={"token": invitation_token(invitation)}),
        {
            "full_name": "Nell New",
            "password1": "a-long-pass-phrase-2026",
            "password2": "a-long-pass-phrase-2026",
        },
    )
    assert [m.to for m in mail.outbox] == [["new@kappa.example"]]
    assert mail.outbox[0].body.startswith("Hello Nell New,\n\nYou are now a respondent")


def test_the_lead_check_page_says_who_has_finished(team):
    assessment, people, qs = team
    answer(assessment, people["rae"], qs[0], 2)
    services.respondent_finish(assessment=assessment, respondent=people["rae"])
    text = client_for(people["lee"]).get(url("check", assessment)).content.decode()
    assert "Who has finished answering" in text
    assert "Rae (respondent): finished, 1 answered" in text
    assert "Ray (respondent): not finished, 0 answered" in text
    assert "Lee (lead): not finished, 0 answered" in text
