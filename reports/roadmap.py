"""Which questions would lift the overall score most: the second half of the report's roadmap,
after the lead's own targets. Pure: plain values in, plain values out, no database.
"""

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assessments.scoring import BAND_PRECISION, LOWEST


@dataclass(frozen=True)
class Answered:
    """One question's agreed answer: `level` None when not answered, not applicable or don't
    know (those are left out of the scores, so they lift nothing)."""

    key: str
    dimension: str
    weight: float
    level: int | None


def next_level_lifts(
    *,
    dimension_weights: Mapping[str, float],
    questions: Sequence[Answered],
    scale_values: Sequence[int],
    rule: str,
) -> dict[str, tuple[int, float]]:
    """For each answered question below the top of the scale whose next level would raise the
    overall score: that level, and by how much the overall would rise if the question reached
    it and every other answer stayed as it is.

    The overall is the weighted mean of the scored dimensions, so a question lifts it by its
    dimension's share of the scored dimensions times the rise in its dimension. Under the
    weighted mean that rise is the question's share of its dimension's answered questions times
    the step; under the lowest rule, the rise of the dimension's minimum (nothing, unless the
    question alone holds the dimension back)."""
    by_dimension: dict[str, list[Answered]] = defaultdict(list)
    for question in questions:
        if question.level is not None:
            by_dimension[question.dimension].append(question)
    scored = [key for key in dimension_weights if by_dimension[key]]
    dimension_total = math.fsum(dimension_weights[key] for key in scored)
    lifts: dict[str, tuple[int, float]] = {}
    for key in scored:
        answered = by_dimension[key]
        share = dimension_weights[key] / dimension_total
        question_total = math.fsum(q.weight for q in answered)
        lowest = min(q.level for q in answered)
        for i, question in enumerate(answered):
            following = next((v for v in scale_values if v > question.level), None)
            if following is None:
                continue
            if rule == LOWEST:
                others = [q.level for j, q in enumerate(answered) if j != i]
                rise = min([*others, following]) - lowest
            else:
                rise = question.weight / question_total * (following - question.level)
            lift = share * rise
            if round(lift, BAND_PRECISION) > 0:
                lifts[question.key] = (following, lift)
    return lifts
