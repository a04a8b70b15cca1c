"""What changed between two versions of a framework.

Pure: two FrameworkSpecs in (and, when the later version is linked to the earlier one through
the crosswalk, how its questions descend), a VersionDiff out: one Change per thing that changed,
in reading order. The page, the CSV and the tests all read the same list.

Questions are matched through the crosswalk when there is one, so a question whose slug was
renamed shows as reworded or moved, not as removed and added; otherwise by slug.
"""

import difflib
import re
from dataclasses import dataclass

from frameworks.fileformat import DimensionSpec, FrameworkSpec, QuestionSpec

SCORING_NAMES = {"weighted_mean": "Weighted mean", "lowest": "Lowest level reached (gated)"}

# A question's identity inside one version: (dimension slug, question slug).
Key = tuple[str, str]
# Later question -> (relation, the earlier questions it comes from), as frameworks.lineage says.
Lineage = dict[Key, tuple[str, frozenset[Key]]]

SUBJECTS = ("framework", "scale level", "facet", "facet value", "dimension", "question")
KINDS = ("added", "removed", "moved", "reworded", "split", "merged", "changed")


@dataclass(frozen=True)
class Change:
    subject: str  # one of SUBJECTS
    kind: str  # one of KINDS
    dimension: str = ""  # the dimension's name (the earlier one's when removed)
    question: str = ""  # the question's slug (the earlier one's when removed)
    field: str = ""  # what changed: "text", "weight", "level 3 descriptor"...
    before: str = ""
    after: str = ""
    wordwise: bool = False  # prose: shown as a word-level diff

    @property
    def label(self) -> str:
        return f"{self.subject} {self.kind}"

    @property
    def pieces(self) -> list[tuple[str, str]]:
        return word_diff(self.before, self.after)


@dataclass(frozen=True)
class VersionDiff:
    earlier: str  # version numbers
    later: str
    by_crosswalk: bool  # questions matched through the crosswalk (else by slug)
    changes: tuple[Change, ...]

    def count(self, subject: str, kind: str) -> int:
        return sum(1 for c in self.changes if c.subject == subject and c.kind == kind)

    def of(self, *subjects: str) -> list[Change]:
        return [c for c in self.changes if c.subject in subjects]

    @property
    def summary(self) -> list[tuple[str, int]]:
        """Counts for the top of the page: questions by kind of change, then the rest."""
        questions = [
            ("Questions added", self.count("question", "added")),
            ("Questions removed", self.count("question", "removed")),
            ("Questions reworded", self.count("question", "reworded")),
            ("Questions moved", self.count("question", "moved")),
            ("Questions split from an earlier one", self.count("question", "split")),
            ("Questions merged from earlier ones", self.count("question", "merged")),
            ("Other changes to questions", self.count("question", "changed")),
            ("Dimensions added", self.count("dimension", "added")),
            ("Dimensions removed", self.count("dimension", "removed")),
            (
                "Other changes to dimensions",
                self.count("dimension", "changed") + self.count("dimension", "moved"),
            ),
            ("Changes to the scale", len(self.of("scale level"))),
            ("Changes to facets", len(self.of("facet", "facet value"))),
            ("Changes to the framework's details and scoring", len(self.of("framework"))),
        ]
        return [(label, n) for label, n in questions if n]


_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Runs of ("equal" | "delete" | "insert", text), word by word, whitespace kept."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(("insert", "".join(b[j1:j2])))
    return pieces


def _number(value: float) -> str:
    return f"{value:g}"


def _stable(order: list[int]) -> set[int]:
    """Indexes of the longest increasing run of `order` (not necessarily adjacent): the items
    that kept their relative order. The rest are the fewest that moved."""
    tails: list[int] = []  # tails[k]: index into order ending the best run of length k + 1
    back: list[int | None] = []
    for i, value in enumerate(order):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if order[tails[mid]] < value:
                lo = mid + 1
            else:
                hi = mid
        back.append(tails[lo - 1] if lo else None)
        if lo == len(tails):
            tails.append(i)
        else:
            tails[lo] = i
    kept: set[int] = set()
    i = tails[-1] if tails else None
    while i is not None:
        kept.add(i)
        i = back[i]
    return kept


def _moved(pairs: list[tuple[int, int]]) -> set[int]:
    """Given (earlier position, later position) pairs, the later positions that moved."""
    pairs = sorted(pairs, key=lambda p: p[1])
    kept = _stable([e for e, _ in pairs])
    return {pairs[i][1] for i in range(len(pairs)) if i not in kept}


def _framework(earlier: FrameworkSpec, later: FrameworkSpec) -> list[Change]:
    changes = []
    for field in ("name", "description"):
        before, after = getattr(earlier, field), getattr(later, field)
        if before != after:
            changes.append(Change("framework", "changed", field=field, before=before, after=after))
    if earlier.flags != later.flags:
        changes.append(
            Change(
                "framework",
                "changed",
                field="warnings",
                before=_flags_text(earlier.flags),
                after=_flags_text(later.flags),
            )
        )
    if earlier.scoring != later.scoring:
        changes.append(
            Change(
                "framework",
                "changed",
                field="scoring rule",
                before=SCORING_NAMES.get(earlier.scoring, earlier.scoring),
                after=SCORING_NAMES.get(later.scoring, later.scoring),
            )
        )
    return changes


def _flags_text(flags) -> str:
    """Declared flags in a line: "lens imbalance (between a, b); technology ahead of data
    (reading c)"."""
    parts = []
    for flag in flags:
        named = flag.dimensions or flag.questions
        between = "between" if flag.dimensions else "reading"
        words = flag.code.replace("-", " ")
        parts.append(f"{words} ({between} {', '.join(named)})" if named else words)
    return "; ".join(parts)


def _scale(earlier: FrameworkSpec, later: FrameworkSpec) -> list[Change]:
    changes = []
    before = {lv.value: lv for lv in earlier.levels}
    after = {lv.value: lv for lv in later.levels}
    for value in sorted(before.keys() | after.keys()):
        old, new = before.get(value), after.get(value)
        field = f"level {value}"
        if old is None:
            changes.append(Change("scale level", "added", field=field, after=new.label))
        elif new is None:
            changes.append(Change("scale level", "removed", field=field, before=old.label))
        else:
            if old.label != new.label:
                changes.append(
                    Change(
                        "scale level",
                        "changed",
                        field=f"{field} label",
                        before=old.label,
                        after=new.label,
                    )
                )
            if old.description != new.description:
                changes.append(
                    Change(
                        "scale level",
                        "changed",
                        field=f"{field} description",
                        before=old.description,
                        after=new.description,
                        wordwise=True,
                    )
                )
    return changes


def _facets(earlier: FrameworkSpec, later: FrameworkSpec) -> list[Change]:
    changes = []
    before = {f.slug: f for f in earlier.facets}
    after = {f.slug: f for f in later.facets}
    for slug in [*before, *(s for s in after if s not in before)]:
        old, new = before.get(slug), after.get(slug)
        if old is None:
            changes.append(Change("facet", "added", field=slug, after=new.name))
            continue
        if new is None:
            changes.append(Change("facet", "removed", field=slug, before=old.name))
            continue
        for field in ("name", "description"):
            if getattr(old, field) != getattr(new, field):
                changes.append(
                    Change(
                        "facet",
                        "changed",
                        field=f"{slug} {field}",
                        before=getattr(old, field),
                        after=getattr(new, field),
                        wordwise=field == "description",
                    )
                )
        old_values = {v.slug: v for v in old.values}
        new_values = {v.slug: v for v in new.values}
        for value in [*old_values, *(v for v in new_values if v not in old_values)]:
            was, now = old_values.get(value), new_values.get(value)
            where = f"{slug} {value}"
            if was is None:
                changes.append(Change("facet value", "added", field=where, after=now.name))
            elif now is None:
                changes.append(Change("facet value", "removed", field=where, before=was.name))
            else:
                if was.name != now.name:
                    changes.append(
                        Change(
                            "facet value",
                            "changed",
                            field=f"{where} name",
                            before=was.name,
                            after=now.name,
                        )
                    )
                if was.weight != now.weight:
                    changes.append(
                        Change(
                            "facet value",
                            "changed",
                            field=f"{where} weight",
                            before=_number(was.weight),
                            after=_number(now.weight),
                        )
                    )
    return changes


def _dimensions(earlier: FrameworkSpec, later: FrameworkSpec) -> list[Change]:
    changes = []
    before = {d.slug: (i, d) for i, d in enumerate(earlier.dimensions)}
    after = {d.slug: (i, d) for i, d in enumerate(later.dimensions)}
    moved = _moved([(before[s][0], i) for s, (i, _) in after.items() if s in before])
    for slug, (i, new) in after.items():
        if slug not in before:
            changes.append(Change("dimension", "added", new.name, after=new.name))
            continue
        j, old = before[slug]
        if i in moved:
            changes.append(
                Change(
                    "dimension",
                    "moved",
                    new.name,
                    field="position",
                    before=str(j + 1),
                    after=str(i + 1),
                )
            )
        for field in ("name", "description"):
            if getattr(old, field) != getattr(new, field):
                changes.append(
                    Change(
                        "dimension",
                        "changed",
                        new.name,
                        field=field,
                        before=getattr(old, field),
                        after=getattr(new, field),
                        wordwise=True,
                    )
                )
        if old.weight != new.weight:
            changes.append(
                Change(
                    "dimension",
                    "changed",
                    new.name,
                    field="weight",
                    before=_number(old.weight),
                    after=_number(new.weight),
                )
            )
    for slug, (_, old) in before.items():
        if slug not in after:
            changes.append(Change("dimension", "removed", old.name, before=old.name))
    return changes


@dataclass(frozen=True)
class _Place:
    dimension: DimensionSpec
    position: int  # within its dimension, from 0
    question: QuestionSpec


def _places(spec: FrameworkSpec) -> dict[Key, _Place]:
    return {
        (d.slug, q.slug): _Place(d, i, q)
        for d in spec.dimensions
        for i, q in enumerate(d.questions)
    }


def _match(
    before: dict[Key, _Place], after: dict[Key, _Place], lineage: Lineage | None
) -> tuple[dict[Key, Key], dict[Key, tuple[str, frozenset[Key]]], set[Key]]:
    """Later question -> its one earlier match; later question -> (split or merged, ancestors);
    and the earlier questions nothing descends from."""
    pairs: dict[Key, Key] = {}
    derived: dict[Key, tuple[str, frozenset[Key]]] = {}
    unmatched: list[Key] = []
    if lineage is None:
        unmatched = list(after)
    else:
        for key, place in after.items():
            relation, ancestors = lineage.get(key, ("new", frozenset()))
            if relation in ("same", "reworded") and len(ancestors) == 1:
                pairs[key] = next(iter(ancestors))
            elif relation == "split-from":
                derived[key] = ("split", ancestors)
            elif relation == "merged-from":
                derived[key] = ("merged", ancestors)
            elif place.question.derived_from is None:
                unmatched.append(key)  # not reviewed yet: the slug is the best guess
    claimed = set(pairs.values()) | {a for _, ancestors in derived.values() for a in ancestors}
    by_slug: dict[str, list[Key]] = {}
    for key in before:
        if key not in claimed:
            by_slug.setdefault(key[1], []).append(key)
    for key in unmatched:
        candidates = by_slug.get(key[1])
        if candidates:
            pairs[key] = candidates.pop(0)
            claimed.add(pairs[key])
    return pairs, derived, set(before) - claimed


def _question_fields(
    old: QuestionSpec, new: QuestionSpec, change, facet_names: dict, value_names: dict
) -> list[Change]:
    """The changes to a matched question beyond its text and place."""
    out = []
    if old.slug != new.slug:
        out.append(change("changed", "slug", old.slug, new.slug))
    if old.help != new.help:
        out.append(change("changed", "help", old.help, new.help, True))
    if old.weight != new.weight:
        out.append(change("changed", "weight", _number(old.weight), _number(new.weight)))
    for facet in [*old.tags, *(f for f in new.tags if f not in old.tags)]:
        was, now = old.tags.get(facet), new.tags.get(facet)
        if was != now:
            out.append(
                change(
                    "changed",
                    f"tag: {facet_names.get(facet, facet)}",
                    value_names.get((facet, was), was or ""),
                    value_names.get((facet, now), now or ""),
                )
            )
    for value in sorted(old.levels.keys() | new.levels.keys()):
        was, now = old.levels.get(value, ""), new.levels.get(value, "")
        if was != now:
            out.append(change("changed", f"level {value} descriptor", was, now, True))
    for value in sorted(old.recommendations.keys() | new.recommendations.keys()):
        was, now = old.recommendations.get(value, ""), new.recommendations.get(value, "")
        if was != now:
            out.append(change("changed", f"recommendation from level {value}", was, now, True))
    return out


def _question_change(place: _Place):
    """A maker of Changes to the question at `place`."""

    def change(kind, field="", before="", after="", wordwise=False):
        return Change(
            "question",
            kind,
            place.dimension.name,
            place.question.slug,
            field,
            before,
            after,
            wordwise,
        )

    return change


def _questions(earlier: FrameworkSpec, later: FrameworkSpec, lineage: Lineage | None):
    before, after = _places(earlier), _places(later)
    order = {key: i for i, key in enumerate(before)}
    pairs, derived, removed = _match(before, after, lineage)
    facets = (*earlier.facets, *later.facets)
    facet_names = {f.slug: f.name for f in facets}
    value_names = {(f.slug, v.slug): v.name for f in facets for v in f.values}
    # Within a dimension (the same slug in both), the fewest questions that changed order.
    by_dimension: dict[str, list[tuple[int, int]]] = {}
    for key, old_key in pairs.items():
        if key[0] == old_key[0]:
            by_dimension.setdefault(key[0], []).append(
                (before[old_key].position, after[key].position)
            )
    moved = {(slug, pos) for slug, rows in by_dimension.items() for pos in _moved(rows)}

    changes: list[Change] = []
    for key, place in after.items():
        new, change = place.question, _question_change(place)
        if key in derived:
            kind, ancestors = derived[key]
            olds = [before[a].question for a in sorted(ancestors, key=order.__getitem__)]
            field = "from " + ", ".join(q.slug for q in olds)
            changes.append(change(kind, field, " / ".join(q.text for q in olds), new.text))
            continue
        if key not in pairs:
            changes.append(change("added", "text", "", new.text))
            continue
        old_place = before[pairs[key]]
        old = old_place.question
        if old.text != new.text:
            changes.append(change("reworded", "text", old.text, new.text, True))
        if old_place.dimension.slug != place.dimension.slug:
            changes.append(
                change("moved", "dimension", old_place.dimension.name, place.dimension.name)
            )
        elif (key[0], place.position) in moved:
            changes.append(
                change("moved", "position", str(old_place.position + 1), str(place.position + 1))
            )
        changes.extend(_question_fields(old, new, change, facet_names, value_names))
    reasons = {d.question: d.reason for d in later.dropped if d.version == earlier.version}
    for key in sorted(removed, key=order.__getitem__):
        change = _question_change(before[key])
        question = before[key].question
        # The later version's reason for no longer asking it, when it gives one.
        changes.append(change("removed", "text", question.text, reasons.get(question.slug, "")))
    return changes


def diff_versions(
    earlier: FrameworkSpec, later: FrameworkSpec, *, lineage: Lineage | None = None
) -> VersionDiff:
    """Every change from `earlier` to `later`. `lineage` (from the crosswalk) maps each later
    question to its relation and earlier questions; without it questions match by slug."""
    return VersionDiff(
        earlier=earlier.version,
        later=later.version,
        by_crosswalk=lineage is not None,
        changes=tuple(
            _framework(earlier, later)
            + _scale(earlier, later)
            + _facets(earlier, later)
            + _dimensions(earlier, later)
            + _questions(earlier, later, lineage)
        ),
    )
