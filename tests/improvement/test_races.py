"""Two people changing one action at once, and two overdue-email runs at once: the row lock
lets exactly one win. On PostgreSQL with real connections racing (SQLite serialises writes)."""

from datetime import date, timedelta

import pytest
from django.core import mail

from improvement import services
from improvement.models import Action, ActionNote
from tests.races import in_threads, postgresql_only

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


def test_two_status_changes_from_one_version_cannot_both_win(body):
    action = services.action_create(assessment=body.assessment, by=body.lead, title="Race")

    def change(status, who):
        return lambda: services.action_set_status(
            action=action, by=who, status=status, base_version=0, note=status
        )

    errors = in_threads(change("done", body.lead), change("dropped", body.respondent))
    assert [type(e) for e in errors] == [services.ActionConflict]
    action.refresh_from_db()
    assert action.version == 1
    assert list(ActionNote.objects.values_list("text", flat=True)) == [action.status]


@pytest.mark.usefixtures("immediate_tasks")
def test_two_overdue_runs_at_once_email_once(body):
    services.action_create(
        assessment=body.assessment,
        by=body.lead,
        title="Late",
        owner=body.respondent,
        due_date=date.today() - timedelta(days=1),
    )
    counts = []

    def run():
        counts.append(services.overdue_actions_email(base_url="https://maturity.example"))

    assert in_threads(run, run) == []
    assert sorted(counts) == [0, 1]
    assert len(mail.outbox) == 1
    assert Action.objects.get().overdue_emailed_for == date.today() - timedelta(days=1)
