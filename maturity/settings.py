"""Settings for the maturity service, read from the environment.

Defaults give a working development site on an embedded SQLite database. With
`MATURITY_ENV=production` the service refuses to start without a real secret key and hosts.
Every variable is listed in README.md.
"""

from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from maturity.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = env_choice("MATURITY_ENV", "development", ("development", "production"))
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET_KEY)
# Earlier keys, still accepted when checking signatures (invitation and password-reset links,
# sessions) so that a key can be rotated without breaking the links already sent.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    if len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters in production."
        )
    if any(len(key) < 50 or key == _DEV_SECRET_KEY for key in SECRET_KEY_FALLBACKS):
        raise ImproperlyConfigured(
            "Each key in SECRET_KEY_FALLBACKS must be a former SECRET_KEY: a random value of at "
            "least 50 characters."
        )
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must list the host names this service answers to in production "
            "(comma-separated; '*' is not allowed)."
        )
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be false in production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "maturity",
    "maturity.accounts",
    "maturity.audit",
    "frameworks",
    "organisations",
    "assessments",
    "benchmarks",
    "improvement",
    "reports",
    "demo",
    "axes",
    # After `maturity`, whose `db_worker` command (outlives database outages) replaces this one's.
    "django_tasks_db",
]

MIDDLEWARE = [
    "maturity.requestlog.RequestLogMiddleware",  # first: it times and logs the whole response
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "maturity.middleware.SiteHeadersMiddleware",  # no-store when signed in; Permissions-Policy
    "django.contrib.messages.middleware.MessageMiddleware",
    "maturity.accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a refused sign-in into 429 Too Many Requests (maturity/accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "maturity.urls"
WSGI_APPLICATION = "maturity.wsgi.application"
ASGI_APPLICATION = "maturity.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maturity.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the task worker share the file: write-ahead logging lets them read
    # while the other writes, and IMMEDIATE transactions wait for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# PostgreSQL: parameters bound by the server, and a query run 5 times on a connection kept
# prepared there, so PostgreSQL parses and plans the pages' few repeated queries once per
# connection (make load: less CPU in both PostgreSQL and the app). A pooler in transaction mode
# (PgBouncer without max_prepared_statements) cannot keep them: set it false there.
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for every process, in the database: the public questionnaire PDF is drawn once, not
# once per worker. `migrate` makes its table (maturity/migrations), so deploys need nothing more.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "maturity_cache",
    },
    # Each process's own, for what is cheaper to draw again than to fetch: the national
    # picture's tables, the same for everyone until figures are released again.
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

# Background work (bulk exports) goes through a database queue; `manage.py db_worker` runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running bulk export with no progress for this long has lost its worker: it is marked failed.
# A worker reports after every client (a second or two each), so minutes of silence mean it died.
BULK_EXPORT_STALE_MINUTES = env_int("BULK_EXPORT_STALE_MINUTES", 10, minimum=1)
# `manage.py prune_exports` deletes export zips this many days after they were made.
BULK_EXPORT_RETENTION_DAYS = env_int("BULK_EXPORT_RETENTION_DAYS", 7, minimum=1)

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, WhiteNoise serves straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Email (Django 6.1 mailers): the console in development; SMTP as soon as EMAIL_HOST is set.
# Every email is sent by the task worker (maturity/mail.py), never by a web request.
_EMAIL_HOST = env_str("EMAIL_HOST")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST,
                "port": env_int("EMAIL_PORT", 587, minimum=1),
                "username": env_str("EMAIL_HOST_USER") or None,
                "password": env_str("EMAIL_HOST_PASSWORD") or None,
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
            },
        }
        if _EMAIL_HOST
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Digital maturity <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the accessibility statement sends people to report a problem or ask for another format:
# a mailbox someone reads. Defaults to the address mail is sent from.
ACCESSIBILITY_CONTACT_EMAIL = env_str(
    "ACCESSIBILITY_CONTACT_EMAIL", parseaddr(DEFAULT_FROM_EMAIL)[1]
)
# Where the phase banner's "give your feedback" link writes to.
FEEDBACK_EMAIL = env_str("FEEDBACK_EMAIL", ACCESSIBILITY_CONTACT_EMAIL)

# Sessions: 30 minutes idle, never longer than a working day. The idle expiry is renewed at most
# once a minute (maturity/accounts/middleware.py), not with a database write on every request.
SESSION_COOKIE_AGE = int(timedelta(minutes=30).total_seconds())
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Sign-in throttling: django-axes counts failures through the authentication backend, so every
# sign-in path counts; maturity/accounts/lockout.py adds separate limits for an account and an
# address, and a short refusal that doubles with each further failure. Failures are forgotten
# an hour after the last one.
SIGN_IN_FAILURES_PER_ACCOUNT = env_int("SIGN_IN_FAILURES_PER_ACCOUNT", 10, minimum=1)
SIGN_IN_FAILURES_PER_ADDRESS = env_int("SIGN_IN_FAILURES_PER_ADDRESS", 50, minimum=1)
SIGN_IN_REFUSAL_MINUTES = env_int("SIGN_IN_REFUSAL_MINUTES", 1, minimum=1)
SIGN_IN_REFUSAL_MAX_MINUTES = env_int("SIGN_IN_REFUSAL_MAX_MINUTES", 30, minimum=1)
SIGN_IN_WINDOW_SECONDS = 3600
if not SIGN_IN_REFUSAL_MINUTES <= SIGN_IN_REFUSAL_MAX_MINUTES < SIGN_IN_WINDOW_SECONDS / 60:
    # A refusal as long as the window would let the failures lapse and the count start afresh.
    raise ImproperlyConfigured(
        "SIGN_IN_REFUSAL_MAX_MINUTES must be at least SIGN_IN_REFUSAL_MINUTES and under 60."
    )
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "maturity.accounts.lockout.SignInHandler"
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]  # counted apart, each with its own limit
AXES_FAILURE_LIMIT = SIGN_IN_FAILURES_PER_ACCOUNT
AXES_COOLOFF_TIME = timedelta(seconds=SIGN_IN_WINDOW_SECONDS)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # hammering must not prolong a refusal
AXES_RESET_ON_SUCCESS = False  # the handler clears the account's failures, not the address's
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "maturity.accounts.lockout.username"
AXES_CLIENT_IP_CALLABLE = "maturity.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "maturity.accounts.lockout.refused_response"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not kept
SESSION_ABSOLUTE_SECONDS = int(timedelta(hours=12).total_seconds())
# The request header holding the client address when behind a proxy, e.g. HTTP_X_FORWARDED_FOR.
# Required behind a proxy (a deploy check says so): otherwise every request has the proxy's
# address, and the address limit would refuse everyone at once.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER")
BEHIND_PROXY = PRODUCTION and env_bool("BEHIND_PROXY", default=True)
PASSWORD_RESET_TIMEOUT = int(timedelta(hours=2).total_seconds())

# Security headers. The Content Security Policy allows nothing inline.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A form sent with a stale security token gets a page (or, for autosave, JSON) saying so plainly.
CSRF_FAILURE_VIEW = "maturity.views.csrf_failure"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Behind a proxy that terminates TLS and sets X-Forwarded-Proto.
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    # Both opt-in: they bind every host under this one (preload for years, in every browser),
    # which on a council's own domain would force HTTPS on sites the service does not run.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    if SECURE_HSTS_PRELOAD and (
        not SECURE_HSTS_INCLUDE_SUBDOMAINS or SECURE_HSTS_SECONDS < 31536000
    ):
        raise ImproperlyConfigured(
            "SECURE_HSTS_PRELOAD needs SECURE_HSTS_INCLUDE_SUBDOMAINS=true and "
            "SECURE_HSTS_SECONDS of at least 31536000 (a year): browsers' preload list "
            "accepts nothing less."
        )
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# HSTS subdomains and preload are opt-in by choice (above): `check --deploy` need not ask.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

# Framework files larger than this are refused before they are parsed.
FRAMEWORK_FILE_MAX_BYTES = env_int("FRAMEWORK_FILE_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Evidence files: the largest one file, and all of one assessment's files together.
EVIDENCE_FILE_MAX_BYTES = env_int("EVIDENCE_FILE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
EVIDENCE_ASSESSMENT_MAX_BYTES = env_int(
    "EVIDENCE_ASSESSMENT_MAX_BYTES", 200 * 1024 * 1024, minimum=1024
)
# A virus scanner: the dotted path of a callable taking the uploaded file and returning None
# (clean) or the reason it is refused. Empty: no scanner.
EVIDENCE_SCANNER = env_str("EVIDENCE_SCANNER", "")

SERVICE_NAME = "Digital maturity assessment"

# Plain lines for people, or one JSON object a line for a log collector (maturity.requestlog).
LOG_FORMAT = env_choice("LOG_FORMAT", "text", ("text", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "maturity.requestlog.JsonFormatter"},
    },
    "filters": {"secret_paths": {"()": "maturity.requestlog.SecretPathFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Through the root's handler only: Django's defaults add a second console handler while
        # DEBUG is on (every worker line printed twice) and, with ADMINS set, an email sent from
        # inside the failing request, where all email goes through the task queue.
        "django": {"handlers": [], "level": "INFO"},
        # Their warnings name the path, which may carry an invitation or reset token.
        "django.request": {"filters": ["secret_paths"]},
        "django.security.csrf": {"filters": ["secret_paths"]},
        # WeasyPrint reports every layout step of every page at INFO: far too chatty for a log.
        "weasyprint.progress": {"level": "WARNING"},
        # runserver's own line per request repeats maturity.requests (errors still show).
        "django.server": {"level": "WARNING"},
        # django-axes logs every sign-in and its own start-up at INFO; refusals are WARNING.
        "axes": {"level": "WARNING"},
    },
}
