"""The PDF report for the board, drawn by WeasyPrint from an HTML template.

Charts are SVG drawn here on the server (no browser at run time); maturity.pdf does the
rendering and loads only our own files.
"""

import math
from collections import Counter, defaultdict

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from assessments import scoring
from assessments.models import AgreedAnswer, Answer, Assessment, Score
from assessments.selectors import (
    assessment_flags,
    evidence_listing,
    stored_comparison,
    stored_scores,
)
from assessments.services import assessment_compute_scores, comparison_build
from benchmarks import disclosure
from benchmarks.figures import released_figures
from frameworks.models import Dimension, Question, ScaleLevel
from frameworks.selectors import framework_version_layer_axis
from improvement.selectors import report_actions
from maturity.pdf import html_to_pdf
from organisations.models import Membership, Role
from reports import charts, roadmap


def _two_lines(name: str, width: int = 30) -> list[str]:
    """A label as one line, or two split at the space nearest the middle."""
    if len(name) <= width or " " not in name:
        return [name[:60]]
    middle = len(name) // 2
    cut = min((i for i, c in enumerate(name) if c == " "), key=lambda i: abs(i - middle))
    return [name[:cut], name[cut + 1 :][: width + 10]]


def radar_svg(
    names: list[str],
    own: list[float | None],
    peer: list[float | None],
    *,
    low,
    high,
    labels: dict[int, str] | None = None,
):
    """A radar chart as an SVG string: own scores filled, peer median dashed, each ring
    labelled with its level (and the level's name, given `labels`)."""
    width, height, radius = 760, 440, 150
    centre_x, centre_y = width / 2, height / 2
    count = len(names)
    if count < 3:
        return ""

    def point(i, value):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        r = radius * ((value or low) - low) / (high - low)
        return centre_x + r * math.cos(angle), centre_y + r * math.sin(angle)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        'width="100%" role="img">'
    ]
    for level in range(low, high + 1):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(count)))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#b1b4b6" stroke-width="1"/>')
        x, y = point(0, level)
        name = f"{level} {labels[level]}" if labels and level in labels else str(level)
        parts.append(
            f'<text x="{x + 5:.1f}" y="{y - 3:.1f}" font-size="10" fill="#505a5f" '
            f'font-family="Liberation Sans, Arial, sans-serif">{escape(name[:24])}</text>'
        )
    for i, name in enumerate(names):
        x, y = point(i, high)
        parts.append(
            f'<line x1="{centre_x}" y1="{centre_y}" x2="{x:.1f}" y2="{y:.1f}" stroke="#b1b4b6"/>'
        )
        lx, ly = point(i, high + 0.35 * (high - low) / 4)
        anchor = "middle" if abs(lx - centre_x) < 20 else ("start" if lx > centre_x else "end")
        # A long name on two lines, so that names at the sides stay inside the picture.
        lines = _two_lines(name)
        spans = "".join(
            f'<tspan x="{lx:.1f}" dy="{0 if n == 0 else 13}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        parts.append(
            f'<text x="{lx:.1f}" y="{ly - 6 * (len(lines) - 1):.1f}" font-size="11" '
            f'text-anchor="{anchor}" font-family="Liberation Sans, Arial, sans-serif">'
            f"{spans}</text>"
        )
    if any(v is not None for v in peer):
        poly = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(peer)))
        parts.append(
            f'<polygon points="{poly}" fill="none" stroke="#505a5f" stroke-width="2" '
            'stroke-dasharray="6,4"/>'
        )
    poly = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(own)))
    parts.append(
        f'<polygon points="{poly}" fill="#1d70b8" fill-opacity="0.25" stroke="#1d70b8" '
        'stroke-width="3"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


# The roadmap's length: the lead's targets first, then the steps that would lift the score most.
ROADMAP_ROWS = 12

RULES = {
    scoring.WEIGHTED_MEAN: (
        "Each dimension's score is the weighted mean of its agreed levels: each question "
        "counts in proportion to its weight, shared among the questions with a level."
    ),
    scoring.LOWEST: (
        "Each dimension's score is its lowest agreed level: a dimension reaches a level only "
        "when every question with a level is at that level or above."
    ),
}


def _roles(people, roles: dict) -> list[tuple[str, int]]:
    """How many of `people` hold each role, in the roles' order, as (role name, count)."""
    counted = Counter(roles.get(person, "") for person in people)
    named = [(label, counted[value]) for value, label in Role.choices if counted[value]]
    if counted[""]:
        named.append(("No longer a member", counted[""]))
    return named


def report_context(*, assessment: Assessment, with_spread: bool = False) -> dict:
    """What the report shows. `with_spread` adds, per question, how many people answered and
    how far apart they were: for readers who may see everyone's answers (a lead), never in a
    consultant's or viewer's copy. Every copy says how many people, by role, answered each
    dimension: counts and roles, never whose answer was what."""
    fv = assessment.framework_version
    organisation = assessment.organisation
    levels = list(ScaleLevel.objects.filter(framework_version=fv))
    labels = {lv.value: lv.label for lv in levels}
    top = levels[-1].value
    scale_values = [lv.value for lv in levels]
    # A submitted assessment's report shows its stored scores (as every page does); a draft's
    # are worked out from the answers agreed so far.
    scores = (
        stored_scores(assessment=assessment, levels=levels) if assessment.is_submitted else None
    ) or assessment_compute_scores(assessment=assessment)
    dimensions = list(Dimension.objects.filter(framework_version=fv))
    questions = list(
        Question.objects.filter(dimension__framework_version=fv)
        .select_related("dimension")
        .prefetch_related("levels", "tags__facet")
        .order_by("dimension__position", "position")
    )
    agreed = {a.question_id: a for a in AgreedAnswer.objects.filter(assessment=assessment)}
    responses = defaultdict(list)
    answered_by = defaultdict(set)  # question id -> people who gave their own answer
    for person, question_id, state, level in (
        Answer.objects.filter(assessment=assessment)
        .exclude(state="")
        .values_list("respondent_id", "question_id", "state", "level")
    ):
        responses[question_id].append(level if state == Answer.State.LEVEL else None)
        answered_by[question_id].add(person)
    roles = dict(
        Membership.objects.filter(organisation=organisation).values_list("user_id", "role")
    )

    # Peers: same kind, as released (the same figures as the dashboard and the open data).
    peer_group = f"kind:{organisation.kind}"
    figures = released_figures(framework_version_id=fv.pk, scale_values=scale_values)

    def peers(measure):
        return figures.summary(peer_group, measure)

    axis = framework_version_layer_axis(framework_version=fv)
    rank = axis.rank if axis else lambda layer: 0
    lifts = roadmap.next_level_lifts(
        dimension_weights={str(d.pk): d.weight for d in dimensions},
        questions=[
            roadmap.Answered(
                key=str(q.pk),
                dimension=str(q.dimension_id),
                weight=q.weight,
                level=agreed[q.pk].scored_level if q.pk in agreed else None,
            )
            for q in questions
        ],
        scale_values=scale_values,
        rule=fv.scoring,
    )

    dim_weight = sum(d.weight for d in dimensions) or 1
    sections, targets, steps, appendix, taking_part = [], [], [], [], []
    for d in dimensions:
        score = scores.dimensions.get(str(d.pk))
        target = scores.targets.get(str(d.pk))
        summary = peers(str(d.pk))
        items = []
        qs = [q for q in questions if q.dimension_id == d.pk]
        q_weight = sum(q.weight for q in qs) or 1
        states = Counter()
        for q in qs:
            answer = agreed.get(q.pk)
            level = answer.scored_level if answer else None
            states[answer.state if answer and answer.state else "none"] += 1
            descriptors = {ql.value: ql for ql in q.levels.all()}
            following = next((v for v in scale_values if level is not None and v > level), None)
            layer = next((t.slug for t in q.tags.all() if t.facet.layer_axis), None)
            target_level = answer.target_level if answer else None
            item = {
                "question": q,
                "answer": answer,
                "label": (
                    f"{level}. {labels[level]}"
                    if level is not None
                    else (answer.get_state_display() if answer and answer.state else "Not answered")
                ),
                "current": descriptors[level].descriptor if level in descriptors else "",
                "next_label": f"{following}. {labels[following]}" if following else "",
                "next": descriptors[following].descriptor if following in descriptors else "",
                "recommendation": descriptors[level].recommendation if level in descriptors else "",
                "spread": scoring.spread(responses[q.pk]),
                "respondents": len(responses[q.pk]),
                "share": q.weight / q_weight,
                "target_label": f"{target_level}. {labels[target_level]}"
                if target_level in labels
                else "",
                "dimension": d,
                "layer": layer,
            }
            items.append(item)
            appendix.append(item)
            weight = (d.weight / dim_weight) * (q.weight / q_weight)
            if level is not None and target_level and target_level > level:
                targets.append({**item, "weighted": (target_level - level) * weight})
            elif level is not None and target_level is None and str(q.pk) in lifts:
                following, lift = lifts[str(q.pk)]
                steps.append(
                    {**item, "lift": lift, "target_label": f"{following}. {labels[following]}"}
                )
        people = set().union(*(answered_by[q.pk] for q in qs))
        taking_part.append(
            {
                "dimension": d,
                "questions": len(qs),
                "people": len(people),
                "roles": _roles(people, roles),
                "share": d.weight / dim_weight,
                "levels": states[AgreedAnswer.State.LEVEL],
                "not_applicable": states[AgreedAnswer.State.NOT_APPLICABLE],
                "dont_know": states[AgreedAnswer.State.DONT_KNOW],
                "not_answered": states["none"],
            }
        )
        sections.append(
            {
                "dimension": d,
                "score": score,
                "target": target,
                "gap": target.value - score.value if score and target else None,
                "peers": summary,
                "position": (
                    disclosure.position_phrase(
                        score.value, summary, group_label_plural="organisations of the same kind"
                    )
                    if score and summary.has_distribution
                    else ""
                ),
                "items": items,
            }
        )
    # The lead's targets first, largest weighted gap first; then the questions whose next
    # level would lift the overall score most. On a tie, in the layer axis's order:
    # foundations (data) before systems before the most visible layer (technology); then in
    # the framework's order (the sorts are stable).
    targets.sort(key=lambda r: (-round(r["weighted"], 9), rank(r["layer"])))
    steps.sort(key=lambda r: (-round(r["lift"], 9), rank(r["layer"])))
    plan = targets[:ROADMAP_ROWS] + steps[: max(0, ROADMAP_ROWS - len(targets))]
    scored = [s for s in sections if s["score"]]
    # Movement since the previous submission on this framework, through the crosswalk when the
    # version changed: stored at submission; worked out now for a draft (or a submission made
    # before comparisons were stored).
    comparison, moved = stored_comparison(assessment=assessment)
    if comparison is None:
        built = comparison_build(assessment=assessment)
        if built is not None:
            comparison, rows = built
            moved = {row.dimension_id: row for row in rows}
    for section in sections:
        section["moved"] = moved.get(section["dimension"].pk)
    previous = comparison.previous if comparison else None
    previous_scores = stored_scores(assessment=previous) if previous else None
    previous_overall = previous_scores.overall if previous_scores else None
    overall_peers = peers("overall")
    movement = comparison.movement if comparison else None
    trend = _trend(assessment=assessment, overall=scores.overall)
    people = set().union(*answered_by.values())
    agreers = {a.set_by_id for a in agreed.values() if a.set_by_id}
    grid = _grid(scores=scores, axis=axis, sections=sections, levels=levels)
    return {
        "movement": movement,
        "comparison": comparison,
        "assessment": assessment,
        "organisation": organisation,
        "fv": fv,
        "levels": levels,
        "top": top,
        "scores": scores,
        "sections": sections,
        "strongest": max(scored, key=lambda s: s["score"].value) if scored else None,
        "weakest": min(scored, key=lambda s: s["score"].value) if scored else None,
        "flags": assessment_flags(
            assessment=assessment,
            scores=scores,
            dimensions=dimensions,
            layer_axis=axis,
        ),
        "roadmap": plan,
        "roadmap_targets": len(targets),
        "roadmap_more": max(0, len(targets) - ROADMAP_ROWS),
        # The improvement plan's actions from this round, and those still open from earlier.
        "actions": report_actions(assessment=assessment),
        "appendix": appendix,
        # The files on the agreed answers (name, type, size, by whom and when), for the appendix.
        "evidence_files": evidence_listing(assessment=assessment),
        "previous": previous,
        "previous_overall": previous_overall,
        "overall_peers": overall_peers,
        "radar": radar_svg(
            [d.name for d in dimensions],
            [s["score"].value if s["score"] else None for s in sections],
            [s["peers"].median for s in sections],
            low=levels[0].value,
            high=top,
            labels=labels,
        ),
        "peer_chart": charts.peer_chart_svg(
            [
                (s["dimension"].name, s["score"].value if s["score"] else None, s["peers"])
                for s in sections
            ],
            levels=levels,
            own_name=organisation.name,
            group_plural="organisations of the same kind",
        ),
        "trend": trend,
        "trend_chart": charts.trend_svg(
            [(t["round"], t["version"], t["value"], t["draft"]) for t in trend], levels=levels
        ),
        "grid": grid,
        "taking_part": taking_part,
        "answered_roles": _roles(people, roles),
        "answered_count": len(people),
        "member_roles": _roles(roles, roles),
        "agreed_roles": _roles(agreers, roles),
        "agreed_count": sum(1 for a in agreed.values() if a.state),
        "reasons_count": sum(1 for a in agreed.values() if a.state and a.rationale.strip()),
        "rule": RULES.get(fv.scoring, RULES[scoring.WEIGHTED_MEAN]),
        "lowest_rule": fv.scoring == scoring.LOWEST,
        "equal_question_weights": all(
            len({q.weight for q in questions if q.dimension_id == d.pk}) <= 1 for d in dimensions
        ),
        "equal_dimension_weights": len({d.weight for d in dimensions}) <= 1,
        "question_count": len(questions),
        "draft": not assessment.is_submitted,
        "with_spread": with_spread,
        "peers_as_of": figures.released_at(peer_group),
        "generated_at": timezone.now(),
        "scale_note": f"{levels[0].value} to {top}",
    }


def _trend(*, assessment: Assessment, overall) -> list[dict]:
    """The overall score of each round on this framework up to this one, oldest first: the
    organisation's earlier submissions (stored scores), then this assessment."""
    earlier = Score.objects.filter(
        scope=Score.Scope.OVERALL,
        assessment__organisation_id=assessment.organisation_id,
        assessment__framework_version__framework_id=assessment.framework_version.framework_id,
        assessment__status=Assessment.Status.SUBMITTED,
    ).exclude(assessment=assessment)
    if assessment.is_submitted:
        earlier = earlier.filter(assessment__submitted_at__lt=assessment.submitted_at)
    rounds = [
        {"round": label, "version": version, "value": value, "draft": False}
        for label, version, value in earlier.order_by(
            "assessment__submitted_at", "assessment_id"
        ).values_list("assessment__round_label", "assessment__framework_version__version", "value")
    ]
    rounds.append(
        {
            "round": assessment.round_label,
            "version": assessment.framework_version.version,
            "value": overall.value if overall else None,
            "draft": not assessment.is_submitted,
        }
    )
    return rounds


def _grid(*, scores, axis, sections, levels) -> dict | None:
    """The lens-by-layer grid: a row per dimension, a column per value of the layer axis,
    each cell its score and shade. None without a layer axis or a scored cell."""
    if axis is None:
        return None
    low, high = levels[0].value, levels[-1].value
    rows = []
    for section in sections:
        key = str(section["dimension"].pk)
        cells = []
        for slug, _ in axis.values:
            found = (key, axis.facet, slug) in scores.grid
            score = scores.grid.get((key, axis.facet, slug))
            cells.append(
                {
                    "exists": found,
                    "display": score.display if score else "",
                    "shade": charts.shade(score.value if score else None, low=low, high=high),
                }
            )
        if any(cell["exists"] for cell in cells):
            rows.append({"dimension": section["dimension"], "cells": cells})
    if not rows:
        return None
    return {
        "columns": [name for _, name in axis.values],
        "rows": rows,
        "key": [(lv.value, charts.shade(lv.value, low=low, high=high)) for lv in levels],
    }


def report_html(*, assessment: Assessment, branding=None, with_spread: bool = False) -> str:
    """The board report's HTML; `branding` is the exporting consultant's name and logo, if any."""
    context = {
        **report_context(assessment=assessment, with_spread=with_spread),
        "branding": branding,
    }
    return render_to_string("reports/report.html", context)


def render_pdf(*, assessment: Assessment, branding=None, with_spread: bool = False) -> bytes:
    """The board report as a PDF (see report_html)."""
    return html_to_pdf(
        report_html(assessment=assessment, branding=branding, with_spread=with_spread)
    )
