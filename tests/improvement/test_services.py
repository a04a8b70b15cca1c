"""Actions: made, changed, moved through their statuses and noted, each change in the record of
changes in plain English, and a stale change refused rather than overwriting."""

from datetime import date

import pytest

from improvement import services
from improvement.models import Action, ActionNote
from maturity.audit.describe import describers
from maturity.audit.models import AuditEvent


def _action(body, **kwargs):
    return services.action_create(
        assessment=body.assessment,
        by=body.lead,
        title="Publish a data catalogue",
        dimension=body.questions[0].dimension,
        questions=body.questions[:2],
        target_level=3,
        owner=body.respondent,
        due_date=date(2027, 3, 31),
        **kwargs,
    )


def _sentences(body) -> list[str]:
    events = AuditEvent.objects.filter(
        organisation_id=body.organisation.pk, action__startswith="action."
    ).order_by("id")
    return [line.sentence for line in describers.describe(events)]


def test_an_action_is_made_with_its_questions_and_recorded(body):
    action = _action(body)
    assert action.organisation == body.organisation
    assert [q.pk for q in action.questions.order_by("position")] == [
        q.pk for q in body.questions[:2]
    ]
    assert action.status == Action.Status.NOT_STARTED and action.version == 0
    assert _sentences(body) == [
        "Lena Lead added the action 'Publish a data catalogue' for Rory Respondent, due 2027-03-31"
    ]


def test_an_edit_names_what_changed_and_moves_the_version(body):
    action = _action(body)
    services.action_update(
        action=action,
        by=body.lead,
        base_version=0,
        questions=body.questions[:1],
        title="Publish a data catalogue",
        description="",
        dimension=action.dimension,
        target_level=4,
        owner=body.lead,
        due_date=date(2027, 6, 30),
    )
    action.refresh_from_db()
    assert action.version == 1 and action.target_level == 4 and action.owner == body.lead
    assert list(action.questions.values_list("pk", flat=True)) == [body.questions[0].pk]
    assert _sentences(body)[-1] == (
        "Lena Lead changed the questions, the target level, the owner to Lena Lead (was Rory "
        "Respondent) and the due date to 2027-06-30 (was 2027-03-31) of the action "
        "'Publish a data catalogue'"
    )


def test_a_stale_edit_is_refused_and_changes_nothing(body):
    action = _action(body)
    services.action_set_status(
        action=action, by=body.respondent, status=Action.Status.IN_PROGRESS, base_version=0
    )
    events = AuditEvent.objects.count()
    with pytest.raises(services.ActionConflict) as refused:
        services.action_update(
            action=action,
            by=body.lead,
            base_version=0,
            questions=[],
            title="Something else",
        )
    assert refused.value.current.status == Action.Status.IN_PROGRESS
    with pytest.raises(services.ActionConflict):
        services.action_set_status(
            action=action, by=body.lead, status=Action.Status.DROPPED, base_version=0
        )
    action.refresh_from_db()
    assert (action.title, action.status, action.version) == (
        "Publish a data catalogue",
        Action.Status.IN_PROGRESS,
        1,
    )
    assert AuditEvent.objects.count() == events


def test_a_status_change_may_carry_a_note_and_done_is_dated(body):
    action = _action(body)
    services.action_set_status(
        action=action,
        by=body.respondent,
        status=Action.Status.DONE,
        base_version=0,
        note="Catalogue live on the intranet",
    )
    action.refresh_from_db()
    assert action.status == Action.Status.DONE and action.done_at is not None
    note = ActionNote.objects.get(action=action)
    assert (note.author, note.text, note.status) == (
        body.respondent,
        "Catalogue live on the intranet",
        Action.Status.DONE,
    )
    assert _sentences(body)[-1] == (
        "Rory Respondent marked the action 'Publish a data catalogue' done (was not started), "
        "noting 'Catalogue live on the intranet'"
    )


def test_notes_are_kept_and_recorded(body):
    action = _action(body)
    services.action_note_add(action=action, by=body.respondent, text="  Asked IT for a server  ")
    services.action_note_add(action=action, by=body.lead, text="Budget agreed")
    assert [n.text for n in action.notes.order_by("-created_at", "-id")] == [
        "Budget agreed",
        "Asked IT for a server",
    ]
    assert _sentences(body)[-2:] == [
        "Rory Respondent added a note to the action 'Publish a data catalogue': "
        "'Asked IT for a server'",
        "Lena Lead added a note to the action 'Publish a data catalogue': 'Budget agreed'",
    ]


def test_the_lead_switch_is_recorded(body):
    services.plan_settings_set(
        organisation=body.organisation, by=body.lead, respondents_may_edit=True
    )
    services.plan_settings_set(
        organisation=body.organisation, by=body.lead, respondents_may_edit=True
    )
    events = AuditEvent.objects.filter(action="plan_settings.set")
    assert [line.sentence for line in describers.describe(events)] == [
        "Lena Lead let respondents add and change actions"
    ]
