"""Framework editor benchmark: server time of the editor's pages for a 200-question draft
(10 dimensions of 20 questions, 5 levels, a facet), against a 6-question one.

Seeds a throwaway SQLite file. Prints medians; never fails on a number.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = 21


def timed_get(client, url: str) -> tuple[float, int]:
    client.get(url)
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples), len(response.content)


def main():
    workdir = Path(tempfile.mkdtemp(prefix="maturity-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from frameworks.models import Question
    from frameworks.services import framework_version_create_draft, framework_version_import
    from tests.factories import UserFactory, make_spec

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    try:
        call_command("migrate", verbosity=0)
        editor = UserFactory(editor=True, email="bench-editor@bench.example")
        client = Client()
        client.force_login(editor)
        print("\nFramework editor, server time (median of 21, test client, SQLite)")
        for dimensions, questions in ((2, 3), (10, 20)):
            slug = f"bench-{dimensions * questions}"
            published = framework_version_import(
                spec=make_spec(slug=slug, dimensions=dimensions, questions=questions),
                publish=True,
            )
            draft = framework_version_create_draft(
                framework=published.framework, version="2.0.0", clone_from=published
            )
            question = Question.objects.filter(dimension__framework_version=draft).last()
            facet = draft.facets.get()
            fv = {"slug": slug, "version": "2.0.0"}
            pages = {
                "editor (all dimensions and questions)": reverse("frameworks:editor", kwargs=fv),
                "scale": reverse("frameworks:editor_scale", kwargs=fv),
                "facets": reverse("frameworks:editor_facets", kwargs=fv),
                "one question's form": reverse(
                    "frameworks:editor_question", kwargs=fv | {"qpk": question.pk}
                ),
                "preview of the last question": reverse(
                    "assessments:question_preview", kwargs=fv | {"qpk": question.pk}
                ),
                "facet's form": reverse("frameworks:editor_facet", kwargs=fv | {"fpk": facet.pk}),
            }
            print(f"  {dimensions * questions} questions:")
            for name, url in pages.items():
                median, size = timed_get(client, url)
                print(f"    {name:40} {median:7.1f} ms  {size / 1024:6.0f} KB")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
