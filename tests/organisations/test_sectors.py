"""Every kind of organisation belongs to one sector, within which its region and size peer
groups are formed."""

from organisations.models import SECTOR_OF_KIND, Organisation

K, S = Organisation.Kind, Organisation.Sector


def test_every_kind_has_a_sector():
    assert set(SECTOR_OF_KIND) == set(K)
    assert set(SECTOR_OF_KIND.values()) == set(S)


def test_nhs_bodies_are_one_sector_and_councils_another():
    assert {k for k, s in SECTOR_OF_KIND.items() if s == S.NHS} == {K.NHS_TRUST, K.ICB}
    assert {k for k, s in SECTOR_OF_KIND.items() if s == S.CENTRAL} == {
        K.CENTRAL_DEPARTMENT,
        K.ARMS_LENGTH_BODY,
    }
    assert Organisation(kind=K.POLICE).sector == S.LOCAL
    assert Organisation(kind=K.LONDON_BOROUGH).sector == S.LOCAL
