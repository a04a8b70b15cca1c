"""The dashboard across framework versions: the trend says where the framework changed and how
much of the movement is like for like; peers are only ever compared on one version."""

import pytest
from django.urls import reverse

from assessments.models import Comparison
from organisations.models import Organisation
from tests.assessments.test_trend_across_versions import EARLIER, LATER, second_version
from tests.conftest import CsrfClient
from tests.factories import OrganisationFactory, make_version, release, submit

pytestmark = pytest.mark.django_db

SAID = (
    "The framework changed from version 1.0.0 to 2.0.0 between 2024/25 and 2025/26. "
    "5 of 8 questions are comparable. Of the +0.8 movement, +0.3 is like-for-like change on "
    "those questions and +0.5 comes from questions added, removed, split or merged."
)


@pytest.fixture
def versions():
    first = make_version(slug="trend", dimensions=2, questions=3)
    return first, second_version(first)


def board_url(org, fv, group=None):
    url = reverse("benchmarks:dashboard", kwargs={"pk": org.pk, "framework": fv.framework.slug})
    return f"{url}?group={group}" if group else url


def dashboard(org, lead, fv, group=None):
    client = CsrfClient()
    client.force_login(lead)
    response = client.get(board_url(org, fv, group))
    assert response.status_code == 200
    return response, " ".join(response.content.decode().split())


def other_kinds(fv, levels):
    """Three district and three county councils on `fv`: not the viewer's kind, and each kind
    too small to show, so "all" and the unitary authorities are not nearly the same group."""
    for kind in (Organisation.Kind.DISTRICT, Organisation.Kind.COUNTY):
        for _ in range(3):
            submit(OrganisationFactory(kind=kind), fv, levels)


def test_the_trend_says_where_the_framework_changed_and_splits_the_movement(versions):
    first, second = versions
    me = OrganisationFactory()
    _, lead = submit(me, first, EARLIER, round_label="2024/25")
    submit(me, second, LATER, round_label="2025/26", lead=lead)
    response, text = dashboard(me, lead, second)
    assert SAID in text
    # The data table says it too: the version, the change and its like-for-like part.
    assert (
        '<td class="govuk-table__cell">2.0.0 (the framework changed)</td> '
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-overall>2.9</td> '
        '<td class="govuk-table__cell govuk-table__cell--numeric">+0.8</td> '
        '<td class="govuk-table__cell govuk-table__cell--numeric">+0.3</td>'
    ) in text
    # The chart marks the change with a line between the rounds, labelled with the version.
    chart = response.context["trend_chart"]
    assert chart["data"][0]["x"] == ["2024/25", "2025/26"]
    assert [shape["x0"] for shape in chart["layout"]["shapes"]] == [0.5]
    assert [note["text"] for note in chart["layout"]["annotations"]] == ["Version 2.0.0"]


def test_a_round_on_the_same_version_is_not_marked(versions):
    first, _ = versions
    me = OrganisationFactory()
    _, lead = submit(me, first, EARLIER, round_label="2024/25")
    submit(me, first, [3] * 6, round_label="2025/26", lead=lead)
    response, text = dashboard(me, lead, first)
    assert "The framework changed" not in text and "(the framework changed)" not in text
    assert response.context["trend_chart"]["layout"]["shapes"] == []
    # (3 - 6.25/3 = 0.9167: up 0.9, all of it like for like.)
    assert [
        (e["change"] is None, e["like_for_like"] is None) for e in response.context["board"].trend
    ] == [(True, True), (False, False)]
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">+0.9</td>' in text


def test_a_submission_without_a_stored_comparison_shows_the_change_but_no_split(versions):
    first, second = versions
    me = OrganisationFactory()
    _, lead = submit(me, first, EARLIER, round_label="2024/25")
    submit(me, second, LATER, round_label="2025/26", lead=lead)
    Comparison.objects.all().delete()  # as a submission made before comparisons were stored
    response, text = dashboard(me, lead, second)
    assert "The framework changed from version 1.0.0 to 2.0.0 between 2024/25 and 2025/26." in text
    assert "comparable" not in text
    assert response.context["trend_chart"]["layout"]["annotations"][0]["text"] == "Version 2.0.0"


def test_dashboard_query_count_is_the_same_with_two_rounds_and_four_across_versions(
    versions, django_assert_num_queries
):
    first, second = versions
    me = OrganisationFactory()
    _, lead = submit(me, first, EARLIER, round_label="2023/24")
    submit(me, second, LATER, round_label="2024/25", lead=lead)
    client = CsrfClient()
    client.force_login(lead)
    client.get(board_url(me, second))
    # The same 9 as tests/benchmarks/test_dashboard.py: the comparisons come with the trend's
    # scores, and the count of bodies on the version with the assessment, in the same queries.
    with django_assert_num_queries(9):
        assert client.get(board_url(me, second)).status_code == 200
    submit(me, first, EARLIER, round_label="2025/26", lead=lead)
    submit(me, second, LATER, round_label="2026/27", lead=lead)
    client.get(board_url(me, second))
    with django_assert_num_queries(9):
        assert client.get(board_url(me, second)).status_code == 200


def test_peers_on_an_earlier_version_are_never_mixed_in_and_few_on_the_new_one_are_not_counted(
    versions,
):
    first, second = versions
    me = OrganisationFactory(kind=Organisation.Kind.UNITARY)
    _, lead = submit(me, first, EARLIER, round_label="2024/25")
    for _ in range(11):  # plenty of unitary authorities, all on version 1.0.0
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), first, [1] * 6)
    other_kinds(first, [1] * 6)
    release(first)
    submit(me, second, LATER, round_label="2025/26", lead=lead)
    for _ in range(2):  # two more on version 2.0.0: three with this one
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), second, [5] * 8)
    release(second)
    response, text = dashboard(me, lead, second)
    assert "Not enough peers" in text and "The median of" not in text
    assert (
        "Fewer than 6 organisations have submitted on version 2.0.0 of this framework so far. "
        "Peers are compared only on the same version of the framework"
    ) in text
    assert "3 organisations" not in text  # the count itself is below the threshold
    assert response.context["radar"]["data"][1:] == []  # no peer trace from version 1.0.0


def test_peer_figures_on_the_new_version_count_only_its_submissions(versions):
    first, second = versions
    for _ in range(11):  # version 1.0.0's unitary authorities, all at level 1
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), first, [1] * 6)
    other_kinds(first, [1] * 6)
    release(first)
    me = OrganisationFactory(kind=Organisation.Kind.UNITARY)
    _, lead = submit(me, first, EARLIER, round_label="2024/25")
    submit(me, second, LATER, round_label="2025/26", lead=lead)
    for _ in range(11):  # version 2.0.0's, all at level 5
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), second, [5] * 8)
    other_kinds(second, [5] * 8)
    release(second)
    response, text = dashboard(me, lead, second)
    # Twelve unitary authorities on 2.0.0 (this one at 2.9 among eleven at 5): median 5.0.
    # Had version 1.0.0's twelve (eleven at 1.0) been mixed in, it would be 1.0 or 3.0.
    assert "The median of unitary authorities is 5.0 (n = 12)" in text
    assert "data-version-bodies" not in text
    assert response.context["board"].version_bodies == (
        "18 organisations had submitted on version 2.0.0 of this framework when its figures "
        "were last released."
    )
