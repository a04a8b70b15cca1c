"""Figures are released in batches, not live: a group's released figures change only once 3 of
its bodies have submitted or reopened since its last release, or when a platform admin releases
the framework version's figures. So no one submission can be read off as the difference
between a group's figures before and after it."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments import services
from benchmarks.figures import released_figures
from benchmarks.models import PeerRelease
from maturity.audit.models import AuditEvent
from organisations.models import Organisation
from tests.conftest import CsrfClient
from tests.factories import OrganisationFactory, UserFactory, make_version, release, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def fv():
    return make_version(dimensions=1, questions=1)


def shown(fv, key="all"):
    summary = released_figures(framework_version_id=fv.pk, scale_values=[1, 2, 3, 4, 5]).summary(
        key, "overall"
    )
    return summary.n, summary.median


def test_one_or_two_submissions_change_no_released_figure(fv):
    six = [submit(OrganisationFactory(), fv, [level]) for level in (1, 2, 3, 4, 5, 3)]
    assert shown(fv) == (6, 3.0)  # the 3rd and 6th submissions each released the group
    submit(OrganisationFactory(), fv, [5])
    assert shown(fv) == (6, 3.0)  # one more: not released, so it cannot be picked out
    submit(OrganisationFactory(), fv, [5])
    assert shown(fv) == (6, 3.0)
    lowest, lead = six[0]
    services.assessment_reopen(assessment=lowest, user=lead, reason="A correction")
    # The third body to change (a reopening counts too) releases the group as it now stands:
    # 2, 3, 3, 4, 5, 5, 5.
    assert shown(fv) == (7, 4.0)
    assert PeerRelease.objects.get(framework_version=fv, group_key="all").pending == []


def test_a_body_counts_once_however_often_it_changes(fv):
    for level in (1, 2, 3, 4, 5, 3):
        submit(OrganisationFactory(), fv, [level])
    assessment, lead = submit(OrganisationFactory(), fv, [5], round_label="2026/27")
    services.assessment_reopen(assessment=assessment, user=lead, reason="Typo")
    services.assessment_submit(assessment=assessment, user=lead)
    assert shown(fv) == (6, 3.0)
    assert PeerRelease.objects.get(framework_version=fv, group_key="all").pending == [
        assessment.organisation_id
    ]


def test_an_admin_releases_a_versions_figures_at_the_end_of_a_window(fv):
    for level in (1, 2, 3, 4, 5, 3, 5):
        submit(OrganisationFactory(), fv, [level])
    assert shown(fv) == (6, 3.0)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = CsrfClient()
    client.force_login(admin)
    changelist = reverse("admin:benchmarks_peerrelease_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    pk = PeerRelease.objects.get(framework_version=fv, group_key="all").pk
    response = client.submit(
        changelist, {"action": "release_versions", "_selected_action": [pk]}, form_url=changelist
    )
    assert response.status_code == 302
    assert shown(fv) == (7, 3.0)
    assert AuditEvent.objects.filter(action="peer_figures.release", actor=admin).count() == 1


def test_the_release_command_says_what_it_released(fv):
    for level in (1, 2, 3, 4):
        submit(OrganisationFactory(), fv, [level])
    out = io.StringIO()
    call_command("release_figures", fv.framework.slug, stdout=out)
    assert "peer groups' figures for test-framework 1.0.0" in out.getvalue()
    assert PeerRelease.objects.get(framework_version=fv, group_key="all").measures["overall"]


def test_pages_say_when_the_figures_were_released(fv, client):
    for level in (1, 2, 3, 4, 5, 3):
        mine, lead = submit(OrganisationFactory(), fv, [level])
    client.force_login(lead)
    board = client.get(
        reverse(
            "benchmarks:dashboard",
            kwargs={"pk": mine.organisation_id, "framework": fv.framework.slug},
        ),
        {"group": "all"},
    ).content.decode()
    assert "Peer figures as of" in board
    national = client.get(reverse("benchmarks:national", args=[fv.framework.slug])).content.decode()
    assert "Figures as of" in national


def test_moving_to_another_kind_counts_as_a_change_in_both_groups(fv):
    bodies = [OrganisationFactory(kind=Organisation.Kind.DISTRICT) for _ in range(6)]
    for n, body in enumerate(bodies):
        submit(body, fv, [1 + n % 5])
    release(fv)
    moved = bodies[0]
    moved.kind = Organisation.Kind.UNITARY
    moved.save()
    from organisations.signals import organisations_reclassified

    organisations_reclassified.send(sender=Organisation, organisation_ids=[moved.pk])
    district = PeerRelease.objects.get(framework_version=fv, group_key="kind:district")
    unitary = PeerRelease.objects.get(framework_version=fv, group_key="kind:unitary")
    assert district.pending == [moved.pk] and unitary.pending == [moved.pk]
    assert moved.pk in {org for org, _ in district.measures["overall"]}  # not yet released
