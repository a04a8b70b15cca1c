"""One log line per request, and a JSON formatter for log collectors.

`RequestLogMiddleware` writes each request to the `maturity.requests` logger: method, path,
status, duration in milliseconds, the signed-in person's id and a request id. It works the same
under runserver and gunicorn. Query strings are never logged, and a path that carries a secret
(an invitation or password-reset token) is logged as its route pattern instead, so a log
reader cannot use the link.

The request id is the proxy's `X-Request-ID` when it sends a plain one, otherwise a new one; it
is sent back in the response's `X-Request-ID` header, so a person's report of a problem can be
matched to its line.

`JsonFormatter` (`LOG_FORMAT=json`) writes every log record, the request lines included, as one
JSON object a line.
"""

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

logger = logging.getLogger("maturity.requests")

# URL parameters that are secrets: a path capturing one is logged as its route pattern.
SECRET_KWARGS = {"token", "uidb64"}
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id", "request_id")


def loggable_path(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and SECRET_KWARGS & set(match.kwargs):
        return "/" + match.route
    return request.path


class SecretPathFilter(logging.Filter):
    """On Django's own loggers (`django.request`, `django.security.csrf`), which name the request's
    path in their warnings ("Forbidden (CSRF cookie not set.): /invitations/<token>/"): puts the
    route pattern in place of a path that carries a secret, as the request line does."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is not None and isinstance(record.args, tuple):
            safe = loggable_path(request)
            if safe != request.path:
                record.args = tuple(safe if arg == request.path else arg for arg in record.args)
        return True


def _user_id(request) -> int | None:
    user = getattr(request, "user", None)  # absent for static files, answered before auth
    return user.pk if user is not None and user.is_authenticated else None


class RequestLogMiddleware:
    """Outermost, so its time and status are what the client got."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        response = self.get_response(request)
        fields = {
            "method": request.method,
            "path": loggable_path(request),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": _user_id(request),
            "request_id": request_id,
        }
        logger.info(
            "%(method)s %(path)s %(status)s %(duration_ms)sms user=%(user_id)s id=%(request_id)s",
            fields,
            extra=fields,
        )
        response["X-Request-ID"] = request_id
        return response


# The attributes every LogRecord has: anything else on a record was passed in `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
PLAIN = (str, int, float, bool, type(None))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, any plain `extra` fields, and
    the traceback as `exception` if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (k, v)
            for k, v in vars(record).items()
            # Plain values only: Django's own records carry the request object, whose text
            # has the query string.
            if k not in _STANDARD and isinstance(v, PLAIN)
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
