"""Email leaves only through the task queue, with a short timeout on the mail server."""

import re
from pathlib import Path

from tests.test_settings import settings_of

ROOT = Path(__file__).resolve().parent.parent
APPS = ["maturity", "frameworks", "organisations", "assessments", "benchmarks", "reports", "demo"]
# The only modules allowed to talk to the mail server: they run in the task worker.
SENDERS = {"maturity/mail.py", "maturity/accounts/tasks.py"}


def test_no_web_code_sends_email_itself():
    sending = re.compile(
        r"\b(send_mail|send_mass_mail|mail_admins|EmailMessage|(?<!transaction\.)get_connection)\b"
    )
    offenders = sorted(
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if str(path.relative_to(ROOT)) not in SENDERS and sending.search(path.read_text())
    )
    assert offenders == [], f"Send email through maturity.mail.send_email instead: {offenders}"


def test_the_mail_server_gets_a_short_timeout():
    mailers = settings_of({"EMAIL_HOST": "smtp.example"}, "MAILERS")["MAILERS"]
    assert mailers["default"]["OPTIONS"]["timeout"] == 10
    mailers = settings_of({"EMAIL_HOST": "smtp.example", "EMAIL_TIMEOUT": "5"}, "MAILERS")
    assert mailers["MAILERS"]["default"]["OPTIONS"]["timeout"] == 5
