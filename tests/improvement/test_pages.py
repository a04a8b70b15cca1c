"""The plan's pages: a lead adds an action from the results (prefilled), respondents only when
the lead allows it, owners update their own, viewers and consultants read; list pages cost the
same queries for one action as for many."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from improvement import services
from improvement.models import Action
from maturity.audit.models import AuditEvent
from tests.factories import ConsultantGrantFactory, UserFactory


def _add_url(body, **query):
    url = reverse("improvement:action_add", args=[body.organisation.pk, body.assessment.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _action(body, **kwargs):
    return services.action_create(
        assessment=body.assessment, by=body.lead, title="Name a data owner", **kwargs
    )


def _form(body, **overrides):
    return {
        "title": "Name a data owner",
        "description": "",
        "dimension": "",
        "target_level": "3",
        "owner": "",
        "due_date_0": "",
        "due_date_1": "",
        "due_date_2": "",
        **overrides,
    }


def test_the_results_offer_an_action_for_each_dimension_and_each_target(body):
    page = body.client(body.lead).get(
        reverse("assessments:results", args=[body.organisation.pk, body.assessment.pk])
    )
    text = page.content.decode()
    question = body.questions[0]
    assert f"?question={question.pk}&amp;level=5" in text  # the lead's target (5) is the roadmap
    assert f"?dimension={question.dimension_id}&amp;level=3" in text  # next level above 2
    assert "Add an action for" in text


def test_a_link_from_the_results_prefills_the_question_and_level(body):
    question = body.questions[1]
    page = body.client(body.lead).get(_add_url(body, question=question.pk, level=4))
    form = page.context["form"]
    assert form.initial["questions"] == [question.pk]
    assert form.initial["dimension"] == question.dimension_id
    assert form.initial["target_level"] == 4
    assert question.text[:40] in form.initial["title"]


def test_a_lead_adds_an_action_assigned_to_a_member(body):
    client = body.client(body.lead)
    owner = body.organisation.memberships.get(user=body.respondent)
    response = client.submit(
        _add_url(body),
        {
            **_form(body, owner=owner.pk, due_date_0="31", due_date_1="3", due_date_2="2027"),
            "questions": [body.questions[0].pk],
        },
    )
    action = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()
    assert (action.owner, action.due_date, action.target_level) == (
        body.respondent,
        date(2027, 3, 31),
        3,
    )
    assert list(action.questions.all()) == [body.questions[0]]


def test_a_bad_date_says_what_to_fix_and_saves_nothing(body):
    response = body.client(body.lead).submit(
        _add_url(body), _form(body, title="", due_date_0="31", due_date_1="2", due_date_2="2027")
    )
    text = response.content.decode()
    assert "Enter what will be done" in text
    assert "Due date (optional) must be a real date" in text
    assert not Action.objects.exists()


def test_an_owner_not_in_the_organisation_is_refused(body, db):
    from tests.factories import MembershipFactory, OrganisationFactory

    elsewhere = MembershipFactory(organisation=OrganisationFactory())
    response = body.client(body.lead).submit(_add_url(body), _form(body, owner=elsewhere.pk))
    assert "Select a valid choice" in response.content.decode()
    assert not Action.objects.exists()


def test_respondents_add_actions_only_when_the_lead_allows(body):
    client = body.client(body.respondent)
    assert client.get(_add_url(body)).status_code == 403
    services.plan_settings_set(
        organisation=body.organisation, by=body.lead, respondents_may_edit=True
    )
    assert client.submit(_add_url(body), _form(body)).status_code == 302
    assert Action.objects.get().created_by == body.respondent


def test_the_lead_switches_it_on_from_the_plan(body):
    url = reverse("improvement:plan_settings", args=[body.organisation.pk])
    body.client(body.lead).submit(url, {"respondents_may_edit": "on"})
    assert body.client(body.respondent).get(_add_url(body)).status_code == 200
    assert body.client(body.viewer).get(url).status_code == 403


def test_an_owner_marks_their_action_done_with_a_note(body):
    action = _action(body, owner=body.respondent)
    client = body.client(body.respondent)
    page = client.get(action.get_absolute_url())
    assert b"Change the status" in page.content
    assert b"Change the action" not in page.content  # editing is for leads
    url = reverse("improvement:action_status", args=[body.organisation.pk, action.pk])
    client.submit(
        url,
        {"status": "done", "note": "Owner named", "version": "0"},
        form_url=action.get_absolute_url(),
    )
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Owner named" in page and "marked done" in page


def test_a_stale_status_change_is_refused_with_a_clear_message(body):
    action = _action(body, owner=body.respondent)
    services.action_set_status(
        action=action, by=body.lead, status=Action.Status.IN_PROGRESS, base_version=0
    )
    client = body.client(body.respondent)
    url = reverse("improvement:action_status", args=[body.organisation.pk, action.pk])
    response = client.submit(url, {"status": "dropped", "version": "0"}, follow=True)
    assert "Someone changed this action since you opened it" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS


@pytest.mark.parametrize("who", ["viewer", "consultant", "respondent"])
def test_people_who_may_not_change_it_read_it_without_forms(body, who):
    action = _action(body)
    services.action_note_add(action=action, by=body.lead, text="Kick-off booked")
    user = (
        getattr(body, who, None)
        or ConsultantGrantFactory(
            organisation=body.organisation, consultant=UserFactory()
        ).consultant
    )
    client = body.client(user)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Kick-off booked" in page
    assert "Change the status" not in page and "Add a note" not in page
    for name in ("action_status", "action_note", "action_edit"):
        url = reverse(f"improvement:{name}", args=[body.organisation.pk, action.pk])
        assert client.get(url).status_code == 403
    plan = client.get(reverse("improvement:plan", args=[body.organisation.pk]))
    assert "Name a data owner" in plan.content.decode()


def test_the_plan_filters_and_marks_overdue_actions(body):
    late = _action(body, owner=body.respondent, due_date=date.today() - timedelta(days=3))
    services.action_create(
        assessment=body.assessment,
        by=body.lead,
        title="Retire the old CRM",
        due_date=date.today() - timedelta(days=3),
    )
    done = services.action_create(assessment=body.assessment, by=body.lead, title="Hire a CDO")
    services.action_set_status(action=done, by=body.lead, status="done", base_version=0)
    client = body.client(body.viewer)
    url = reverse("improvement:plan", args=[body.organisation.pk])
    page = client.get(url).content.decode()
    assert page.count("data-overdue") == 2
    mine = client.get(url, {"owner": str(body.respondent.pk)}).content.decode()
    assert late.title in mine and "Retire the old CRM" not in mine
    finished = client.get(url, {"status": "done"}).content.decode()
    assert "Hire a CDO" in finished and late.title not in finished
    overdue = client.get(url, {"overdue": "on"}).content.decode()
    assert "Hire a CDO" not in overdue and "Retire the old CRM" in overdue


def test_the_organisation_page_counts_open_and_overdue(body):
    _action(body, due_date=date.today() - timedelta(days=1))
    _action(body)
    page = body.client(body.viewer).get(body.organisation.get_absolute_url()).content.decode()
    counts = re.search(r"data-plan-counts>(.*?)</p>", page).group(1)
    assert counts == "2 open actions, <strong>1 overdue</strong>."


def test_your_actions_lists_only_your_own(body):
    _action(body, owner=body.respondent)
    services.action_create(
        assessment=body.assessment, by=body.lead, title="Lead's own job", owner=body.lead
    )
    client = body.client(body.respondent)
    assert (
        b"Your actions</a>: 1 open."
        in client.get(reverse("organisations:your_organisations")).content
    )
    page = client.get(reverse("improvement:your_actions")).content.decode()
    assert "Name a data owner" in page and "Lead's own job" not in page


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["plan", "your_actions"])
def test_list_pages_cost_the_same_queries_for_one_action_or_many(body, name):
    client = body.client(body.respondent)
    url = reverse(
        f"improvement:{name}", **({"args": [body.organisation.pk]} if name == "plan" else {})
    )

    def add():
        action = _action(
            body,
            owner=body.respondent,
            dimension=body.questions[0].dimension,
            target_level=3,
            questions=body.questions[:2],
        )
        services.action_note_add(action=action, by=body.lead, text="note")

    add()
    client.get(url)  # the first request of a session reads it once more
    one = _count(client, url)
    for _ in range(6):
        add()
    assert _count(client, url) == one


def test_every_change_is_in_the_organisations_record(body):
    client = body.client(body.lead)
    client.submit(_add_url(body), _form(body))
    action = Action.objects.get()
    client.submit(
        reverse("improvement:action_note", args=[body.organisation.pk, action.pk]),
        {"text": "First meeting held"},
    )
    page = client.get(reverse("organisations:audit_log", args=[body.organisation.pk]))
    text = page.content.decode()
    assert "Lena Lead added the action &#x27;Name a data owner&#x27;" in text
    assert "added a note to the action" in text
    assert AuditEvent.objects.filter(action__startswith="action.").count() == 2
