"""All email leaves through the task queue, so a slow or broken mail server never holds a web
request: `send_email.enqueue(...)` returns at once and `manage.py db_worker` does the sending,
with the mail server's short timeout (EMAIL_TIMEOUT)."""

from django.core.mail import EmailMessage
from django.tasks import task


@task()
def send_email(*, to: list[str], subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, to=to).send()
