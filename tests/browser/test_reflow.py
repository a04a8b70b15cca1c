"""WCAG 1.4.10 Reflow: at 320 CSS pixels wide no page scrolls sideways.

Wide data tables may scroll inside their own region (a focusable, labelled wrapper), as WCAG
allows; the page itself may not. Charts must fit, their labels inside the drawing.
"""

import pytest
from playwright.sync_api import expect

from organisations.models import Organisation
from tests.benchmarks.test_dashboard import board_url
from tests.browser.test_every_page import signed_in_context, sweep
from tests.factories import OrganisationFactory, make_version, release, submit
from tests.test_isolation import world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

PAGE_WIDTH = "document.documentElement.scrollWidth"
# Every label of every drawn chart lies inside its chart, so none is clipped.
CLIPPED_LABELS = """() => {
  const out = [];
  document.querySelectorAll('[data-chart]').forEach(chart => {
    const frame = chart.getBoundingClientRect();
    chart.querySelectorAll('text').forEach(text => {
      const box = text.getBoundingClientRect();
      if (box.width && (box.left < frame.left - 0.5 || box.right > frame.right + 0.5
          || box.top < frame.top - 0.5 || box.bottom > frame.bottom + 0.5)) {
        out.push(`${chart.dataset.chart}: "${text.textContent}" at ${box.left}..${box.right}`);
      }
    });
  });
  return out;
}"""
SCROLL_REGIONS = """() => [...document.querySelectorAll('.app-table-wrap')].map(el => ({
  role: el.getAttribute('role'), tabindex: el.tabIndex,
  label: el.getAttribute('aria-label')
    || document.getElementById(el.getAttribute('aria-labelledby'))?.textContent.trim(),
  overflow: getComputedStyle(el).overflowX,
}))"""


@pytest.mark.once
def test_no_page_scrolls_sideways_at_320_pixels(live_server, browser, world):  # noqa: F811
    too_wide = {}
    regions = []

    def check(page, visit):
        width = page.evaluate(PAGE_WIDTH)
        if width > 320:
            too_wide[f"{visit.name} as {visit.who or 'visitor'}"] = width
        regions.extend(page.evaluate(SCROLL_REGIONS))

    seen = sweep(browser, live_server, world, check, viewport={"width": 320, "height": 640})
    assert too_wide == {}
    assert len(seen) > 40
    # Each table region that may scroll can be reached and is named, for keyboard users.
    assert regions
    unreachable = [
        r
        for r in regions
        if not (r["role"] == "region" and r["label"] and r["tabindex"] == 0)
        or r["overflow"] != "auto"
    ]
    assert unreachable == []


def dashboard_with_long_names():
    fv = make_version(dimensions=6, questions=1)
    for n, dimension in enumerate(fv.dimensions.order_by("position")):
        dimension.name = f"Leadership, culture and digital skills area {n + 1}"
        dimension.save()
    me = OrganisationFactory(kind=Organisation.Kind.UNITARY, name="Theta Unitary Council")
    _, lead = submit(me, fv, [4, 2, 3, 5, 1, 2], round_label="2025/26")
    submit(me, fv, [5, 3, 3, 4, 2, 2], round_label="2026/27", lead=lead)
    for n in range(12):
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [1 + n % 5] * 6)
    # Two other kinds, each too small to show, so the unitary group (with its median and
    # quartiles) is shown beside "all".
    for kind in (Organisation.Kind.DISTRICT, Organisation.Kind.COUNTY):
        for _ in range(3):
            submit(OrganisationFactory(kind=kind), fv, [2] * 6)
    release(fv)
    return me, fv, lead


@pytest.mark.parametrize("width", [320, 375])
def test_the_dashboard_and_its_charts_fit_a_phone(live_server, browser, width):
    me, fv, lead = dashboard_with_long_names()
    context = signed_in_context(
        browser, live_server, lead, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}{board_url(me, fv)}")
    for chart in ("radar-data", "distribution-data", "trend-data"):
        expect(page.locator(f'[data-chart="{chart}"] svg.main-svg').first).to_be_attached()
    assert page.evaluate(PAGE_WIDTH) <= width
    assert page.evaluate(CLIPPED_LABELS) == []
    context.close()
