"""The crosswalk across versions: worked by hand, one version to the next and across three."""

import pytest

from frameworks import services
from frameworks.lineage import build_map, identity_map
from frameworks.models import Question, QuestionLink
from frameworks.selectors import version_map
from tests.factories import make_version

# Version 1: questions 1 to 5. Version 2: 11 same as 1, 12 reworded from 2, 13 and 14 split
# from 3, 15 merged from 4 and 5, 16 new. Version 3: 21 same as 11, 22 same as 12, 23 same as
# 13, 24 reworded from 14, 25 same as 15, 26 same as 16, 27 new.
V1, V2, V3 = [1, 2, 3, 4, 5], [11, 12, 13, 14, 15, 16], [21, 22, 23, 24, 25, 26, 27]
LINKS = [
    (11, 1, "same"),
    (12, 2, "reworded"),
    (13, 3, "split-from"),
    (14, 3, "split-from"),
    (15, 4, "merged-from"),
    (15, 5, "merged-from"),
    (21, 11, "same"),
    (22, 12, "same"),
    (23, 13, "same"),
    (24, 14, "reworded"),
    (25, 15, "same"),
    (26, 16, "same"),
]


def test_one_version_to_the_next():
    m = build_map(links=LINKS, later=V2, earlier=V1)
    assert m.relation == {
        11: "same",
        12: "reworded",
        13: "split-from",
        14: "split-from",
        15: "merged-from",
        16: "new",
    }
    assert m.comparable == {11: 1, 12: 2}
    assert m.ancestors[15] == {4, 5} and m.ancestors[13] == m.ancestors[14] == {3}
    assert m.ancestors[16] == frozenset()
    assert m.removed == frozenset() and not m.identical
    assert m.count("split-from") == 2


def test_across_three_versions_relations_compose():
    m = build_map(links=LINKS, later=V3, earlier=V1)
    assert m.relation == {
        21: "same",
        22: "reworded",  # reworded in 2, the same since
        23: "split-from",
        24: "split-from",  # split in 2, reworded in 3: still not one to one
        25: "merged-from",
        26: "new",  # new in version 2
        27: "new",
    }
    assert m.comparable == {21: 1, 22: 2}


def test_removed_questions_and_a_split_whose_sibling_went():
    # Version 2 keeps only 13 of the split and drops 4 and 5: 13 is still a split, not "same".
    links = [(11, 1, "same"), (13, 3, "split-from")]
    m = build_map(links=links, later=[11, 13], earlier=V1)
    assert m.relation == {11: "same", 13: "split-from"}
    assert m.removed == {2, 4, 5}


def test_two_questions_claiming_the_same_ancestor_are_not_one_to_one():
    m = build_map(links=[(11, 1, "same"), (12, 1, "same")], later=[11, 12], earlier=[1])
    assert m.relation == {11: "split-from", 12: "split-from"} and m.comparable == {}


def test_identical_only_when_everything_is_the_same_both_ways():
    assert build_map(
        links=[(11, 1, "same"), (12, 2, "same")], later=[11, 12], earlier=[1, 2]
    ).identical
    assert not build_map(links=[(11, 1, "same")], later=[11], earlier=[1, 2]).identical
    assert identity_map([1, 2]).comparable == {1: 1, 2: 2}


@pytest.mark.django_db
def test_version_map_follows_confirmed_links_only(django_assert_num_queries):
    v1 = make_version(publish=True)
    v2 = services.framework_version_create_draft(
        framework=v1.framework, version="2.0.0", clone_from=v1
    )
    old = {q.slug: q.pk for q in Question.objects.filter(dimension__framework_version=v1)}
    new = {q.slug: q for q in Question.objects.filter(dimension__framework_version=v2)}
    reworded = new["d1-q2"]
    QuestionLink.objects.filter(question=reworded).update(relation="reworded")
    proposed = new["d2-q1"]
    QuestionLink.objects.filter(question=proposed).update(confirmed=False)
    with django_assert_num_queries(2):
        m = version_map(earlier=v1, later=v2)
    assert m.relation[new["d1-q1"].pk] == "same"
    assert m.relation[reworded.pk] == "reworded"
    assert m.relation[proposed.pk] == "new"  # a proposal does not count until confirmed
    assert m.comparable[new["d1-q1"].pk] == old["d1-q1"]
    assert m.removed == {old["d2-q1"]}
    with django_assert_num_queries(1):
        assert version_map(earlier=v2, later=v2).identical
