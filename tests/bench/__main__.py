"""`make bench`: prints timings. Never part of the test suite and never fails on a number.

Runs against a throwaway test database (in memory for SQLite; `test_<name>` on PostgreSQL).
"""

import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from frameworks.builtin import library_files  # noqa: E402
from frameworks.fileformat import dump_framework, parse_framework  # noqa: E402
from frameworks.services import framework_version_import  # noqa: E402
from tests.factories import make_spec  # noqa: E402

RUNS = 7


def timed(fn, runs=RUNS):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples)


def import_once(data: bytes, filename: str):
    def run():
        with transaction.atomic():
            spec = parse_framework(
                data, filename=filename, max_bytes=settings.FRAMEWORK_FILE_MAX_BYTES
            )
            framework_version_import(spec=spec, publish=True)
            transaction.set_rollback(True)

    return run


def bench_assessments():
    from assessments import services
    from frameworks.builtin import library_load
    from frameworks.models import FrameworkVersion, Question
    from organisations.models import Role
    from tests.factories import MembershipFactory, OrganisationFactory

    library_load()
    builtin = {path.parent.name for path in library_files()}
    largest = max(
        FrameworkVersion.objects.filter(status="published", framework__slug__in=builtin),
        key=lambda fv: Question.objects.filter(dimension__framework_version=fv).count(),
    )
    questions = list(Question.objects.filter(dimension__framework_version=largest))
    org = OrganisationFactory()
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    assessment = services.assessment_start(
        organisation=org, framework_version=largest, round_label="bench", user=lead
    )
    client = Client()
    client.force_login(lead)
    question = questions[0]
    url = f"/organisations/{org.pk}/assessments/{assessment.pk}/questions/{question.pk}/autosave/"
    version = {"n": 0}

    def autosave():
        response = client.post(
            url,
            {
                "answer": str(1 + version["n"] % 5),
                "evidence": f"Evidence {version['n']}",
                "version": version["n"],
            },
        )
        assert response.status_code == 200, response.content
        version["n"] = response.json()["version"]

    autosave()
    median, best = timed(autosave, runs=101)
    print(
        f"\nAutosave request (in-process, signed in, audited): median {median:.1f} ms "
        f"({best:.1f} best) (aim: under 15 ms) -> {median / 15:.2f} of aim"
    )

    for q in questions:
        services.agreed_answer_save(
            assessment=assessment,
            question=q,
            lead=lead,
            data=services.AnswerData(state="level", level=1 + q.pk % 5, target_level=5),
            base_version=0,
        )

    def submit():
        with transaction.atomic():
            services.assessment_submit(assessment=assessment, user=lead)
            transaction.set_rollback(True)
        assessment.refresh_from_db()

    median, best = timed(submit, runs=21)
    print(
        f"Submit with scoring, {largest.name} ({len(questions)} questions): median "
        f"{median:.1f} ms ({best:.1f} best) (aim: under 100 ms) -> {median / 100:.2f} of aim"
    )


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        print(f"Database: {connection.vendor}; median of {RUNS} runs (min in brackets)\n")
        print(f"{'framework file':<48} {'questions':>9} {'parse+import+publish':>22}")
        cases = [(f"{p.parent.name}/{p.name}", p.read_bytes(), True) for p in library_files()]
        generated = dump_framework(make_spec(slug="generated", dimensions=10, questions=20))
        cases.append(("generated (10 dimensions x 20 questions)", generated.encode(), False))
        results = {}
        for name, data, keep in cases:
            spec = parse_framework(data, filename="f.yaml", max_bytes=10**8)
            median, best = timed(import_once(data, "f.yaml"))
            results[name] = median
            print(f"{name:<48} {spec.question_count:>9} {median:>12.1f} ms ({best:.1f})")
            if keep:
                # Kept, so that the next version's crosswalk finds the version it names.
                framework_version_import(spec=spec, publish=True)

        parse_median, _ = timed(
            lambda: parse_framework(generated.encode(), filename="g.yaml", max_bytes=10**8)
        )
        print(f"\n200-question file, parse and validate only: {parse_median:.1f} ms")
        aim = results["generated (10 dimensions x 20 questions)"]
        print(f"200-question import: {aim:.1f} ms (aim: under 1000 ms) -> {aim / 1000:.2f} of aim")

        fv = framework_version_import(spec=make_spec(slug="page", dimensions=10, questions=20))
        from frameworks.services import framework_version_publish

        framework_version_publish(framework_version=fv)
        client = Client()
        url = fv.get_absolute_url()
        client.get(url)
        page_median, page_best = timed(lambda: client.get(url))
        print(
            f"Version page with 200 questions (1,000 level rows): {page_median:.1f} ms "
            f"({page_best:.1f})"
        )
        export_median, _ = timed(lambda: client.get(url + "download.yaml"))
        print(f"Export of the 200-question version as YAML: {export_median:.1f} ms")
        bench_assessments()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
