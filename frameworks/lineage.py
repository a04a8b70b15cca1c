"""How the questions of an earlier version of a framework become those of a later one.

Pure: crosswalk links in, a VersionMap out, so trends and carry-over can cross version
boundaries (several at once: 1.0 -> 1.1 -> 2.0) without touching the database. The selector
`frameworks.selectors.version_map` loads the links and calls `build_map`.

A later question's relation to the earlier version sums up every path back to it:
- "same" or "reworded": one ancestor, reached only through same (or reworded) links, and no
  other later question descends from it. Only these are comparable, one to one;
- "split-from": one ancestor that other later questions also come from, or a split on the way;
- "merged-from": two or more ancestors, or a merge on the way;
- "new": no path back (added in the later version or in one between).
"""

from collections.abc import Iterable
from dataclasses import dataclass

SAME, REWORDED, SPLIT_FROM, MERGED_FROM, NEW = (
    "same",
    "reworded",
    "split-from",
    "merged-from",
    "new",
)


@dataclass(frozen=True)
class VersionMap:
    # later question id -> the earlier version's question ids it comes from (empty when new)
    ancestors: dict[int, frozenset[int]]
    # later question id -> SAME, REWORDED, SPLIT_FROM, MERGED_FROM or NEW
    relation: dict[int, str]
    # later question id -> earlier question id, for one-to-one same or reworded questions only
    comparable: dict[int, int]
    # earlier question ids that no later question comes from
    removed: frozenset[int]
    # the same version, or every question the same one to one in both directions
    identical: bool

    def count(self, relation: str) -> int:
        return sum(1 for r in self.relation.values() if r == relation)


def identity_map(question_ids: Iterable[int]) -> VersionMap:
    ids = list(question_ids)
    return VersionMap(
        ancestors={q: frozenset([q]) for q in ids},
        relation=dict.fromkeys(ids, SAME),
        comparable={q: q for q in ids},
        removed=frozenset(),
        identical=True,
    )


def build_map(
    *, links: Iterable[tuple[int, int, str]], later: Iterable[int], earlier: Iterable[int]
) -> VersionMap:
    """`links` are (question id, ancestor id, relation) for the framework's confirmed links;
    `later` and `earlier` the two versions' question ids."""
    later_ids, earlier_ids = list(later), frozenset(earlier)
    parents: dict[int, list[tuple[int, str]]] = {}
    for question, ancestor, relation in links:
        parents.setdefault(question, []).append((ancestor, relation))

    ancestors: dict[int, frozenset[int]] = {}
    kinds: dict[int, set[str]] = {}
    for question in later_ids:
        if question in earlier_ids:  # a question shared by both ends (the same version)
            ancestors[question], kinds[question] = frozenset([question]), set()
            continue
        found: set[int] = set()
        seen_kinds: set[str] = set()
        # Walk back along every path; each entry carries the relations met on its way.
        stack = [(question, frozenset())]
        visited: set[tuple[int, frozenset]] = set()
        while stack:
            node, path = stack.pop()
            for ancestor, relation in parents.get(node, ()):
                step = (ancestor, path | {relation})
                if step in visited:
                    continue
                visited.add(step)
                if ancestor in earlier_ids:
                    found.add(ancestor)
                    seen_kinds |= step[1]
                else:
                    stack.append(step)
        ancestors[question], kinds[question] = frozenset(found), seen_kinds

    descendants: dict[int, int] = {}
    for found in ancestors.values():
        for ancestor in found:
            descendants[ancestor] = descendants.get(ancestor, 0) + 1

    relation: dict[int, str] = {}
    comparable: dict[int, int] = {}
    for question in later_ids:
        found, seen = ancestors[question], kinds[question]
        if not found:
            relation[question] = NEW
        elif len(found) > 1 or MERGED_FROM in seen:
            relation[question] = MERGED_FROM
        elif SPLIT_FROM in seen or descendants[next(iter(found))] > 1:
            relation[question] = SPLIT_FROM
        else:
            relation[question] = REWORDED if REWORDED in seen else SAME
            comparable[question] = next(iter(found))

    removed = earlier_ids - set(descendants)
    identical = (
        not removed
        and len(later_ids) == len(earlier_ids)
        and all(r == SAME for r in relation.values())
    )
    return VersionMap(
        ancestors=ancestors,
        relation=relation,
        comparable=comparable,
        removed=frozenset(removed),
        identical=identical,
    )
