"""Names in the charts are text, never markup: Plotly reads labels as pseudo-HTML.

Plotly turns `<a href=...>` in a trace name, an axis category or a hover label into a live link
(and `<b>`, `<br>`, `<span style>` into formatting). Every label the server hands it is
HTML-escaped, so Plotly shows exactly what was typed; Plotly's own `<extra>` in hover templates
is the only markup left.
"""

import json
import re

import pytest

from frameworks.models import Dimension
from organisations.models import Organisation
from tests.benchmarks.test_dashboard import board_url
from tests.conftest import CsrfClient
from tests.factories import OrganisationFactory, make_version, release, submit

pytestmark = pytest.mark.django_db

ORG_NAME = '<a href="https://evil.example">x</a>'
DIMENSION_NAME = "<b>Data</b> & <br>records"
ROUND = "<i>2026</i>/27"


def hostile_board(client):
    fv = make_version(dimensions=3, questions=1)
    Dimension.objects.filter(framework_version=fv, position=0).update(name=DIMENSION_NAME)
    me = OrganisationFactory(kind=Organisation.Kind.UNITARY, name=ORG_NAME)
    _, lead = submit(me, fv, [4, 2, 3], round_label="2025/26")
    submit(me, fv, [5, 3, 3], round_label=ROUND, lead=lead)
    for n in range(12):
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [1 + n % 5, 2, 3])
    # Other kinds, each too small to show, so the unitary authorities may be shown beside "all".
    for kind in (Organisation.Kind.DISTRICT, Organisation.Kind.COUNTY):
        for _ in range(3):
            submit(OrganisationFactory(kind=kind), fv, [2, 2, 2])
    release(fv)
    client.force_login(lead)
    page = client.get(board_url(me, fv)).content.decode()
    figures = {}
    for chart in ("radar-data", "distribution-data", "trend-data"):
        found = re.search(rf'<script id="{chart}" type="application/json">(.*?)</script>', page)
        assert found, f"no {chart} on the page"
        figures[chart] = json.loads(found[1])
    return figures


def label_strings(value, key=""):
    """Every string in a figure that Plotly draws as text (its hover templates aside)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k != "hovertemplate":
                yield from label_strings(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from label_strings(item, key)
    elif isinstance(value, str):
        yield value


def test_every_chart_label_is_escaped_so_plotly_shows_it_as_typed():
    figures = hostile_board(CsrfClient())
    radar, distributions, trend = (
        figures["radar-data"],
        figures["distribution-data"],
        figures["trend-data"],
    )
    escaped_org = '&lt;a href="https://evil.example"&gt;x&lt;/a&gt;'
    escaped_dimension = "&lt;b&gt;Data&lt;/b&gt; &amp; &lt;br&gt;records"
    assert radar["data"][0]["name"] == escaped_org
    assert radar["data"][0]["theta"][0] == escaped_dimension
    assert radar["data"][1]["theta"][0] == escaped_dimension
    assert distributions["data"][0]["y"][0] == escaped_dimension
    assert distributions["data"][1]["name"] == escaped_org
    assert trend["data"][0]["x"] == ["2025/26", "&lt;i&gt;2026&lt;/i&gt;/27"]
    for chart, figure in figures.items():
        for text in label_strings(figure):
            assert "<" not in text and ">" not in text, (chart, text)
