"""Fictional demo data: about 400 invented UK public bodies, demo people, peer groups.

Everything here is made up, for local use and screenshots. Place names are built from invented
stems and common English (or Welsh, Scottish, Northern Irish) place-name parts, so that they read
like real places without being any (as far as we could check). Codes start with Z followed by a
letter for the kind (ZD0001 is a district): real GSS codes start with E, W, S or N and real ODS
codes look different (RX1, QKK), so a demo code can never be mistaken for, or clash with, a real
one imported later.
"""

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from maturity.audit.services import audit_record
from organisations.models import ConsultantGrant, Membership, Organisation, PeerGroup, Role
from organisations.orgimport import ImportResult, OrganisationRow, organisations_import

K = Organisation.Kind
R = Organisation.Region
S = Organisation.SizeBand


# Share of each kind, roughly as in the real population of bodies the service is for.
MIX = {
    K.COUNTY: 0.05,
    K.DISTRICT: 0.40,
    K.UNITARY: 0.15,
    K.METROPOLITAN: 0.09,
    K.LONDON_BOROUGH: 0.08,
    K.NHS_TRUST: 0.12,
    K.ICB: 0.03,
    K.POLICE: 0.02,
    K.FIRE: 0.02,
    K.CENTRAL_DEPARTMENT: 0.01,
    K.ARMS_LENGTH_BODY: 0.02,
    K.OTHER: 0.01,
}
CODE_LETTER = {
    K.COUNTY: "C",
    K.DISTRICT: "D",
    K.UNITARY: "U",
    K.METROPOLITAN: "M",
    K.LONDON_BOROUGH: "L",
    K.NHS_TRUST: "N",
    K.ICB: "I",
    K.POLICE: "P",
    K.FIRE: "F",
    K.CENTRAL_DEPARTMENT: "G",
    K.ARMS_LENGTH_BODY: "A",
    K.OTHER: "O",
}
SIZES = {
    K.COUNTY: [(S.LARGE, 3), (S.VERY_LARGE, 7)],
    K.DISTRICT: [(S.SMALL, 6), (S.MEDIUM, 4)],
    K.UNITARY: [(S.SMALL, 1), (S.MEDIUM, 5), (S.LARGE, 4)],
    K.METROPOLITAN: [(S.MEDIUM, 1), (S.LARGE, 6), (S.VERY_LARGE, 3)],
    K.LONDON_BOROUGH: [(S.MEDIUM, 3), (S.LARGE, 6), (S.VERY_LARGE, 1)],
    K.NHS_TRUST: [(S.MEDIUM, 4), (S.LARGE, 4), (S.VERY_LARGE, 2)],
    K.ICB: [(S.LARGE, 5), (S.VERY_LARGE, 5)],
    K.POLICE: [(S.MEDIUM, 4), (S.LARGE, 6)],
    K.FIRE: [(S.MEDIUM, 6), (S.LARGE, 4)],
    K.CENTRAL_DEPARTMENT: [(S.VERY_LARGE, 1)],
    K.ARMS_LENGTH_BODY: [(S.SMALL, 4), (S.MEDIUM, 4), (S.LARGE, 2)],
    K.OTHER: [(S.SMALL, 5), (S.MEDIUM, 5)],
}
ENGLISH_REGIONS = [
    R.NORTH_EAST,
    R.NORTH_WEST,
    R.YORKSHIRE,
    R.EAST_MIDLANDS,
    R.WEST_MIDLANDS,
    R.EAST,
    R.SOUTH_EAST,
    R.SOUTH_WEST,
]
SHIRE_REGIONS = [r for r in ENGLISH_REGIONS if r != R.NORTH_EAST]  # two-tier areas
METROPOLITAN_REGIONS = [R.NORTH_EAST, R.NORTH_WEST, R.YORKSHIRE, R.WEST_MIDLANDS]

# Invented stems: a stem plus a common ending reads like an English place without being one
# (the combinations were checked by eye; none is a real place we know of).
# fmt: off
STEMS = [
    "Ambel", "Ashmer", "Bassen", "Birrel", "Brackel", "Brenmar", "Caddow", "Carrel", "Colmer",
    "Corvel", "Cossel", "Delmar", "Dorrel", "Drummel", "Dunmer", "Elsmer", "Eskel", "Farrin",
    "Fennet", "Gallen", "Gessel", "Gorrel", "Gunnel", "Harrel", "Hennel", "Hollen", "Jessel",
    "Kestel", "Kimmer", "Lammer", "Larrow", "Lorrel", "Mardel", "Merrin", "Mossel", "Nettel",
    "Norrin", "Ossel", "Pellen", "Pennel", "Quendel", "Rennel", "Rushmer", "Sallen", "Sorrel",
    "Tarrin", "Tassel", "Tennel", "Umbel", "Vennel", "Wardel", "Wendel", "Wimmer", "Wistel",
    "Yarrel",
]
SUFFIXES = [
    "mere", "ford", "bury", "ton", "ley", "combe", "thorpe", "wick", "stead", "field", "by",
    "ham", "worth", "dale", "holme", "brook", "bridge", "minster", "wold", "hurst", "gate",
    "haven", "moor", "well", "den", "cote", "stow", "marsh",
]
# fmt: on
PREFIXES = {
    "wales": ["Llan", "Aber", "Caer", "Pen"],
    "scotland": ["Inver", "Kil", "Strath", "Glen", "Dal"],
    "northern_ireland": ["Bally", "Drum", "Derry", "Lis"],
}
POINTS = ["North", "South", "East", "West", "Mid"]
DEPARTMENTS = [
    "Department for Public Records",
    "Department for Inland Waterways",
    "Department for Rural Connectivity",
    "Department for Civic Infrastructure",
    "Department for Regional Resilience",
    "Department for Heritage Crafts",
]
ARMS_LENGTH_BODIES = [
    "Civic Data Standards Authority",
    "Inland Waterways Navigation Agency",
    "Rural Broadband Commission",
    "Public Archives Conservation Board",
    "Coastal Heritage Trust for the Nations",
    "Office for Local Service Standards",
    "Uplands Conservation Agency",
    "Public Procurement Review Office",
    "National Skills Register Agency",
    "Street Lighting Efficiency Agency",
]


def _apportion(count: int) -> dict[str, int]:
    """Split count across the kinds by MIX (largest remainder), every kind at least once."""
    exact = {kind: share * count for kind, share in MIX.items()}
    counts = {kind: int(value) for kind, value in exact.items()}
    by_remainder = sorted(MIX, key=lambda k: exact[k] - counts[k], reverse=True)
    for kind in by_remainder[: count - sum(counts.values())]:
        counts[kind] += 1
    if count >= len(MIX):
        for kind in MIX:
            if counts[kind] == 0:
                counts[max(counts, key=counts.get)] -= 1
                counts[kind] = 1
    return counts


class _Names:
    """Invented place names, each used once."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        base = [
            stem + suffix
            for stem in STEMS
            for suffix in SUFFIXES
            if not (stem.endswith("mer") and suffix == "mere")
        ]
        rng.shuffle(base)
        # Popped from the end: plain names first, then "North X" and the like for big counts.
        self.english = [f"{point} {name}" for point in POINTS for name in base] + base
        self.shires = [f"{stem}shire" for stem in STEMS]
        rng.shuffle(self.shires)
        self.used: set[str] = set()

    def place(self, nation: str = "england") -> str:
        while True:
            if nation == "england":
                name = self.english.pop()
            else:
                name = self.rng.choice(PREFIXES[nation]) + self.rng.choice(STEMS).lower()
            if name not in self.used:
                self.used.add(name)
                return name

    def shire(self) -> str:
        return self.shires.pop() if self.shires else f"{self.place()}shire"


def demo_organisations(count: int = 400, seed: int = 2026) -> list[dict]:
    """Invented public bodies: dicts with name, kind, region, code, size_band and parent_code.

    The same count and seed always give the same list. Names and codes are unique. Counties
    come first and some districts name their county as parent; the first unitary authority
    is an English one (demo_load makes it the demo people's home).
    """
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not a secret
    names = _Names(rng)
    counts = _apportion(count)
    numbers = dict.fromkeys(MIX, 0)
    bodies: list[dict] = []

    def add(kind, name, region, parent_code=""):
        numbers[kind] += 1
        options, weights = zip(*SIZES[kind], strict=True)
        bodies.append(
            {
                "name": name,
                "kind": str(kind),
                "region": str(region),
                "code": f"Z{CODE_LETTER[kind]}{numbers[kind]:04d}",
                "size_band": str(rng.choices(options, weights)[0]),
                "parent_code": parent_code,
            }
        )
        return bodies[-1]

    def devolved(total, shares):
        """How many of `total` go to Wales, Scotland and Northern Ireland."""
        return {nation: round(total * share) for nation, share in shares.items()}

    shires = [names.shire() for _ in range(max(counts[K.COUNTY], 1))]
    counties = [
        add(K.COUNTY, f"{shire} County Council", SHIRE_REGIONS[i % len(SHIRE_REGIONS)])
        for i, shire in enumerate(shires[: counts[K.COUNTY]])
    ]

    for i in range(counts[K.DISTRICT]):
        place = names.place()
        if rng.random() < 0.12:
            place = f"{rng.choice(POINTS)} {place}"
            names.used.add(place)
        form = "District Council" if rng.random() < 0.65 else "Borough Council"
        county = counties[i % len(counties)] if counties else None
        region = county["region"] if county else rng.choice(SHIRE_REGIONS)
        parent = county["code"] if county and rng.random() < 0.67 else ""
        add(K.DISTRICT, f"{place} {form}", region, parent)

    outside = devolved(
        counts[K.UNITARY], {"scotland": 0.17, "wales": 0.12, "northern_ireland": 0.07}
    )
    for _ in range(counts[K.UNITARY] - sum(outside.values())):
        form = rng.choice(["Council", "Council", "City Council", "Borough Council"])
        add(K.UNITARY, f"{names.place()} {form}", rng.choice(ENGLISH_REGIONS))
    for _ in range(outside["scotland"]):
        add(K.UNITARY, f"{names.place('scotland')} Council", R.SCOTLAND)
    for _ in range(outside["wales"]):
        form = rng.choice(["County Council", "County Borough Council"])
        add(K.UNITARY, f"{names.place('wales')} {form}", R.WALES)
    for _ in range(outside["northern_ireland"]):
        form = rng.choice(["District Council", "Borough Council"])
        add(K.UNITARY, f"{names.place('northern_ireland')} {form}", R.NORTHERN_IRELAND)

    for _ in range(counts[K.METROPOLITAN]):
        place = names.place()
        add(
            K.METROPOLITAN,
            f"{place} Metropolitan Borough Council",
            rng.choice(METROPOLITAN_REGIONS),
        )

    for i in range(counts[K.LONDON_BOROUGH]):
        form = "Royal Borough of" if i == 3 else "London Borough of"
        add(K.LONDON_BOROUGH, f"{form} {names.place()}", R.LONDON)

    outside = devolved(
        counts[K.NHS_TRUST], {"scotland": 0.05, "wales": 0.04, "northern_ireland": 0.02}
    )
    nhs_forms = [
        "{} Hospitals NHS Foundation Trust",
        "{} and {} NHS Trust",
        "{} Community Healthcare NHS Trust",
        "{} Partnership NHS Foundation Trust",
        "{} Teaching Hospitals NHS Trust",
    ]
    for i in range(counts[K.NHS_TRUST] - sum(outside.values())):
        form = nhs_forms[i % len(nhs_forms)]
        region = R.LONDON if i % 7 == 3 else rng.choice(ENGLISH_REGIONS)
        add(K.NHS_TRUST, form.format(names.place(), names.place()), region)
    for _ in range(outside["scotland"]):
        add(K.NHS_TRUST, f"NHS {names.place('scotland')}", R.SCOTLAND)
    for _ in range(outside["wales"]):
        add(K.NHS_TRUST, f"{names.place('wales')} University Health Board", R.WALES)
    for _ in range(outside["northern_ireland"]):
        place = names.place("northern_ireland")
        add(K.NHS_TRUST, f"{place} Health and Social Care Trust", R.NORTHERN_IRELAND)

    for i in range(counts[K.ICB]):
        region = R.LONDON if i % 6 == 5 else ENGLISH_REGIONS[i % len(ENGLISH_REGIONS)]
        add(
            K.ICB,
            f"NHS {names.place()} and {names.place()} Integrated Care Board",
            region,
        )

    # Police forces and fire services cover counties, so they share the counties' names.
    services = [(c["name"].removesuffix(" County Council"), c["region"]) for c in counties]
    while len(services) < max(counts[K.POLICE], counts[K.FIRE]):
        services.append((names.shire(), rng.choice(SHIRE_REGIONS)))
    for i in range(counts[K.POLICE]):
        shire, region = services[i]
        if i == 1:  # one force in Wales
            shire, region = names.place("wales"), R.WALES
        add(K.POLICE, f"{shire} {'Constabulary' if i % 3 == 2 else 'Police'}", region)
    for i in range(counts[K.FIRE]):
        shire, region = services[i]
        if i == 1:
            shire, region = names.place("wales"), R.WALES
        add(K.FIRE, f"{shire} Fire and Rescue Service", region)

    for i in range(counts[K.CENTRAL_DEPARTMENT]):
        name = DEPARTMENTS[i] if i < len(DEPARTMENTS) else f"Department for {names.place()} Affairs"
        add(K.CENTRAL_DEPARTMENT, name, R.UK_WIDE)
    for i in range(counts[K.ARMS_LENGTH_BODY]):
        name = ARMS_LENGTH_BODIES[i] if i < len(ARMS_LENGTH_BODIES) else f"{names.place()} Agency"
        add(K.ARMS_LENGTH_BODY, name, R.UK_WIDE)

    other_forms = [
        "{} Combined Authority",
        "{} National Park Authority",
        "{} Port Health Authority",
        "{} Joint Waste Authority",
    ]
    for i in range(counts[K.OTHER]):
        form = other_forms[i % len(other_forms)]
        add(K.OTHER, form.format(names.place()), rng.choice(ENGLISH_REGIONS))
    return bodies


# ---------------------------------------------------------------------------------------------
# Loading


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    role: str  # what the login is for, as printed
    admin: bool = False


PEOPLE = (
    DemoPerson("admin@demo.example", "Ada Marlowe", "platform admin", admin=True),
    DemoPerson("lead@demo.example", "Morgan Ashby", "assessment lead"),
    DemoPerson("officer@demo.example", "Sam Okafor", "respondent"),
    DemoPerson("officer2@demo.example", "Jo Pritchard", "respondent"),
    DemoPerson("viewer@demo.example", "Rowan Ellis", "viewer"),
    DemoPerson("lead.nhs@demo.example", "Dr Kit Farrow", "NHS trust lead"),
    DemoPerson("consultant@demo.example", "Casey Fennimore", "consultant"),
)
PEER_GROUPS = {
    "Coastal councils (demo)": "Fictional demo group: councils with a coastline.",
    "Shared services partnership (demo)": "Fictional demo group: councils sharing back-office "
    "services with the demo home council.",
}
COUNCIL_KINDS = (K.COUNTY, K.DISTRICT, K.UNITARY, K.METROPOLITAN, K.LONDON_BOROUGH)


@dataclass(frozen=True)
class DemoResult:
    organisations: ImportResult
    logins: list[tuple[str, str]]  # (role description, email), in the order to print them
    home: Organisation  # where lead, officers and viewer are members
    nhs_trust: Organisation  # where lead.nhs is lead
    consultant_clients: list[Organisation]
    people_created: int


def _sync_people(password: str) -> tuple[dict[str, object], int]:
    User = get_user_model()
    hashed = make_password(password)  # once: hashing is deliberately slow
    found = {u.email: u for u in User.objects.filter(email__in=[p.email for p in PEOPLE])}
    people, created = {}, 0
    for person in PEOPLE:
        user = found.get(person.email)
        wanted = {
            "full_name": person.full_name,
            "is_staff": person.admin,
            "is_superuser": person.admin,
            "is_active": True,
            "password": hashed,
        }
        if user is None:
            user = User.objects.create(email=person.email, **wanted)
            audit_record(
                actor=None,
                action="user.create",
                obj=user,
                changes={"email": user.email, "via": "demo"},
            )
            created += 1
        else:
            for field, value in wanted.items():
                setattr(user, field, value)
            user.save(update_fields=list(wanted))
        people[person.email] = user
    return people, created


def _sync_memberships(people: dict, wanted: dict[tuple[int, int], str]) -> None:
    """Make the demo people's memberships exactly `wanted`: {(user id, organisation id): role}."""
    current = Membership.objects.filter(user__in=list(people.values())).select_related("user")
    for membership in current:
        key = (membership.user_id, membership.organisation_id)
        role = wanted.pop(key, None)
        if role is None:
            audit_record(
                actor=None,
                action="membership.remove",
                obj=membership,
                changes={"user": membership.user.email, "role": membership.role},
                organisation_id=membership.organisation_id,
            )
            membership.delete()
        elif role != membership.role:
            old, membership.role = membership.role, role
            membership.save(update_fields=["role"])
            audit_record(
                actor=None,
                action="membership.change_role",
                obj=membership,
                changes={"user": membership.user.email, "role": [old, role]},
                organisation_id=membership.organisation_id,
            )
    emails = {user.pk: email for email, user in people.items()}
    for (user_id, organisation_id), role in wanted.items():
        membership = Membership.objects.create(
            user_id=user_id, organisation_id=organisation_id, role=role
        )
        audit_record(
            actor=None,
            action="membership.create",
            obj=membership,
            changes={"user": emails[user_id], "role": role},
            organisation_id=organisation_id,
        )


def _sync_grants(consultant, clients: list[Organisation], granted_by) -> None:
    """The consultant's active grants become exactly `clients`; others are revoked."""
    wanted = {org.pk for org in clients}
    for grant in ConsultantGrant.objects.active().filter(consultant=consultant):
        if grant.organisation_id in wanted:
            wanted.discard(grant.organisation_id)
            continue
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        audit_record(
            actor=None,
            action="consultant_grant.revoke",
            obj=grant,
            changes={"consultant": consultant.email},
            organisation_id=grant.organisation_id,
        )
    for org in clients:
        if org.pk in wanted:
            grant = ConsultantGrant.objects.create(
                organisation=org, consultant=consultant, granted_by=granted_by
            )
            audit_record(
                actor=granted_by,
                action="consultant_grant.create",
                obj=grant,
                changes={"consultant": consultant.email},
                organisation_id=org.pk,
            )


def _sync_peer_groups(bodies: list[dict], home: dict, seed: int) -> None:
    councils = [b for b in bodies if b["kind"] in COUNCIL_KINDS and b["region"] != R.LONDON]
    coastal = random.Random(seed + 1).sample(  # noqa: S311 - repeatable demo data
        councils, min(20, len(councils))
    )
    nearby = [
        b
        for b in councils
        if b["region"] == home["region"]
        and b["kind"] in (K.DISTRICT, K.UNITARY)
        and b["code"] != home["code"]
    ]
    members = {
        "Coastal councils (demo)": [b["code"] for b in coastal],
        "Shared services partnership (demo)": [home["code"]] + [b["code"] for b in nearby[:5]],
    }
    for name, description in PEER_GROUPS.items():
        group, _ = PeerGroup.objects.update_or_create(
            name=name, defaults={"description": description}
        )
        group.organisations.set(Organisation.objects.filter(code__in=members[name]))


@transaction.atomic
def demo_load(*, password: str, count: int = 400, seed: int = 2026) -> DemoResult:
    """Create or update the demo organisations, people, memberships, grants and peer groups.

    Idempotent: organisations are matched by code and people by email; the demo people's
    memberships and active consultant grants are set to exactly the demo's, and every demo
    password is (re)set to `password`.
    """
    bodies = demo_organisations(count=count, seed=seed)
    imported = organisations_import(
        rows=[OrganisationRow(line=i, **body) for i, body in enumerate(bodies, start=1)]
    )
    home = next(b for b in bodies if b["kind"] == K.UNITARY)
    nhs = next(b for b in bodies if b["kind"] == K.NHS_TRUST)
    third = next(b for b in bodies if b["kind"] == K.METROPOLITAN)
    orgs = Organisation.objects.in_bulk(
        [home["code"], nhs["code"], third["code"]], field_name="code"
    )
    home_org, nhs_org = orgs[home["code"]], orgs[nhs["code"]]
    clients = [home_org, nhs_org, orgs[third["code"]]]

    people, created = _sync_people(password)
    lead, consultant = people["lead@demo.example"], people["consultant@demo.example"]
    _sync_memberships(
        people,
        {
            (lead.pk, home_org.pk): Role.LEAD,
            (people["officer@demo.example"].pk, home_org.pk): Role.RESPONDENT,
            (people["officer2@demo.example"].pk, home_org.pk): Role.RESPONDENT,
            (people["viewer@demo.example"].pk, home_org.pk): Role.VIEWER,
            (people["lead.nhs@demo.example"].pk, nhs_org.pk): Role.LEAD,
        },
    )
    _sync_grants(consultant, clients, granted_by=lead)
    _sync_peer_groups(bodies, home, seed)
    return DemoResult(
        organisations=imported,
        logins=[(p.role, p.email) for p in PEOPLE],
        home=home_org,
        nhs_trust=nhs_org,
        consultant_clients=clients,
        people_created=created,
    )
