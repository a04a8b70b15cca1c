"""Bulk export benchmark: 20 client bodies on the largest built-in framework, queued on the
django-tasks-db backend and run by `db_worker`, as in production. Prints numbers; never fails.

Runs against a throwaway test database (in memory for SQLite; `test_<name>` on PostgreSQL).
"""

import os
import random
import time
import zipfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

BODIES = 20


def seed(rng: random.Random):
    from assessments import services
    from frameworks.builtin import library_load
    from frameworks.models import FrameworkVersion, Question
    from maturity.accounts.models import User
    from organisations.models import ConsultantGrant, Membership, Organisation, Role

    library_load()
    fv = max(
        FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED),
        key=lambda v: Question.objects.filter(dimension__framework_version=v).count(),
    )
    questions = list(
        Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position"
        )
    )
    consultant = User.objects.create_user(email="bench.consultant@firm.example", password="x")
    organisations = []
    for n in range(BODIES):
        org = Organisation.objects.create(
            name=f"Bench Borough Council {n:02d}",
            code=f"B{n:07d}",
            kind=Organisation.Kind.UNITARY,
            region=Organisation.Region.NORTH_WEST,
        )
        lead = User.objects.create_user(email=f"lead{n}@bench.example", password="x")
        Membership.objects.create(organisation=org, user=lead, role=Role.LEAD)
        assessment = services.assessment_start(
            organisation=org, framework_version=fv, round_label="2026/27", user=lead
        )
        for q in questions:
            level = rng.randint(1, 4)
            services.agreed_answer_save(
                assessment=assessment,
                question=q,
                lead=lead,
                data=services.AnswerData(
                    state="level",
                    level=level,
                    target_level=level + 1,
                    evidence="Board papers, March; the data strategy; service reviews.",
                ),
                base_version=0,
            )
        services.assessment_submit(assessment=assessment, user=lead)
        ConsultantGrant.objects.create(organisation=org, consultant=consultant)
        organisations.append(org)
    return fv, consultant, organisations, len(questions)


def main():
    from reports.bulk import bulk_export_start

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        fv, consultant, organisations, questions = seed(random.Random(7))
        print(f"Database: {connection.vendor}")
        print(f"Bulk export: {BODIES} bodies, {fv.name} ({questions} questions), PDF + XLSX each")
        export = bulk_export_start(
            consultant=consultant, framework=fv.framework, organisations=organisations
        )
        start = time.perf_counter()
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
        elapsed = time.perf_counter() - start
        export.refresh_from_db()
        with zipfile.ZipFile(export.file.path) as archive:
            files = len(archive.namelist())
        print(
            f"  queue to finished zip: {elapsed:.1f} s ({elapsed / BODIES * 1000:.0f} ms a body;"
            f" status {export.status}, {files} files, {export.size / 1e6:.1f} MB)"
        )
        print(f"  a 50-body export (the most allowed) at that rate: {elapsed / BODIES * 50:.0f} s")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        main()
