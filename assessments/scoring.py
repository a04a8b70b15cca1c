"""Scoring: plain answers and weights in, scores with their arithmetic out.

Pure: no Django, no database. Services turn an assessment's agreed answers into these inputs,
call `compute_scores` once on submission and store the result, so dashboards never recompute.
Keeping the arithmetic here means it is property-tested on its own, and the "explain this score"
view shows exactly the numbers that made the stored score.

Not applicable, don't know and not answered all arrive as `level=None` and are left out of the
arithmetic, never counted as zero: a body should not look less mature for saying "not applicable".
"""

import collections
import itertools
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from frameworks import fileformat, layers
from frameworks.fileformat import FlagSpec

RULES = ("weighted_mean", "lowest")
WEIGHTED_MEAN, LOWEST = RULES

NOT_ANSWERED = "not answered / not applicable / don't know"
NO_ANSWERED_QUESTIONS = "no answered questions"
NO_TARGET = "no target set"

# Weighted means of whole levels carry float noise (2.9999999999 for a true 3); rounding to this
# many places before rounding down onto the scale stops that noise dropping a score a band.
BAND_PRECISION = 9

TECHNOLOGY_AHEAD_OF_DATA = "technology_ahead_of_data"
ONE_LENS_AHEAD = "one_lens_ahead"
TECHNOLOGY_LEAD = 1.0
LENS_LEAD = 2.0


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class Level:
    value: int
    label: str


@dataclass(frozen=True)
class DimensionIn:
    key: str
    name: str
    weight: float = 1.0


@dataclass(frozen=True)
class QuestionIn:
    """One question's agreed answer. `level` None: not answered, not applicable or don't know.

    `tags` maps facet slug to facet value slug, e.g. {"layer": "data"}. `name` is only shown in
    the explain view (the key stands in when it is empty).
    """

    key: str
    dimension: str
    weight: float
    level: int | None
    target: int | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    name: str = ""


# ---------------------------------------------------------------------------------------------
# Outputs


@dataclass(frozen=True)
class Part:
    """One input to a score: a question's level, or a dimension's score in the overall.

    `weight` is the raw weight; `normalised_weight` sums to 1 over a score's parts, and
    `contribution` = normalised_weight * value, which sums to the score for a weighted mean.
    Under the lowest rule the score is the minimum instead, and `sets_minimum` marks the part(s)
    holding it back. `dimension` says where a question sits, since question keys are only unique
    within their dimension and facet scores draw on several.
    """

    key: str
    name: str
    value: float
    weight: float
    normalised_weight: float
    contribution: float
    sets_minimum: bool = False
    dimension: str = ""


@dataclass(frozen=True)
class Excluded:
    """An input left out of a score, and why, so the explain view can list what did not count."""

    key: str
    name: str
    reason: str
    dimension: str = ""


@dataclass(frozen=True)
class Score:
    """A score with the arithmetic that made it.

    `value` is unrounded (compare and store this); `display` is one decimal place; the band is the
    scale level the value rounds down onto. `answered`/`total` count questions (for the overall,
    across every dimension). `method` is how the parts were combined: "weighted_mean" or "lowest"
    (under the lowest rule the overall is still a weighted mean of the dimension scores).
    """

    value: float
    display: str
    band_value: int
    band_label: str
    answered: int
    total: int
    parts: tuple[Part, ...]
    excluded: tuple[Excluded, ...]
    method: str = WEIGHTED_MEAN


@dataclass(frozen=True)
class Scores:
    """Everything stored on submission. A None score means nothing was answered there (not zero).

    `facets` is keyed by (facet, value); `grid` by (dimension, facet, value) and holds every pair
    with at least one tagged question, so a lens-by-layer grid can tell "not answered" (None) from
    "no such questions" (absent).
    """

    overall: Score | None
    dimensions: dict[str, Score | None]
    targets: dict[str, Score | None]
    gaps: dict[str, float | None]
    facets: dict[tuple[str, str], Score | None]
    grid: dict[tuple[str, str, str], Score | None]


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    detail: dict


# ---------------------------------------------------------------------------------------------
# Bands and display


def display(value: float) -> str:
    return f"{value:.1f}"


def band(value: float, scale: Sequence[Level]) -> Level:
    """The highest level at or below the value; the lowest level for a value below the scale."""
    if not scale:
        raise ValueError("The scale has no levels")
    value_reached = level_at_or_below(value, [level.value for level in scale])
    return next(level for level in scale if level.value == value_reached)


def level_at_or_below(value: float, scale_values: Sequence[int]) -> int:
    """The highest scale value at or below `value` (the lowest for a value below the scale):
    how every score, median and suggestion is rounded down onto the scale."""
    guarded = round(value, BAND_PRECISION)
    reached = [v for v in scale_values if v <= guarded]
    return max(reached) if reached else min(scale_values)


# ---------------------------------------------------------------------------------------------
# Combining parts into a score


@dataclass(frozen=True)
class _Item:
    key: str
    name: str
    value: float | None
    weight: float
    dimension: str = ""


def _combine(
    items: Sequence[_Item],
    *,
    method: str,
    scale: Sequence[Level],
    reason: str,
    answered: int | None = None,
    total: int | None = None,
) -> Score | None:
    """Items with a value become parts; the rest are excluded with `reason`. None if no parts."""
    used = [item for item in items if item.value is not None]
    if not used:
        return None
    values = [float(item.value) for item in used if item.value is not None]
    raw_total = math.fsum(item.weight for item in used)
    if method == LOWEST:
        value = min(values)
    else:
        value = math.fsum(item.weight * v for item, v in zip(used, values, strict=True)) / raw_total
        # The true mean lies between the smallest and largest value; clamp away the float noise
        # that could otherwise put 5 equal 5s at 5.000000000000001, off the scale.
        value = min(max(value, min(values)), max(values))
    parts = tuple(
        Part(
            key=item.key,
            name=item.name,
            value=v,
            weight=item.weight,
            normalised_weight=item.weight / raw_total,
            contribution=item.weight / raw_total * v,
            sets_minimum=method == LOWEST and v == value,
            dimension=item.dimension,
        )
        for item, v in zip(used, values, strict=True)
    )
    excluded = tuple(
        Excluded(key=item.key, name=item.name, reason=reason, dimension=item.dimension)
        for item in items
        if item.value is None
    )
    level = band(value, scale)
    return Score(
        value=value,
        display=display(value),
        band_value=level.value,
        band_label=level.label,
        answered=len(used) if answered is None else answered,
        total=len(items) if total is None else total,
        parts=parts,
        excluded=excluded,
        method=method,
    )


# ---------------------------------------------------------------------------------------------
# Validation


def _check_weight(weight: object, what: str) -> None:
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or not math.isfinite(weight)
        or weight <= 0
    ):
        raise ValueError(f"{what} has weight {weight!r}; weights must be numbers greater than 0")


def _levels_list(values: Iterable[int]) -> str:
    return ", ".join(str(v) for v in values)


def _check_scale(scale: Sequence[Level]) -> tuple[int, ...]:
    if not scale:
        raise ValueError("The scale has no levels")
    values = tuple(level.value for level in scale)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"Scale level {v!r} is not a whole number")
    if any(a >= b for a, b in itertools.pairwise(values)):
        raise ValueError(f"Scale levels must be in strictly ascending order, found {values}")
    return values


def _check_level(value: object, scale_values: tuple[int, ...], what: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value not in scale_values:
        raise ValueError(
            f"{what} is {value!r}, which is not on the scale ({_levels_list(scale_values)})"
        )


def _validate(
    scale: Sequence[Level],
    dimensions: Sequence[DimensionIn],
    questions: Sequence[QuestionIn],
    rule: str,
) -> tuple[int, ...]:
    if rule not in RULES:
        raise ValueError(f"Unknown scoring rule {rule!r}; use weighted_mean or lowest")
    scale_values = _check_scale(scale)
    keys: set[str] = set()
    for d in dimensions:
        if d.key in keys:
            raise ValueError(f"Dimension {d.key!r} appears twice")
        keys.add(d.key)
        _check_weight(d.weight, f"Dimension {d.key!r}")
    seen: set[tuple[str, str]] = set()
    for q in questions:
        if q.dimension not in keys:
            raise ValueError(
                f"Question {q.key!r} belongs to dimension {q.dimension!r}, which is not among the "
                f"dimensions ({', '.join(sorted(keys)) or 'none'})"
            )
        if (q.dimension, q.key) in seen:
            raise ValueError(f"Question {q.key!r} appears twice in dimension {q.dimension!r}")
        seen.add((q.dimension, q.key))
        _check_weight(q.weight, f"Question {q.key!r}")
        _check_level(q.level, scale_values, f"The level of question {q.key!r}")
        _check_level(q.target, scale_values, f"The target of question {q.key!r}")
    return scale_values


# ---------------------------------------------------------------------------------------------
# The main entry


def compute_scores(
    *,
    scale: Sequence[Level],
    dimensions: Sequence[DimensionIn],
    questions: Sequence[QuestionIn],
    rule: str = WEIGHTED_MEAN,
) -> Scores:
    """Every score of one assessment: overall, per dimension, targets, facet values and grid.

    weighted_mean: a dimension is the weighted mean of its answered questions (weights normalised
    among those answered). lowest: a dimension is its lowest answered level (it reaches L only
    when every answered question is at L or above). Either way the overall is the weighted mean of
    the scored dimensions, so an unanswered dimension neither counts as zero nor drags it down.
    """
    _validate(scale, dimensions, questions, rule)
    by_dimension: dict[str, list[QuestionIn]] = {d.key: [] for d in dimensions}
    for q in questions:
        by_dimension[q.dimension].append(q)

    def question_item(q: QuestionIn, value: int | None, weight: float | None = None) -> _Item:
        return _Item(
            key=q.key,
            name=q.name or q.key,
            value=value,
            weight=q.weight if weight is None else weight,
            dimension=q.dimension,
        )

    dimension_scores: dict[str, Score | None] = {}
    targets: dict[str, Score | None] = {}
    gaps: dict[str, float | None] = {}
    for d in dimensions:
        qs = by_dimension[d.key]
        score = _combine(
            [question_item(q, q.level) for q in qs], method=rule, scale=scale, reason=NOT_ANSWERED
        )
        target = _combine(
            [question_item(q, q.target) for q in qs], method=rule, scale=scale, reason=NO_TARGET
        )
        dimension_scores[d.key] = score
        targets[d.key] = target
        gaps[d.key] = target.value - score.value if score and target else None

    def dimension_value(key: str) -> float | None:
        score = dimension_scores[key]
        return score.value if score else None

    overall = _combine(
        [
            _Item(key=d.key, name=d.name, value=dimension_value(d.key), weight=d.weight)
            for d in dimensions
        ],
        method=WEIGHTED_MEAN,
        scale=scale,
        reason=NO_ANSWERED_QUESTIONS,
        answered=sum(1 for q in questions if q.level is not None),
        total=len(questions),
    )

    # Facet scores cut across dimensions, so each question carries its weight in the whole
    # framework: its dimension's share of all dimensions times its share of all that dimension's
    # questions. These are framework weights, fixed whatever was answered.
    dimension_total = math.fsum(d.weight for d in dimensions)
    global_weight: dict[tuple[str, str], float] = {}
    for d in dimensions:
        qs = by_dimension[d.key]
        question_total = math.fsum(q.weight for q in qs)
        for q in qs:
            global_weight[(d.key, q.key)] = (d.weight / dimension_total) * (
                q.weight / question_total
            )

    facet_values: list[tuple[str, str]] = []
    for q in questions:
        for facet, value in q.tags.items():
            if (facet, value) not in facet_values:
                facet_values.append((facet, value))

    def facet_score(tagged: list[QuestionIn]) -> Score | None:
        return _combine(
            [question_item(q, q.level, global_weight[(q.dimension, q.key)]) for q in tagged],
            method=rule,
            scale=scale,
            reason=NOT_ANSWERED,
        )

    facets: dict[tuple[str, str], Score | None] = {}
    for facet, value in facet_values:
        facets[(facet, value)] = facet_score([q for q in questions if q.tags.get(facet) == value])

    grid: dict[tuple[str, str, str], Score | None] = {}
    for d in dimensions:
        for facet, value in facet_values:
            tagged = [q for q in by_dimension[d.key] if q.tags.get(facet) == value]
            if tagged:
                grid[(d.key, facet, value)] = facet_score(tagged)

    return Scores(
        overall=overall,
        dimensions=dimension_scores,
        targets=targets,
        gaps=gaps,
        facets=facets,
        grid=grid,
    )


# ---------------------------------------------------------------------------------------------
# Respondents' answers to one question


def agreed_level_from_responses(
    levels: Sequence[int | None], scale_values: Sequence[int]
) -> int | None:
    """The respondents' median rounded down onto the scale, to prefill the lead's agreed answer.

    Rounded down, not to the nearest, so a split between 2 and 3 proposes 2: the lead can raise
    it with evidence, which is safer than claiming maturity no one has argued for.
    """
    answered = [level for level in levels if level is not None]
    if not answered:
        return None
    if not scale_values:
        raise ValueError("The scale has no levels")
    for level in answered:
        if level not in scale_values:
            raise ValueError(f"Level {level!r} is not on the scale ({_levels_list(scale_values)})")
    return level_at_or_below(statistics.median(answered), scale_values)


def spread(levels: Sequence[int | None]) -> int | None:
    """Highest minus lowest answered level; None when nobody gave a level."""
    answered = [level for level in levels if level is not None]
    return max(answered) - min(answered) if answered else None


def is_disagreement(levels: Sequence[int | None], *, not_applicable: int = 0) -> bool:
    """Two or more levels apart, or "not applicable" beside a level (some say the question does
    not apply, others score it): worth a conversation before the lead agrees an answer."""
    gap = spread(levels)
    return gap is not None and (gap >= 2 or not_applicable > 0)


# ---------------------------------------------------------------------------------------------
# Flags


def _foundations(name: str) -> str:
    """ "data" -> "data foundations"; a layer already called foundations stays as it is."""
    name = name.lower()
    return name if name.endswith("foundations") else f"{name} foundations"


def flags(
    *,
    scores: Scores,
    dimension_names: Mapping[str, str],
    declared: Sequence[FlagSpec] = (),
    layer_axis: layers.LayerAxis | None = None,
    question_levels: Mapping[str, int] | None = None,
    dimension_slugs: Mapping[str, str] | None = None,
) -> list[Flag]:
    """Patterns worth pointing out, found on unrounded scores (a 0.96 gap is not a level).

    Only the flags the framework declares (`declared`, from its file) are looked for: a warning
    about lenses means nothing on a framework without lenses.
    - lens imbalance: one dimension two or more levels ahead of another, among the dimensions
      the flag names (`dimension_slugs` maps the scores' keys to slugs), or all of them;
    - technology ahead of data (Jos Creese's warning: an AI project or a new system started
      before the data is ready): the declared questions on how far new systems, automation or
      AI have been started (`question_levels`, slug to agreed level) a level or more ahead of
      the layer axis's foundations (its first value)."""
    found: list[Flag] = []
    codes = {flag.code: flag for flag in declared}

    adoption_flag = codes.get(fileformat.TECHNOLOGY_AHEAD_OF_DATA)
    if adoption_flag is not None and layer_axis is not None:
        base, base_name = layer_axis.foundations
        data = scores.facets.get((layer_axis.facet, base))
        answered = [
            (question_levels or {}).get(slug)
            for slug in adoption_flag.questions
            if (question_levels or {}).get(slug) is not None
        ]
        if data and answered:
            adoption = sum(answered) / len(answered)
            lead = adoption - data.value
            if round(lead, BAND_PRECISION) >= TECHNOLOGY_LEAD:
                found.append(
                    Flag(
                        code=TECHNOLOGY_AHEAD_OF_DATA,
                        message=(
                            f"New systems, automation or AI ({display(adoption)}) are a "
                            f"level or more ahead of {base_name.lower()} ({data.display}): they "
                            f"have been started before {_foundations(base_name)} are ready."
                        ),
                        detail={"adoption": adoption, "data": data.value, "lead": lead},
                    )
                )

    lens_flag = codes.get(fileformat.LENS_IMBALANCE)
    scored = [
        (key, score)
        for key, score in scores.dimensions.items()
        if score is not None
        and (
            lens_flag is None
            or not lens_flag.dimensions
            or (dimension_slugs or {}).get(key) in lens_flag.dimensions
        )
    ]
    if lens_flag is not None and len(scored) >= 2:
        top_key, top = max(scored, key=lambda pair: pair[1].value)
        low_key, low = min(scored, key=lambda pair: pair[1].value)
        lead = top.value - low.value
        if round(lead, BAND_PRECISION) >= LENS_LEAD:
            top_name = dimension_names.get(top_key, top_key)
            low_name = dimension_names.get(low_key, low_key)
            found.append(
                Flag(
                    code=ONE_LENS_AHEAD,
                    message=(
                        f"{top_name} ({top.display}) is 2 or more levels ahead of {low_name} "
                        f"({low.display}): one lens may have captured what digital means here."
                    ),
                    detail={
                        "top": top_key,
                        "top_score": top.value,
                        "weakest": low_key,
                        "weakest_score": low.value,
                        "lead": lead,
                    },
                )
            )
    return found


# ---------------------------------------------------------------------------------------------
# Comparing two rounds, possibly on different framework versions


@dataclass(frozen=True)
class Round:
    """One submitted round's inputs to `compute_scores`. Question keys are unique in the round."""

    scale: Sequence[Level]
    dimensions: Sequence[DimensionIn]
    questions: Sequence[QuestionIn]
    rule: str = WEIGHTED_MEAN


@dataclass(frozen=True)
class Movement:
    """How a score moved between two rounds.

    `movement` is the later score less the earlier one, each as scored in its own round.
    `like_for_like` is the same difference over the comparable questions only, both rounds
    scored with the later version's dimensions, weights and rule: the real change. The rest
    (`movement` less `like_for_like`) comes from the framework changing under the scores:
    questions added, removed, split or merged, and changed weights. None where either round
    has no score to compare.
    """

    movement: float | None
    like_for_like: float | None

    @property
    def rest(self) -> float | None:
        if self.movement is None or self.like_for_like is None:
            return None
        return self.movement - self.like_for_like


@dataclass(frozen=True)
class DimensionMovement(Movement):
    """A later dimension's movement. `previous` is the earlier dimension it is compared with:
    the one holding the ancestors of most of its comparable questions (None on a tie or with
    no comparable questions, and then `movement` is None too)."""

    previous: str | None = None
    comparable: int = 0


@dataclass(frozen=True)
class Comparison:
    """The later round against the earlier: `comparable` of the later version's `questions`
    have a 1:1 ancestor among the earlier version's `previous_questions`."""

    comparable: int
    questions: int
    previous_questions: int
    overall: Movement
    dimensions: dict[str, DimensionMovement]


def _difference(later: Score | None, earlier: Score | None) -> float | None:
    return later.value - earlier.value if later and earlier else None


def compare_rounds(*, earlier: Round, later: Round, comparable: Mapping[str, str]) -> Comparison:
    """Compare two rounds through the crosswalk. `comparable` maps a later question key to its
    earlier question key, for questions that are the same or reworded, one to one.

    The like-for-like score of each round is `compute_scores` over the later version's
    comparable questions only, with the later version's dimensions, weights and rule; the
    earlier round's answer stands in for each. Each round leaves out its own unanswered
    questions, as its own score does, so two rounds on one version compare like for like in
    full (the rest is 0). Levels are compared only on the same scale: if the scale changed,
    no question is comparable.
    """
    earlier_by_key = {q.key: q for q in earlier.questions}
    later_by_key = {q.key: q for q in later.questions}
    for name, found, questions in (
        ("earlier", earlier_by_key, earlier.questions),
        ("later", later_by_key, later.questions),
    ):
        if len(found) != len(questions):
            raise ValueError(f"Question keys must be unique in the {name} round")
    for later_key, earlier_key in comparable.items():
        if later_key not in later_by_key or earlier_key not in earlier_by_key:
            raise ValueError(f"Comparable pair {later_key!r}, {earlier_key!r} is not in the rounds")
    same_scale = [lv.value for lv in earlier.scale] == [lv.value for lv in later.scale]
    pairs = {k: v for k, v in comparable.items() if same_scale}

    later_scores = compute_scores(
        scale=later.scale, dimensions=later.dimensions, questions=later.questions, rule=later.rule
    )
    earlier_scores = compute_scores(
        scale=earlier.scale,
        dimensions=earlier.dimensions,
        questions=earlier.questions,
        rule=earlier.rule,
    )

    def like_for_like(level_of) -> Scores:
        return compute_scores(
            scale=later.scale,
            dimensions=later.dimensions,
            questions=[
                QuestionIn(key=q.key, dimension=q.dimension, weight=q.weight, level=level_of(q))
                for q in later.questions
                if q.key in pairs
            ],
            rule=later.rule,
        )

    later_part = like_for_like(lambda q: q.level)
    earlier_part = like_for_like(lambda q: earlier_by_key[pairs[q.key]].level)

    dimensions = {}
    for d in later.dimensions:
        sources = collections.Counter(
            earlier_by_key[pairs[q.key]].dimension
            for q in later.questions
            if q.dimension == d.key and q.key in pairs
        )
        ranked = sources.most_common(2)
        previous = (
            ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else None
        )
        dimensions[d.key] = DimensionMovement(
            movement=(
                _difference(later_scores.dimensions[d.key], earlier_scores.dimensions[previous])
                if previous is not None
                else None
            ),
            like_for_like=_difference(later_part.dimensions[d.key], earlier_part.dimensions[d.key]),
            previous=previous,
            comparable=sum(sources.values()),
        )
    return Comparison(
        comparable=len(pairs),
        questions=len(later.questions),
        previous_questions=len(earlier.questions),
        overall=Movement(
            movement=_difference(later_scores.overall, earlier_scores.overall),
            like_for_like=_difference(later_part.overall, earlier_part.overall),
        ),
        dimensions=dimensions,
    )


def signed(value: float) -> str:
    """One decimal place with its sign: "+0.4", "\N{MINUS SIGN}0.2" (a minus sign), "0.0"."""
    shown = display(value)
    if float(shown) == 0:
        return "0.0"
    return f"+{shown}" if value > 0 else f"\N{MINUS SIGN}{shown[1:]}"


def movement_split(movement: float, like_for_like: float) -> tuple[str, str, str]:
    """The movement, its like-for-like part and the rest as shown, each to one decimal place.
    The rest shown is the difference of the other two as shown, so the sentence adds up
    (0.44 = 0.26 + 0.18 would otherwise read "+0.4 = +0.3 + +0.2")."""
    shown = round(movement, 1), round(like_for_like, 1)
    return signed(movement), signed(like_for_like), signed(round(shown[0] - shown[1], 1))


def _questions(count: int) -> str:
    return f"{count} question" if count == 1 else f"{count} questions"


def version_change_sentences(
    *,
    earlier_version: str,
    later_version: str,
    comparable: int,
    questions: int,
    movement: float | None,
    like_for_like: float | None,
    between: str = "these rounds",
) -> list[str]:
    """What every page says where the framework changed between two rounds: how many
    questions compare, and how much of the movement is real change on them."""
    said = [
        f"The framework changed from version {earlier_version} to {later_version} "
        f"between {between}."
    ]
    if comparable == 0:
        said.append(
            f"None of its {_questions(questions)} can be compared with the earlier version, "
            "so the movement cannot be split into real change and the framework's changes."
        )
        return said
    verb = "is" if comparable == 1 else "are"
    said.append(f"{comparable} of {_questions(questions)} {verb} comparable.")
    if movement is not None and like_for_like is not None:
        total, real, rest = movement_split(movement, like_for_like)
        said.append(
            f"Of the {total} movement, {real} is like-for-like change on those questions and "
            f"{rest} comes from questions added, removed, split or merged."
        )
    return said
