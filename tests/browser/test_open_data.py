"""A visitor finds the open data from the home page, reads its licence, date and rules, and
reads the data dictionary before downloading the figures, in a real browser."""

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.benchmarks.test_open_data import OGL, released_population
from tests.browser.conftest import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_goes_from_the_home_page_to_the_open_data_and_its_dictionary(live_server, page):
    fv = released_population()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="See the national picture and download the open data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The national picture")
    expect(page.get_by_role("link", name="Open Government Licence v3.0")).to_have_attribute(
        "href", OGL
    )
    assert_accessible(page)

    page.get_by_role("link", name=fv.framework.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fv.framework.name)
    about = page.locator(".govuk-summary-list")
    expect(about).to_contain_text("Free to reuse under the Open Government Licence v3.0")
    expect(about).to_contain_text("Figures as of")
    for heading in ("By kind of organisation", "By region", "By size of organisation"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    sizes = page.get_by_role("table", name="Overall score by size of organisation")
    expect(sizes.get_by_role("rowheader")).to_have_text(
        [f"{size} local government bodies" for size in ("Small", "Medium", "Large")]
    )

    # Each dimension's tables are one click away, and are tables too.
    page.get_by_text("Each dimension by region").click()
    expect(page.get_by_role("table", name="Dimension 1 by region")).to_be_visible()

    page.get_by_role("link", name="data dictionary", exact=True).click()
    expect(page.get_by_role("heading", name="Data dictionary")).to_be_in_viewport()
    dictionary = page.get_by_role(
        "table", name="Columns of the CSV file and fields of each row in the JSON file"
    )
    median = dictionary.get_by_role("row").filter(has=page.get_by_role("rowheader", name="median"))
    expect(median).to_contain_text("Points on the framework's scale of 1 to 5")
    expect(page.get_by_role("heading", name="How the figures are protected")).to_be_visible()
    assert_accessible(page)

    # The CSV has the columns the dictionary describes, in its order.
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV file of version 1.0.0").click()
    header = next(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert header == dictionary.get_by_role("rowheader").all_inner_texts()
    assert_no_console_errors(page)
