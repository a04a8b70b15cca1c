"""Settings from the environment: typed, strict, and safe in production."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from maturity.env import env_bool, env_choice, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "x" * 20 + "-production-secret-for-tests-only-0123456789"


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("1", True), ("off", False)])
def test_env_bool_reads_clear_values(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", default=not expected) is expected


@pytest.mark.parametrize("raw", ["yes", "no", "maybe", "2"])
def test_env_bool_rejects_anything_else(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="FLAG must be true or false"):
        env_bool("FLAG", default=False)


def test_env_int_rejects_words_and_small_values(monkeypatch):
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="N must be a whole number"):
        env_int("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfigured, match="N must be at least 1"):
        env_int("N", 5, minimum=1)


def test_env_list_and_choice(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,,")
    assert env_list("HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("MODE", "staging")
    with pytest.raises(ImproperlyConfigured, match="MODE must be one of"):
        env_choice("MODE", "development", ("development", "production"))


def run_django(env_extra: dict, *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_extra)
    env["DJANGO_SETTINGS_MODULE"] = "maturity.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django(
        {"MATURITY_ENV": "production", "ALLOWED_HOSTS": "maturity.example"}, "check"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_hosts():
    result = run_django({"MATURITY_ENV": "production", "SECRET_KEY": GOOD_SECRET}, "check")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list the host names" in result.stderr


def test_production_refuses_a_wildcard_host():
    result = run_django(
        {"MATURITY_ENV": "production", "SECRET_KEY": GOOD_SECRET, "ALLOWED_HOSTS": "*"}, "check"
    )
    assert "'*' is not allowed" in result.stderr


def test_production_without_an_email_server_fails_the_deploy_check():
    result = run_django(
        {"MATURITY_ENV": "production", "SECRET_KEY": GOOD_SECRET, "ALLOWED_HOSTS": "m.example"},
        "check",
        "--deploy",
    )
    assert result.returncode != 0
    assert "development-only email backend" in result.stderr


def test_debug_yes_is_an_error():
    result = run_django({"DEBUG": "yes"}, "check")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_check_deploy_is_clean_in_production():
    result = run_django(
        {
            "MATURITY_ENV": "production",
            "SECRET_KEY": GOOD_SECRET,
            "ALLOWED_HOSTS": "maturity.example",
            "EMAIL_HOST": "smtp.maturity.example",
            "CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def settings_of(env_extra: dict, *names: str) -> dict:
    """The named settings as production (or development) would load them, in a fresh process."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))"
    )
    result = run_django(env_extra, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


PRODUCTION = {"MATURITY_ENV": "production", "ALLOWED_HOSTS": "maturity.example"}


def test_a_variable_may_come_from_a_file_without_its_final_newline(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret with spaces \n\n")
    monkeypatch.delenv("TOKEN", raising=False)
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    assert env_str("TOKEN") == "s3cret with spaces \n"
    (tmp_path / "hosts").write_text("a.example\nb.example\n")
    monkeypatch.setenv("HOSTS_FILE", str(tmp_path / "hosts"))
    assert env_list("HOSTS") == ["a.example", "b.example"]
    (tmp_path / "n").write_text("7\n")
    monkeypatch.setenv("N_FILE", str(tmp_path / "n"))
    assert env_int("N", 1) == 7


def test_a_variable_set_both_ways_is_an_error(monkeypatch, tmp_path):
    (tmp_path / "secret").write_text("from the file")
    monkeypatch.setenv("TOKEN", "from the environment")
    monkeypatch.setenv("TOKEN_FILE", str(tmp_path / "secret"))
    with pytest.raises(ImproperlyConfigured, match="Set TOKEN or TOKEN_FILE, not both"):
        env_str("TOKEN")


def test_an_unreadable_file_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("TOKEN", raising=False)
    monkeypatch.setenv("TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match=r"TOKEN_FILE names .*missing, which cannot"):
        env_str("TOKEN")


def test_production_reads_its_secrets_from_files(tmp_path):
    files = {
        "SECRET_KEY": GOOD_SECRET,
        "SECRET_KEY_FALLBACKS": f"old-{GOOD_SECRET},older-{GOOD_SECRET}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'from-file.sqlite3'}",
        "EMAIL_HOST_PASSWORD": "mail password",
    }
    env = {**PRODUCTION, "EMAIL_HOST": "smtp.maturity.example", "DATABASE_URL": ""}  # empty: unset
    for name, value in files.items():
        (tmp_path / name).write_text(value + "\n")
        env[f"{name}_FILE"] = str(tmp_path / name)
    loaded = settings_of(env, "SECRET_KEY", "SECRET_KEY_FALLBACKS", "DATABASES", "MAILERS")
    assert loaded["SECRET_KEY"] == GOOD_SECRET
    assert loaded["SECRET_KEY_FALLBACKS"] == [f"old-{GOOD_SECRET}", f"older-{GOOD_SECRET}"]
    assert loaded["DATABASES"]["default"]["NAME"] == str(tmp_path / "from-file.sqlite3")
    assert loaded["MAILERS"]["default"]["OPTIONS"]["password"] == "mail password"


def test_production_refuses_a_short_fallback_key():
    result = run_django(
        {**PRODUCTION, "SECRET_KEY": GOOD_SECRET, "SECRET_KEY_FALLBACKS": f"{GOOD_SECRET},short"},
        "check",
    )
    assert result.returncode != 0
    assert "Each key in SECRET_KEY_FALLBACKS must be" in result.stderr


def test_hsts_preload_and_subdomains_are_opt_in():
    env = {**PRODUCTION, "SECRET_KEY": GOOD_SECRET}
    names = ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD")
    assert settings_of(env, *names) == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
    }
    opted_in = {"SECURE_HSTS_INCLUDE_SUBDOMAINS": "true", "SECURE_HSTS_PRELOAD": "true"}
    assert settings_of({**env, **opted_in}, *names) == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }


def test_hsts_preload_needs_what_the_preload_list_demands():
    env = {**PRODUCTION, "SECRET_KEY": GOOD_SECRET, "SECURE_HSTS_PRELOAD": "true"}
    result = run_django(env, "check")
    assert result.returncode != 0
    assert "SECURE_HSTS_PRELOAD needs SECURE_HSTS_INCLUDE_SUBDOMAINS=true" in result.stderr


@pytest.mark.django_db
def test_invitation_and_password_reset_links_survive_a_key_rotation(settings, client):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from organisations.models import Role
    from organisations.services import invitation_create, invitation_url
    from tests.factories import MembershipFactory, UserFactory

    old_key, new_key = f"old-{GOOD_SECRET}", f"new-{GOOD_SECRET}"
    settings.SECRET_KEY = old_key
    lead = MembershipFactory(role=Role.LEAD).user
    invitation = invitation_create(
        organisation=lead.memberships.get().organisation,
        email="new.person@council.example",
        role=Role.VIEWER,
        invited_by=lead,
        base_url="http://testserver/",
    )
    invited = invitation_url(invitation, base_url="http://testserver")
    person = UserFactory()
    reset = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = new_key, [old_key]
    page = client.get(invited).content.decode()
    assert "new.person@council.example" in page and "not valid" not in page
    assert client.get(reset)["Location"].endswith("/set-password/")

    settings.SECRET_KEY_FALLBACKS = []
    assert "This invitation link is not valid" in client.get(invited).content.decode()
    assert client.get(reset).status_code == 200  # the "link is not valid" page, no redirect
