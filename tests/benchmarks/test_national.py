"""Open data and the consultant's comparison, under the disclosure rules."""

import csv
import io

import pytest
from django.urls import reverse

from organisations.models import Organisation
from tests.conftest import CsrfClient
from tests.factories import (
    ConsultantGrantFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def population():
    fv = make_version(dimensions=2, questions=1)
    for n in range(12):
        submit(
            OrganisationFactory(
                kind=Organisation.Kind.UNITARY, region=Organisation.Region.NORTH_WEST
            ),
            fv,
            [1 + n % 5, 2 + n % 3],
        )
    tiny = [
        submit(
            OrganisationFactory(
                kind=Organisation.Kind.FIRE, region=Organisation.Region.WALES, name=f"Fire {n}"
            ),
            fv,
            [5, 5],
        )[0]
        for n in range(3)
    ]
    return fv, tiny


def test_national_page_shows_big_groups_and_hides_small_ones(client, population):
    fv, _ = population
    text = client.get(reverse("benchmarks:national", args=[fv.framework.slug])).content.decode()
    assert "Unitary authority" in text and "North West" in text
    assert "Fire and rescue service" not in text and "Wales" not in text
    assert "Fire 0" not in text


def test_open_data_csv_and_json_carry_only_safe_aggregates(client, population):
    fv, _ = population
    response = client.get(reverse("benchmarks:national_csv", args=[fv.framework.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    fire = [r for r in rows if r["group"] == "Fire and rescue service"]
    assert fire and all(r["median"] == "" and r["organisations"] == "" for r in fire)
    assert all(r["note"] == "Not enough peers to compare" for r in fire)
    unitary = [r for r in rows if r["group"] == "Unitary authority" and r["measure"] == "Overall"]
    assert unitary[0]["organisations"] == "12" and unitary[0]["lower_quartile"] != ""
    everyone = [r for r in rows if r["group"] == "All organisations" and r["measure"] == "Overall"]
    assert everyone[0]["organisations"] == "15"
    data = client.get(reverse("benchmarks:national_json", args=[fv.framework.slug])).json()
    assert data["framework"] == fv.framework.slug
    assert {"measure", "group", "median"} <= set(data["rows"][0])
    assert not any(key in row for row in data["rows"] for key in ("min", "max", "mean"))


def test_consultant_compares_only_their_clients(population):
    fv, tiny = population
    consultant = UserFactory()
    for assessment in tiny[:2]:
        ConsultantGrantFactory(organisation=assessment.organisation, consultant=consultant)
    client = CsrfClient()
    client.force_login(consultant)
    response = client.get(reverse("benchmarks:compare", args=[fv.framework.slug]))
    text = response.content.decode()
    assert "Fire 0" in text and "Fire 1" in text and "Fire 2" not in text
    assert response.context["comparison"]["median_overall"] is not None  # 15 organisations
    stranger = CsrfClient()
    stranger.force_login(UserFactory())
    assert (
        "No organisation has given you consultant access yet"
        in stranger.get(reverse("benchmarks:compare", args=[fv.framework.slug])).content.decode()
    )


def test_national_query_count_does_not_grow_with_organisations(client, django_assert_num_queries):
    fv = make_version(slug="counted", dimensions=2, questions=1)
    url = reverse("benchmarks:national", args=[fv.framework.slug])
    submit(OrganisationFactory(), fv, [3, 3])
    with django_assert_num_queries(4):
        client.get(url)
    for n in range(12):
        submit(OrganisationFactory(), fv, [1 + n % 5, 3])
    with django_assert_num_queries(4):
        client.get(url)


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_open_data_csv_escapes_every_formula_prefix(client, population, prefix):
    """A dimension named like a formula (or starting with tab or carriage return, which some
    spreadsheets skip before reading one) reaches the CSV as text."""
    from frameworks.models import Dimension

    fv, _ = population
    Dimension.objects.filter(framework_version=fv).update(name=f"{prefix}HYPERLINK(1)")
    response = client.get(reverse("benchmarks:national_csv", args=[fv.framework.slug]))
    measures = {r["measure"] for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert measures == {"Overall", f"'{prefix}HYPERLINK(1)"}
