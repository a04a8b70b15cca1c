"""The demo data: invented but realistic bodies, and a load that can be run again and again."""

import csv
import io
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from demo.organisations import demo_load, demo_organisations
from maturity.audit.models import AuditEvent
from organisations.models import ConsultantGrant, Membership, Organisation, PeerGroup, Role
from organisations.orgimport import COLUMNS, parse_organisations
from tests.factories import MembershipFactory, OrganisationFactory

PASSWORD = "demo-password-for-tests"
K = Organisation.Kind
R = Organisation.Region


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # The demo hashes its one password once per load; the real hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def bodies():
    return demo_organisations()


def row_counts():
    return {
        "organisations": Organisation.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "grants": ConsultantGrant.objects.count(),
        "peer_groups": PeerGroup.objects.count(),
        "peer_group_members": PeerGroup.organisations.through.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def memberships():
    return sorted(
        Membership.objects.values_list("user__email", "organisation__code", "role"),
    )


def test_demo_organisations_are_about_400_with_unique_names_and_codes(bodies):
    assert len(bodies) == 400
    assert len({b["name"] for b in bodies}) == 400
    assert len({b["code"] for b in bodies}) == 400


def test_demo_organisations_codes_cannot_be_real_ones(bodies):
    for body in bodies:
        assert re.fullmatch(r"Z[A-Z][0-9]{4}", body["code"]), body["code"]


def test_demo_organisations_have_every_kind_in_a_realistic_mix(bodies):
    kinds = Counter(b["kind"] for b in bodies)
    assert set(kinds) == set(K.values)
    assert 0.35 <= kinds[K.DISTRICT] / 400 <= 0.45
    assert 0.10 <= kinds[K.NHS_TRUST] / 400 <= 0.14
    assert kinds[K.COUNTY] < kinds[K.UNITARY] < kinds[K.DISTRICT]


def test_demo_organisations_regions_match_their_kinds(bodies):
    by_code = {b["code"]: b for b in bodies}
    regions = Counter(b["region"] for b in bodies)
    assert {R.SCOTLAND, R.WALES, R.NORTHERN_IRELAND} <= set(regions)
    for body in bodies:
        if body["kind"] == K.LONDON_BOROUGH:
            assert body["region"] == R.LONDON, body
            assert "Borough of" in body["name"]
        if body["kind"] == K.CENTRAL_DEPARTMENT:
            assert body["region"] == R.UK_WIDE
            assert body["name"].startswith("Department for ")
        if body["kind"] in (K.COUNTY, K.DISTRICT, K.METROPOLITAN):
            assert body["region"] not in (R.LONDON, R.SCOTLAND, R.WALES, R.UK_WIDE), body
        if body["parent_code"]:
            parent = by_code[body["parent_code"]]
            assert (body["kind"], parent["kind"]) == (K.DISTRICT, K.COUNTY)
            assert body["region"] == parent["region"]


def test_demo_organisations_names_have_the_right_form_for_their_kind(bodies):
    endings = {
        K.DISTRICT: (" District Council", " Borough Council"),
        K.COUNTY: ("shire County Council",),
        K.METROPOLITAN: (" Metropolitan Borough Council",),
        K.POLICE: (" Police", " Constabulary"),
        K.FIRE: (" Fire and Rescue Service",),
        K.ICB: (" Integrated Care Board",),
    }
    for body in bodies:
        if body["kind"] in endings:
            assert body["name"].endswith(endings[body["kind"]]), body
    trusts = [b["name"] for b in bodies if b["kind"] == K.NHS_TRUST and b["region"] != R.SCOTLAND]
    assert sum("NHS" in name for name in trusts) > 0.8 * len(trusts)


def test_demo_organisations_size_bands_are_plausible(bodies):
    sizes = {(b["kind"], b["size_band"]) for b in bodies}
    assert (K.COUNTY, "small") not in sizes and (K.COUNTY, "medium") not in sizes
    assert (K.DISTRICT, "large") not in sizes and (K.DISTRICT, "very_large") not in sizes
    assert sum(1 for b in bodies if b["kind"] == K.DISTRICT and b["parent_code"]) >= 50


def test_demo_organisations_are_deterministic_for_a_seed(bodies):
    assert demo_organisations(count=400, seed=2026) == bodies
    assert demo_organisations(seed=7) != bodies
    assert demo_organisations(seed=7) == demo_organisations(seed=7)


def test_demo_organisations_are_a_valid_organisation_file(bodies):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(bodies)
    rows = parse_organisations(out.getvalue().encode())
    assert len(rows) == 400


def test_demo_organisations_small_counts_still_have_every_kind():
    bodies = demo_organisations(count=24)
    assert len(bodies) == 24
    assert {b["kind"] for b in bodies} == set(K.values)


@pytest.mark.django_db
def test_demo_load_creates_the_people_and_their_places():
    result = demo_load(password=PASSWORD)

    assert (result.organisations.created, result.people_created) == (400, 7)
    assert Organisation.objects.count() == 400
    home = result.home
    assert home.kind == K.UNITARY and home.code == "ZU0001"
    assert result.nhs_trust.kind == K.NHS_TRUST
    assert memberships() == sorted(
        [
            ("lead.nhs@demo.example", result.nhs_trust.code, Role.LEAD),
            ("lead@demo.example", home.code, Role.LEAD),
            ("officer2@demo.example", home.code, Role.RESPONDENT),
            ("officer@demo.example", home.code, Role.RESPONDENT),
            ("viewer@demo.example", home.code, Role.VIEWER),
        ]
    )
    assert [email for _, email in result.logins] == [
        "admin@demo.example",
        "lead@demo.example",
        "officer@demo.example",
        "officer2@demo.example",
        "viewer@demo.example",
        "lead.nhs@demo.example",
        "consultant@demo.example",
    ]
    User = get_user_model()
    admin = User.objects.get(email="admin@demo.example")
    assert admin.is_staff and admin.is_superuser
    assert (
        not User.objects.filter(email__endswith="@demo.example", is_staff=False)
        .filter(is_superuser=True)
        .exists()
    )
    assert all(u.full_name for u in User.objects.filter(email__endswith="@demo.example"))


@pytest.mark.django_db
def test_demo_load_passwords_work(client):
    demo_load(password=PASSWORD)
    for email in ("admin@demo.example", "officer@demo.example", "consultant@demo.example"):
        assert get_user_model().objects.get(email=email).check_password(PASSWORD)
    # Through the sign-in form: django-axes needs the request that `client.login()` lacks.
    response = client.submit(
        "/account/sign-in/", {"username": "lead@demo.example", "password": PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_demo_load_consultant_has_three_active_grants_from_the_lead():
    result = demo_load(password=PASSWORD)
    grants = ConsultantGrant.objects.filter(
        consultant__email="consultant@demo.example", revoked_at__isnull=True
    )
    assert grants.count() == 3
    assert {g.organisation for g in grants} == set(result.consultant_clients)
    assert result.home in result.consultant_clients
    assert {g.granted_by.email for g in grants} == {"lead@demo.example"}


@pytest.mark.django_db
def test_demo_load_makes_two_peer_groups():
    result = demo_load(password=PASSWORD)
    coastal = PeerGroup.objects.get(name="Coastal councils (demo)")
    shared = PeerGroup.objects.get(name="Shared services partnership (demo)")
    assert coastal.organisations.count() == 20
    assert shared.organisations.count() == 6
    assert result.home in shared.organisations.all()
    assert set(coastal.organisations.values_list("kind", flat=True)) <= {
        K.COUNTY,
        K.DISTRICT,
        K.UNITARY,
        K.METROPOLITAN,
    }


@pytest.mark.django_db
def test_demo_load_twice_gives_the_same_rows_and_people():
    first = demo_load(password=PASSWORD)
    before, people_before = row_counts(), memberships()

    second = demo_load(password=PASSWORD)

    assert row_counts() == before
    assert memberships() == people_before
    assert (second.organisations.created, second.organisations.updated) == (0, 0)
    assert second.organisations.unchanged == 400
    assert second.people_created == 0
    assert second.logins == first.logins
    assert second.home == first.home


@pytest.mark.django_db
def test_demo_load_again_puts_back_what_was_changed():
    result = demo_load(password=PASSWORD)
    expected = memberships()
    other = OrganisationFactory()
    officer = Membership.objects.get(user__email="officer@demo.example")
    officer.role = Role.VIEWER
    officer.save()
    MembershipFactory(user=officer.user, organisation=other, role=Role.LEAD)
    ConsultantGrant.objects.filter(organisation=result.home).update(revoked_at=officer.created_at)
    ConsultantGrant.objects.create(
        organisation=other, consultant=get_user_model().objects.get(email="consultant@demo.example")
    )
    Organisation.objects.filter(code=result.home.code).update(name="Renamed by hand")
    get_user_model().objects.filter(email="viewer@demo.example").update(password="!")

    again = demo_load(password=PASSWORD)

    assert memberships() == expected
    active = ConsultantGrant.objects.filter(
        consultant__email="consultant@demo.example", revoked_at__isnull=True
    )
    assert {g.organisation for g in active} == set(result.consultant_clients)
    assert (again.organisations.updated, again.home.name) == (1, result.home.name)
    assert get_user_model().objects.get(email="viewer@demo.example").check_password(PASSWORD)
    assert Membership.objects.filter(organisation=other).count() == 0


@pytest.mark.django_db
def test_demo_load_again_writes_no_audit_events():
    demo_load(password=PASSWORD)
    events = AuditEvent.objects.count()
    demo_load(password=PASSWORD)
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_demo_load_again_runs_few_queries(django_assert_max_num_queries):
    demo_load(password=PASSWORD)
    with django_assert_max_num_queries(40):
        demo_load(password=PASSWORD)
