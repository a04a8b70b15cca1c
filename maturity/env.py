"""Typed readers for settings taken from the environment.

Each helper rejects a value it does not understand rather than guessing: `DEBUG=yes` is an
error, not False. Any variable may instead come from a file named by `<NAME>_FILE` (container
secrets, systemd credentials), so a secret need not sit in the environment.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "on"}
_FALSE = {"false", "0", "off"}


def _raw(name: str) -> str | None:
    """NAME from the environment, else the contents of the file NAME_FILE names, else None."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if not path:
        return value
    if value:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImproperlyConfigured(
            f"{name}_FILE names {path}, which cannot be read as text: {exc}"
        ) from None
    # Files written by `echo` or an editor end with one newline that is not part of the value.
    return text.removesuffix("\n").removesuffix("\r")


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    raw = _raw(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (or 1/0, on/off), not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = _raw(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Comma-separated (in a file, one a line will do too)."""
    raw = _raw(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.replace("\n", ",").split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _raw(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value
