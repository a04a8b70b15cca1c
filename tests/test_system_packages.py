"""scripts/system-packages.sh: what a fresh Debian machine lacks is named, and installed when
it can be (root, or sudo without a password), or the one command to run is given.

The script is run for real, with stand-ins for dpkg-query, id, sudo and apt-get first on PATH,
so the test needs neither root nor a network.
"""

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "system-packages.sh"
TEST_PACKAGES = (
    "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 libcairo2 "
    "chromium poppler-utils libreoffice-writer-nogui"
)


def fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def run(tmp_path, purpose, *, installed=(), uid=1000, sudo_ok=False):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    listed = " ".join(installed)
    fake(
        bin_dir,
        "dpkg-query",
        "for last; do :; done; "  # the package is the last argument
        f'for p in {listed}; do [ "$p" = "$last" ] && echo "install ok installed" && exit 0; done; '
        "exit 1",
    )
    fake(bin_dir, "id", f"echo {uid}")
    fake(
        bin_dir, "sudo", 'if [ "$1" = "-n" ]; then exit ' + ("0" if sudo_ok else "1") + '; fi; "$@"'
    )
    fake(bin_dir, "apt-get", f'echo "$@" >> {tmp_path}/apt.log')
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", str(SCRIPT), purpose], capture_output=True, text=True, env=env, check=False
    )


def test_nothing_missing_says_nothing(tmp_path):
    result = run(tmp_path, "test", installed=TEST_PACKAGES.split())
    assert (result.returncode, result.stdout) == (0, "")
    assert not (tmp_path / "apt.log").exists()


def test_without_root_or_sudo_it_stops_with_the_one_command_to_run(tmp_path):
    result = run(tmp_path, "test", installed=["libpango-1.0-0", "libpangoft2-1.0-0"])
    missing = (
        "libharfbuzz-subset0 fonts-liberation2 libcairo2 chromium poppler-utils "
        "libreoffice-writer-nogui"
    )
    assert result.returncode == 1
    assert f"Missing system packages for 'test': {missing}" in result.stdout
    assert (
        "  sudo apt-get update && sudo apt-get install -y --no-install-recommends " + missing
    ) in result.stdout
    assert not (tmp_path / "apt.log").exists()


@pytest.mark.parametrize(("uid", "sudo_ok"), [(0, False), (1000, True)], ids=["root", "sudo"])
def test_as_root_or_with_sudo_it_installs_only_what_is_missing(tmp_path, uid, sudo_ok):
    result = run(tmp_path, "run", installed=["libpango-1.0-0"], uid=uid, sudo_ok=sudo_ok)
    assert result.returncode == 0, result.stdout + result.stderr
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert calls == [
        "update -qq",
        "install -y -qq --no-install-recommends "
        "libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 libcairo2",
    ]


def test_running_needs_less_than_testing_and_ci_adds_postgresql(tmp_path):
    assert "chromium" not in run(tmp_path, "run").stdout
    assert "libreoffice" not in run(tmp_path, "run").stdout
    assert "chromium poppler-utils libreoffice-writer-nogui" in run(tmp_path, "test").stdout
    assert run(tmp_path, "ci").stdout.split("'ci': ")[1].split("\n")[0].endswith("postgresql")
    assert run(tmp_path, "anything").returncode == 2
