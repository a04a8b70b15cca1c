"""The task worker (`manage.py db_worker`) waits out a database outage instead of exiting, and
runs the housekeeping that fails work left by a worker that died."""

import importlib
import io
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.db import OperationalError
from django.tasks import Task, TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from maturity import housekeeping
from maturity.mail import EMAIL_TASKS, send_email

# The worker closes its connection between tasks, as in production: that would end a test's
# transaction on PostgreSQL, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@task()
def shout(word: str) -> str:
    return word.upper()


def run_worker() -> str:
    """`manage.py db_worker --batch` in this process; what it logged."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    out = io.StringIO()
    try:
        call_command(
            "db_worker", batch=True, startup_delay=False, reload=False, verbosity=1, stdout=out
        )
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
    return out.getvalue()


@pytest.fixture
def database_down(monkeypatch):
    """Claiming a task fails `times` times as when the database is unreachable; the waits
    between attempts are recorded instead of slept."""
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        assert len(waits) < 20, "the worker is still waiting for the database"

    monkeypatch.setattr(time, "sleep", sleep)
    claim = DBTaskResultQuerySet.get_locked

    def down_for(times):
        failures = iter(range(times))

        def get_locked(queryset):
            if next(failures, None) is not None:
                raise OperationalError("connection to server at 127.0.0.1 failed")
            return claim(queryset)

        monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", get_locked)
        return waits

    return down_for


def test_db_worker_is_the_services_own():
    assert get_commands()["db_worker"] == "maturity"


def test_the_worker_waits_out_a_database_outage_and_then_runs_the_task(database_down, caplog):
    result = shout.enqueue("hello")
    waits = database_down(1)

    run_worker()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL" and row.return_value == "HELLO"
    assert waits == [1]
    messages = [record.getMessage() for record in caplog.records]
    assert (
        "The database cannot be reached (connection to server at 127.0.0.1 failed). "
        "Trying again in 1 second." in messages
    )
    assert "The database can be reached again: carrying on." in messages


def test_the_wait_doubles_up_to_half_a_minute_while_the_database_stays_down(database_down):
    result = shout.enqueue("still here")
    waits = database_down(8)

    run_worker()

    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"


def test_a_failing_housekeeping_job_does_not_stop_the_worker(monkeypatch, caplog):
    def broken():
        raise ValueError("broken job")

    monkeypatch.setitem(housekeeping._jobs, "tests.broken", broken)
    result = shout.enqueue("on")

    run_worker()

    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert "Housekeeping job tests.broken failed" in caplog.text


def _stalled_email(*, minutes: int, attempts: int) -> DBTaskResult:
    """An email task claimed `attempts` times, the last `minutes` ago, by workers now dead."""
    result = send_email.enqueue(to=["lead@example.org"], subject="Invitation", body="Join us")
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = TaskResultStatus.RUNNING
    row.started_at = timezone.now() - timedelta(minutes=minutes)
    row.worker_ids = [f"dead-{n}" for n in range(attempts)]
    row.save()
    return row


def test_an_email_task_whose_worker_died_is_sent_after_all(mailoutbox):
    stalled = _stalled_email(minutes=6, attempts=1)
    recent = _stalled_email(minutes=1, attempts=1)  # may still be sending
    housekeeping.run()
    stalled.refresh_from_db()
    recent.refresh_from_db()
    assert stalled.status == TaskResultStatus.READY and stalled.started_at is None
    assert recent.status == TaskResultStatus.RUNNING
    run_worker()
    stalled.refresh_from_db()
    assert stalled.status == TaskResultStatus.SUCCESSFUL
    assert [m.subject for m in mailoutbox] == ["Invitation"]


def test_an_email_task_that_keeps_losing_its_worker_fails_with_a_reason(mailoutbox):
    stalled = _stalled_email(minutes=6, attempts=3)
    housekeeping.run()
    stalled.refresh_from_db()
    assert stalled.status == TaskResultStatus.FAILED
    assert "worker stopped while sending, 3 times" in stalled.traceback
    run_worker()
    assert mailoutbox == []


def task_registry() -> set[str]:
    """Every task the service defines: each module of ours that declares one, imported."""
    root = Path(__file__).resolve().parent.parent
    paths = set()
    for source in root.glob("*/**/*.py"):
        top = source.relative_to(root).parts[0]
        if top.startswith(".") or top in {"tests", "loadtest"}:
            continue
        if "@task" not in source.read_text() and "@email_task" not in source.read_text():
            continue
        module = importlib.import_module(".".join(source.relative_to(root).with_suffix("").parts))
        paths |= {v.module_path for v in vars(module).values() if isinstance(v, Task)}
    return paths


def test_every_task_is_reaped_if_its_worker_dies():
    """A task with no reaper would say "running" for ever after a worker is killed: each one
    is an email task (requeued) or reaped by its app (reports' exports and renders)."""
    reaped_by_reports = {"reports.tasks.build_bulk_export", "reports.tasks.render_report"}
    tasks = task_registry()
    assert len(tasks) >= 4, tasks
    for app_task in tasks:
        assert app_task in EMAIL_TASKS | reaped_by_reports, app_task
