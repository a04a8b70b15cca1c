"""The report's charts as SVG strings, drawn here on the server (no browser at run time).

Each chart has its numbers printed on it or in the table beside it, and shape carries meaning
as well as colour (a diamond for the organisation, a box for the peers' middle half, a bar for
their median, a dashed line for a change of framework version), so a page printed in grey, or
read by someone who does not see colour, says the same.
"""

from django.utils.html import escape

from assessments.scoring import display

OWN = "#1d70b8"  # GOV.UK blue
PEER = "#505a5f"  # GOV.UK dark grey
RULE = "#b1b4b6"
INK = "#0b0c0c"
FONT = 'font-family="Liberation Sans, Arial, sans-serif"'
# Light to dark, for the lens-by-layer grid; the last two carry white text (contrast 5.2:1
# and 12:1; the others carry black at 8:1 or more).
SHADES = ("#e8f1f8", "#bfd6ea", "#8eb8dc", "#1d70b8", "#003078")


def _text(x, y, text, *, size=12, anchor="start", weight="normal", fill=INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}" {FONT}>{escape(text)}</text>'
    )


def _svg(width, height, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img">{"".join(body)}</svg>'
    )


def _diamond(x, y, size=7) -> str:
    return (
        f'<polygon points="{x:.1f},{y - size:.1f} {x + size:.1f},{y:.1f} {x:.1f},{y + size:.1f} '
        f'{x - size:.1f},{y:.1f}" fill="{OWN}" stroke="#ffffff" stroke-width="1.5"/>'
    )


def peer_chart_svg(rows, *, levels, own_name: str, group_plural: str) -> str:
    """Each dimension against its peers: the organisation's score (diamond) on the peers'
    middle half (box, lower to upper quartile) and median (bar). Only what the disclosure
    rules release is drawn: a median alone below the quartile threshold, nothing below the
    median threshold. `rows` are (name, own value or None, PeerSummary); `levels` the scale."""
    if not rows:
        return ""
    low, high = levels[0].value, levels[-1].value
    width, left, right, values_x = 760, 10, 600, 612
    legend, row_height = 62, 46
    top = legend + 6
    axis_y = top + row_height * len(rows) + 4
    height = axis_y + 40

    def x(value):
        return left + (value - low) / (high - low) * (right - left)

    body = [
        _diamond(left + 7, 12),
        _text(left + 22, 16, own_name),
        f'<rect x="{left}" y="25" width="14" height="12" fill="#dee0e2" stroke="{PEER}"/>',
        _text(left + 22, 35, f"Middle half of {group_plural} (lower to upper quartile)"),
        f'<rect x="{left + 5.5}" y="43" width="3" height="14" fill="{INK}"/>',
        _text(left + 22, 54, f"Median of {group_plural}"),
        _text(values_x, 54, "Score (median)", size=11, weight="bold"),
    ]
    for level in levels:
        gx = x(level.value)
        body.append(
            f'<line x1="{gx:.1f}" y1="{top}" x2="{gx:.1f}" y2="{axis_y}" stroke="{RULE}" '
            'stroke-width="0.8"/>'
        )
        body.append(_text(gx, axis_y + 14, str(level.value), size=11, anchor="middle"))
        # The first name starts at the chart's edge: centred under its mark, it would begin
        # outside the picture and lose its first letters.
        first = level is levels[0]
        body.append(
            _text(
                0 if first else gx,
                axis_y + 28,
                level.label[:22],
                size=10,
                anchor="start" if first else "middle",
                fill=PEER,
            )
        )
    for i, (name, own, peers) in enumerate(rows):
        y = top + i * row_height
        mid = y + 30
        body.append(_text(left, y + 13, name[:95], size=12, weight="bold"))
        body.append(
            f'<line x1="{left}" y1="{mid}" x2="{right}" y2="{mid}" stroke="{RULE}" '
            'stroke-width="1"/>'
        )
        if peers.has_distribution:
            q1, q3 = x(peers.lower_quartile), x(peers.upper_quartile)
            body.append(
                f'<rect x="{q1:.1f}" y="{mid - 8}" width="{max(q3 - q1, 1):.1f}" height="16" '
                f'fill="#dee0e2" stroke="{PEER}"/>'
            )
        if peers.has_median:
            body.append(
                f'<rect x="{x(peers.median) - 1.5:.1f}" y="{mid - 11}" width="3" height="22" '
                f'fill="{INK}"/>'
            )
        if own is not None:
            body.append(_diamond(x(own), mid))
        summary = display(own) if own is not None else "No score"
        if peers.has_median:
            summary += f" ({display(peers.median)})"
        else:
            body.append(
                _text(right - 4, y + 13, "Not enough peers to compare", size=11, anchor="end")
            )
        body.append(_text(values_x, mid + 4, summary, size=12))
    return _svg(width, height, body)


def trend_svg(points, *, levels) -> str:
    """The overall score over the rounds, oldest first. `points` are (round label, framework
    version, value or None, is a draft). A change of framework version is a dashed line
    labelled with the new version."""
    if len(points) < 2:
        return ""
    low, high = levels[0].value, levels[-1].value
    width, height, left, right, top, bottom = 760, 250, 150, 740, 26, 200
    step = (right - left) / len(points)

    def y(value):
        return bottom - (value - low) / (high - low) * (bottom - top)

    body = []
    for level in levels:
        gy = y(level.value)
        body.append(
            f'<line x1="{left}" y1="{gy:.1f}" x2="{right}" y2="{gy:.1f}" stroke="{RULE}" '
            'stroke-width="0.8"/>'
        )
        body.append(_text(left - 8, gy + 4, f"{level.value} {level.label}"[:24], anchor="end"))
    placed = []
    for i, (label, version, value, draft) in enumerate(points):
        px = left + step * (i + 0.5)
        body.append(_text(px, bottom + 20, label + (" (draft)" if draft else ""), anchor="middle"))
        if i and version != points[i - 1][1]:
            vx = left + step * i
            body.append(
                f'<line x1="{vx:.1f}" y1="{top - 6}" x2="{vx:.1f}" y2="{bottom}" stroke="{PEER}" '
                'stroke-width="1.5" stroke-dasharray="5,4"/>'
            )
            body.append(_text(vx + 5, top + 4, f"Version {version}", size=11, fill=PEER))
        if value is not None:
            placed.append((px, y(value), value, draft))
    if len(placed) >= 2:
        line = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in placed)
        body.append(f'<polyline points="{line}" fill="none" stroke="{OWN}" stroke-width="3"/>')
    for px, py, value, draft in placed:
        fill = "#ffffff" if draft else OWN
        body.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="6" fill="{fill}" stroke="{OWN}" '
            'stroke-width="2.5"/>'
        )
        body.append(_text(px, py - 12, display(value), size=13, anchor="middle", weight="bold"))
    return _svg(width, height + 4, body)


def shade(value: float | None, *, low: int, high: int) -> int:
    """Which of the SHADES (1 to 5) a grid cell takes; 0 for a cell without a score."""
    if value is None:
        return 0
    return 1 + round((value - low) / (high - low) * (len(SHADES) - 1))
