"""The load mix for `make load` (scripts/load.sh runs it headless, one phase at a time).

Signed-in people mix the pages they use most: answering questions (each keystroke pause
autosaves), the task list, the dashboard, results and the national picture. A few others
download PDF reports. `/healthz` is measured alone in its own phase. Weights and wait times are
fixed here so that runs compare.

Environment: LOAD_TARGETS (JSON from loadtest/prepare.py), LOAD_SESSIONS (a file where
sign-ins are kept between phases), LOAD_SUMMARY (where this phase's figures are written).
"""

import json
import os
import random
import re
import time
from http.cookiejar import DefaultCookiePolicy
from itertools import count
from pathlib import Path

import gevent.lock
from gevent.event import Event
from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.stats import StatsEntry

TARGETS = json.loads(Path(os.environ["LOAD_TARGETS"]).read_text())
SESSIONS = Path(os.environ["LOAD_SESSIONS"])
PDF = "report PDF"
HEALTHZ = "/healthz"

_numbers = count()
_sign_in_lock = gevent.lock.Semaphore()
_ready = Event()
_started = count(1)


# Cookies go in a header each user sets itself: its session may be shared (see sign_in).
NO_COOKIES = DefaultCookiePolicy(allowed_domains=[])


def _header(jar) -> str:
    """Production's cookies are Secure: the client keeps them but will not send them over
    plain HTTP, so they go in a header."""
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


class _Measured(FastHttpUser):
    """Measuring starts once every user of the phase has signed in (sign-ins are not the mix)."""

    abstract = True

    def on_start(self):
        try:
            self.prepare()
        except Exception:
            self.environment.runner.quit()  # a phase without its users would measure nothing
            raise
        if next(_started) >= self.environment.parsed_options.num_users:
            self.environment.runner.stats.reset_all()
            _ready.set()
        _ready.wait()

    def prepare(self):
        pass

    def sign_in(self, email: str) -> None:
        """Several simulated users share one person's session, as tabs do: a sign-in costs
        ~1 s of hashing, which would swamp the mix, so each person signs in once per run."""
        with _sign_in_lock:
            saved = json.loads(SESSIONS.read_text()) if SESSIONS.exists() else {}
            if email not in saved:
                page = self.client.get("/account/sign-in/", name="sign in")
                response = self.client.post(
                    "/account/sign-in/",
                    data={
                        "username": email,
                        "password": TARGETS["password"],
                        "csrfmiddlewaretoken": _csrf(page.text),
                    },
                    headers={"Cookie": _header(self.client.cookiejar)},
                    name="sign in",
                    allow_redirects=False,
                )
                if response.status_code != 302:
                    raise RuntimeError(f"Signing in as {email} failed ({response.status_code}).")
                cookies = {c.name: c.value for c in self.client.cookiejar}
                saved[email] = {"cookies": cookies}
                SESSIONS.write_text(json.dumps(saved))
        self.client.cookiejar.clear()
        self.client.cookiejar.set_policy(NO_COOKIES)
        self.cookie = "; ".join(f"{k}={v}" for k, v in saved[email]["cookies"].items())
        self.csrf = saved[email]["cookies"]["csrftoken"]

    def get(self, url, name):
        return self.client.get(url, name=name, headers={"Cookie": self.cookie})


class SignedIn(_Measured):
    """A respondent answering questions and looking at results and benchmarks."""

    wait_time = between(0.1, 0.5)
    weight = 10

    def prepare(self):
        # Each simulated user answers a different question as one of three people, so
        # autosaves never conflict with another user's edit of the same answer.
        n = next(_numbers)
        respondents = TARGETS["respondents"]
        self.sign_in(respondents[n % len(respondents)])
        questions = TARGETS["questions"]
        self.question = questions[(n // len(respondents)) % len(questions)]
        self.question_page()

    @task(4)
    def question_page(self):
        html = self.get(self.question["page"], "question page").text
        self.version = int(re.search(r'name="version" value="(\d+)"', html).group(1))
        self.levels = re.findall(r'name="answer"[^>]*?value="([^"]+)"', html)

    @task(6)
    def autosave(self):
        response = self.client.post(
            self.question["autosave"],
            data={
                "answer": random.choice(self.levels),  # noqa: S311  (not security)
                "evidence": f"Evidence typed at {time.time():.0f}",
                "version": self.version,
            },
            headers={"Cookie": self.cookie, "X-CSRFToken": self.csrf},
            name="autosave",
        )
        if response.status_code == 200:
            self.version = response.json()["version"]

    @task(1)
    def task_list(self):
        self.get(TARGETS["task_list"], "task list")

    @task(2)
    def dashboard(self):
        self.get(TARGETS["dashboard"], "dashboard")

    @task(2)
    def results(self):
        self.get(TARGETS["results"], "results")

    @task(1)
    def national(self):
        self.get(TARGETS["national"], "national page")


class PdfDownloader(_Measured):
    """Two people downloading the draft's report as PDF now and then. The task worker draws it
    (answers change all the time, so every download is a new render) while the waiting page
    checks again every 2 seconds, as a browser does."""

    wait_time = between(2, 5)
    fixed_count = 2

    def prepare(self):
        self.sign_in("lead@demo.example")

    @task
    def report(self):
        response = self.get(TARGETS["report_pdf"], PDF)
        for _ in range(30):
            if response.status_code != 202:
                break
            gevent.sleep(2)  # as the page's script does (static/js/report-waiting.js)
            check_again = re.search(r'data-check-url="([^"]+)"', response.text).group(1)
            response = self.get(check_again.replace("&amp;", "&"), PDF)


class Healthz(FastHttpUser):
    """The load balancer's probe, as fast as it will go: the ceiling for one database trip."""

    wait_time = constant(0)

    @task
    def healthz(self):
        self.client.get("/healthz", name=HEALTHZ)


def _figures(entry: StatsEntry) -> dict:
    return {
        "requests": entry.num_requests,
        "errors": entry.num_failures,
        "per_second": entry.total_rps,
        "p50": entry.get_response_time_percentile(0.5),
        "p95": entry.get_response_time_percentile(0.95),
        "p99": entry.get_response_time_percentile(0.99),
    }


@events.quitting.add_listener
def _write_summary(environment, **kwargs):
    stats = environment.runner.stats
    pages = StatsEntry(stats, "pages", "")
    for entry in stats.entries.values():
        if entry.name not in (PDF, HEALTHZ, "sign in"):
            pages.extend(entry)
    summary = {
        "users": environment.parsed_options.num_users,
        "seconds": (stats.total.last_request_timestamp or 0) - stats.total.start_time,
        "entries": {entry.name: _figures(entry) for entry in stats.entries.values()},
        "pages": _figures(pages),
        "errors": [f"{e.name}: {e.error} ({e.occurrences})" for e in stats.errors.values()]
        + [f"{e['msg']} ({e['count']})" for e in environment.runner.exceptions.values()],
    }
    Path(os.environ["LOAD_SUMMARY"]).write_text(json.dumps(summary, indent=2))
