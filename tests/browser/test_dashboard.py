"""The dashboard's charts draw under the strict Content Security Policy and match their tables."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from frameworks.models import Dimension
from organisations.models import Organisation
from tests.assessments.test_trend_across_versions import EARLIER, LATER, second_version
from tests.benchmarks.test_dashboard import board_url
from tests.browser.conftest import assert_accessible, assert_no_console_errors, sign_in
from tests.factories import PASSWORD, OrganisationFactory, make_version, release, submit

pytestmark = pytest.mark.django_db(transaction=True)


def show_dashboard(page, live_server, lead, url):
    """Sign in through the form as the lead, then open their dashboard."""
    sign_in(page, live_server.url, lead.email, PASSWORD)
    page.goto(f"{live_server.url}{url}")


def test_charts_draw_and_carry_the_numbers_of_their_tables(live_server, page):
    fv = make_version(dimensions=3, questions=1)
    me = OrganisationFactory(kind=Organisation.Kind.UNITARY, name="Theta Unitary Council")
    _, lead = submit(me, fv, [4, 2, 3], round_label="2025/26")
    submit(me, fv, [5, 3, 3], round_label="2026/27", lead=lead)
    for n in range(12):
        submit(
            OrganisationFactory(kind=Organisation.Kind.UNITARY),
            fv,
            [1 + n % 5, 1 + (n + 2) % 5, 1 + (n + 4) % 5],
        )
    # Two other kinds, each too small to show, so the unitary group may be shown beside "all".
    for kind in (Organisation.Kind.DISTRICT, Organisation.Kind.COUNTY):
        for _ in range(3):
            submit(OrganisationFactory(kind=kind), fv, [2, 2, 2])
    release(fv)
    show_dashboard(page, live_server, lead, board_url(me, fv))
    expect(page.get_by_role("heading", level=1)).to_have_text("How you compare")

    # Plotly drew every chart as SVG.
    for chart in ("radar-data", "distribution-data", "trend-data"):
        expect(page.locator(f'[data-chart="{chart}"] svg.main-svg').first).to_be_attached()

    radar = json.loads(page.locator("#radar-data").text_content())
    own_trace, median_trace = radar["data"]
    table_own = [
        float(t) for t in page.locator("[data-table=radar] td[data-own]").all_inner_texts()
    ]
    table_median = [
        float(t) for t in page.locator("[data-table=radar] td[data-median]").all_inner_texts()
    ]
    assert own_trace["r"][:-1] == table_own == [5.0, 3.0, 3.0]
    assert median_trace["r"][:-1] == table_median
    trend = json.loads(page.locator("#trend-data").text_content())
    assert trend["data"][0]["y"] == [
        float(t)
        for t in page.locator("[data-table=trend] tbody td[data-overall]").all_inner_texts()
    ]
    expect(page.locator("[data-position]")).to_contain_text("quarter of 13 unitary authorities")

    page.get_by_label("Compare with").select_option("region")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(f"{live_server.url}{board_url(me, fv, 'region')}")
    assert_accessible(page)
    assert_no_console_errors(page)


HOSTILE_NAME = '<a href="https://evil.example">x</a>'
HOSTILE_DIMENSION = "<b>Data</b> & records"


def test_names_in_the_charts_are_shown_as_typed_never_as_links(live_server, page):
    # Collect Content Security Policy violations from the start (an init script runs through
    # DevTools, so the policy does not block it).
    page.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', function (e) {"
        "  window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);"
        "});"
    )
    fv = make_version(dimensions=3, questions=1)
    Dimension.objects.filter(framework_version=fv, position=0).update(name=HOSTILE_DIMENSION)
    me = OrganisationFactory(kind=Organisation.Kind.UNITARY, name=HOSTILE_NAME)
    _, lead = submit(me, fv, [4, 2, 3])
    for n in range(12):
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [1 + n % 5, 2, 3])
    for kind in (Organisation.Kind.DISTRICT, Organisation.Kind.COUNTY):
        for _ in range(3):
            submit(OrganisationFactory(kind=kind), fv, [2, 2, 2])
    release(fv)
    show_dashboard(page, live_server, lead, board_url(me, fv))
    radar = page.locator('[data-chart="radar-data"]')
    expect(radar.locator("svg.main-svg").first).to_be_attached()

    # The legend and the dimension labels show the text exactly (charts.js may wrap it onto
    # lines at its spaces, hence the comparison without spaces), and no link or bold is made.
    def shown(locator):
        return "".join(locator.text_content().split())

    expect(radar.locator(".legendtext").first).to_be_attached()
    assert shown(radar.locator(".legendtext").first) == "".join(HOSTILE_NAME.split())
    assert shown(radar.locator(".angularaxistick text").first) == "".join(HOSTILE_DIMENSION.split())
    radar.hover()  # draws a hover label too
    charts = page.locator("[data-chart]")
    assert charts.locator("a").count() == 0
    assert charts.locator("b").count() == 0
    assert page.evaluate("document.querySelectorAll('a[href*=\"evil.example\"]').length") == 0

    # Plotly's styles go into our own stylesheet through the CSS object model: no violations.
    assert page.evaluate("window.cspViolations") == []
    assert_no_console_errors(page)


def test_the_trend_across_framework_versions_marks_the_change(live_server, page):
    first = make_version(slug="trend", dimensions=2, questions=3)
    second = second_version(first)
    me = OrganisationFactory(kind=Organisation.Kind.UNITARY)
    _, lead = submit(me, first, EARLIER, round_label="2024/25")
    later, _ = submit(me, second, LATER, round_label="2025/26", lead=lead)
    show_dashboard(page, live_server, lead, board_url(me, second))
    trend = page.locator('[data-chart="trend-data"]')
    expect(trend.locator("svg.main-svg").first).to_be_attached()
    # The dotted line and its label, drawn by Plotly from the figure's shapes and annotations.
    expect(trend.locator(".annotation-text").first).to_have_text("Version 2.0.0")
    expect(trend.locator(".shapelayer path")).to_have_count(1)
    expect(page.locator("[data-version-change]")).to_contain_text("5 of 8 questions are comparable")
    expect(page.locator("[data-version-bodies]")).to_contain_text(
        "Fewer than 6 organisations have submitted on version 2.0.0"
    )
    assert_accessible(page)
    assert_no_console_errors(page)
    # The results page says it too, and stays accessible with its extra columns.
    page.goto(f"{live_server.url}{reverse('assessments:results', args=[me.pk, later.pk])}")
    expect(page.locator("[data-version-change]")).to_contain_text("+0.3 is like-for-like change")
    assert_accessible(page)
