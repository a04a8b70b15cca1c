"""Plotly figures as plain dicts, drawn in the browser by static/js/charts.js.

Each figure carries exactly the numbers of the data table printed beside it: the charts are a
view of the tables, never a source of extra detail.

Plotly reads every label (trace names, categories, hover text) as pseudo-HTML: `<a href>` in an
organisation's name would become a live link. So every label that comes from data passes through
`_text`, and Plotly shows it exactly as typed.
"""

from html import escape

OWN_COLOUR = "#1d70b8"  # GOV.UK blue
PEER_COLOUR = "#505a5f"  # GOV.UK dark grey
FONT = {"family": "arial, sans-serif", "size": 16, "color": "#0b0c0c"}


def _layout(**extra):
    return {
        "font": FONT,
        "margin": {"l": 40, "r": 40, "t": 30, "b": 40},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "y": -0.15},
        **extra,
    }


def _text(value) -> str:
    """A label Plotly shows as typed: <, > and & escaped (Plotly decodes the entities)."""
    return escape(str(value), quote=False)


def _round(value):
    return None if value is None else round(value, 1)


def radar(dashboard) -> dict:
    names = [_text(row.dimension.name) for row in dashboard.dimensions]
    own = [_round(row.value) for row in dashboard.dimensions]
    traces = [
        {
            "type": "scatterpolar",
            "name": _text(dashboard.organisation.name),
            "r": own + own[:1],
            "theta": names + names[:1],
            "fill": "toself",
            "line": {"color": OWN_COLOUR, "width": 3},
            "hovertemplate": "%{theta}: %{r:.1f}<extra></extra>",
        }
    ]
    medians = [row.peers.median for row in dashboard.dimensions]
    if any(m is not None for m in medians):
        traces.append(
            {
                "type": "scatterpolar",
                "name": _text(f"Median of {dashboard.group.plural}"),
                "r": medians + medians[:1],
                "theta": names + names[:1],
                "line": {"color": PEER_COLOUR, "width": 2, "dash": "dash"},
                "hovertemplate": "%{theta}: %{r:.1f}<extra></extra>",
            }
        )
    low, high = dashboard.levels[0].value, dashboard.levels[-1].value
    return {
        "data": traces,
        "layout": _layout(
            polar={
                "radialaxis": {"range": [low, high], "dtick": 1},
                "angularaxis": {"rotation": 90, "direction": "clockwise"},
            },
            height=480,
        ),
    }


def distributions(dashboard) -> dict | None:
    """Each dimension's peer quartiles as a box (no whiskers: no minimum or maximum shown)."""
    rows = [row for row in dashboard.dimensions if row.peers.has_distribution]
    if not rows:
        return None
    names = [_text(row.dimension.name) for row in rows]
    q1 = [row.peers.lower_quartile for row in rows]
    q3 = [row.peers.upper_quartile for row in rows]
    return {
        "data": [
            {
                "type": "box",
                "name": _text(f"Middle half of {dashboard.group.plural}"),
                "y": names,
                "q1": q1,
                "median": [row.peers.median for row in rows],
                "q3": q3,
                "lowerfence": q1,
                "upperfence": q3,
                "orientation": "h",
                "marker": {"color": PEER_COLOUR},
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": _text(dashboard.organisation.name),
                "y": names,
                "x": [_round(row.value) for row in rows],
                "marker": {"color": OWN_COLOUR, "size": 14, "symbol": "diamond"},
                "hovertemplate": "%{y}: %{x:.1f}<extra></extra>",
            },
        ],
        "layout": _layout(
            xaxis={
                "range": [dashboard.levels[0].value - 0.2, dashboard.levels[-1].value + 0.2],
                "dtick": 1,
                "title": {"text": "Score"},
            },
            yaxis={"automargin": True, "autorange": "reversed"},
            height=120 + 60 * len(rows),
        ),
    }


def trend(dashboard) -> dict | None:
    if len(dashboard.trend) < 2:
        return None
    rounds = [_text(entry["round"]) for entry in dashboard.trend]
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Overall",
                "x": rounds,
                "y": [_round(entry["overall"]) for entry in dashboard.trend],
                "line": {"color": OWN_COLOUR, "width": 3},
                "hovertemplate": "%{x}: %{y:.1f}<extra></extra>",
            }
        ],
        "layout": _layout(
            yaxis={
                "range": [dashboard.levels[0].value, dashboard.levels[-1].value],
                "dtick": 1,
                "title": {"text": "Overall score"},
            },
            xaxis={"type": "category"},
            height=360,
        ),
    }
    # A change of framework version is marked by a dotted line before the first round on the
    # new version, labelled with it (the table and the sentences under the chart say the same).
    changes = [
        (i, entry["version"])
        for i, entry in enumerate(dashboard.trend)
        if entry.get("version_changed")
    ]
    figure["layout"]["shapes"] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": i - 0.5,
            "x1": i - 0.5,
            "y0": 0,
            "y1": 1,
            "line": {"color": PEER_COLOUR, "dash": "dot"},
        }
        for i, _ in changes
    ]
    figure["layout"]["annotations"] = [
        {
            "xref": "x",
            "yref": "paper",
            "x": i - 0.5,
            "y": 1,
            "xanchor": "left",
            "yanchor": "top",
            "showarrow": False,
            "text": _text(f"Version {version}"),
            "font": {"color": PEER_COLOUR, "size": 14},
        }
        for i, version in changes
    ]
    return figure
