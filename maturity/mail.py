"""All email leaves through the task queue, so a slow or broken mail server never holds a web
request: `send_email.enqueue(...)` returns at once and `manage.py db_worker` does the sending,
with the mail server's short timeout (EMAIL_TIMEOUT)."""

import logging
from datetime import timedelta

from django.core.mail import EmailMessage
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# A send gives up after EMAIL_TIMEOUT (10 s), so an email task running this long lost its
# worker (killed, or its machine gone). It is queued again, up to MAX_ATTEMPTS claims in all:
# an invitation or reset link sent twice is better than one never sent.
STALLED_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 3
# The tasks that only send email (registered by the modules that define them).
EMAIL_TASKS: set[str] = set()


def email_task(function):
    """`@task()` for a task whose only work is sending email: requeued if its worker dies."""
    registered = task()(function)
    EMAIL_TASKS.add(registered.module_path)
    return registered


@email_task
def send_email(*, to: list[str], subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, to=to).send()


def email_tasks_requeue() -> int:
    """Queue again every email task whose worker died mid-send; fail those tried MAX_ATTEMPTS
    times. Safe from several workers at once: each row changes only while still running and
    stalled, which the UPDATE checks again as it writes."""
    stalled = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING,
        task_path__in=sorted(EMAIL_TASKS),
        started_at__lt=timezone.now() - STALLED_AFTER,
    )
    requeued = failed = 0
    for pk, worker_ids in stalled.values_list("pk", "worker_ids"):
        row = stalled.filter(pk=pk)
        if len(worker_ids) < MAX_ATTEMPTS:
            requeued += row.update(status=TaskResultStatus.READY, started_at=None)
        else:
            failed += row.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path="maturity.mail.WorkerStopped",
                traceback=f"Its worker stopped while sending, {len(worker_ids)} times.",
            )
    if requeued or failed:
        logger.warning(
            "Email tasks whose worker stopped: %d queued again, %d failed after %d attempts",
            requeued,
            failed,
            MAX_ATTEMPTS,
        )
    return requeued + failed
