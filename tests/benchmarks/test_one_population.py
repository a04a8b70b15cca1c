"""One population everywhere: a group's figures are the same numbers on the dashboard, the
national page and its downloads, the consultant comparison and the PDF, with every body in the
group counted (the viewer too). Otherwise a body could subtract one page's median from
another's: with the viewer left out on one and counted on the other, 2 x one median - the other
can be a peer's score.
"""

import csv
import io
import re

import pytest
from django.urls import reverse

from benchmarks import disclosure
from organisations.models import Organisation
from reports.report import report_context
from tests.conftest import CsrfClient
from tests.factories import OrganisationFactory, make_version, release, submit

pytestmark = pytest.mark.django_db

UNITARY = Organisation.Kind.UNITARY


@pytest.fixture
def fv():
    return make_version(dimensions=1, questions=1)


def national_row(client, fv, kind_label):
    response = client.get(reverse("benchmarks:national_csv", args=[fv.framework.slug]))
    rows = csv.DictReader(io.StringIO(response.content.decode()))
    return next(r for r in rows if r["measure"] == "Overall" and r["group"] == kind_label)


def test_the_dashboard_the_national_data_and_the_report_agree_on_a_group(fv):
    for level in (1, 2, 2, 3, 4, 5, 5):
        submit(OrganisationFactory(kind=UNITARY), fv, [level])
    # The viewer's body too: 8 bodies, median 3.5 (without it, 7 others and a median of 3.0).
    mine, lead = submit(OrganisationFactory(kind=UNITARY), fv, [5])
    # Two other kinds, too small to show, so the unitary group may be shown beside "all".
    for kind in (Organisation.Kind.DISTRICT, Organisation.Kind.COUNTY):
        for _ in range(3):
            submit(OrganisationFactory(kind=kind), fv, [2])
    release(fv)
    client = CsrfClient()
    national = national_row(client, fv, "Unitary authority")
    assert (national["organisations"], national["median"]) == ("8", "3.5")

    client.force_login(lead)
    url = reverse(
        "benchmarks:dashboard", kwargs={"pk": mine.organisation_id, "framework": fv.framework.slug}
    )
    text = client.get(url).content.decode()
    assert "The median of unitary authorities is 3.5 (n = 8)" in text
    assert re.findall(r"data-median>([^<]+)<", text) == ["3.5"]

    peers = report_context(assessment=mine)["overall_peers"]
    assert (peers.n, peers.median) == (8, 3.5)


def test_a_median_needs_six_bodies_everywhere(fv, client):
    """Each member of a group of 6 sees at least 5 others; a group of 5 shows nothing anywhere."""
    five = [submit(OrganisationFactory(kind=UNITARY), fv, [n])[0] for n in (1, 2, 3, 4, 5)]
    release(fv)
    assert national_row(client, fv, "All organisations")["median"] == ""
    assert report_context(assessment=five[0])["overall_peers"].median is None
    submit(OrganisationFactory(kind=UNITARY), fv, [3])
    release(fv)
    assert national_row(client, fv, "All organisations")["median"] == "3.0"
    assert disclosure.MIN_FOR_MEDIAN == 6 and disclosure.MIN_FOR_DISTRIBUTION == 11
