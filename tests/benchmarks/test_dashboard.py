"""The benchmark dashboard: own scores, disclosure-controlled peers, trend, flags."""

import json
import re

import pytest
from django.urls import reverse

from frameworks.models import FrameworkVersion
from organisations.models import Organisation, Role
from tests.conftest import CsrfClient
from tests.factories import (
    ConsultantGrantFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    release,
    submit,
)

pytestmark = pytest.mark.django_db


def other_kinds(fv):
    """Three district and three county councils: enough other bodies that "all" and the
    unitary authorities are not (nearly) the same group, each kind too small to show, and two
    of them, so neither's count is "all" less the unitary authorities."""
    for kind in (Organisation.Kind.DISTRICT, Organisation.Kind.COUNTY):
        for _ in range(3):
            submit(OrganisationFactory(kind=kind), fv, [1] * 4)


@pytest.fixture
def fv():
    return make_version(dimensions=2, questions=2)


def board_url(org, fv, group=None):
    url = reverse("benchmarks:dashboard", kwargs={"pk": org.pk, "framework": fv.framework.slug})
    return f"{url}?group={group}" if group else url


def test_too_few_peers_shows_no_peer_numbers(fv):
    me = OrganisationFactory(kind=Organisation.Kind.UNITARY)
    _, lead = submit(me, fv, [3, 3, 3, 3])
    for level in (1, 2, 5, 5):  # only 4 peers of the same kind: below the median rule
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [level] * 4)
    release(fv)
    client = CsrfClient()
    client.force_login(lead)
    text = client.get(board_url(me, fv)).content.decode()
    assert "Not enough peers to compare" in text
    assert "Peer median" in text and "The median of" not in text
    assert '"Median of' not in text  # no peer trace in the radar figure


def test_median_and_quartiles_appear_with_enough_peers_counting_the_viewer(fv):
    me = OrganisationFactory(kind=Organisation.Kind.UNITARY)
    _, lead = submit(me, fv, [5, 5, 5, 5])
    for level in (1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4):  # 11 peers
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [level] * 4)
    other_kinds(fv)  # not peers
    release(fv)
    client = CsrfClient()
    client.force_login(lead)
    response = client.get(board_url(me, fv))
    text = response.content.decode()
    # Twelve unitary authorities, this one (at 5) among them: one population everywhere.
    assert "The median of unitary authorities is 3.0 (n = 12)" in text
    assert "highest quarter of 12 unitary authorities" in text
    # The overall score in a summary card (a confirmation panel is for a finished transaction).
    assert "govuk-summary-card" in text and "govuk-panel" not in text
    radar = response.context["radar"]
    assert radar["data"][1]["name"] == "Median of unitary authorities"
    assert radar["data"][1]["r"][:2] == [3.0, 3.0]
    table = re.findall(r"data-median>([^<]+)<", text)
    assert table == ["3.0", "3.0"]
    # The figure in the page is exactly the JSON the chart script reads.
    payload = re.search(r'<script id="radar-data" type="application/json">(.*?)</script>', text)
    assert json.loads(payload.group(1)) == radar
    # Every group is offered, none free-form.
    assert [g.key for g in response.context["board"].groups] == ["all", "kind", "region", "size"]
    assert client.get(board_url(me, fv, "everything-but-x")).status_code == 404


def test_no_minimum_or_maximum_or_single_value_is_shown(fv):
    me = OrganisationFactory(kind=Organisation.Kind.UNITARY)
    _, lead = submit(me, fv, [3, 3, 3, 3])
    submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [1, 1, 1, 1])  # the minimum
    for _ in range(9):
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [3, 3, 3, 3])
    submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [5, 5, 5, 5])  # the maximum
    other_kinds(fv)
    release(fv)
    client = CsrfClient()
    client.force_login(lead)
    response = client.get(board_url(me, fv))
    figure = response.context["distributions"]
    box = figure["data"][0]
    assert box["lowerfence"] == box["q1"] and box["upperfence"] == box["q3"]
    published = json.dumps([box["q1"], box["median"], box["q3"]])
    assert "1.0" not in published and "5.0" not in published


def test_trend_lists_every_round_and_flags_show(fv):
    me = OrganisationFactory()
    _, lead = submit(me, fv, [1, 2, 2, 1], round_label="2024/25")
    submit(me, fv, [3, 3, 2, 2], round_label="2025/26", lead=lead)
    submit(me, fv, [5, 5, 1, 1], round_label="2026/27", lead=lead)
    # A framework shows only the flags it declares: this one means its dimensions as lenses.
    FrameworkVersion.objects.filter(pk=fv.pk).update(flags=[{"code": "lens-imbalance"}])
    client = CsrfClient()
    client.force_login(lead)
    response = client.get(board_url(me, fv))
    board = response.context["board"]
    assert [t["round"] for t in board.trend] == ["2024/25", "2025/26", "2026/27"]
    assert response.context["trend_chart"]["data"][0]["x"] == ["2024/25", "2025/26", "2026/27"]
    assert board.assessment.round_label == "2026/27"
    # Dimension 1 at 5.0, dimension 2 at 1.0: one lens far ahead of the weakest.
    assert any(flag.code == "one_lens_ahead" for flag in board.flags)
    assert "Dimension 1 (5.0)" in response.content.decode()


def test_consultants_see_client_dashboards_viewers_too(fv):
    me = OrganisationFactory()
    submit(me, fv, [3, 3, 3, 3])
    consultant = ConsultantGrantFactory(organisation=me, consultant=UserFactory()).consultant
    viewer = MembershipFactory(organisation=me, role=Role.VIEWER).user
    for person in (consultant, viewer):
        client = CsrfClient()
        client.force_login(person)
        assert client.get(board_url(me, fv)).status_code == 200


def test_no_submitted_assessment_is_404(fv):
    me = OrganisationFactory()
    lead = MembershipFactory(organisation=me, role=Role.LEAD).user
    client = CsrfClient()
    client.force_login(lead)
    assert client.get(board_url(me, fv)).status_code == 404


# The version's scale and dimensions are read once per process (frameworks/structure.py).
DASHBOARD_QUERIES = 9


def test_dashboard_query_count_is_the_same_with_one_peer_and_many(fv, django_assert_num_queries):
    me = OrganisationFactory(kind=Organisation.Kind.UNITARY)
    _, lead = submit(me, fv, [3, 3, 3, 3])
    submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [2] * 4)
    release(fv)
    client = CsrfClient()
    client.force_login(lead)
    client.get(board_url(me, fv))  # also reads the version's scale and dimensions, once
    with django_assert_num_queries(DASHBOARD_QUERIES):
        assert client.get(board_url(me, fv)).status_code == 200
    for level in (1, 2, 3, 4, 5) * 3:
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [level] * 4)
    release(fv)
    client.get(board_url(me, fv))  # the first page after a release reads the figures in full
    with django_assert_num_queries(DASHBOARD_QUERIES):
        assert client.get(board_url(me, fv)).status_code == 200


def test_an_nhs_trusts_region_group_holds_nhs_bodies_only(fv):
    """Region and size groups are formed within a sector: the councils of London, all at 5,
    are not in a London trust's "same region" group."""
    K, london = Organisation.Kind, Organisation.Region.LONDON
    me = OrganisationFactory(kind=K.NHS_TRUST, region=london)
    _, lead = submit(me, fv, [3] * 4)
    for kind, levels in ((K.NHS_TRUST, (1, 1, 2, 2, 2, 3, 3, 4)), (K.ICB, (2, 4, 4))):
        for level in levels:
            submit(OrganisationFactory(kind=kind, region=london), fv, [level] * 4)
    for _ in range(12):
        submit(OrganisationFactory(kind=K.DISTRICT, region=london), fv, [5] * 4)
    release(fv)
    client = CsrfClient()
    client.force_login(lead)
    response = client.get(board_url(me, fv, "region"))
    labels = [g.label for g in response.context["board"].groups]
    assert labels == [
        "All organisations",
        "All NHS trusts",
        "NHS bodies in London",
        "Medium NHS bodies",
    ]
    text = response.content.decode()
    # 1 1 2 2 2 2 3 3 3 4 4 4: the twelve NHS bodies, this trust among them, no council.
    assert "The median of NHS bodies in London is 2.5 (n = 12)" in text
    assert "second highest quarter of 12 NHS bodies in London" in text
