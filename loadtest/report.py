"""Prints the figures of one `make load` run: `python loadtest/report.py RUN_DIR "WHEN"`."""

import json
import os
import sys
from pathlib import Path

PDF, HEALTHZ = "report PDF", "/healthz"
ORDER = ["question page", "autosave", "task list", "dashboard", "results", "national page"]
PHASES = {
    "mix20": "20 signed-in users + 2 PDF downloaders",
    "mix20-np": "20 signed-in users, no PDF downloads",
    "mix50": "50 signed-in users + 2 PDF downloaders",
    "mix50-np": "50 signed-in users, no PDF downloads",
}
P95_AIM_MS = 500
CPU_NAMES = {"gunicorn": "gunicorn", "postgres": "PostgreSQL", "db_worker": "db_worker"}


def row(name, f):
    return (
        f"  {name:<26}{f['requests']:>8}{f['per_second']:>9.1f}"
        f"{f['p50']:>9.0f}{f['p95']:>9.0f}{f['p99']:>9.0f}{f['errors']:>8}"
    )


def cpu_per_request(run: Path, phase: str, requests: int) -> str:
    """Each process's CPU milliseconds per request answered in the phase (load.sh's readings
    before and after it; bash's `time` for Locust, which shares the cores)."""
    try:
        before, after = (
            json.loads(line) for line in (run / f"{phase}.cpu").read_text().splitlines()
        )
        locust = sum(map(float, (run / f"{phase}.locust-cpu").read_text().split()[-2:]))
    except (OSError, ValueError):
        return "  (no CPU readings)"
    used = {CPU_NAMES[k]: after[k] - before[k] for k in CPU_NAMES} | {"Locust": locust}
    parts = ", ".join(f"{name} {1000 * s / requests:.1f}" for name, s in used.items())
    total = 1000 * sum(used.values()) / requests
    return f"  CPU per request (ms): {parts}; all {total:.1f} ({os.cpu_count()} cores)"


def main(run: Path, when: str) -> None:
    phases = {
        p.stem: json.loads(p.read_text())
        for p in run.glob("*.summary")
        if p.stem not in ("targets", "warmup")
    }
    header = f"  {'page':<26}{'requests':>8}{'req/s':>9}{'median':>9}{'95th':>9}{'99th':>9}"
    header += f"{'errors':>8}"
    print(f"\nLoad test, {when}, {os.cpu_count()} cores (shared: read as +-20 %).")
    shape = f"{os.environ.get('LOAD_WORKERS', '?')} workers x {os.environ.get('LOAD_THREADS', '?')}"
    print(f"gunicorn {shape} threads, production settings, PostgreSQL; times in ms.\n")
    healthz = phases["healthz"]["entries"][HEALTHZ]
    print(f"/healthz alone ({phases['healthz']['users']} users, no wait):")
    print(header)
    print(row(HEALTHZ, healthz))
    print(cpu_per_request(run, "healthz", healthz["requests"]))
    for name, title in PHASES.items():
        phase = phases[name]
        print(f"\n{name}: {title}, {phase['seconds']:.0f} s measured")
        print(header)
        entries = phase["entries"]
        for page in ORDER:
            if page in entries:
                print(row(page, entries[page]))
        print(row("all pages (PDFs excluded)", phase["pages"]))
        if PDF in entries:
            print(row("report PDF (apart)", entries[PDF]))
        requests = sum(f["requests"] for f in entries.values())
        print(cpu_per_request(run, name, requests))
        for error in phase["errors"][:5]:
            print(f"  error: {error}")

    p95 = phases["mix20"]["pages"]["p95"]
    p95_np = phases["mix20-np"]["pages"]["p95"]
    # The mix's throughput is measured without PDF downloads: the task worker drawing them
    # shares the same two cores (mix50 shows their effect, and counts the errors).
    mix = phases["mix50-np"]["pages"]["per_second"]
    with_pdfs = phases["mix50"]["pages"]["per_second"]
    errors = sum(
        f["errors"] for name in ("mix50", "mix50-np") for f in phases[name]["entries"].values()
    )
    share = mix / healthz["per_second"] if healthz["per_second"] else 0

    def verdict(ok):
        return "met" if ok else "NOT met"

    print("\nAims:")
    print(
        f"  95th percentile at 20 users, PDFs excluded: {p95:.0f} ms = "
        f"{p95 / P95_AIM_MS:.2f} x the 500 ms aim ({verdict(p95 < P95_AIM_MS)})"
    )
    print(
        f"  signed-in mix without PDFs at 50 users: {mix:.1f} req/s = {share:.1%} of /healthz's "
        f"{healthz['per_second']:.0f} req/s = {share / 0.10:.2f} x the 10 % aim "
        f"({verdict(share >= 0.10)}); with 2 PDF downloaders {with_pdfs:.1f} req/s = "
        f"{with_pdfs / healthz['per_second']:.1%}"
    )
    print(f"  errors at 50 users: {errors} (aim 0: {verdict(errors == 0)})")
    print(
        f"  PDFs and other pages at 20 users: 95th percentile {p95:.0f} ms with 2 PDF "
        f"downloaders, {p95_np:.0f} ms without ({p95 / p95_np:.2f} x)"
        if p95_np
        else ""
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
