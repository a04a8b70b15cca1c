"""Moving an organisation to another kind, region or size band moves its scores between peer
groups at once, whether a platform admin changes it or a CSV import does."""

import pytest
from django.urls import reverse

from benchmarks.models import PeerValues
from organisations.models import Organisation
from organisations.orgimport import OrganisationRow, organisations_import
from tests.conftest import CsrfClient
from tests.factories import OrganisationFactory, UserFactory, make_version, submit

pytestmark = pytest.mark.django_db


def members(fv, key):
    row = PeerValues.objects.filter(framework_version=fv, group_key=key, measure="overall").first()
    return sorted(row.organisation_ids) if row else []


@pytest.fixture
def moved():
    fv = make_version(dimensions=1, questions=1)
    stays = OrganisationFactory(
        kind=Organisation.Kind.DISTRICT, region=Organisation.Region.LONDON, size_band="small"
    )
    moves = OrganisationFactory(
        kind=Organisation.Kind.DISTRICT, region=Organisation.Region.LONDON, size_band="small"
    )
    submit(stays, fv, [2])
    submit(moves, fv, [4])
    assert members(fv, "kind:district") == sorted([stays.pk, moves.pk])
    return fv, stays, moves


def test_admin_reclassifying_an_organisation_moves_its_peer_values(moved):
    fv, stays, moves = moved
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = CsrfClient()
    client.force_login(admin)
    url = reverse("admin:organisations_organisation_change", args=[moves.pk])
    page = client.get(url)
    inline = page.context["inline_admin_formsets"][0].formset
    data = {
        "name": moves.name,
        "kind": Organisation.Kind.UNITARY,
        "region": Organisation.Region.NORTH_WEST,
        "code": moves.code,
        "size_band": "large",
        f"{inline.prefix}-TOTAL_FORMS": "0",
        f"{inline.prefix}-INITIAL_FORMS": "0",
        f"{inline.prefix}-MIN_NUM_FORMS": "0",
        f"{inline.prefix}-MAX_NUM_FORMS": "1000",
    }
    response = client.submit(url, data)
    assert response.status_code == 302, response.content[:2000]
    assert members(fv, "kind:district") == [stays.pk]
    assert members(fv, "kind:unitary") == [moves.pk]
    assert members(fv, "region:local:london") == [stays.pk]
    assert members(fv, "region:local:north_west") == [moves.pk]
    assert members(fv, "size:local:small") == [stays.pk]
    assert members(fv, "size:local:large") == [moves.pk]
    assert members(fv, "all") == sorted([stays.pk, moves.pk])


def test_csv_import_reclassifying_an_organisation_moves_its_peer_values(moved):
    fv, stays, moves = moved
    row = OrganisationRow(
        line=2,
        name=moves.name,
        kind=Organisation.Kind.UNITARY,
        region=Organisation.Region.LONDON,
        code=moves.code,
        size_band="small",
    )
    organisations_import(rows=[row])
    assert members(fv, "kind:district") == [stays.pk]
    assert members(fv, "kind:unitary") == [moves.pk]
    assert members(fv, "region:local:london") == sorted([stays.pk, moves.pk])


def test_a_council_that_becomes_an_nhs_body_moves_to_the_nhs_groups_of_its_region(moved):
    """Region and size groups are formed within a sector: a body reclassified as an NHS trust
    leaves the local government groups of London for the NHS ones."""
    fv, stays, moves = moved
    row = OrganisationRow(
        line=2,
        name=moves.name,
        kind=Organisation.Kind.NHS_TRUST,
        region=Organisation.Region.LONDON,
        code=moves.code,
        size_band="small",
    )
    organisations_import(rows=[row])
    assert members(fv, "region:local:london") == [stays.pk]
    assert members(fv, "region:nhs:london") == [moves.pk]
    assert members(fv, "size:local:small") == [stays.pk]
    assert members(fv, "size:nhs:small") == [moves.pk]
    assert members(fv, "all") == sorted([stays.pk, moves.pk])
