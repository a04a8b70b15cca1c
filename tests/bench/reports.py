"""PDF report benchmark: the board report for the largest built-in framework, cold and warm, split
into its parts (database + Python, template, WeasyPrint), next to a plain WeasyPrint document with
the same number of pages and about the same amount of text; then the same report as a Word
document (python-docx, charts drawn by cairosvg); then both again once the lead has added an
improvement plan and evidence files.

`python -m tests.bench.reports`. Prints timings; never fails on a number. Runs against a
throwaway test database (in memory for SQLite; `test_<name>` on PostgreSQL).
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils.html import escape  # noqa: E402

RUNS = 5
PEERS = 12  # of the same kind: enough for a median and quartiles in the peer table
AIM_WARM_MS = 1500
AIM_RATIO = 2.0
AIM_DOCX_MS = 500
TEXT_BLOCK = re.compile(r"<(?:p|h[1-6]|td|th|li|dt|dd)[ >]")


def timed_together(cases: dict, runs=RUNS) -> dict[str, tuple[float, float]]:
    """Median and min (ms) of each case, running the cases in turn, `runs` rounds."""
    samples = {name: [] for name in cases}
    for _ in range(runs):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: (statistics.median(s), min(s)) for name, s in samples.items()}


def pdf_facts(pdf: bytes) -> tuple[int, str]:
    """Page count (pdfinfo) and text (pdftotext) of a PDF, both from poppler-utils."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(
            ["pdfinfo", handle.name], capture_output=True, text=True, check=True
        ).stdout
        text = subprocess.run(
            ["pdftotext", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1)), text


def weasyprint_import_ms() -> float:
    """What `import weasyprint` costs in a fresh interpreter (paid by the first PDF only)."""
    code = (
        "import time; t = time.perf_counter(); import weasyprint; "
        "print((time.perf_counter() - t) * 1000)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    try:
        return float(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return float("nan")


def largest_with_grid():
    """The largest built-in version with a layer axis: its report adds the lens-by-layer grid."""
    from frameworks.builtin import library_files
    from frameworks.models import FrameworkVersion, Question

    builtin = {path.parent.name for path in library_files()}
    versions = FrameworkVersion.objects.filter(
        status="published", framework__slug__in=builtin, facets__layer_axis=True
    ).distinct()
    return max(
        versions,
        key=lambda fv: Question.objects.filter(dimension__framework_version=fv).count(),
        default=None,
    )


def collecting_ms(fn, runs=RUNS) -> tuple[float, int]:
    """Median time (ms) the garbage collector took inside `fn`, and how many full collections
    the runs set off in all (gc.callbacks)."""
    import gc

    started, spent, full = [], [], []

    def record(phase, info):
        if phase == "start":
            started.append(time.perf_counter())
        else:
            spent[-1] += time.perf_counter() - started.pop()
            full.extend([1] if info["generation"] == 2 else [])

    for _ in range(runs):
        spent.append(0.0)
        gc.callbacks.append(record)
        try:
            fn()
        finally:
            gc.callbacks.remove(record)
    return statistics.median(spent) * 1000, len(full)


def cpu_ms(fn, runs=RUNS) -> float:
    """Median CPU time of this process (ms): steadier than the clock on a shared machine."""
    samples = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def submit(org, fv, questions, level_for, *, round_label, lead, respondents=()):
    """A submitted assessment: respondents' own answers, then an agreed answer per question."""
    from assessments import services

    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label=round_label, user=lead
    )
    for n, person in enumerate(respondents):
        for q in questions:
            services.answer_save(
                assessment=assessment,
                question=q,
                respondent=person,
                data=services.AnswerData(state="level", level=1 + (q.pk + n) % 5),
                base_version=0,
            )
    for q in questions:
        level = level_for(q)
        services.agreed_answer_save(
            assessment=assessment,
            question=q,
            lead=lead,
            data=services.AnswerData(
                state="level",
                level=level,
                target_level=min(5, level + 1 + q.pk % 2),
                evidence=f"Evidence for {q.slug}: the register, the board paper, the audit.",
                rationale="Agreed at the workshop.",
            ),
            base_version=0,
        )
    return services.assessment_submit(assessment=assessment, user=lead)


def build_assessment(fv):
    from frameworks.models import Question
    from organisations.models import Organisation, Role
    from tests.factories import MembershipFactory, OrganisationFactory, release

    questions = list(
        Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position"
        )
    )
    kind = Organisation.Kind.UNITARY
    for n in range(PEERS):
        peer = OrganisationFactory(kind=kind, name=f"Peer Unitary Council {n}")
        peer_lead = MembershipFactory(organisation=peer, role=Role.LEAD).user
        submit(
            peer,
            fv,
            questions,
            lambda q, n=n: 1 + (q.pk + n) % 5,
            round_label="2026/27",
            lead=peer_lead,
        )
    # Bodies of other kinds, so that the unitary authorities are not nearly "all" (which would
    # withhold their figures), then released as a platform admin releases them: the peer chart
    # and table show figures.
    for other in (Organisation.Kind.DISTRICT, Organisation.Kind.COUNTY):
        for _ in range(3):
            peer = OrganisationFactory(kind=other)
            peer_lead = MembershipFactory(organisation=peer, role=Role.LEAD).user
            submit(peer, fv, questions, lambda q: 2, round_label="2026/27", lead=peer_lead)
    release(fv)
    me = OrganisationFactory(kind=kind, name="Bench Unitary Council")
    lead = MembershipFactory(organisation=me, role=Role.LEAD).user
    respondents = [MembershipFactory(organisation=me, role=Role.RESPONDENT).user for _ in range(3)]
    submit(me, fv, questions, lambda q: 1 + q.pk % 4, round_label="2025/26", lead=lead)
    assessment = submit(
        me,
        fv,
        questions,
        lambda q: 2 + q.pk % 4,
        round_label="2026/27",
        lead=lead,
        respondents=respondents,
    )
    return assessment, len(questions)


def plain_html(pages: int, chars: int, paragraphs: int | None = None) -> str:
    """Paragraphs only, spread evenly over `pages` pages, same fonts and page rules as the
    report; no tables, no SVG. By default long paragraphs (about 600 characters each)."""
    sentence = (
        "The council keeps a register of its data, systems and technology, reviews it each "
        "quarter and reports the gaps to the board with a named owner for each. "
    )
    paragraphs = paragraphs or max(pages, chars // 600)
    length = max(1, chars // paragraphs)
    text = (sentence * (length // len(sentence) + 1))[:length].strip()
    body = []
    for n in range(pages):
        count = paragraphs // pages + (1 if n < paragraphs % pages else 0)
        body.append(
            f"<section{' class=first' if n == 0 else ''}><h2>Page {n + 1}</h2>"
            + f"<p>{escape(text)}</p>" * count
            + "</section>"
        )
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Plain</title>'
        "<style>"
        '@page { size: A4; margin: 22mm 18mm 20mm 18mm; font-family: "Liberation Sans", Arial,'
        " sans-serif; @bottom-right { content: 'Page ' counter(page) ' of ' counter(pages);"
        ' font-size: 8.5pt; font-family: "Liberation Sans", Arial, sans-serif; } }'
        'body { font-family: "Liberation Sans", Arial, sans-serif; font-size: 10.5pt;'
        " line-height: 1.4; color: #0b0c0c; }"
        "h2 { font-size: 16pt; } section { break-before: page; } section.first"
        " { break-before: auto; }"
        "</style></head><body>" + "".join(body) + "</body></html>"
    )


def profile_report(assessment, top=25):
    import cProfile
    import io
    import pstats

    from reports.report import render_pdf

    profiler = cProfile.Profile()
    profiler.enable()
    render_pdf(assessment=assessment)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print("\ncProfile of one warm render_pdf (cumulative, top entries):")
    print(out.getvalue())


ACTIONS = 8
FILES = 6


def add_plan_and_files(assessment):
    """What a lead adds before the board sees it: actions on the lowest agreed answers (owners,
    due dates, one overdue, notes) and evidence files on agreed answers (rows only: the report
    lists files, it never opens them)."""
    import hashlib
    import secrets
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import AgreedAnswer, EvidenceFile, EvidenceLink
    from improvement.services import action_create, action_note_add

    lead = assessment.created_by
    lowest = list(
        AgreedAnswer.objects.filter(assessment=assessment, level__isnull=False)
        .select_related("question__dimension")
        .order_by("level", "question_id")
    )
    today = timezone.localdate()
    for n, answer in enumerate(lowest[:ACTIONS]):
        action = action_create(
            assessment=assessment,
            by=lead,
            title=f"Close the gap on {answer.question.text[:80]}",
            description="Agreed at the leadership team; reported quarterly to the board.",
            dimension=answer.question.dimension,
            questions=[answer.question],
            target_level=answer.level + 1,
            owner=lead,
            due_date=today + timedelta(days=30 * n - 20),
        )
        action_note_add(action=action, by=lead, text="Scoped and funded.")
    for n, answer in enumerate(lowest[:FILES]):
        stored = EvidenceFile.objects.create(
            organisation_id=assessment.organisation_id,
            key=f"evidence/{secrets.token_urlsafe(32)}",
            name=f"Board-paper-{n + 1}.pdf",
            kind="pdf",
            size=120_000 + n,
            sha256=hashlib.sha256(str(n).encode()).hexdigest(),
            uploaded_by=lead,
        )
        EvidenceLink.objects.create(file=stored, assessment=assessment, agreed_answer=answer)


def with_plan_bench(assessment):
    from reports.docx import render_docx
    from reports.report import render_pdf

    add_plan_and_files(assessment)
    pages, _ = pdf_facts(render_pdf(assessment=assessment))
    timed = timed_together(
        {
            "pdf": lambda: render_pdf(assessment=assessment),
            "docx": lambda: render_docx(assessment=assessment),
        }
    )
    print(
        f"\n  with {ACTIONS} actions (each with a note) and {FILES} evidence files added: PDF "
        f"{pages} pages, render_pdf warm median {timed['pdf'][0]:.0f} ms ({timed['pdf'][1]:.0f}); "
        f"render_docx warm median {timed['docx'][0]:.0f} ms ({timed['docx'][1]:.0f})"
    )


def docx_bench(assessment):
    """The Word document of the same report, made in the request (reports.views.report_docx)."""
    import cairosvg

    from reports.docx import CHART_PIXELS, build_docx, render_docx
    from reports.report import report_context

    start = time.perf_counter()
    first = render_docx(assessment=assessment)
    cold = (time.perf_counter() - start) * 1000
    context = {**report_context(assessment=assessment), "branding": None}
    charts = [context[key] for key in ("radar", "peer_chart", "trend_chart") if context[key]]

    def pictures():
        for svg in charts:
            cairosvg.svg2png(
                bytestring=svg.encode(), output_width=CHART_PIXELS, background_color="white"
            )

    r = timed_together(
        {
            "docx": lambda: render_docx(assessment=assessment),
            "build": lambda: build_docx(context),
            "charts": pictures,
        }
    )

    def show(key):
        return f"{r[key][0]:.0f} ms ({r[key][1]:.0f})"

    print(f"\n  Word document: {len(first) / 1024:.0f} KiB, {len(charts)} charts as PNG")
    print(f"  render_docx, cold (first in process, imports included): {cold:.0f} ms")
    print(
        f"  render_docx, warm: median {show('docx')} (aim: under {AIM_DOCX_MS} ms) "
        f"-> {r['docx'][0] / AIM_DOCX_MS:.2f} of aim"
    )
    print(f"    of which building the document from the context: {show('build')}")
    print(f"      of which drawing the charts to PNG (cairosvg): {show('charts')}")
    print(
        f"  render_docx, warm, CPU time of this process: median "
        f"{cpu_ms(lambda: render_docx(assessment=assessment)):.0f} ms"
    )


def bench():
    from maturity.pdf import fewer_collections, html_document, html_to_pdf
    from reports.report import render_pdf, report_context
    from tests.factories import largest_builtin

    fv = largest_builtin()
    assessment, question_count = build_assessment(fv)
    print(
        f"Report for {fv.framework.slug} {fv.version} ({question_count} questions, "
        f"{fv.dimensions.count()} dimensions), {PEERS} peers of the same kind, previous round; "
        f"median of {RUNS} runs (min in brackets)\n"
    )
    import_ms = weasyprint_import_ms()

    start = time.perf_counter()
    pdf = render_pdf(assessment=assessment)
    cold = (time.perf_counter() - start) * 1000
    pages, text = pdf_facts(pdf)

    context = {**report_context(assessment=assessment), "branding": None}
    html = render_to_string("reports/report.html", context)
    plain = plain_html(pages, len(text))
    plain_pages, _ = pdf_facts(html_to_pdf(plain))
    # The report's text sits in many small blocks (table cells, headings, short paragraphs), and
    # WeasyPrint's cost follows the number of text boxes more than the number of characters.
    blocks = len(TEXT_BLOCK.findall(html))
    short = plain_html(pages, len(text), paragraphs=blocks)
    short_pages, _ = pdf_facts(html_to_pdf(short))

    # Parsed and collected as html_to_pdf does (maturity.pdf).
    def layout():
        with fewer_collections():
            return html_document(html).render(pdf_variant="pdf/ua-1")

    def write():
        with fewer_collections():
            return document.write_pdf(pdf_variant="pdf/ua-1")

    document = layout()
    # Interleaved, so that a busy shared machine slows every case alike.
    r = timed_together(
        {
            "warm": lambda: render_pdf(assessment=assessment),
            "context": lambda: report_context(assessment=assessment),
            "template": lambda: render_to_string("reports/report.html", context),
            "weasyprint": lambda: html_to_pdf(html),
            "layout": layout,
            "write": write,
            "plain": lambda: html_to_pdf(plain),
            "short": lambda: html_to_pdf(short),
        }
    )
    warm, warm_best = r["warm"]
    plain_ms, plain_best = r["plain"]
    short_ms = r["short"][0]

    def show(key):
        return f"{r[key][0]:.0f} ms ({r[key][1]:.0f})"

    print(f"  PDF: {pages} pages, {len(pdf) / 1024:.0f} KiB, {len(text):,} characters of text")
    print(
        f"  render_pdf, cold (first in process, includes import weasyprint): {cold:.0f} ms "
        f"(import weasyprint alone, fresh process: {import_ms:.0f} ms)"
    )
    print(
        f"  render_pdf, warm: median {show('warm')} (aim: under {AIM_WARM_MS} ms) "
        f"-> {warm / AIM_WARM_MS:.2f} of aim"
    )
    print("  where the warm time goes:")
    print(f"    report_context (database + Python): {show('context')}")
    print(f"    HTML template render ({len(html) / 1024:.0f} KiB): {show('template')}")
    print(f"    html_to_pdf of that HTML (WeasyPrint): {show('weasyprint')}")
    collecting, full = collecting_ms(lambda: html_to_pdf(html))
    print(
        f"      of which garbage collection: median {collecting:.0f} ms, {full} full "
        f"collection(s) in {RUNS} runs"
    )
    print(f"      of which layout (HTML.render): {show('layout')}")
    print(f"      and drawing + writing the PDF/UA-1 file (write_pdf): {show('write')}")
    print(
        f"  plain WeasyPrint document, {plain_pages} pages of long paragraphs, same fonts, "
        f"same characters, no tables or SVG: median {show('plain')}"
    )
    if plain_pages != pages:
        print(f"    (page counts differ: report {pages}, plain {plain_pages})")
    ratio = warm / plain_ms
    print(
        f"  ratio report / plain: {ratio:.2f} ({warm_best / plain_best:.2f} on the best runs) "
        f"(aim: under {AIM_RATIO:.0f}) -> {ratio / AIM_RATIO:.2f} of aim"
    )
    print(
        f"  for context, the same text as {blocks} short paragraphs (one per table cell, heading "
        f"and paragraph of the report), {short_pages} pages: median {show('short')}; "
        f"report / that: {warm / short_ms:.2f} (no aim)"
    )
    print(
        f"  render_pdf, warm, CPU time of this process: median "
        f"{cpu_ms(lambda: render_pdf(assessment=assessment)):.0f} ms (the clock above also "
        "counts waiting for a core on a busy machine)"
    )
    grid_fv = largest_with_grid()
    if grid_fv is not None and grid_fv != fv:
        grid_assessment, grid_questions = build_assessment(grid_fv)
        grid_pages, _ = pdf_facts(render_pdf(assessment=grid_assessment))
        g = timed_together({"grid": lambda: render_pdf(assessment=grid_assessment)})["grid"]
        print(
            f"  with a lens-by-layer grid, {grid_fv.framework.slug} {grid_fv.version} "
            f"({grid_questions} questions, {grid_pages} pages): render_pdf warm median "
            f"{g[0]:.0f} ms ({g[1]:.0f}) (aim: under {AIM_WARM_MS} ms)"
        )
    docx_bench(assessment)
    with_plan_bench(assessment)
    if os.environ.get("BENCH_PROFILE"):
        profile_report(assessment)
    elif warm > AIM_WARM_MS or ratio > AIM_RATIO:
        print("  over aim: BENCH_PROFILE=1 python -m tests.bench.reports adds a cProfile")


def main():
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        print(f"\nDatabase: {connection.vendor}")
        bench()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
