"""A consultant exports several clients' reports: the form, live progress, the zip download."""

import datetime
import io
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.browser.test_people import sign_in
from tests.factories import (
    PASSWORD,
    ConsultantGrantFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    submit,
)
from tests.reports.test_bulk_export import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_consultant_exports_two_clients_and_downloads_the_zip(live_server, page):
    fv = make_version(dimensions=2, questions=1, publish=True)
    consultant = UserFactory(email="consultant@advisory.example")
    for name, code in (
        ("Epsilon Borough Council", "Z10000001"),
        ("Zeta City Council", "Z10000002"),
    ):
        org = OrganisationFactory(name=name, code=code)
        submit(org, fv, [3, 4])
        ConsultantGrantFactory(consultant=consultant, organisation=org)

    page.clock.install()
    sign_in(page, live_server.url, consultant.email, PASSWORD)
    page.get_by_role("link", name="Your organisations").first.click()
    page.get_by_role("link", name="Export reports for several clients").click()
    expect(page.get_by_role("heading", name="Export reports for several clients")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    page.get_by_label(fv.framework.name).check()
    page.get_by_label("Epsilon Borough Council").check()
    page.get_by_label("Zeta City Council").check()
    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("heading", name="Preparing your export")).to_be_visible()
    expect(page.get_by_text("Waiting to start")).to_have_count(2)  # the line and the status tag
    expect(page.get_by_role("link", name="Check progress again")).to_be_hidden()  # JS is on
    assert_accessible(page)

    # The page's own clock held still while the worker runs: a progress poll while the worker
    # writes meets SQLite's shared-cache table lock in the test database (a 503 in the
    # console), which no deployment has (there, SQLite waits for the lock).
    page.clock.pause_at(datetime.datetime.now() + datetime.timedelta(milliseconds=50))
    run_worker()
    page.clock.resume()

    # The page polls, sees the export has finished and shows the download without a click.
    expect(page.get_by_role("heading", name="Your export is ready")).to_be_visible(timeout=15000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the zip file").click()
    assert download.value.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 2
    assert len([n for n in archive.namelist() if n.endswith(".xlsx")]) == 2
    assert_accessible(page)
    assert_no_console_errors(page)
