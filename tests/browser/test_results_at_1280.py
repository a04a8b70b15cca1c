"""The dashboard and the consultant comparison on a 1280 by 800 screen: the overall score in a
summary card, positions named from a named end, and every table whole on the page (no column
cut off, no table to scroll sideways)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from organisations.models import Organisation
from tests.benchmarks.test_dashboard import board_url
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import (
    PASSWORD,
    ConsultantGrantFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    release,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Each table, and each of its cells, against the region that holds it: how far any of them
# reaches past the region's right edge, and by how much the region would scroll sideways.
OVERFLOW = """() => [...document.querySelectorAll('table')].map(table => {
  const wrap = table.closest('.app-table-wrap') || table.parentElement;
  const right = wrap.getBoundingClientRect().right;
  const cells = [...table.querySelectorAll('th, td')];
  return {
    caption: (table.caption ? table.caption.textContent : '').trim(),
    scroll: wrap.scrollWidth - wrap.clientWidth,
    past: Math.max(0, ...cells.map(c => c.getBoundingClientRect().right - right)),
    page: document.documentElement.scrollWidth - window.innerWidth,
  };
})"""


def assert_tables_whole(page):
    tables = page.evaluate(OVERFLOW)
    assert tables
    cut = [t for t in tables if t["scroll"] > 0 or t["past"] > 0.5 or t["page"] > 0]
    assert cut == [], cut


def test_the_dashboard_at_1280_shows_a_summary_card_and_whole_tables(live_server, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    fv = make_version(dimensions=8, questions=1)
    london = Organisation.Region.LONDON
    me = OrganisationFactory(kind=Organisation.Kind.NHS_TRUST, region=london)
    _, lead = submit(me, fv, [3] * 8)
    for n in range(9):
        submit(
            OrganisationFactory(kind=Organisation.Kind.NHS_TRUST, region=london),
            fv,
            [1 + n % 5] * 8,
        )
    for n in range(3):
        submit(OrganisationFactory(kind=Organisation.Kind.ICB, region=london), fv, [2 + n] * 8)
    for _ in range(12):
        submit(OrganisationFactory(kind=Organisation.Kind.DISTRICT, region=london), fv, [5] * 8)
    release(fv)
    sign_in(page, live_server.url, lead.email, PASSWORD)
    page.goto(f"{live_server.url}{board_url(me, fv, 'region')}")
    expect(page.get_by_label("Compare with")).to_have_value("region")
    expect(page.get_by_label("Compare with").locator("option:checked")).to_have_text(
        "NHS bodies in London"
    )
    card = page.locator(".govuk-summary-card")
    expect(card.get_by_role("heading", name="Overall score")).to_be_visible()
    expect(card.locator("[data-overall-score]")).to_have_text("3.0")
    expect(card.locator("[data-position]")).to_have_text(
        "You are in the second highest quarter of 13 NHS bodies in London."
    )
    expect(page.locator(".govuk-panel")).to_have_count(0)
    assert_tables_whole(page)
    assert_accessible(page)


def test_the_consultant_comparison_at_1280_has_no_hidden_columns(live_server, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    fv = make_version(slug="wide", dimensions=9, questions=1)
    consultant = UserFactory()
    for n in range(6):
        org = OrganisationFactory(name=f"Northamptonshire Client Council {n}")
        submit(org, fv, [1 + (n + d) % 5 for d in range(9)])
        ConsultantGrantFactory(organisation=org, consultant=consultant)
    release(fv)
    sign_in(page, live_server.url, consultant.email, PASSWORD)
    page.goto(f"{live_server.url}{reverse('benchmarks:compare', args=['wide'])}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("your clients side by side")
    first = page.get_by_role(
        "table", name="Version 1.0.0: scores by dimension, clients 1 to 3 of 6"
    )
    expect(first.get_by_role("columnheader")).to_have_count(5)
    expect(first.get_by_role("rowheader")).to_have_count(10)  # overall and nine dimensions
    expect(
        page.get_by_role("table", name="Version 1.0.0: scores by dimension, clients 4 to 6 of 6")
    ).to_contain_text("Northamptonshire Client Council 5")
    assert_tables_whole(page)
    assert_accessible(page)
