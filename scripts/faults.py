# Runs fixed local commands and opens loopback URLs only:
# ruff: noqa: S603, S607, S310
"""`make faults` (run by scripts/faults.sh, which starts the PostgreSQL cluster and loads the
demo data): scripted faults against gunicorn and the task worker, on loopback only.

1. PostgreSQL stopped (fast, then immediate) and started again under autosave traffic.
2. A task worker killed (SIGKILL) in the middle of a bulk export.
3. A task worker living through a database outage.
4. A gunicorn worker killed (SIGKILL) in the middle of a slow request (a branded questionnaire
   PDF); the board report, drawn by the task worker, answers at once and arrives.

Each prints what happened and PASS or FAIL; the exit status is 1 if any failed. Not a test:
the deterministic parts are in tests/test_worker.py and tests/reports/test_bulk_export.py.
"""

import http.client
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connections  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from assessments.models import Answer, Assessment  # noqa: E402
from assessments.services import assessment_start  # noqa: E402
from demo.management.commands.setup_demo import DEMO_PASSWORD  # noqa: E402
from frameworks.models import FrameworkVersion, Question  # noqa: E402
from maturity.accounts.branding import branding_for, branding_save  # noqa: E402
from organisations.models import ConsultantGrant, Membership, Role  # noqa: E402
from reports import bulk  # noqa: E402
from reports.models import BulkExport  # noqa: E402

PY = str(ROOT / ".venv/bin/python")
PGDIR = os.environ["FAULTS_PGDIR"]
PGPORT = os.environ["FAULTS_PGPORT"]
WORK = Path(os.environ["FAULTS_WORK"])
HOST = f"127.0.0.1:{os.environ['FAULTS_WEB_PORT']}"
BASE = f"http://{HOST}"
UNAVAILABLE = "Sorry, the service is unavailable"
STALE_MINUTES = int(os.environ["BULK_EXPORT_STALE_MINUTES"])

results: list[tuple[str, bool]] = []


def say(text: str) -> None:
    print(f"    {text}", flush=True)


def verdict(name: str, checks: dict[str, bool]) -> None:
    for what, ok in checks.items():
        say(f"{'ok  ' if ok else 'FAIL'} {what}")
    passed = all(checks.values())
    results.append((name, passed))
    print(f"{'PASS' if passed else 'FAIL'} {name}\n", flush=True)


def pg(action: str) -> None:
    """pgcluster_start, pgcluster_stop (fast) or pgcluster_kill (immediate)."""
    subprocess.run(
        ["bash", "-c", f'source scripts/lib/pgcluster.sh; pgcluster_{action} "$@" >/dev/null']
        + ["_", PGDIR]
        + ([PGPORT] if action == "start" else []),
        cwd=ROOT,
        check=True,
    )


def fresh_db() -> None:
    """The next ORM query opens a new connection (the old one may have died with the server)."""
    connections.close_all()


def wait_for(condition, seconds: float, step: float = 0.5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


@dataclass
class Response:
    status: int | None  # None: no HTTP answer at all (connection refused, reset, timed out)
    body: str


class Client:
    """A browser stand-in: keeps cookies, sends the CSRF token."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: dict | None = None, timeout: float = 15) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(BASE + path, data=body)
        if data is not None:
            request.add_header("X-CSRFToken", self.csrf())
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Response(response.status, response.read().decode(errors="replace"))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode(errors="replace"))
        except (OSError, http.client.HTTPException) as error:
            return Response(None, f"{type(error).__name__}: {error}")

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def sign_in(self, email: str) -> bool:
        login = reverse("accounts:login")
        self.request(login)
        page = self.request(
            login,
            {"username": email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": self.csrf()},
        )
        return page.status == 200 and any(c.name == "sessionid" for c in self.jar)


def start_gunicorn() -> subprocess.Popen:
    log = open(WORK / "gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "maturity.wsgi",
            *("--bind", HOST, "--workers", "2", "--threads", "4"),
            *("--timeout", "60", "--graceful-timeout", "5"),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    if not wait_for(lambda: Client().request("/healthz", timeout=2).status == 200, 30):
        sys.exit(f"gunicorn did not start: see {WORK / 'gunicorn.log'}")
    return server


def start_worker(name: str) -> subprocess.Popen:
    log = open(WORK / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [PY, "manage.py", "db_worker", "--no-reload", "--interval", "0.5", "--no-startup-delay"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def gunicorn_workers(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


# 1. PostgreSQL stopped and started under traffic ------------------------------------------


@dataclass
class Autosaver:
    """One signed-in respondent autosaving answers in a loop, one question after another, each
    save with its own text. Remembers every attempt and which ones the server acknowledged."""

    email: str
    client: Client
    urls: dict[int, str]  # question id -> autosave URL
    attempts: dict[int, list[str]] = field(default_factory=dict)
    acknowledged: dict[int, str] = field(default_factory=dict)
    versions: dict[int, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        number = 0
        questions = list(self.urls)
        while not self.stop.is_set():
            qpk = questions[number % len(questions)]
            text = f"Faults drill: {self.email} save {number}"
            self.attempts.setdefault(qpk, []).append(text)
            response = self.client.request(
                self.urls[qpk], {"evidence": text, "version": self.versions.get(qpk, 0)}
            )
            key = str(response.status or "no answer")
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if response.status in (200, 409):
                data = json.loads(response.body)
                self.versions[qpk] = data["version"]
                if response.status == 200:
                    self.acknowledged[qpk] = text
            else:
                time.sleep(0.2)  # as the page's script would, not hammering a broken server
            number += 1

    def lost(self) -> list[str]:
        """Acknowledged saves missing from the database: a question whose stored text is neither
        its last acknowledged save nor a later attempt (which may have been stored unanswered)."""
        user = get_user_model().objects.get(email=self.email)
        stored = dict(
            Answer.objects.filter(respondent=user, question_id__in=list(self.urls)).values_list(
                "question_id", "evidence"
            )
        )
        missing = []
        for qpk, text in self.acknowledged.items():
            tried = self.attempts[qpk]
            if stored.get(qpk) not in tried[tried.index(text) :]:
                missing.append(f"question {qpk}: {text!r} acknowledged, {stored.get(qpk)!r} stored")
        return missing


def outage(kind: str, page: Client, page_url: str) -> dict[str, bool]:
    """Stop PostgreSQL (`stop` fast or `kill` immediate), look at the service, start it again."""
    started = time.monotonic()
    pg(kind)
    say(f"PostgreSQL stopped ({'fast' if kind == 'stop' else 'immediate'} shutdown).")
    time.sleep(1)
    shown = page.request(page_url)
    health = Client().request("/healthz")
    say(f"during the outage: question page {shown.status}, /healthz {health.status} {health.body}")
    time.sleep(3)
    pg("start")
    say(f"PostgreSQL started again after {time.monotonic() - started:.1f}s.")
    back = wait_for(lambda: Client().request("/healthz").status == 200, 30)
    recovered = time.monotonic() - started
    again = page.request(page_url)
    say(f"/healthz 200 again {recovered:.1f}s after the stop; question page {again.status}")
    return {
        f"{kind}: the page is the service's own 'unavailable' page, 503": shown.status == 503
        and UNAVAILABLE in shown.body,
        f"{kind}: no traceback or debug page": "Traceback" not in shown.body
        and "DEBUG = True" not in shown.body,
        f"{kind}: /healthz says 503": health.status == 503,
        f"{kind}: /healthz 200 again, without restarting gunicorn": bool(back),
        f"{kind}: the question page 200 again": again.status == 200,
    }


def fault_database_outage(server: subprocess.Popen) -> None:
    print("Fault 1: PostgreSQL stopped and started under autosave traffic", flush=True)
    lead = get_user_model().objects.get(email="lead@demo.example")
    home = Membership.objects.get(user=lead, role=Role.LEAD).organisation
    version = FrameworkVersion.objects.filter(status="published").order_by("pk").first()
    assessment = assessment_start(
        organisation=home, framework_version=version, round_label="Faults drill", user=lead
    )
    questions = list(
        Question.objects.filter(dimension__framework_version=version).values_list("pk", flat=True)
    )
    args = {"pk": home.pk, "apk": assessment.pk}
    page_url = reverse("assessments:question", kwargs={**args, "qpk": questions[0]})
    savers = []
    for email in ("officer@demo.example", "officer2@demo.example"):
        client = Client()
        if not client.sign_in(email):
            sys.exit(f"Could not sign in as {email}")
        client.request(page_url)
        urls = {q: reverse("assessments:autosave", kwargs={**args, "qpk": q}) for q in questions}
        savers.append(Autosaver(email, client, urls))
    fresh_db()
    threads = [threading.Thread(target=saver.run) for saver in savers]
    for thread in threads:
        thread.start()
    time.sleep(3)
    checks = outage("stop", savers[0].client, page_url)
    time.sleep(3)
    checks |= outage("kill", savers[0].client, page_url)
    time.sleep(3)
    for saver in savers:
        saver.stop.set()
    for thread in threads:
        thread.join()
    fresh_db()
    lost = [line for saver in savers for line in saver.lost()]
    for saver in savers:
        tried = sum(len(texts) for texts in saver.attempts.values())
        say(f"{saver.email}: {tried} autosaves, answers {saver.statuses}")
    for line in lost:
        say(f"lost: {line}")
    acknowledged = sum(len(saver.acknowledged) for saver in savers)
    say(f"{acknowledged} questions' last acknowledged saves checked in the database")
    checks["autosaves acknowledged before and after the outages"] = acknowledged > 0
    checks["no acknowledged save lost"] = not lost
    checks["gunicorn was not restarted"] = server.poll() is None
    verdict("fault 1: PostgreSQL stopped and started under traffic", checks)


# 2 and 3. Task workers --------------------------------------------------------------------


def consultant_export() -> BulkExport:
    consultant = get_user_model().objects.get(email="consultant@demo.example")
    clients = [
        g.organisation for g in ConsultantGrant.objects.active().filter(consultant=consultant)
    ]
    latest = bulk.latest_submissions(organisation_ids=[o.pk for o in clients])
    framework_ids = [fid for (_, fid) in latest]
    framework_id = max(set(framework_ids), key=framework_ids.count)
    chosen = [o for o in clients if (o.pk, framework_id) in latest]
    framework = latest[(chosen[0].pk, framework_id)].framework_version.framework
    return bulk.bulk_export_start(consultant=consultant, framework=framework, organisations=chosen)


def export_state(pk: int) -> tuple[BulkExport, DBTaskResult]:
    export = BulkExport.objects.get(pk=pk)
    return export, DBTaskResult.objects.get(pk=export.task_id)


def fault_worker_killed() -> subprocess.Popen:
    print("Fault 2: a task worker killed (SIGKILL) in the middle of a bulk export", flush=True)
    worker = start_worker("worker-1")
    export = consultant_export()
    say(f"bulk export {export.pk} queued ({export.total} clients); worker {worker.pid} started")
    running = wait_for(
        lambda: BulkExport.objects.filter(pk=export.pk, status="running").exists(), 60, 0.05
    )
    time.sleep(0.3)  # into the first client's PDF
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed_at = time.monotonic()
    stuck, task = export_state(export.pk)
    say(
        f"worker killed while the export was {stuck.status} ({stuck.done} of {stuck.total} done); "
        f"its task is {task.status}"
    )
    replacement = start_worker("worker-2")
    say(f"a new worker {replacement.pid} started; BULK_EXPORT_STALE_MINUTES={STALE_MINUTES}")
    failed = wait_for(
        lambda: BulkExport.objects.filter(pk=export.pk).exclude(status="running").exists(),
        STALE_MINUTES * 60 + 60,
        1,
    )
    export, task = export_state(export.pk)
    say(
        f"{time.monotonic() - killed_at:.0f}s after the kill: export {export.status}, "
        f"task {task.status}; reason: {export.error!r}"
    )
    verdict(
        "fault 2: task worker killed mid-export",
        {
            "the export was running when the worker was killed": bool(running)
            and stuck.status == "running",
            "the export no longer says running": export.status != "running",
            "it failed with a reason (or was finished)": export.status == "done"
            or (export.status == "failed" and "stopped part way" in export.error),
            "its django-tasks-db task no longer says running": task.status != "RUNNING",
            "no half-made zip kept": export.status == "done" or not export.file,
            "within minutes": bool(failed),
        },
    )
    return replacement


def fault_worker_outage(worker: subprocess.Popen) -> None:
    print("Fault 3: a task worker through a database outage", flush=True)
    fresh_db()
    pg("stop")
    say(f"PostgreSQL stopped; worker {worker.pid} left running")
    time.sleep(8)
    alive_during = worker.poll() is None
    pg("start")
    say("PostgreSQL started again after 8s")
    fresh_db()
    export = consultant_export()
    done = wait_for(lambda: BulkExport.objects.filter(pk=export.pk, status="done").exists(), 120, 1)
    log = (WORK / "worker-2.log").read_text()
    waits = re.findall(
        r"The database cannot be reached \((.*)\)\. Trying again in (\d+) seconds?", log
    )
    if waits:
        say(f"worker log, first wait: {waits[0][0].split(' failed: ')[-1]}")
    say(f"worker log: waited {', '.join(s for _, s in waits)} seconds, then carried on")
    state = BulkExport.objects.get(pk=export.pk).status
    say(f"the export queued after the outage: {state}")
    verdict(
        "fault 3: task worker survives a database outage",
        {
            "the worker was still running during the outage": alive_during,
            "it logged that it was waiting for the database": bool(waits),
            "it logged that the database was back": "can be reached again" in log,
            "it built an export queued after the outage": bool(done),
            "it is still running": worker.poll() is None,
        },
    )


# 4. A gunicorn worker killed mid-request --------------------------------------------------


def fault_gunicorn_worker_killed(server: subprocess.Popen) -> None:
    print("Fault 4: a gunicorn worker killed (SIGKILL) while it draws a PDF", flush=True)
    # The board report is drawn by the task worker, so the slow request left in the web tier
    # is a consultant's branded questionnaire (an unbranded one is cached).
    fresh_db()
    consultant = get_user_model().objects.get(email="consultant@demo.example")
    if branding_for(consultant) is None:
        branding_save(
            consultant=consultant, display_name="Demo Advisory", logo=None, remove_logo=False
        )
    visitor = Client()
    visitor.sign_in("consultant@demo.example")
    fv = FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED).latest("pk")
    pdf_url = reverse(
        "frameworks:questionnaire_pdf", kwargs={"slug": fv.framework.slug, "version": fv.version}
    )
    before = gunicorn_workers(server.pid)

    # The slow request, on a connection whose port we know, to find the worker serving it.
    connection = http.client.HTTPConnection(HOST.split(":")[0], int(HOST.split(":")[1]), timeout=30)
    connection.connect()
    port = connection.sock.getsockname()[1]
    cookies = "; ".join(f"{c.name}={c.value}" for c in visitor.jar)
    connection.request("GET", pdf_url, headers={"Cookie": cookies})
    time.sleep(0.3)
    sockets = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( dport = :{port} )"],
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"pid=(\d+)", sockets)
    victim = int(found.group(1)) if found else None
    after_kill = []  # statuses of other requests sent after the kill
    stop = threading.Event()

    def traffic():
        while not stop.is_set():
            sent_after_kill = killed.is_set()
            status = visitor.request("/healthz").status
            if sent_after_kill:
                after_kill.append(status)
            time.sleep(0.05)

    killed = threading.Event()
    background = threading.Thread(target=traffic)
    background.start()
    if victim in before:
        os.kill(victim, signal.SIGKILL)
        say(f"gunicorn worker {victim} killed while serving {pdf_url}")
    killed.set()
    try:
        answer = connection.getresponse()
        outcome = f"HTTP {answer.status}, {len(answer.read())} bytes"
        got_error = answer.status >= 500
    except (OSError, http.client.HTTPException) as error:
        outcome = f"{type(error).__name__}: {error or 'connection closed'}"
        got_error = True
    say(f"the PDF request got: {outcome}")
    replaced = wait_for(lambda: len(gunicorn_workers(server.pid) - before) >= 1, 30)
    after = gunicorn_workers(server.pid)
    time.sleep(2)
    stop.set()
    background.join()
    pdf_again = visitor.request(pdf_url)
    say(f"workers before {sorted(before)}, after {sorted(after)}")
    say(
        f"other requests: {len(after_kill)} sent after the kill, "
        f"{sum(s == 200 for s in after_kill)} answered 200"
    )
    say(f"the PDF asked for again: {pdf_again.status} ({len(pdf_again.body)} characters)")
    # The board report: answered at once with the waiting page, drawn by the task worker.
    reader = Client()
    reader.sign_in("lead@demo.example")
    home = Membership.objects.get(user__email="lead@demo.example", role=Role.LEAD).organisation
    submitted = Assessment.objects.filter(organisation=home, status="submitted").latest("pk")
    report_url = reverse("reports:report_pdf", kwargs={"pk": home.pk, "apk": submitted.pk})
    report_first = reader.request(report_url)
    report_ready = wait_for(lambda: reader.request(report_url).body.startswith("%PDF"), 60, 1)
    say(f"the board report: first {report_first.status}, then the PDF: {bool(report_ready)}")
    verdict(
        "fault 4: gunicorn worker killed mid-request",
        {
            "the worker serving the PDF was found and killed": victim in before,
            "that one request got an error, not a hang": got_error,
            "the master started a new worker": bool(replaced) and len(after) == len(before),
            "other requests carried on (all 200 after the kill)": bool(after_kill)
            and all(s == 200 for s in after_kill),
            "the PDF works again": pdf_again.status == 200,
            "the board report waits for the task worker (202)": report_first.status == 202,
            "the task worker drew the board report": bool(report_ready),
            "the master itself kept running": server.poll() is None,
        },
    )


def main() -> int:
    server = start_gunicorn()
    say(f"gunicorn (2 workers x 4 threads) on {BASE}, master {server.pid}\n")
    worker = None
    try:
        fault_database_outage(server)
        worker = fault_worker_killed()
        fault_worker_outage(worker)
        fault_gunicorn_worker_killed(server)
    finally:
        for process in (worker, server):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
    print("Summary:")
    for name, passed in results:
        print(f"  {'PASS' if passed else 'FAIL'} {name}")
    return 0 if results and all(passed for _, passed in results) else 1


if __name__ == "__main__":
    sys.exit(main())
