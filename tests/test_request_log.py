"""One log line per request (maturity.requestlog), never carrying a secret, and JSON when asked."""

import json
import logging
import sys

import pytest
from django.urls import reverse

from maturity.requestlog import REQUEST_FIELDS, JsonFormatter
from organisations.models import Role
from organisations.services import invitation_create, invitation_token
from tests.factories import MembershipFactory
from tests.test_settings import run_django

LOGGER = "maturity.requests"


def request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


@pytest.mark.django_db
def test_each_request_is_one_line_with_who_what_and_how_long(client, user, caplog):
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        response = client.get("/organisations/?page=2&next=/secret/")
    [line] = request_lines(caplog)
    assert (line.method, line.path, line.status) == ("GET", "/organisations/", 200)
    assert line.user_id == user.pk
    assert response["X-Request-ID"] == line.request_id
    assert len(line.request_id) == 32
    assert line.getMessage() == (
        f"GET /organisations/ 200 {line.duration_ms}ms user={user.pk} id={line.request_id}"
    )
    assert "next" not in line.getMessage()  # query strings are never logged


@pytest.mark.django_db
def test_a_proxys_request_id_is_kept_unless_it_could_forge_a_line(client, caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.12"})
        client.get("/healthz", headers={"X-Request-ID": "x\n GET /admin/ 200"})
    kept, replaced = request_lines(caplog)
    assert kept.request_id == "lb-7f3a.12" and kept.user_id is None
    assert "\n" not in replaced.request_id and len(replaced.request_id) == 32


@pytest.mark.django_db
def test_a_page_that_fails_is_logged_with_its_status(client, user, caplog):
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        client.get("/organisations/999999/")
    [line] = request_lines(caplog)
    assert (line.path, line.status) == ("/organisations/999999/", 404)


@pytest.mark.django_db
def test_tokens_in_invitation_and_password_reset_links_are_never_logged(client, caplog):
    lead = MembershipFactory(role=Role.LEAD).user
    invitation = invitation_create(
        organisation=lead.memberships.get().organisation,
        email="new.person@council.example",
        role=Role.VIEWER,
        invited_by=lead,
        base_url="http://testserver/",
    )
    token = invitation_token(invitation)
    reset = reverse(
        "accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "abc-0123456789abcdef"}
    )
    with caplog.at_level(logging.INFO, logger=LOGGER):
        client.get(reverse("organisations:invitation", kwargs={"token": token}))
        client.get(reset)
    invitation_line, reset_line = request_lines(caplog)
    assert invitation_line.path == "/invitations/<str:token>/"
    assert reset_line.path == "/account/password/reset/<uidb64>/<token>/"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert token not in logged and "abc-0123456789abcdef" not in logged


@pytest.mark.django_db
def test_tokens_in_refused_links_are_never_logged_by_django_either(client, caplog):
    """A form on an invitation's page sent without its security cookie is refused, and Django's
    own warning names the path: that path carries the token too."""
    lead = MembershipFactory(role=Role.LEAD).user
    invitation = invitation_create(
        organisation=lead.memberships.get().organisation,
        email="new.person@council.example",
        role=Role.VIEWER,
        invited_by=lead,
        base_url="http://testserver/",
    )
    token = invitation_token(invitation)
    wrong = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("organisations:invitation", kwargs={"token": wrong}))
        client.post(reverse("organisations:invitation", kwargs={"token": token}))  # no CSRF
    assert response.status_code == 200  # "this link is not valid"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/invitations/<str:token>/" in logged
    assert wrong not in logged and token not in logged
    assert any(r.name == "django.security.csrf" for r in caplog.records)


def test_the_json_formatter_writes_one_object_a_line_with_the_request_fields():
    fields = dict(
        zip(REQUEST_FIELDS, ("POST", "/x/", 500, 12.5, 7, "abc"), strict=True),
    )
    record = logging.LogRecord(LOGGER, logging.INFO, __file__, 1, "GET\n%s", ("/x/",), None)
    record.__dict__.update(fields)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET\n/x/"
    assert entry["level"] == "INFO" and entry["logger"] == LOGGER
    assert entry["time"].endswith("+00:00")
    assert {k: entry[k] for k in REQUEST_FIELDS} == fields


def test_the_json_formatter_leaves_out_djangos_request_object_and_its_query_string(rf):
    request = rf.get("/organisations/1/?token=secret-value")
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found", (), None
    )
    record.__dict__.update(status_code=404, request=request)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["status_code"] == 404 and "request" not in entry
    assert "secret-value" not in json.dumps(entry)


def test_the_json_formatter_keeps_the_traceback():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: broken" in entry["exception"]


def test_log_format_json_switches_the_console_to_json_lines():
    code = "import logging; logging.getLogger('maturity.requests').warning('hello %s', 'there')"
    result = run_django({"LOG_FORMAT": "json"}, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert (entry["message"], entry["level"]) == ("hello there", "WARNING")


def test_log_format_refuses_anything_else():
    result = run_django({"LOG_FORMAT": "xml"}, "check")
    assert result.returncode != 0
    assert "LOG_FORMAT must be one of text, json" in result.stderr


def test_each_log_line_is_written_once_and_never_emailed():
    """Django's default logging adds its own console handler to the `django` loggers (so with
    DEBUG on, the worker printed each task line twice) and an email to ADMINS sent from inside
    a failing request. Only the root's handler remains."""
    chain, handlers = logging.getLogger("django.tasks"), []
    while chain is not None:
        handlers += [h for h in chain.handlers if type(h).__module__ != "_pytest.logging"]
        chain = chain.parent if chain.propagate else None
    assert [type(h).__name__ for h in handlers] == ["StreamHandler"]
