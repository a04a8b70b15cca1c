"""Two people saving the same answer at the same moment: one wins, the other is told.

Runs on PostgreSQL, with two real connections racing through the row lock. SQLite serialises
whole-database writes, so the race cannot be staged there; CI runs this on PostgreSQL.
"""

import threading

import pytest
from django.db import connection, connections

from assessments import services
from assessments.models import AgreedAnswer
from frameworks.models import Question
from organisations.models import Role
from tests.factories import MembershipFactory, OrganisationFactory, make_version

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs two concurrent PostgreSQL connections"
    ),
]


def race(assessment, question, leads, *, base_version):
    barrier = threading.Barrier(len(leads))
    outcomes = {}

    def save(lead, level):
        try:
            barrier.wait(timeout=10)
            services.agreed_answer_save(
                assessment=assessment,
                question=question,
                lead=lead,
                data=services.AnswerData(state="level", level=level, evidence=lead.email),
                base_version=base_version,
            )
            outcomes[lead.email] = "saved"
        except services.AnswerConflict:
            outcomes[lead.email] = "conflict"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(lead, level))
        for lead, level in zip(leads, (2, 4), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("existing", [False, True], ids=["new-answer", "existing-answer"])
def test_simultaneous_saves_never_silently_overwrite(existing):
    org = OrganisationFactory()
    leads = [MembershipFactory(organisation=org, role=Role.LEAD).user for _ in range(2)]
    fv = make_version(dimensions=1, questions=1)
    question = Question.objects.get(dimension__framework_version=fv)
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=leads[0]
    )
    base = 0
    if existing:
        services.agreed_answer_save(
            assessment=assessment,
            question=question,
            lead=leads[0],
            data=services.AnswerData(state="level", level=1),
            base_version=0,
        )
        base = 1
    outcomes = race(assessment, question, leads, base_version=base)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(email for email, outcome in outcomes.items() if outcome == "saved")
    agreed = AgreedAnswer.objects.get()
    assert agreed.evidence == winner
    assert agreed.version == base + 1


def test_two_uploads_at_once_cannot_both_pass_the_assessments_total(settings):
    """Each upload checks the assessment's total under the assessment's row lock, so two
    arriving together cannot both see room for one more file."""
    from assessments.models import EvidenceFile
    from tests import evidence_files

    org = OrganisationFactory()
    people = [MembershipFactory(organisation=org, role=Role.RESPONDENT).user for _ in range(2)]
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    fv = make_version(dimensions=1, questions=1)
    question = Question.objects.get(dimension__framework_version=fv)
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=lead
    )
    data = evidence_files.pdf()
    settings.EVIDENCE_ASSESSMENT_MAX_BYTES = len(data) + 10  # room for one
    barrier = threading.Barrier(2)
    outcomes = []

    def upload(person):
        try:
            barrier.wait(timeout=10)
            services.evidence_attach(
                assessment=assessment,
                question=question,
                user=person,
                upload=evidence_files.upload("same-moment.pdf", data),
                agreed=False,
            )
            outcomes.append("kept")
        except services.EvidenceRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=upload, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["kept", "refused"]
    assert EvidenceFile.objects.count() == 1


def test_respondents_saves_go_ahead_together_while_submitting_waits_for_them():
    """A respondent's save holds the assessment with a shared lock: while one save's transaction
    is still open, another respondent's save goes ahead, and submitting waits for it (each told
    here to give up after a while rather than wait)."""
    from django.db import OperationalError, transaction

    org = OrganisationFactory()
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    ana, ben = (MembershipFactory(organisation=org, role=Role.RESPONDENT).user for _ in range(2))
    fv = make_version(dimensions=1, questions=2)
    first, second = Question.objects.filter(dimension__framework_version=fv).order_by("position")
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=lead
    )
    holding, done = threading.Event(), threading.Event()
    outcomes = {}

    def save(person, question):
        return services.answer_save(
            assessment=assessment,
            question=question,
            respondent=person,
            data=services.AnswerData(state="level", level=2),
            base_version=0,
        )

    def hold():
        try:
            with transaction.atomic():
                save(ana, first)
                holding.set()
                done.wait(timeout=20)
        finally:
            connections.close_all()

    def then(name, work, timeout):
        try:
            holding.wait(timeout=10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{timeout}'")
                work()
            outcomes[name] = "done"
        except OperationalError:
            outcomes[name] = "waited"
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    others = [
        threading.Thread(target=then, args=("ben saves", lambda: save(ben, second), "5s")),
        threading.Thread(
            target=then,
            args=(
                "lead submits",
                lambda: services.assessment_submit(assessment=assessment, user=lead),
                "500ms",
            ),
        ),
    ]
    for thread in others:
        thread.start()
    for thread in others:
        thread.join(timeout=30)
    done.set()
    holder.join(timeout=30)
    assert outcomes == {"ben saves": "done", "lead submits": "waited"}
