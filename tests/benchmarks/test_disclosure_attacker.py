"""Disclosure that survives combination: an attacker given every figure one signed-in person can
see (every peer group, on every page and download, before and after any single submission)
tries differencing medians and quartiles across groups and across time, and subtracting counts,
and must recover no other body's score and no withheld group's count.

For scores the attacker is as strong as can be: it knows which bodies each released figure
counts (and so which body made the difference) and reads every median and quartile. For counts
it knows how the groups fit together (every body has one kind, and within its sector one region
and one size band, and each kind belongs to one sector) and solves every equation that gives at
once, by linear algebra over the rationals (not the step-by-step working out the service does),
to find a group withheld as too small (or withheld so that a small one cannot be worked out). A group withheld only for
being almost the same bodies as a published group is known to within 2 bodies by design: that
rule hides which bodies make the difference, not how many there are. The test knows the truth
and fails on any exact recovery (to the published precision). The first tests pin the rules with worked examples; the last shows the attacker
is not toothless by letting it loose on figures published without the rules.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import services
from benchmarks import disclosure
from benchmarks import groups as fixed_groups
from benchmarks.figures import released_figures
from benchmarks.models import PeerRelease
from frameworks.models import Question
from organisations.models import SECTOR_OF_KIND, Membership, Organisation, PeerGroup, Role
from tests.factories import OrganisationFactory, UserFactory, make_version, release

SCALE = [1, 2, 3, 4, 5]
# Two sectors, two kinds in each: the region and size groups are formed within a sector.
KINDS = [
    Organisation.Kind.UNITARY,
    Organisation.Kind.DISTRICT,
    Organisation.Kind.NHS_TRUST,
    Organisation.Kind.ICB,
]
REGIONS = [Organisation.Region.LONDON, Organisation.Region.NORTH_WEST, Organisation.Region.EAST]
SIZES = [Organisation.SizeBand.SMALL, Organisation.SizeBand.LARGE]


# --- The rules, by worked example ---------------------------------------------------------


def ids(*numbers):
    return frozenset(numbers)


def test_groups_below_six_bodies_are_withheld():
    groups = {"all": ids(*range(10)), "kind:a": ids(0, 1, 2, 3, 4)}
    assert disclosure.withheld_groups(groups, partitions=[]) == {
        "kind:a": disclosure.NOT_ENOUGH_PEERS
    }


def test_of_two_groups_differing_by_fewer_than_three_bodies_the_later_is_withheld():
    groups = {"all": ids(*range(12)), "kind:a": ids(*range(10)), "region:n": ids(*range(9))}
    # all and kind:a differ by 2: kind:a goes; region:n differs from all by 3 and stays.
    assert disclosure.withheld_groups(groups, partitions=[]) == {"kind:a": disclosure.TOO_CLOSE}


def test_a_lone_withheld_group_in_a_partition_takes_the_smallest_shown_one_with_it():
    groups = {
        "all": ids(*range(24)),
        "kind:a": ids(*range(0, 12)),
        "kind:b": ids(*range(12, 20)),
        "kind:c": ids(20, 21, 22, 23),
    }
    withheld = disclosure.withheld_groups(
        groups, partitions=[("all", ["kind:a", "kind:b", "kind:c"])]
    )
    # kind:c's 4 would be 24 - 12 - 8: so kind:b (the smaller shown) is withheld too.
    assert withheld == {"kind:c": disclosure.NOT_ENOUGH_PEERS, "kind:b": disclosure.COMPLEMENTARY}


# --- The attacker -------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One published summary: which group, at which moment, of which bodies."""

    when: str
    group: str
    members: frozenset
    summary: disclosure.PeerSummary


def published(snapshot_name, figures, members_of) -> list[Seen]:
    seen = []
    for group in figures.group_keys:
        summary = figures.summary(group, "overall")
        if summary.n is not None:
            seen.append(Seen(snapshot_name, group, members_of[group], summary))
    return seen


def candidates(a: disclosure.PeerSummary, b: disclosure.PeerSummary) -> set[float]:
    """Values one body's score could be read as from two summaries that differ by that body."""
    stats_a = [v for v in (a.lower_quartile, a.median, a.upper_quartile) if v is not None]
    stats_b = [v for v in (b.lower_quartile, b.median, b.upper_quartile) if v is not None]
    found = set()
    for x, y in itertools.product(stats_a, stats_b):
        found |= {round(2 * x - y, 1), round(2 * y - x, 1), round(x, 1), round(y, 1)}
    return found


def count_equations(keys) -> list[dict[str, int]]:
    """How the attacker knows the groups fit together, each equation as {group: coefficient}
    summing to nothing: all bodies are the kinds' bodies, and within each sector, the bodies
    of its kinds are those of its regions and those of its size bands."""
    sectors: dict = defaultdict(lambda: defaultdict(list))
    for key in keys:
        prefix, _, rest = key.partition(":")
        if prefix == "kind":
            sectors[SECTOR_OF_KIND[rest]]["kind"].append(key)
        elif prefix in ("region", "size"):
            sectors[rest.split(":")[0]][prefix].append(key)
    equations = [{"all": 1} | {key: -1 for key in keys if key.startswith("kind:")}]
    for parts in sectors.values():
        for other in ("region", "size"):
            equation: dict[str, int] = defaultdict(int)
            for key in parts["kind"]:
                equation[key] += 1
            for key in parts[other]:
                equation[key] -= 1
            equations.append(equation)
    return equations


def fixed_by(equations: list[dict[str, int]], unknown: list[str]) -> set[str]:
    """The unknown counts the equations pin down (the rest being known): those whose unit row
    lies in the row space of the equations' unknown columns, by Gauss-Jordan elimination."""
    column = {key: i for i, key in enumerate(unknown)}
    basis: list[list[Fraction]] = []
    pivots: list[int] = []
    for equation in equations:
        row = [Fraction(0)] * len(unknown)
        for key, coefficient in equation.items():
            if key in column:
                row[column[key]] += coefficient
        for pivot, base in zip(pivots, basis, strict=True):
            if row[pivot]:
                row = [a - row[pivot] * b for a, b in zip(row, base, strict=True)]
        lead = next((i for i, a in enumerate(row) if a), None)
        if lead is None:
            continue
        row = [a / row[lead] for a in row]
        for i, base in enumerate(basis):
            if base[lead]:
                basis[i] = [a - base[lead] * b for a, b in zip(base, row, strict=True)]
        basis.append(row)
        pivots.append(lead)
    fixed = set()
    for key, i in column.items():
        unit = [Fraction(int(j == i)) for j in range(len(unknown))]
        for pivot, base in zip(pivots, basis, strict=True):
            if unit[pivot]:
                unit = [a - unit[pivot] * b for a, b in zip(unit, base, strict=True)]
        if not any(unit):
            fixed.add(key)
    return fixed


def attack(seen: list[Seen], truth: dict[int, float], counts: dict, sensitive=None) -> list[str]:
    """Everything the attacker recovers exactly; the test wants this empty. `counts` gives,
    per moment, each group's true count (the attacker knows which groups have bodies, not
    how many); `sensitive` names the withheld groups whose count must not be worked out."""
    recovered = []
    for first, second in itertools.combinations(seen, 2):
        odd = first.members ^ second.members
        same_bodies = first.members == second.members
        if same_bodies and first.when != second.when and first.group == second.group:
            # The same bodies before and after: differing figures mean someone's score changed.
            changed = [
                org for org in first.members if truth[("before", org)] != truth[("after", org)]
            ]
            odd = frozenset(changed) if first.summary != second.summary else frozenset()
        if len(odd) == 1:
            (body,) = odd
            value = truth.get(("after", body), truth.get(("before", body)))
            if value is not None and round(value, 1) in candidates(first.summary, second.summary):
                recovered.append(f"score of {body} from {first.group} and {second.group}")
    for when in sorted(counts):
        published = {s.group for s in seen if s.when == when}
        present = [group for group, n in counts[when].items() if n]
        unknown = [group for group in present if group not in published]
        for group in sorted(fixed_by(count_equations(present), unknown)):
            if group in (sensitive or {}).get(when, set()):
                recovered.append(f"count of {group} ({when})")
    return recovered


# --- The attacker against the service -----------------------------------------------------


body = st.tuples(
    st.sampled_from(KINDS),
    st.sampled_from(REGIONS),
    st.sampled_from(SIZES),
    st.integers(1, 5),
    st.booleans(),  # in the named peer group
)


def submitted(organisation, fv, level):
    lead = Membership.objects.filter(organisation=organisation, role=Role.LEAD).first()
    lead = lead.user if lead else UserFactory()
    if not Membership.objects.filter(organisation=organisation, user=lead).exists():
        Membership.objects.create(organisation=organisation, user=lead, role=Role.LEAD)
    round_label = f"r{organisation.assessments.count()}"
    assessment = services.assessment_start(
        organisation=organisation, framework_version=fv, round_label=round_label, user=lead
    )
    services.agreed_answer_save(
        assessment=assessment,
        question=Question.objects.get(dimension__framework_version=fv),
        lead=lead,
        data=services.AnswerData(state="level", level=level),
        base_version=0,
    )
    services.assessment_submit(assessment=assessment, user=lead)


def released_members(fv) -> dict[str, frozenset]:
    """Who each group's released figures count: the attacker reads the release dates, so knows
    when figures have not moved, and knows who is in each group."""
    return {
        release.group_key: frozenset(org for org, _ in release.measures.get("overall", []))
        for release in PeerRelease.objects.filter(framework_version=fv, released_at__isnull=False)
    }


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    population=st.lists(body, min_size=6, max_size=24),
    newcomer=body,
    resubmitter=st.integers(0, 23),
    new_level=st.integers(1, 5),
)
def test_no_score_or_withheld_count_is_recovered_before_and_after_one_submission(
    population, newcomer, resubmitter, new_level
):
    with transaction.atomic():
        fv = make_version(slug="attacked", dimensions=1, questions=1)
        named = PeerGroup.objects.create(name="Attacked named group")
        orgs, truth = [], {}
        for kind, region, size, level, in_named in population:
            org = OrganisationFactory(kind=kind, region=region, size_band=size)
            if in_named:
                named.organisations.add(org)
            submitted(org, fv, level)
            orgs.append(org)
            truth[("before", org.pk)] = truth[("after", org.pk)] = float(level)
        release(fv)  # the end of a collection window: everything released
        before = released_figures(framework_version_id=fv.pk, scale_values=SCALE)
        members_before = released_members(fv)

        # Any single submission: a new body, or one body submitting again with a new score.
        if resubmitter < len(orgs) and resubmitter % 2:
            changed = orgs[resubmitter]
            submitted(changed, fv, new_level)
            truth[("after", changed.pk)] = float(new_level)
        else:
            kind, region, size, level, _ = newcomer
            changed = OrganisationFactory(kind=kind, region=region, size_band=size)
            submitted(changed, fv, level)
            truth[("after", changed.pk)] = float(level)
        after = released_figures(framework_version_id=fv.pk, scale_values=SCALE)
        members_after = released_members(fv)

        seen = published("before", before, members_before) + published(
            "after", after, members_after
        )
        counts = {
            "before": {g: len(m) for g, m in members_before.items()},
            "after": {g: len(m) for g, m in members_after.items()},
        }
        sensitive = {
            when: {
                group
                for group in figures.group_keys
                if figures.summary(group, "overall").reason
                in (disclosure.NOT_ENOUGH_PEERS, disclosure.COMPLEMENTARY)
            }
            for when, figures in (("before", before), ("after", after))
        }
        assert attack(seen, truth, counts, sensitive) == []
        transaction.set_rollback(True)


def test_the_attacker_does_recover_scores_from_figures_published_without_the_rules():
    """Without batching and the closeness rule, a group before and after one body's submission
    gives that body's score away: the attacker finds it."""
    # Six bodies with a median of 3.0; the seventh submits 3, and the median stays 3.0.
    everyone = {org: float(level) for org, level in enumerate([1, 1, 2, 4, 5, 5, 3])}
    before = disclosure.summarise(list(everyone.values())[:-1], scale_values=SCALE)
    after = disclosure.summarise(list(everyone.values()), scale_values=SCALE)
    seen = [
        Seen("before", "all", frozenset(list(everyone)[:-1]), before),
        Seen("after", "all", frozenset(everyone), after),
    ]
    truth = {("after", org): value for org, value in everyone.items()}
    truth |= {("before", org): value for org, value in list(everyone.items())[:-1]}
    assert attack(seen, truth, {"before": {}, "after": {}}) == ["score of 6 from all and all"]


def test_the_attacker_does_recover_a_small_groups_count_without_complementary_withholding():
    members = {
        "all": ids(*range(20)),
        "kind:unitary": ids(*range(0, 12)),
        "kind:district": ids(*range(12, 18)),
        "kind:county": ids(18, 19),
    }
    kinds = ["kind:unitary", "kind:district", "kind:county"]

    def shown_without_the_rule(group):
        values = [3.0] * len(members[group])
        return Seen("now", group, members[group], disclosure.summarise(values, scale_values=SCALE))

    seen = [shown_without_the_rule(g) for g in ("all", "kind:unitary", "kind:district")]
    counts = {"now": {g: len(m) for g, m in members.items()}}
    found = attack(seen, {}, counts, {"now": {"kind:county"}})
    assert found == ["count of kind:county (now)"]
    # With the rule, the district councils are withheld too, and the attacker is left with
    # their count and the county councils' added together.
    assert disclosure.withheld_groups(members, partitions=[("all", kinds)]) == {
        "kind:county": disclosure.NOT_ENOUGH_PEERS,
        "kind:district": disclosure.COMPLEMENTARY,
    }


def nhs_and_councils():
    """12 unitary and 8 district councils, 12 NHS trusts and 4 integrated care boards, all in
    London; the councils small or large, the NHS bodies all large."""
    members, n = defaultdict(set), 0
    for kind, count in (("unitary", 12), ("district", 8), ("nhs_trust", 12), ("icb", 4)):
        for i in range(count):
            size = "large" if kind in ("nhs_trust", "icb") or i % 2 else "small"
            for key in fixed_groups.fixed_keys(kind=kind, region="london", size_band=size):
                members[key].add(n)
            n += 1
    return {key: frozenset(bodies) for key, bodies in members.items()}


def test_the_attacker_works_a_count_out_through_a_sector_when_kinds_split_only_all():
    """Kinds split all bodies, but each sector's regions split the sector: "NHS bodies in
    London" less the NHS trusts is the integrated care boards. Withholding as if the kinds
    only split all (one more kind withheld) leaves that open; withholding within sectors
    closes it."""
    members = nhs_and_councils()
    assert members["region:nhs:london"] == members["size:nhs:large"]
    flat = [
        ("all", [key for key in members if key.startswith(prefix)])
        for prefix in ("kind:", "region:", "size:")
    ]

    def attacked(withheld):
        seen = [
            Seen("now", g, m, disclosure.summarise([3.0] * len(m), scale_values=SCALE))
            for g, m in members.items()
            if g not in withheld
        ]
        counts = {"now": {g: len(m) for g, m in members.items()}}
        sensitive = {g for g, reason in withheld.items() if reason != disclosure.TOO_CLOSE}
        return attack(seen, {}, counts, {"now": sensitive})

    assert "count of kind:icb (now)" in attacked(
        disclosure.withheld_groups(members, partitions=flat)
    )
    within_sectors = disclosure.withheld_groups(
        members, partitions=fixed_groups.partitions(members)
    )
    assert within_sectors == {
        "kind:icb": disclosure.NOT_ENOUGH_PEERS,
        "size:nhs:large": disclosure.TOO_CLOSE,
        "kind:nhs_trust": disclosure.COMPLEMENTARY,
    }
    assert attacked(within_sectors) == []


# --- The rules against the attacker, for many populations, without a database -----------

body_anywhere = st.tuples(
    st.sampled_from(list(Organisation.Kind)),
    st.sampled_from([Organisation.Region.LONDON, Organisation.Region.NORTH_WEST]),
    st.sampled_from([Organisation.SizeBand.SMALL, Organisation.SizeBand.LARGE]),
)


@settings(max_examples=300, deadline=None)
@given(population=st.lists(body_anywhere, min_size=6, max_size=60))
def test_no_withheld_count_is_worked_out_from_the_groups_in_their_sectors(population):
    members = defaultdict(set)
    for org, (kind, region, size) in enumerate(population):
        for key in fixed_groups.fixed_keys(kind=kind, region=region, size_band=size):
            members[key].add(org)
    members = {key: frozenset(bodies) for key, bodies in members.items()}
    # Region and size groups hold the bodies of one sector only.
    for key, bodies in members.items():
        if key.startswith(("region:", "size:")):
            sector = key.split(":")[1]
            assert {SECTOR_OF_KIND[population[org][0]] for org in bodies} == {sector}
    withheld = disclosure.withheld_groups(members, partitions=fixed_groups.partitions(members))
    sensitive = {
        key
        for key, reason in withheld.items()
        if reason in (disclosure.NOT_ENOUGH_PEERS, disclosure.COMPLEMENTARY)
    }
    seen = [
        Seen("now", key, bodies, disclosure.summarise([3.0] * len(bodies), scale_values=SCALE))
        for key, bodies in members.items()
        if key not in withheld
    ]
    counts = {"now": {key: len(bodies) for key, bodies in members.items()}}
    assert attack(seen, {}, counts, {"now": sensitive}) == []
