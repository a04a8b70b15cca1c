"""The task worker (`manage.py db_worker`) waits out a database outage instead of exiting, and
runs the housekeeping that fails work left by a worker that died."""

import io
import signal
import time

import pytest
from django.core.management import call_command, get_commands
from django.db import OperationalError
from django.tasks import task
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from maturity import housekeeping

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
