"""The daily `email_overdue_actions` command emails each overdue action's owner once per due
date: running it again sends nothing new; a later due date that passes sends again."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from improvement import services
from improvement.models import Action

pytestmark = pytest.mark.usefixtures("immediate_tasks")


def run() -> str:
    out = StringIO()
    call_command("email_overdue_actions", "--base-url", "https://maturity.example", stdout=out)
    return out.getvalue().strip()


def _action(body, **kwargs):
    return services.action_create(assessment=body.assessment, by=body.lead, **kwargs)


def test_each_overdue_owner_is_emailed_once(body):
    yesterday = date.today() - timedelta(days=1)
    late = _action(
        body, title="Publish the data catalogue", owner=body.respondent, due_date=yesterday
    )
    _action(body, title="Not due yet", owner=body.respondent, due_date=date.today())
    _action(body, title="Nobody owns this", due_date=yesterday)
    done = _action(body, title="Already done", owner=body.lead, due_date=yesterday)
    services.action_set_status(action=done, by=body.lead, status=Action.Status.DONE, base_version=0)

    assert run() == "Queued 1 overdue action email."
    assert [m.to for m in mail.outbox] == [["rory@sorrelden.example"]]
    message = mail.outbox[0]
    assert message.subject == "Overdue action: Publish the data catalogue"
    assert f"https://maturity.example{late.get_absolute_url()}" in message.body
    assert "1 day ago" in message.body

    assert run() == "Queued 0 overdue action emails."
    assert len(mail.outbox) == 1


def test_a_new_due_date_that_passes_emails_again(body):
    action = _action(
        body,
        title="Run a discovery",
        owner=body.respondent,
        due_date=date.today() - timedelta(days=10),
    )
    run()
    services.action_update(
        action=action,
        by=body.lead,
        base_version=0,
        questions=[],
        due_date=date.today() - timedelta(days=2),
    )
    assert run() == "Queued 1 overdue action email."
    assert len(mail.outbox) == 2


def test_the_sending_is_in_the_record_of_changes(body):
    from maturity.audit.describe import describers
    from maturity.audit.models import AuditEvent

    _action(body, title="Run a discovery", owner=body.respondent, due_date=date(2026, 1, 5))
    run()
    event = AuditEvent.objects.get(action="action.overdue_email")
    assert describers.describe([event])[0].sentence == (
        "The service emailed rory@sorrelden.example that the action 'Run a discovery' is "
        "overdue (due 2026-01-05)"
    )
