"""The shared cache: in the database, so every process draws the public questionnaire PDF once.

Only content that is the same for everyone goes in it: a consultant's branded questionnaire,
a draft, and any assessment's report are drawn for the person asking, every time.
"""

import sqlite3

import pytest
from django.db import connection
from django.urls import reverse

from maturity.accounts.models import ConsultantBranding
from tests.conftest import CsrfClient
from tests.factories import UserFactory, make_version
from tests.pdf import pdf_text
from tests.test_settings import run_django

pytestmark = pytest.mark.django_db

TABLE = "maturity_cache"


def cached_keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {connection.ops.quote_name(TABLE)}")
        return [row[0] for row in cursor.fetchall()]


def questionnaire_url(fv):
    return reverse(
        "frameworks:questionnaire_pdf", kwargs={"slug": fv.framework.slug, "version": fv.version}
    )


def test_the_public_questionnaire_is_kept_in_the_database_for_every_process(client):
    fv = make_version(dimensions=1, questions=1)
    first = client.get(questionnaire_url(fv)).content
    assert [key for key in cached_keys() if f"questionnaire-pdf:{fv.pk}:" in key]
    assert client.get(questionnaire_url(fv)).content == first


def test_a_deploy_that_changes_the_questionnaire_layout_is_not_served_the_old_pdf(
    client, settings, tmp_path
):
    """The cache outlives the processes that filled it: a new layout must not wait a day."""
    fv = make_version(dimensions=1, questions=1)
    assert "printed from the new layout" not in pdf_text(
        client.get(questionnaire_url(fv)).content, tmp_path
    )
    source = (settings.BASE_DIR / "templates/frameworks/questionnaire.html").read_text()
    changed = tmp_path / "templates/frameworks/questionnaire.html"
    changed.parent.mkdir(parents=True)
    changed.write_text(
        source.replace("{% block body %}", "{% block body %}<p>printed from the new layout</p>")
    )
    dirs = [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]
    deployed = [{**settings.TEMPLATES[0], "DIRS": dirs}]
    settings.TEMPLATES = deployed  # as a new process after a deploy reads the new templates
    assert "printed from the new layout" in pdf_text(
        client.get(questionnaire_url(fv)).content, tmp_path
    )


def test_a_branded_or_draft_questionnaire_is_never_cached(client):
    consultant = UserFactory()
    ConsultantBranding.objects.create(consultant=consultant, display_name="Acme Advisory")
    branded = CsrfClient()
    branded.force_login(consultant)
    assert branded.get(questionnaire_url(make_version(slug="branded"))).status_code == 200
    editor = CsrfClient()
    editor.force_login(UserFactory(editor=True))
    draft = make_version(slug="draft", publish=False)
    assert editor.get(questionnaire_url(draft)).status_code == 200
    assert cached_keys() == []


@pytest.mark.once
def test_a_fresh_database_gets_the_cache_table_from_migrate(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    result = run_django({"DATABASE_URL": f"sqlite:///{database}"}, "migrate", "--no-input")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as fresh:
        tables = {row[0] for row in fresh.execute("SELECT name FROM sqlite_master")}
    assert TABLE in tables
