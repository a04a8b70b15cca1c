"""Organisation codes follow one rule wherever they are entered: the admin, the CSV import."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from organisations.models import Organisation
from organisations.orgimport import OrganisationFileError, parse_organisations
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = '../../x";y'
CODES = ["E07000223", "RX1", "e06000001", "E07-0002", HOSTILE, "RX 1", "E0700022\u00e9"]


def test_the_model_refuses_a_code_that_is_not_letters_and_digits():
    organisation = OrganisationFactory.build(code=HOSTILE)
    with pytest.raises(ValidationError) as caught:
        organisation.full_clean()
    assert caught.value.message_dict["code"] == [
        f"{HOSTILE!r} may contain only letters and digits, like E07000223 or RX1"
    ]


def test_the_admin_refuses_a_hostile_code_and_creates_nothing(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.submit(
        reverse("admin:organisations_organisation_add"),
        {
            "name": "Hostile Council",
            "kind": Organisation.Kind.DISTRICT,
            "region": Organisation.Region.LONDON,
            "code": HOSTILE,
            "size_band": Organisation.SizeBand.SMALL,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "may contain only letters and digits, like E07000223 or RX1" in (
        response.content.decode()
    )
    assert not Organisation.objects.filter(name="Hostile Council").exists()


def _import_accepts(code: str) -> bool:
    text = f"name,kind,region,code,size_band,parent_code\nA Council,district,london,{code},small,\n"
    try:
        parse_organisations(text.encode(), existing={})
    except OrganisationFileError:
        return False
    return True


def _model_accepts(code: str) -> bool:
    try:
        OrganisationFactory.build(code=code).full_clean()
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("code", CODES)
def test_the_import_and_the_model_agree_on_every_code(code):
    assert _import_accepts(code) == _model_accepts(code)
    assert _model_accepts(code) == (code in {"E07000223", "RX1", "e06000001"})
