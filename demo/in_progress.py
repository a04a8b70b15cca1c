"""The demo's assessment in progress, so the respondents sign in to something to do.

The home organisation's next round on the data, systems and technology framework (its newest
published version) is collecting answers: Jo Pritchard has answered most questions and said
she has finished, Sam Okafor has answered the first part and not finished, and the lead has
answered a few and agreed none. Levels start from the body's last agreed answer to the same
question and move a level now and then, and Sam and Jo differ by two levels on a few questions,
so the lead's page flags them.

Idempotent: if the round exists (in any state) it is left alone. Writes answers in bulk, with
no audit events and no email (seed data, not anyone's change).
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from assessments.models import AgreedAnswer, Answer, Assessment, Participation
from frameworks.fileformat import version_key
from frameworks.models import FrameworkVersion, Question
from organisations.models import Membership, Organisation, Role

ROUND = "2026/27"
DUE = date(2027, 3, 31)
FRAMEWORK = "data-systems-technology"
# Who answers how much of the questionnaire (its first part, in order), and who has finished.
SHARES = (
    ("officer2@demo.example", 0.9, True),
    ("officer@demo.example", 0.5, False),
    ("lead@demo.example", 0.15, False),
)


@dataclass(frozen=True)
class InProgressResult:
    assessment: Assessment | None
    created: bool
    answers: int = 0


@transaction.atomic
def demo_in_progress_load(*, home: Organisation, seed: int = 2026) -> InProgressResult:
    fv = max(
        FrameworkVersion.objects.filter(
            framework__slug=FRAMEWORK, status=FrameworkVersion.Status.PUBLISHED
        ),
        key=lambda v: version_key(v.version),
        default=None,
    )
    if fv is None:
        return InProgressResult(None, False)
    existing = Assessment.objects.filter(
        organisation=home, framework_version__framework_id=fv.framework_id, round_label=ROUND
    ).first()
    if existing is not None:
        return InProgressResult(existing, False)
    people = {
        m.user.email: m.user
        for m in Membership.objects.filter(
            organisation=home, role__in=[Role.LEAD, Role.RESPONDENT]
        ).select_related("user")
    }
    lead = people.get("lead@demo.example")
    assessment = Assessment.objects.create(
        organisation=home,
        framework_version=fv,
        round_label=ROUND,
        due_date=DUE,
        created_by=lead,
    )
    questions = list(
        Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position", "pk"
        )
    )
    last = dict(
        AgreedAnswer.objects.filter(
            assessment__organisation=home,
            assessment__status=Assessment.Status.SUBMITTED,
            question__in=questions,
            level__isnull=False,
        )
        .order_by("assessment__submitted_at")
        .values_list("question_id", "level")
    )  # the latest submission's level wins
    scale = sorted(fv.levels.values_list("value", flat=True))
    rng = random.Random(f"{seed}:{ROUND}:{FRAMEWORK}")  # noqa: S311 - repeatable demo data
    answers = []
    for email, share, _ in SHARES:
        person = people.get(email)
        if person is None:
            continue
        for q in questions[: round(len(questions) * share)]:
            base = last.get(q.pk, scale[len(scale) // 2])
            step = rng.choices((-1, 0, 1), weights=(1, 5, 2))[0]
            if email == "officer@demo.example" and q.position % 5 == 2:
                step = 2 if base <= scale[-3] else -2  # a disagreement for the lead to settle
            level = min(max(base + step, scale[0]), scale[-1])
            answers.append(
                Answer(
                    assessment=assessment,
                    question=q,
                    respondent=person,
                    state=Answer.State.LEVEL,
                    level=level,
                    target_level=min(level + 1, scale[-1]),
                    confidence=rng.choice(list(Answer.Confidence.values)),
                    version=1,
                )
            )
    Answer.objects.bulk_create(answers)
    finished_at = timezone.now() - timedelta(days=2)
    Participation.objects.bulk_create(
        Participation(assessment=assessment, person=people[email], finished_at=finished_at)
        for email, _, finished in SHARES
        if finished and email in people
    )
    return InProgressResult(assessment, True, len(answers))
