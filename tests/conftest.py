import re

import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory


class CsrfClient(Client):
    """A client that enforces CSRF, as browsers meet it.

    `submit(url, data)` GETs the page first and posts back the token its form carries, so
    a form that forgot {% csrf_token %} fails the test.
    """

    def __init__(self, **kwargs):
        super().__init__(enforce_csrf_checks=True, **kwargs)

    def submit(self, url, data=None, *, form_url=None, **kwargs):
        page = self.get(form_url or url)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
        assert match, f"No CSRF token in the form at {form_url or url}"
        payload = dict(data or {})
        payload["csrfmiddlewaretoken"] = match.group(1).decode()
        return self.post(url, payload, **kwargs)


def pytest_collection_modifyitems(config, items):
    """Sweeps marked `once` (every page, every hostile input) run in the SQLite run only.

    CI runs the suite twice, on SQLite and on PostgreSQL; these sweeps test pages and forms,
    not the database, so one run is enough and keeps CI well inside its time.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return
    skip = pytest.mark.skip(reason="runs once, in the SQLite run (marked `once`)")
    for item in items:
        if item.get_closest_marker("once"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 at production strength costs ~0.5 s a user; tests need not pay it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache(request):
    """Ids repeat between tests, so nothing cached (a questionnaire PDF) may outlive one.

    The cache is a database table (settings.CACHES), so only a test with database access has
    one; a transactional test's flush does not empty it, hence this.
    """
    from django.core.cache import cache, caches

    caches["local"].clear()  # each process's own (no database needed)
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
    elif "db" in request.fixturenames:
        request.getfixturevalue("db")
    elif not request.node.get_closest_marker("django_db"):
        return
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_released_figures():
    """Each process keeps recent released figures keyed by release ids and dates; ids repeat
    between tests, so none may outlive one."""
    from benchmarks.figures import forget_recent

    forget_recent()


@pytest.fixture(autouse=True)
def fresh_framework_structure():
    """Each process keeps frozen versions' structure keyed by version id and publication time;
    a rolled-back test's ids repeat on SQLite, so none may outlive a test."""
    from frameworks import structure

    structure.clear()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path_factory):
    """Uploaded logos and export zips go to a fresh folder, never the developer's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run as they are queued, in the test: a board report is drawn during the request
    that asks for it, so that request serves the PDF (tests/reports/test_report_render.py
    covers the queue and the waiting page)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def client():
    return CsrfClient()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def editor(db):
    return UserFactory(editor=True)


@pytest.fixture
def editor_client(editor):
    """Signed in as a framework editor (a client of its own, separate from `client`)."""
    signed_in = CsrfClient()
    signed_in.force_login(editor)
    return signed_in


@pytest.fixture
def user_client(user):
    """Signed in as a person with no special permissions."""
    signed_in = CsrfClient()
    signed_in.force_login(user)
    return signed_in
