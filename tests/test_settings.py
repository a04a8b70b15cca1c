"""Settings from the environment: typed, strict, and safe in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from maturity.env import env_bool, env_choice, env_int, env_list

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
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
