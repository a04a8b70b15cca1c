"""The assessment journey: start, answer (never losing work), agree, submit, score, reopen."""

import json
import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import AgreedAnswer, Answer, Assessment, Score
from frameworks.models import Question
from maturity.audit.models import AuditEvent
from organisations.models import Role
from tests.conftest import CsrfClient
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    org = OrganisationFactory(name="Epsilon District Council")
    people = {
        role: MembershipFactory(
            organisation=org,
            role=role,
            user=UserFactory(email=f"{name}@epsilon.example", full_name=name.title()),
        ).user
        for role, name in ((Role.LEAD, "lee"), (Role.RESPONDENT, "rae"), (Role.VIEWER, "vic"))
    }
    people["rae2"] = MembershipFactory(
        organisation=org,
        role=Role.RESPONDENT,
        user=UserFactory(email="ray@epsilon.example", full_name="Ray"),
    ).user
    fv = make_version(dimensions=2, questions=3)
    return org, people, fv


def client_for(user):
    client = CsrfClient()
    client.force_login(user)
    return client


def url(name, assessment, **kwargs):
    return reverse(
        f"assessments:{name}",
        kwargs={"pk": assessment.organisation_id, "apk": assessment.pk, **kwargs},
    )


def questions(fv):
    return list(
        Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position"
        )
    )


def start(org, lead, fv, round_label="2026/27", carry_from=None):
    return services.assessment_start(
        organisation=org,
        framework_version=fv,
        round_label=round_label,
        user=lead,
        carry_from=carry_from,
    )


def agree_all(assessment, lead, fv, level=3, target=4):
    for q in questions(fv):
        services.agreed_answer_save(
            assessment=assessment,
            question=q,
            lead=lead,
            data=services.AnswerData(state="level", level=level, target_level=target),
            base_version=0,
        )


def test_lead_starts_an_assessment_through_the_form(team):
    org, people, fv = team
    client = client_for(people[Role.LEAD])
    response = client.submit(
        reverse("assessments:start", kwargs={"pk": org.pk}),
        {
            "framework_version": fv.pk,
            "round_label": "2026/27",
            "due_date_0": "31",
            "due_date_1": "3",
            "due_date_2": "2027",
        },
    )
    assessment = Assessment.objects.get()
    assert response["Location"] == assessment.get_absolute_url()
    assert (assessment.round_label, str(assessment.due_date)) == ("2026/27", "2027-03-31")
    assert AuditEvent.objects.filter(action="assessment.start", organisation_id=org.pk).exists()
    text = client.submit(
        reverse("assessments:start", kwargs={"pk": org.pk}),
        {"framework_version": fv.pk, "round_label": "2026/27"},
    ).content.decode()
    assert "There is already a 2026/27 assessment on this framework" in text


def test_task_list_shows_progress_per_dimension(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    first = questions(fv)[0]
    services.answer_save(
        assessment=assessment,
        question=first,
        respondent=people[Role.RESPONDENT],
        data=services.AnswerData(state="level", level=2),
        base_version=0,
    )
    text = client_for(people[Role.RESPONDENT]).get(assessment.get_absolute_url()).content.decode()
    assert "1 of 6 questions" in text
    assert "1 of 3 answered" in text and "In progress" in text and "Not started" in text
    assert "Agree:" not in text  # respondents do not agree answers
    lead_text = client_for(people[Role.LEAD]).get(assessment.get_absolute_url()).content.decode()
    assert "Agree: Dimension 1" in lead_text and "Check answers and submit" in lead_text
    assert "Who has answered" in lead_text
    assert re.search(r"Rae</th>\s*<td[^>]*>Respondent</td>\s*<td[^>]*>1 of 6</td>", lead_text)
    assert re.search(r"Ray</th>\s*<td[^>]*>Respondent</td>\s*<td[^>]*>0 of 6</td>", lead_text)


def test_answer_without_javascript_saves_and_moves_on(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    q1, q2 = questions(fv)[:2]
    client = client_for(people[Role.RESPONDENT])
    page = client.get(url("question", assessment, qpk=q1.pk)).content.decode()
    assert (
        "D1 Q1 at level 3." in page and "Not applicable to us" in page and "Don&#x27;t know" in page
    )
    response = client.submit(
        url("question", assessment, qpk=q1.pk),
        {
            "answer": "3",
            "target_level": "4",
            "evidence": "Our data strategy, approved in May.",
            "links": "https://intranet.epsilon.example/data-strategy",
            "confidence": "medium",
            "version": "0",
            "then": "next",
        },
    )
    assert response["Location"] == url("question", assessment, qpk=q2.pk)
    answer = Answer.objects.get(respondent=people[Role.RESPONDENT], question=q1)
    assert (answer.state, answer.level, answer.target_level, answer.confidence) == (
        "level",
        3,
        4,
        "medium",
    )
    assert answer.version == 1
    event = AuditEvent.objects.get(action="answer.save")
    assert event.changes["level"] == [None, 3] and event.organisation_id == org.pk


def test_not_applicable_and_bad_links_are_handled(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    q1 = questions(fv)[0]
    client = client_for(people[Role.RESPONDENT])
    text = client.submit(
        url("question", assessment, qpk=q1.pk),
        {"answer": "na", "links": "not a link", "version": "0"},
    ).content.decode()
    assert "Link 1 is not a web address" in text
    assert not Answer.objects.exists()
    client.submit(url("question", assessment, qpk=q1.pk), {"answer": "na", "version": "0"})
    answer = Answer.objects.get()
    assert (answer.state, answer.level, answer.scored_level) == ("na", None, None)


def test_a_stale_save_is_refused_and_both_versions_are_shown(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    q1 = questions(fv)[0]
    lead = client_for(people[Role.LEAD])
    target = url("agree_question", assessment, qpk=q1.pk)
    lead.submit(target, {"answer": "2", "evidence": "First tab", "version": "0"})
    # A second tab still holds version 0.
    response = lead.submit(target, {"answer": "4", "evidence": "Second tab", "version": "0"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "This answer was changed after you opened it" in text
    assert "2. Emerging" in text and "First tab" in text  # theirs
    assert "Second tab" in text  # yours, still in the form
    agreed = AgreedAnswer.objects.get()
    assert (agreed.level, agreed.evidence, agreed.version) == (2, "First tab", 1)
    # Saving again from the refreshed form (now on version 1) keeps the second tab's answer.
    lead.submit(target, {"answer": "4", "evidence": "Second tab", "version": "1"})
    agreed.refresh_from_db()
    assert (agreed.level, agreed.evidence, agreed.version) == (4, "Second tab", 2)


def test_autosave_answers_json_and_refuses_stale_versions(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    q1 = questions(fv)[0]
    client = client_for(people[Role.RESPONDENT])
    client.get(url("question", assessment, qpk=q1.pk))
    token = client.cookies["csrftoken"].value
    autosave = url("autosave", assessment, qpk=q1.pk)
    saved = client.post(autosave, {"answer": "2", "version": "0"}, HTTP_X_CSRFTOKEN=token)
    assert saved.status_code == 200 and saved.json()["version"] == 1
    stale = client.post(autosave, {"answer": "5", "version": "0"}, HTTP_X_CSRFTOKEN=token)
    assert stale.status_code == 409
    assert stale.json()["current"]["answer"] == "2. Emerging"
    assert stale.json()["version"] == 1
    bad = client.post(autosave, {"answer": "7", "version": "1"}, HTTP_X_CSRFTOKEN=token)
    assert bad.status_code == 200 and bad.json()["status"] == "partly_saved"
    assert "answer" in bad.json()["errors"]  # the stored level is kept, not the bad value
    no_version = client.post(autosave, {"answer": "3"}, HTTP_X_CSRFTOKEN=token)
    assert no_version.status_code == 400 and "version" in no_version.json()["errors"]
    # Without the CSRF token, nothing is saved.
    assert client.post(autosave, {"answer": "5", "version": "1"}).status_code == 403
    assert Answer.objects.get().level == 2


def test_autosave_keeps_the_valid_fields_when_one_is_invalid(team):
    """One bad link must not throw away the evidence typed beside it (DESIGN's one deliberate
    exception to "bad input changes nothing"): the valid fields are stored, the invalid one
    keeps its stored value, and the reply says which field and why."""
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    q1 = questions(fv)[0]
    client = client_for(people[Role.RESPONDENT])
    client.get(url("question", assessment, qpk=q1.pk))
    token = client.cookies["csrftoken"].value
    autosave = url("autosave", assessment, qpk=q1.pk)
    first = {"answer": "2", "links": "https://good.example/a", "version": "0"}
    assert client.post(autosave, first, HTTP_X_CSRFTOKEN=token).status_code == 200
    response = client.post(
        autosave,
        {
            "answer": "3",
            "evidence": "Two paragraphs of careful evidence.",
            "links": "not a web address",
            "confidence": "high",
            "version": "1",
        },
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "partly_saved" and body["version"] == 2
    assert body["errors"]["links"] == [
        "Link 1 is not a web address: enter it in full, like https://www.example.gov.uk/strategy"
    ]
    answer = Answer.objects.get()
    assert (answer.level, answer.evidence, answer.confidence) == (
        3,
        "Two paragraphs of careful evidence.",
        "high",
    )
    assert answer.links == "https://good.example/a"


def test_expired_session_autosave_is_sent_to_sign_in_not_saved(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    q1 = questions(fv)[0]
    client = CsrfClient()
    client.get(reverse("accounts:login"))  # the CSRF cookie outlives the session
    token = client.cookies["csrftoken"].value
    response = client.post(
        url("autosave", assessment, qpk=q1.pk), {"answer": "2"}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Answer.objects.exists()


def test_reconcile_flags_disagreement_and_suggests_the_median(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    q1 = questions(fv)[0]
    for person, level in ((people[Role.RESPONDENT], 1), (people["rae2"], 4)):
        services.answer_save(
            assessment=assessment,
            question=q1,
            respondent=person,
            data=services.AnswerData(state="level", level=level, evidence=f"{person} says"),
            base_version=0,
        )
    lead = client_for(people[Role.LEAD])
    overview = lead.get(url("agree_dimension", assessment, dpk=q1.dimension_id)).content.decode()
    assert "Rae: 1. Initial" in overview and "Ray: 4. Embedded" in overview
    assert "Differ by 3" in overview
    page = lead.get(url("agree_question", assessment, qpk=q1.pk))
    text = page.content.decode()
    assert "Answers differ by 3 levels" in text
    # Median of 1 and 4 is 2.5, rounded down: offered beside the options, not chosen.
    assert "Suggested from 2 answers: level 2 (Emerging)" in text
    assert "answer" not in page.context["form"].initial
    lead.submit(
        url("agree_question", assessment, qpk=q1.pk),
        {"answer": "3", "target_level": "4", "rationale": "Workshop view", "version": "0"},
    )
    agreed = AgreedAnswer.objects.get(question=q1)
    assert (agreed.level, agreed.target_level, agreed.rationale, agreed.set_by) == (
        3,
        4,
        "Workshop view",
        people[Role.LEAD],
    )
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.IN_REVIEW


def test_check_lists_what_is_missing_and_refuses_to_submit(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    q1, q2 = questions(fv)[:2]
    services.agreed_answer_save(
        assessment=assessment,
        question=q1,
        lead=people[Role.LEAD],
        data=services.AnswerData(state="level", level=3),
        base_version=0,
    )
    lead = client_for(people[Role.LEAD])
    text = lead.get(url("check", assessment)).content.decode()
    assert "5 questions still need an agreed answer" in text
    assert url("agree_question", assessment, qpk=q2.pk) in text
    with pytest.raises(services.AssessmentIncomplete) as exc:
        services.assessment_submit(assessment=assessment, user=people[Role.LEAD])
    assert len(exc.value.missing) == 5
    assert not Score.objects.exists()


def test_submit_scores_locks_and_a_second_submit_does_nothing(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    agree_all(assessment, people[Role.LEAD], fv, level=3, target=4)
    lead = client_for(people[Role.LEAD])
    response = lead.submit(url("check", assessment), {})
    assert response["Location"] == url("results", assessment)
    assessment.refresh_from_db()
    assert assessment.is_submitted and assessment.submitted_by == people[Role.LEAD]
    overall = Score.objects.get(assessment=assessment, scope="overall")
    assert overall.value == pytest.approx(3.0) and overall.band_value == 3
    dims = Score.objects.filter(assessment=assessment, scope="dimension")
    assert dims.count() == 2 and all(d.target == pytest.approx(4.0) for d in dims)
    assert Score.objects.filter(assessment=assessment, scope="facet").count() == 3
    rows = Score.objects.count()
    services.assessment_submit(assessment=assessment, user=people[Role.LEAD])
    assert Score.objects.count() == rows
    assert AuditEvent.objects.filter(action="assessment.submit").count() == 1
    with pytest.raises(services.AssessmentLocked):
        services.answer_save(
            assessment=assessment,
            question=questions(fv)[0],
            respondent=people[Role.RESPONDENT],
            data=services.AnswerData(state="level", level=1),
            base_version=0,
        )
    token = lead.cookies["csrftoken"].value
    locked = lead.post(
        url("agree_autosave", assessment, qpk=questions(fv)[0].pk),
        {"answer": "1", "version": "1"},
        HTTP_X_CSRFTOKEN=token,
    )
    assert locked.status_code == 423


def test_results_and_explain_show_the_arithmetic(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    qs = questions(fv)
    levels = [1, 2, 4, 3, 3, 5]  # dimension 1 weights 1,2,1; dimension 2 weights 1,2,1
    for q, level in zip(qs, levels, strict=True):
        services.agreed_answer_save(
            assessment=assessment,
            question=q,
            lead=people[Role.LEAD],
            data=services.AnswerData(state="level", level=level),
            base_version=0,
        )
    services.assessment_submit(assessment=assessment, user=people[Role.LEAD])
    viewer = client_for(people[Role.VIEWER])
    text = viewer.get(url("results", assessment)).content.decode()
    # Dimension 1: (1*1 + 2*2 + 4*1) / 4 = 2.25; dimension 2: (3 + 6 + 5) / 4 = 3.5.
    # Overall: dimension weights 1 and 2: (2.25 + 7) / 3 = 3.083...
    assert "data-overall-score>3.1<" in text and "Defined" in text
    # A score is not a completed transaction: a summary card, not the confirmation panel.
    assert "govuk-summary-card" in text and "govuk-panel" not in text
    assert ">2.2<" in text or ">2.3<" in text
    assert ">3.5<" in text
    explain = viewer.get(
        url("explain_dimension", assessment, dpk=qs[0].dimension_id)
    ).content.decode()
    assert "Question 2 of dimension 1?" in explain
    assert "50%" in explain and "25%" in explain
    assert "2.250" in explain


def test_reopen_is_audited_and_resubmitting_recomputes(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    agree_all(assessment, people[Role.LEAD], fv, level=2)
    services.assessment_submit(assessment=assessment, user=people[Role.LEAD])
    lead = client_for(people[Role.LEAD])
    lead.submit(url("reopen", assessment), {"reason": "Evidence for data ownership arrived"})
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.IN_REVIEW
    event = AuditEvent.objects.get(action="assessment.reopen")
    assert event.changes["reason"] == "Evidence for data ownership arrived"
    first = questions(fv)[0]
    agreed = AgreedAnswer.objects.get(assessment=assessment, question=first)
    services.agreed_answer_save(
        assessment=assessment,
        question=first,
        lead=people[Role.LEAD],
        data=services.AnswerData(state="level", level=5),
        base_version=agreed.version,
    )
    services.assessment_submit(assessment=assessment, user=people[Role.LEAD])
    overall = Score.objects.get(assessment=assessment, scope="overall")
    assert overall.value > 2.0


def test_a_new_round_starts_from_the_last_agreed_answers(team):
    org, people, fv = team
    last = start(org, people[Role.LEAD], fv, round_label="2025/26")
    agree_all(last, people[Role.LEAD], fv, level=3)
    services.assessment_submit(assessment=last, user=people[Role.LEAD])
    lead = client_for(people[Role.LEAD])
    lead.submit(
        reverse("assessments:start", kwargs={"pk": org.pk}),
        {"framework_version": fv.pk, "round_label": "2026/27", "carry_over": "on"},
    )
    new = Assessment.objects.get(round_label="2026/27")
    assert new.carried_from == last
    carried = AgreedAnswer.objects.filter(assessment=new)
    assert carried.count() == 6 and all(a.carried_over and a.level == 3 for a in carried)
    page = (
        client_for(people[Role.RESPONDENT])
        .get(url("question", new, qpk=questions(fv)[0].pk))
        .content.decode()
    )
    assert "Last round's agreed answer was <strong>3. Defined</strong>" in page


def test_task_list_query_count_is_the_same_for_small_and_large(django_assert_num_queries):
    org = OrganisationFactory()
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    client = client_for(lead)
    for slug, size in (("small", 1), ("large", 12)):
        fv = make_version(slug=slug, dimensions=size, questions=size)
        assessment = start(org, lead, fv)
        client.get(assessment.get_absolute_url())
        # The questions are read once per process (frameworks/structure.py), so 8.
        with django_assert_num_queries(8):
            assert client.get(assessment.get_absolute_url()).status_code == 200


def test_autosave_json_is_valid_for_the_script(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    client = client_for(people[Role.RESPONDENT])
    client.get("/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        url("autosave", assessment, qpk=questions(fv)[0].pk),
        {"answer": "dont_know", "evidence": "Asked IT", "version": "0"},
        HTTP_X_CSRFTOKEN=token,
    )
    body = json.loads(response.content)
    assert body["status"] == "saved" and ":" in body["saved_at"]


def test_results_explain_and_report_read_the_stored_scores(team, tmp_path):
    """The stored scores are the one truth (dashboards and XLSX read them): if the arithmetic
    would now give something else (a scoring rule changed since submission), every page still
    shows what was submitted, and explain says where today's arithmetic differs."""
    from assessments.models import Score
    from reports.report import render_pdf
    from tests.pdf import pdf_text

    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    for q in questions(fv):
        services.agreed_answer_save(
            assessment=assessment,
            question=q,
            lead=people[Role.LEAD],
            data=services.AnswerData(state="level", level=3),
            base_version=0,
        )
    services.assessment_submit(assessment=assessment, user=people[Role.LEAD])
    Score.objects.filter(assessment=assessment, scope=Score.Scope.OVERALL).update(value=4.4)
    viewer = client_for(people[Role.VIEWER])
    assert "data-overall-score>4.4<" in viewer.get(url("results", assessment)).content.decode()
    explain = viewer.get(url("explain_overall", assessment)).content.decode()
    assert "<strong>4.4</strong>" in explain
    assert "from 6 of 6 questions" in explain
    assert "today" in explain and "3.0" in explain
    report = " ".join(pdf_text(render_pdf(assessment=assessment), tmp_path).split())
    assert "4.4 overall" in report
