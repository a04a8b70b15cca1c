"""Management commands say what they did and are safe to run twice."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from demo.management.commands.setup_demo import DEMO_PASSWORD
from frameworks.models import FrameworkVersion

pytestmark = pytest.mark.django_db


def test_load_frameworks_is_idempotent():
    first = io.StringIO()
    call_command("load_frameworks", stdout=first)
    assert first.getvalue().count("loaded and published") == 4
    counts = FrameworkVersion.objects.count()
    second = io.StringIO()
    call_command("load_frameworks", stdout=second)
    assert second.getvalue().count("already loaded, unchanged") == 4
    assert FrameworkVersion.objects.count() == counts == 4
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
