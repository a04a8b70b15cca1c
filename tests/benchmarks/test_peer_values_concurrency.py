"""Several bodies submitting on one framework version at once: every submit succeeds and the
peer values equal a rebuild from scratch.

Runs on PostgreSQL with real connections racing; SQLite serialises whole-database writes, so
the race cannot be staged there (CI runs both).
"""

import threading
import time

import pytest
from django.db import transaction

from assessments import services
from benchmarks.models import PeerValues
from benchmarks.services import peer_values_rebuild
from frameworks.models import Question
from organisations.models import Organisation, Role
from tests.factories import MembershipFactory, OrganisationFactory, make_version
from tests.races import in_threads, postgresql_only

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only,
]


def ready_to_submit(fv, level, **org):
    """An assessment with every agreed answer set, not yet submitted, and its lead."""
    organisation = OrganisationFactory(**org)
    lead = MembershipFactory(organisation=organisation, role=Role.LEAD).user
    assessment = services.assessment_start(
        organisation=organisation, framework_version=fv, round_label="2026/27", user=lead
    )
    for question in Question.objects.filter(dimension__framework_version=fv):
        services.agreed_answer_save(
            assessment=assessment,
            question=question,
            lead=lead,
            data=services.AnswerData(state="level", level=level),
            base_version=0,
        )
    return assessment, lead


def stored_peer_values(fv):
    return sorted(
        PeerValues.objects.filter(framework_version=fv).values_list(
            "group_key", "measure", "organisation_ids", "values"
        )
    )


def test_simultaneous_submits_all_succeed_and_peer_values_match_a_rebuild():
    fv = make_version(dimensions=2, questions=1)
    ready = [ready_to_submit(fv, 1 + n % 5, kind=Organisation.Kind.UNITARY) for n in range(6)]
    barrier = threading.Barrier(len(ready))

    def submitter(assessment, lead):
        def submit():
            barrier.wait(timeout=10)
            services.assessment_submit(assessment=assessment, user=lead)

        return submit

    assert in_threads(*(submitter(a, lead) for a, lead in ready)) == []
    live = stored_peer_values(fv)
    overall = {(key, measure): ids for key, measure, ids, _ in live}[("all", "overall")]
    assert sorted(overall) == sorted(a.organisation_id for a, _ in ready)
    peer_values_rebuild(framework_version_ids=[fv.pk])
    assert live == stored_peer_values(fv)


def test_a_submit_while_another_is_uncommitted_keeps_both_scores():
    """A submits but has not committed when B submits: B must not write peer values that
    leave A out (or collide with A's), whichever commits first."""
    fv = make_version(dimensions=1, questions=1)
    first, first_lead = ready_to_submit(fv, 2)
    second, second_lead = ready_to_submit(fv, 4)
    first_in = threading.Event()
    second_started = threading.Event()

    def submit_and_hold():
        with transaction.atomic():
            services.assessment_submit(assessment=first, user=first_lead)
            first_in.set()
            second_started.wait(timeout=10)
            time.sleep(0.3)  # let the second submit reach its peer-value update first

    def submit_second():
        first_in.wait(timeout=10)
        second_started.set()
        services.assessment_submit(assessment=second, user=second_lead)

    assert in_threads(submit_and_hold, submit_second) == []
    live = stored_peer_values(fv)
    overall = {(key, measure): ids for key, measure, ids, _ in live}[("all", "overall")]
    assert sorted(overall) == sorted([first.organisation_id, second.organisation_id])
    peer_values_rebuild(framework_version_ids=[fv.pk])
    assert live == stored_peer_values(fv)
