"""CPU cost per page of the `make load` mix, measured in one process with Django's test client.

`make load` tells how many requests a second the service answers; this tells where a request's
time goes. It signs in as the load test's people, asks each page of the mix (see
loadtest/locustfile.py) N times, and prints the median wall and CPU milliseconds and the
database queries per page, the mix's weighted average, and optionally the top of a cProfile of
one page or of the whole mix. On a shared machine CPU time still drifts by ±30 % between runs:
compare code before and after by alternating runs and taking each page's lowest figure.

Run it with production-like settings (DEBUG false, so templates are compiled once and cached)
on a database holding the demo data, e.g. an SQLite copy:

    export DATABASE_URL=sqlite:////tmp/prof.sqlite3 DEBUG=false
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py load_frameworks
    .venv/bin/python manage.py setup_demo
    .venv/bin/python loadtest/prepare.py /tmp/prof_targets.json
    .venv/bin/python loadtest/profile_pages.py /tmp/prof_targets.json [-n 50] \
        [--profile "question page"|mix] [--sort tottime|cumulative] [--top 40] [--match RE]

Autosaves change the answers in that database: use a copy, not one that matters. The file is
not a test (pytest collects only tests/), and no timing is asserted anywhere.
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

# The mix of loadtest/locustfile.py's SignedIn user: page name and weight.
MIX = {
    "question page": 4,
    "autosave": 6,
    "task list": 1,
    "dashboard": 2,
    "results": 2,
    "national page": 1,
}


class Pages:
    """Each page of the mix as one request, made the way the load test makes it."""

    def __init__(self, targets: dict):
        self.targets = targets
        self.client = Client(HTTP_HOST="127.0.0.1")
        user = get_user_model().objects.get(email=targets["respondents"][0])
        self.client.force_login(user)
        self.question = targets["questions"][0]
        self.question_page()

    def _get(self, url):
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def question_page(self):
        html = self._get(self.question["page"]).content.decode()
        self.version = int(re.search(r'name="version" value="(\d+)"', html).group(1))
        self.levels = re.findall(r'name="answer"[^>]*?value="([^"]+)"', html)

    def autosave(self):
        response = self.client.post(
            self.question["autosave"],
            data={
                "answer": random.choice(self.levels),  # noqa: S311  (not security)
                "evidence": f"Evidence typed at {time.time():.0f}",
                "version": self.version,
            },
        )
        assert response.status_code == 200, response.status_code
        self.version = response.json()["version"]

    def request(self, name):
        if name == "question page":
            self.question_page()
        elif name == "autosave":
            self.autosave()
        else:
            key = {"task list": "task_list", "national page": "national"}.get(name, name)
            self._get(self.targets[key])


def measure(pages: Pages, name: str, n: int) -> tuple[float, float, int]:
    """Median wall and CPU milliseconds, and queries, of one request of this page, after a
    warm-up. CPU time (this process's) varies less than wall time on a shared machine."""
    for _ in range(3):
        pages.request(name)
    wall, cpu = [], []
    with CaptureQueriesContext(connection) as queries:
        for _ in range(n):
            started, started_cpu = time.perf_counter(), time.process_time()
            pages.request(name)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu), len(queries) // n


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", help="JSON written by loadtest/prepare.py")
    parser.add_argument("-n", type=int, default=50, help="requests per page (default 50)")
    parser.add_argument("--profile", help="a page name from the mix, or 'mix' for all of it")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--top", type=int, default=40, help="profile lines to print")
    parser.add_argument("--match", default="", help="print only profile lines matching this")
    args = parser.parse_args()

    pages = Pages(json.loads(Path(args.targets).read_text()))
    print(f"DEBUG={settings.DEBUG} database={connection.vendor} n={args.n}")
    print(f"{'page':<15}{'wall ms':>8}{'CPU ms':>8}{'queries':>9}")
    results = {}
    for name in MIX:
        results[name] = wall, cpu, queries = measure(pages, name, args.n)
        print(f"{name:<15}{wall:>8.1f}{cpu:>8.1f}{queries:>9}")
    weights = sum(MIX.values())
    wall = sum(results[name][0] * w for name, w in MIX.items()) / weights
    cpu = sum(results[name][1] * w for name, w in MIX.items()) / weights
    print(f"{'mix (weighted)':<15}{wall:>8.1f}{cpu:>8.1f}")

    if args.profile:
        names = list(MIX) if args.profile == "mix" else [args.profile]
        profile = cProfile.Profile()
        profile.enable()
        for name in names:
            for _ in range(args.n * (MIX[name] if args.profile == "mix" else 1)):
                pages.request(name)
        profile.disable()
        pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.match, args.top)


if __name__ == "__main__":
    main()
