"""The PDF report for the board, drawn by WeasyPrint from an HTML template.

Charts are SVG drawn here on the server (no browser at run time); maturity.pdf does the
rendering and loads only our own files.
"""

import math
from collections import defaultdict

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from assessments import scoring
from assessments.models import AgreedAnswer, Answer, Assessment
from assessments.selectors import assessment_flags, stored_comparison, stored_scores
from assessments.services import assessment_compute_scores, comparison_build
from benchmarks import disclosure
from benchmarks.figures import released_figures
from frameworks.models import Dimension, Question, ScaleLevel
from frameworks.selectors import framework_version_layer_axis
from maturity.pdf import html_to_pdf


def radar_svg(names: list[str], own: list[float | None], peer: list[float | None], *, low, high):
    """A radar chart as an SVG string: own scores filled, peer median dashed."""
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
    for i, name in enumerate(names):
        x, y = point(i, high)
        parts.append(
            f'<line x1="{centre_x}" y1="{centre_y}" x2="{x:.1f}" y2="{y:.1f}" stroke="#b1b4b6"/>'
        )
        lx, ly = point(i, high + 0.35 * (high - low) / 4)
        anchor = "middle" if abs(lx - centre_x) < 20 else ("start" if lx > centre_x else "end")
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="11" text-anchor="{anchor}" '
            f'font-family="Liberation Sans, Arial, sans-serif">{escape(name[:40])}</text>'
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


def report_context(*, assessment: Assessment, with_spread: bool = False) -> dict:
    """What the report shows. `with_spread` adds, per question, how many people answered and
    how far apart they were: for readers who may see everyone's answers (a lead), never in a
    consultant's or viewer's copy."""
    fv = assessment.framework_version
    levels = list(ScaleLevel.objects.filter(framework_version=fv))
    labels = {lv.value: lv.label for lv in levels}
    top = levels[-1].value
    scale = [scoring.Level(lv.value, lv.label) for lv in levels]
    # A submitted assessment's report shows its stored scores (as every page does); a draft's
    # are worked out from the answers agreed so far.
    scores = (
        stored_scores(assessment=assessment) if assessment.is_submitted else None
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
    if with_spread:
        for answer in Answer.objects.filter(assessment=assessment).exclude(state=""):
            responses[answer.question_id].append(answer.scored_level)

    # Peers: same kind, as released (the same figures as the dashboard and the open data).
    peer_group = f"kind:{assessment.organisation.kind}"
    figures = released_figures(framework_version_id=fv.pk, scale_values=[lv.value for lv in levels])

    def peers(measure):
        return figures.summary(peer_group, measure)

    dim_weight = sum(d.weight for d in dimensions) or 1
    sections, roadmap, appendix = [], [], []
    for d in dimensions:
        score = scores.dimensions.get(str(d.pk))
        target = scores.targets.get(str(d.pk))
        summary = peers(str(d.pk))
        items = []
        qs = [q for q in questions if q.dimension_id == d.pk]
        q_weight = sum(q.weight for q in qs) or 1
        for q in qs:
            answer = agreed.get(q.pk)
            level = answer.scored_level if answer else None
            descriptors = {ql.value: ql for ql in q.levels.all()}
            following = next(
                (lv.value for lv in levels if level is not None and lv.value > level), None
            )
            layer = next((t.slug for t in q.tags.all() if t.facet.layer_axis), None)
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
            }
            items.append(item)
            appendix.append(item)
            if answer and level is not None and answer.target_level and answer.target_level > level:
                weight = (d.weight / dim_weight) * (q.weight / q_weight)
                roadmap.append(
                    {
                        **item,
                        "dimension": d,
                        "gap": answer.target_level - level,
                        "weighted": (answer.target_level - level) * weight,
                        "layer": layer,
                        "target_label": f"{answer.target_level}. {labels[answer.target_level]}",
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
    # Largest weighted gaps first; on a tie, in the layer axis's order: foundations (data)
    # before systems before the most visible layer (technology).
    axis = framework_version_layer_axis(framework_version=fv)
    rank = axis.rank if axis else lambda layer: 0
    roadmap.sort(key=lambda r: (-round(r["weighted"], 9), rank(r["layer"])))
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
    return {
        "movement": movement,
        "comparison": comparison,
        "assessment": assessment,
        "organisation": assessment.organisation,
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
        "roadmap": roadmap[:15],
        "appendix": appendix,
        "previous": previous,
        "previous_overall": previous_overall,
        "overall_peers": overall_peers,
        "radar": radar_svg(
            [d.name for d in dimensions],
            [s["score"].value if s["score"] else None for s in sections],
            [s["peers"].median for s in sections],
            low=levels[0].value,
            high=top,
        ),
        "draft": not assessment.is_submitted,
        "with_spread": with_spread,
        "peers_as_of": figures.released_at(peer_group),
        "generated_at": timezone.now(),
        "scale_note": scale and f"{levels[0].value} to {top}",
    }


def render_pdf(*, assessment: Assessment, branding=None, with_spread: bool = False) -> bytes:
    """The board report; `branding` is the exporting consultant's name and logo, if any."""
    context = {
        **report_context(assessment=assessment, with_spread=with_spread),
        "branding": branding,
    }
    return html_to_pdf(render_to_string("reports/report.html", context))
