"""Dashboard benchmark: server time with 200 and 2,000 bodies, then requests per second under
gunicorn with wrk next to a trivial view measured in the same run.

Seeds a throwaway SQLite file (stored scores only: dashboards never read answers).
"""

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = ("2023/24", "2024/25", "2025/26")


def seed(count: int, fv, rng: random.Random):
    from django.utils import timezone

    from assessments.models import Assessment, Score
    from frameworks.models import Dimension
    from organisations.models import Organisation

    dimensions = list(Dimension.objects.filter(framework_version=fv))
    kinds = [k for k, _ in Organisation.Kind.choices]
    regions = [r for r, _ in Organisation.Region.choices]
    sizes = [s for s, _ in Organisation.SizeBand.choices]
    start = Organisation.objects.count()
    orgs = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench body {start + n}",
            kind=kinds[n % len(kinds)] if n % 3 else Organisation.Kind.UNITARY,
            region=rng.choice(regions),
            code=f"B{start + n:07d}",
            size_band=rng.choice(sizes),
        )
        for n in range(count)
    )
    assessments = []
    for org in orgs:
        for i, label in enumerate(ROUNDS):
            assessments.append(
                Assessment(
                    organisation=org,
                    framework_version=fv,
                    round_label=label,
                    status=Assessment.Status.SUBMITTED,
                    submitted_at=timezone.now() - timezone.timedelta(days=365 * (3 - i)),
                )
            )
    assessments = Assessment.objects.bulk_create(assessments)
    scores = []
    for assessment in assessments:
        values = [min(5.0, max(1.0, rng.gauss(2.8, 0.7))) for _ in dimensions]
        scores.append(
            Score(
                assessment=assessment,
                scope=Score.Scope.OVERALL,
                value=sum(values) / len(values),
                band_value=int(sum(values) / len(values)),
            )
        )
        for d, v in zip(dimensions, values, strict=True):
            scores.append(
                Score(
                    assessment=assessment,
                    scope=Score.Scope.DIMENSION,
                    dimension=d,
                    value=v,
                    band_value=int(v),
                    target=min(5.0, v + 1),
                )
            )
    Score.objects.bulk_create(scores, batch_size=2000)
    from assessments.services import refresh_latest_submissions

    refresh_latest_submissions(framework_version_ids=[fv.pk])
    from benchmarks.services import peer_figures_release, peer_values_rebuild

    peer_values_rebuild(framework_version_ids=[fv.pk])
    peer_figures_release(framework_version_ids=[fv.pk], audit=False)
    return orgs


def timed_get(client, url, runs=41):
    client.get(url)
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    return statistics.median(samples)


def wrk(url: str, cookie: str) -> float | None:
    if not shutil.which("wrk"):
        return None
    result = subprocess.run(
        ["wrk", "-t2", "-c32", "-d8s", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    for line in result.stdout.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return None


def main():
    workdir = Path(tempfile.mkdtemp(prefix="maturity-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.test import Client

    from frameworks.builtin import library_load
    from frameworks.models import FrameworkVersion
    from organisations.models import Membership, Role

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    library_load()
    fv = FrameworkVersion.objects.get(framework__slug="data-systems-technology")
    rng = random.Random(2026)
    orgs = seed(200, fv, rng)
    viewer = orgs[0]
    user = get_user_model().objects.create_user("bench@bench.example", "bench-password-2026")
    Membership.objects.create(user=user, organisation=viewer, role=Role.LEAD)
    client = Client()
    client.force_login(user)
    url = f"/organisations/{viewer.pk}/dashboards/{fv.framework.slug}/?group=all"
    small = timed_get(client, url)
    seed(1800, fv, rng)
    large = timed_get(client, url)
    print("\nDashboard (data-systems-technology, 3 rounds each, peer group: all)")
    print(f"  200 bodies:   median {small:.1f} ms")
    print(f"  2,000 bodies: median {large:.1f} ms (aim: under 50 ms)")
    print(f"  ratio 2,000/200: {large / small:.2f} (aim: under 1.5)")

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    port = 8765
    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "maturity.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        time.sleep(3)
        trivial = wrk(f"http://127.0.0.1:{port}/healthz", cookie)
        board = wrk(f"http://127.0.0.1:{port}{url}", cookie)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    if trivial is None or board is None:
        print("  wrk not installed: requests-per-second comparison skipped (apt-get install wrk)")
        return
    print("Under gunicorn (2 sync workers), wrk -t2 -c32 -d8s, same run:")
    print(f"  trivial view (/healthz): {trivial:.0f} req/s")
    print(f"  dashboard, 2,000 bodies: {board:.0f} req/s")
    print(f"  dashboard / trivial: {board / trivial:.2f} (aim: at least 0.10)")


if __name__ == "__main__":
    main()
