"""The editor's proposals for a draft's crosswalk: how each question relates to the version the
draft was made from.

Pure: the two versions' questions and the draft's confirmed links in, proposals out. Proposals
are worked out afresh whenever they are shown (never stored), so they always fit the draft as it
is now; the person editing confirms or corrects each one, and only then is a link saved.

- A question with no link, not marked new: the question with the same slug in the earlier
  version (same if the text is unchanged, reworded if not); failing that, the earlier question
  with the most similar text, if similar enough (reworded); failing that, new.
- A question linked as the same whose text now differs from its ancestor's: reworded.

How similar is similar enough: SequenceMatcher's ratio over the words (lower-cased, punctuation
as words of its own). Across the 81 questions of the four built-in frameworks (3,240 pairs of
different questions), the most alike pair scores 0.667, 99 % score under 0.45, and no question's
nearest neighbour in its own framework scores above 0.562. Eight rewordings of built-in questions
written as an editor would (a phrase added, a word swapped) scored 0.74 to 0.90; a rewrite of
the whole sentence 0.53. So 0.7: above every pair of different questions, below every rewording
that keeps the sentence. A rewrite is left for the person to link by hand.
"""

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

SIMILAR_ENOUGH = 0.7

SAME, REWORDED, NEW = "same", "reworded", "new"


@dataclass(frozen=True)
class Item:
    """A question as the proposals see it."""

    id: int
    slug: str
    text: str


@dataclass(frozen=True)
class Proposal:
    question: int  # the later question's id
    relation: str  # SAME, REWORDED or NEW
    ancestor: int | None  # the earlier question's id (None when new)
    reason: str


_WORD = re.compile(r"\w+|[^\w\s]")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def same_text(a: str, b: str) -> bool:
    """The same wording, ignoring only differences in spacing."""
    return " ".join(a.split()) == " ".join(b.split())


def similarity(a: str, b: str) -> float:
    """How alike two question texts are, word by word: 0 (nothing shared) to 1 (the same)."""
    return SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()


def propose(
    *,
    earlier: Iterable[Item],
    later: Iterable[Item],
    links: Mapping[int, Iterable[tuple[int, str]]],
    new: Iterable[int] = (),
) -> dict[int, Proposal]:
    """Proposals for the later questions, by id. `links` maps a later question's id to its
    confirmed (ancestor id, relation) links; `new` are the questions confirmed as new."""
    earlier, later = list(earlier), list(later)
    by_id = {q.id: q for q in earlier}
    links = {q: list(found) for q, found in links.items() if found}
    new = set(new)
    proposals: dict[int, Proposal] = {}
    # An earlier question already taken by a confirmed link is not offered again.
    claimed = {ancestor for found in links.values() for ancestor, _ in found}

    for q in later:
        found = links.get(q.id, [])
        if len(found) == 1 and found[0][1] == SAME and found[0][0] in by_id:
            ancestor = by_id[found[0][0]]
            if not same_text(ancestor.text, q.text):
                proposals[q.id] = Proposal(
                    q.id, REWORDED, ancestor.id, "Linked as the same, but its text has changed"
                )
    unreviewed = [q for q in later if q.id not in links and q.id not in new]

    by_slug = {q.slug: q for q in earlier if q.id not in claimed}
    rest = []
    for q in unreviewed:
        ancestor = by_slug.pop(q.slug, None)
        if ancestor is None:
            rest.append(q)
            continue
        claimed.add(ancestor.id)
        if same_text(ancestor.text, q.text):
            proposals[q.id] = Proposal(q.id, SAME, ancestor.id, "Same short name and text")
        else:
            proposals[q.id] = Proposal(
                q.id, REWORDED, ancestor.id, "Same short name, different text"
            )

    # The most alike pairs first, so the order of the questions does not decide.
    scored = []
    for q in rest:
        words = _words(q.text)
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(words)
        for ancestor in earlier:
            if ancestor.id in claimed:
                continue
            matcher.set_seq1(_words(ancestor.text))
            # The cheap upper bounds first, as difflib.get_close_matches does.
            if (
                matcher.real_quick_ratio() < SIMILAR_ENOUGH
                or matcher.quick_ratio() < SIMILAR_ENOUGH
            ):
                continue
            ratio = matcher.ratio()
            if ratio >= SIMILAR_ENOUGH:
                scored.append((-ratio, q.id, ancestor.id))
    for negative, qid, ancestor_id in sorted(scored):
        if qid in proposals or ancestor_id in claimed:
            continue
        claimed.add(ancestor_id)
        if negative == -1.0:
            proposals[qid] = Proposal(qid, SAME, ancestor_id, "Same text, different short name")
        else:
            proposals[qid] = Proposal(
                qid, REWORDED, ancestor_id, f"Similar text ({round(-negative * 100)}% alike)"
            )
    for q in rest:
        if q.id not in proposals:
            proposals[q.id] = Proposal(
                q.id, NEW, None, "No earlier question has the same short name or similar text"
            )
    return proposals


def fingerprint(proposals: Iterable[Proposal]) -> str:
    """A short digest of a set of proposals, so "confirm all" confirms exactly those the person
    saw: if the draft changed in between, the digest differs and nothing is confirmed."""
    text = ";".join(
        f"{p.question}:{p.relation}:{p.ancestor}"
        for p in sorted(proposals, key=lambda p: p.question)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# Where each question of a version stands.

TO_REVIEW = "to-review"
RELATION_NAMES = {
    "same": "Same",
    "reworded": "Reworded",
    "split-from": "Split from",
    "merged-from": "Merged from",
    NEW: "New",
    TO_REVIEW: "Not reviewed",
}


def relation_of(*, new: bool, relations: list[str]) -> str:
    """A question's place in the crosswalk from its confirmed links' relations: one of
    RELATION_NAMES (TO_REVIEW when it has no link and is not marked new)."""
    if new:
        return NEW
    if not relations:
        return TO_REVIEW
    if len(relations) > 1 or "merged-from" in relations:
        return "merged-from"
    return relations[0]


def counts(relations: Iterable[str]) -> dict[str, int]:
    """How many questions stand in each relation, every relation listed."""
    found = dict.fromkeys(RELATION_NAMES, 0)
    for relation in relations:
        found[relation] += 1
    return found


@dataclass(frozen=True)
class Row:
    """One question of the draft on the crosswalk page (model instances, already loaded)."""

    question: Any
    relation: str
    links: list  # its confirmed QuestionLinks
    proposal: Proposal | None
    proposed_ancestor: Any  # the proposal's earlier Question, if any


@dataclass(frozen=True)
class Crosswalk:
    framework_version: Any
    source: Any  # the version it was drafted from
    rows: list[Row]
    earlier: list  # the source version's questions, in order
    proposals: list[Proposal]

    @property
    def counts(self) -> dict[str, int]:
        return counts(row.relation for row in self.rows)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.proposals)

    @property
    def no_longer_asked(self) -> list[tuple[Any, str]]:
        """The source version's questions that no question of the draft is linked to (or
        proposed for), each with the reason the draft gives for dropping it ("" if none)."""
        linked = {link.ancestor_id for row in self.rows for link in row.links} | {
            row.proposal.ancestor for row in self.rows if row.proposal
        }
        reasons = {
            d["question"]: d["reason"]
            for d in self.framework_version.dropped or []
            if d["version"] == self.source.version
        }
        return [(q, reasons.get(q.slug, "")) for q in self.earlier if q.pk not in linked]
