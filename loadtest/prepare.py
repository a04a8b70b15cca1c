"""Finds (and makes, once) what the load test visits, and writes it as JSON for the locustfile.

Run with the demo data loaded (`manage.py setup_demo`): `python loadtest/prepare.py OUT.json`.
The home council gets one assessment in progress, so respondents have questions to answer.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.urls import reverse  # noqa: E402

from assessments.models import Assessment  # noqa: E402
from assessments.services import assessment_start  # noqa: E402
from demo.management.commands.setup_demo import DEMO_PASSWORD  # noqa: E402
from frameworks.models import Question  # noqa: E402
from organisations.models import Membership, Role  # noqa: E402

ROUND = "Load test"


def main(out: str) -> None:
    lead = get_user_model().objects.get(email="lead@demo.example")
    home = Membership.objects.get(user=lead, role=Role.LEAD).organisation
    submitted = (
        Assessment.objects.filter(organisation=home, status=Assessment.Status.SUBMITTED)
        .select_related("framework_version__framework")
        .order_by("-submitted_at")
        .first()
    )
    version = submitted.framework_version
    draft = Assessment.objects.filter(
        organisation=home, framework_version=version, round_label=ROUND
    ).first() or assessment_start(
        organisation=home, framework_version=version, round_label=ROUND, user=lead
    )
    questions = Question.objects.filter(dimension__framework_version=version)
    kwargs = {"pk": home.pk, "apk": draft.pk}
    slug = version.framework.slug
    targets = {
        "password": DEMO_PASSWORD,
        # People who may answer, and each one's own answer pages.
        "respondents": ["officer@demo.example", "officer2@demo.example", "lead@demo.example"],
        "questions": [
            {
                "page": reverse("assessments:question", kwargs={**kwargs, "qpk": q.pk}),
                "autosave": reverse("assessments:autosave", kwargs={**kwargs, "qpk": q.pk}),
            }
            for q in questions
        ],
        "task_list": reverse("assessments:assessment", kwargs=kwargs),
        "dashboard": reverse("benchmarks:dashboard", kwargs={"pk": home.pk, "framework": slug}),
        "results": reverse("assessments:results", kwargs={"pk": home.pk, "apk": submitted.pk}),
        "national": reverse("benchmarks:national", kwargs={"framework": slug}),
        # The draft's, which the others' autosaves keep changing: each download is a new render.
        "report_pdf": reverse("reports:report_pdf", kwargs=kwargs),
    }
    Path(out).write_text(json.dumps(targets, indent=2))
    print(f"Load targets: {home.name}, {version}, {len(targets['questions'])} questions.")


if __name__ == "__main__":
    main(sys.argv[1])
