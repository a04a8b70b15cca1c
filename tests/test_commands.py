"""Management commands say what they did and are safe to run twice."""

import importlib
import io
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from demo.management.commands.setup_demo import DEMO_PASSWORD
from frameworks.models import FrameworkVersion
from frameworks.services import EDITORS_GROUP

pytestmark = pytest.mark.django_db


def test_load_frameworks_is_idempotent():
    first = io.StringIO()
    call_command("load_frameworks", stdout=first)
    assert first.getvalue().count("loaded and published") == 8
    counts = FrameworkVersion.objects.count()
    second = io.StringIO()
    call_command("load_frameworks", stdout=second)
    assert second.getvalue().count("already loaded, unchanged") == 8
    assert FrameworkVersion.objects.count() == counts == 8
    assert set(FrameworkVersion.objects.values_list("status", flat=True)) == {"published"}


def test_setup_demo_prints_logins_and_is_idempotent():
    out = io.StringIO()
    call_command("setup_demo", "--without-history", stdout=out)
    call_command("setup_demo", "--without-history", stdout=out)
    assert "editor@demo.example" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()
    editor = get_user_model().objects.get(email="editor@demo.example")
    assert editor.check_password(DEMO_PASSWORD)
    assert editor.has_perm("frameworks.author_framework")
    assert get_user_model().objects.count() == 8  # the editor and the seven demo people
    assert "lead@demo.example" in out.getvalue() and "consultant@demo.example" in out.getvalue()
    assert "Demo organisations: 0 created, 0 updated, 400 unchanged" in out.getvalue()


def test_setup_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match=r"does not run in production.*MATURITY_ENV=production"):
        call_command("setup_demo", "--without-history", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


def test_the_framework_editors_group_is_made_by_the_migrations():
    """The frameworks migration makes the group with every frameworks right, on a database
    where Django has not yet made any permissions (they come only after all migrations)."""
    migration = importlib.import_module("frameworks.migrations.0001_initial")
    state = MigrationLoader(connection).project_state(("frameworks", "0001_initial"))
    Group.objects.all().delete()
    Permission.objects.filter(content_type__app_label="frameworks").delete()
    migration.create_editors_group(state.apps, SimpleNamespace(connection=connection))
    group = Group.objects.get(name=EDITORS_GROUP)
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert ("frameworks", "author_framework") in codenames
    assert ("frameworks", "change_question") in codenames
    assert {app for app, _ in codenames} == {"frameworks"}
    editor = get_user_model().objects.create_user(email="e@example.com", password="x" * 12)
    editor.groups.add(group)
    assert editor.has_perm("frameworks.author_framework")


def test_export_unknown_version_lists_the_known_ones():
    call_command("load_frameworks", stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"Known: .*seven-tribes-of-digital 1\.0\.0"):
        call_command("export_framework", "seven-tribes-of-digital", "9.0.0")


def test_export_to_stdout_is_yaml():
    call_command("load_frameworks", stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_framework", "seven-tribes-of-digital", "1.0.0", stdout=out)
    assert out.getvalue().startswith(
        "format: maturity-framework/1\nframework:\n  slug: seven-tribes"
    )
