"""Open data and the consultant's comparison, under the disclosure rules."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from frameworks.models import FrameworkVersion
from frameworks.services import framework_version_publish, framework_version_retire
from organisations.models import Organisation
from tests.conftest import CsrfClient
from tests.factories import (
    ConsultantGrantFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    release,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def population():
    """30 bodies, released: kinds and regions cut across each other, so no two groups are
    (nearly) the same bodies. Fire (3) and East (3) are too small; county (7) is then withheld
    too, or the fire count would be all less the kinds shown."""
    fv = make_version(dimensions=2, questions=1)
    K, R = Organisation.Kind, Organisation.Region
    bodies = (
        [(K.UNITARY, R.NORTH_WEST)] * 8
        + [(K.UNITARY, R.SOUTH_EAST)] * 4
        + [(K.DISTRICT, R.NORTH_WEST)] * 4
        + [(K.DISTRICT, R.SOUTH_EAST)] * 4
        + [(K.COUNTY, R.NORTH_WEST)] * 4
        + [(K.COUNTY, R.EAST)] * 3
    )
    for n, (kind, region) in enumerate(bodies):
        submit(OrganisationFactory(kind=kind, region=region), fv, [1 + n % 5, 2 + n % 3])
    tiny = [
        submit(
            OrganisationFactory(kind=K.FIRE, region=R.WALES, name=f"Fire {n}"),
            fv,
            [5, 5],
        )[0]
        for n in range(3)
    ]
    release(fv)
    return fv, tiny


def test_national_page_shows_big_groups_and_hides_small_ones(client, population):
    fv, _ = population
    text = client.get(reverse("benchmarks:national", args=[fv.framework.slug])).content.decode()
    assert "Unitary authority" in text and "North West" in text
    assert "Fire and rescue service" not in text and "Wales" not in text
    assert "County council" not in text  # withheld so the fire count cannot be worked out
    assert "Fire 0" not in text


def test_open_data_csv_and_json_carry_only_safe_aggregates(client, population):
    fv, _ = population
    response = client.get(reverse("benchmarks:national_csv", args=[fv.framework.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    fire = [r for r in rows if r["group"] == "Fire and rescue service"]
    assert fire and all(r["median"] == "" and r["organisations"] == "" for r in fire)
    assert all(r["note"] == "Not enough peers to compare" for r in fire)
    county = [r for r in rows if r["group"] == "County council"]
    assert county and all(r["organisations"] == "" and r["median"] == "" for r in county)
    assert all(r["note"].startswith("Not shown, so that a smaller group") for r in county)
    unitary = [r for r in rows if r["group"] == "Unitary authority" and r["measure"] == "Overall"]
    assert unitary[0]["organisations"] == "12" and unitary[0]["lower_quartile"] != ""
    everyone = [r for r in rows if r["group"] == "All organisations" and r["measure"] == "Overall"]
    assert everyone[0]["organisations"] == "30"
    assert everyone[0]["figures_as_of"] == timezone.localdate().isoformat()
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
    assert "Median of all organisations on version 1.0.0 as of" in text
    (table,) = response.context["comparison"]["versions"]
    assert table["median_overall"] is not None  # 30 organisations
    stranger = CsrfClient()
    stranger.force_login(UserFactory())
    assert (
        "No organisation has given you consultant access yet"
        in stranger.get(reverse("benchmarks:compare", args=[fv.framework.slug])).content.decode()
    )


def test_the_national_tables_drawn_once_are_drawn_again_when_figures_are_released(client):
    """The tables are kept for the process under the released figures' stamp: a new release
    shows its figures on the next visit, and another version never shows this one's."""
    fv = make_version(slug="kept", dimensions=1, questions=1)
    for level in (1, 2, 2, 3, 3, 4):
        submit(OrganisationFactory(), fv, [level])
    release(fv)
    url = reverse("benchmarks:national", args=[fv.framework.slug])

    def all_row():
        text = client.get(url).content.decode()
        table = text[text.index('id="all-organisations"') :]
        return " ".join(re.sub(r"<[^>]+>", " ", table[: table.index("</table>")]).split())

    before = all_row()
    assert all_row() == before  # drawn from the kept tables
    for _ in range(6):
        submit(OrganisationFactory(), fv, [5])
    release(fv)
    after = all_row()
    assert after != before and "12" in after and "12" not in before
    newer = make_version(slug="kept", version="1.1.0", dimensions=1, questions=1)
    for level in (5, 5, 5, 5, 5, 5):
        submit(OrganisationFactory(), newer, [level])
    release(newer)
    assert all_row() != after  # the newest version's page, with its own tables


# Versions; the released "all" figures that say which versions have figures; then the shown
# version's released figures. Each is counted on its second read: the first after a release also
# reads the figures in full (benchmarks/figures.py), and the first of a version its scale and
# dimensions, kept for the process (frameworks/structure.py).
NATIONAL_QUERIES = 3


def test_national_query_count_does_not_grow_with_organisations_or_versions(
    client, django_assert_num_queries
):
    fv = make_version(slug="counted", dimensions=2, questions=1)
    url = reverse("benchmarks:national", args=[fv.framework.slug])
    submit(OrganisationFactory(), fv, [3, 3])
    client.get(url)
    with django_assert_num_queries(NATIONAL_QUERIES):
        assert client.get(url).status_code == 200
    for n in range(12):
        submit(OrganisationFactory(), fv, [1 + n % 5, 3])
    for version in ("1.1.0", "2.0.0"):
        newer = make_version(slug="counted", version=version, dimensions=3, questions=1)
        submit(OrganisationFactory(), newer, [2, 2, 2])
    client.get(url)
    with django_assert_num_queries(NATIONAL_QUERIES):
        assert "version 1.0.0" in client.get(url).content.decode()
    newer_url = national_url(newer)
    client.get(newer_url)
    with django_assert_num_queries(NATIONAL_QUERIES):
        assert client.get(newer_url).status_code == 200


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


# --- Versions: each published version keeps its own open data --------------------------------


def national_url(fv, name="national_version"):
    return reverse(f"benchmarks:{name}", args=[fv.framework.slug, fv.version])


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def overall(rows, group="All organisations"):
    (row,) = [r for r in rows if r["group"] == group and r["measure"] == "Overall"]
    return row


def submit_many(fv, count, levels, **org):
    return [submit(OrganisationFactory(**org), fv, levels)[0] for _ in range(count)]


def version_links(text):
    """The version chooser's links, in page order."""
    return re.findall(r'href="/national/[a-z-]+/([0-9.]+)/"', text)


def test_publishing_a_new_version_keeps_the_national_picture_of_the_old_one(client, population):
    fv, _ = population
    new = make_version(version="2.0.0", dimensions=3, questions=1)
    submit_many(new, 2, [4, 4, 4])  # too few for any figure
    slug = fv.framework.slug

    text = client.get(reverse("benchmarks:national", args=[slug])).content.decode()
    assert "The national picture · version 1.0.0" in text
    assert "Unitary authority" in text and "Dimension 3" not in text
    assert version_links(text) == ["2.0.0", "1.0.0"]

    response = client.get(reverse("benchmarks:national_csv", args=[slug]))
    assert 'filename="test-framework-1.0.0-national.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert overall(rows)["organisations"] == "30"
    assert overall(rows, "Unitary authority")["organisations"] == "12"
    data = client.get(reverse("benchmarks:national_json", args=[slug])).json()
    assert data["version"] == "1.0.0"

    # The new version has its own page, which says why it shows no figures yet.
    text = client.get(national_url(new)).content.decode()
    assert "The national picture · version 2.0.0" in text
    assert "Not enough organisations have submitted on version 2.0.0 yet" in text
    assert text.count("govuk-table__cell--numeric") == 0
    assert text.count("<h1") == 1


def test_each_version_has_its_own_page_and_downloads(client, population):
    old, _ = population
    new = make_version(version="2.0.0", dimensions=3, questions=1)
    submit_many(new, 6, [4, 4, 4], kind=Organisation.Kind.COUNTY)
    slug = old.framework.slug

    default = client.get(reverse("benchmarks:national", args=[slug]))
    assert "The national picture · version 2.0.0" in default.content.decode()
    assert version_links(default.content.decode()) == ["2.0.0", "1.0.0"]

    text = client.get(national_url(old)).content.decode()
    assert "The national picture · version 1.0.0" in text and "Dimension 3" not in text
    assert 'aria-current="page"' in text
    assert f'href="{national_url(old, "national_version_csv")}"' in text

    response = client.get(national_url(old, "national_version_csv"))
    assert 'filename="test-framework-1.0.0-national.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert {r["measure"] for r in rows} == {"Overall", "Dimension 1", "Dimension 2"}
    assert overall(rows, "Unitary authority")["organisations"] == "12"

    response = client.get(national_url(new, "national_version_json"))
    assert 'filename="test-framework-2.0.0-national.json"' in response["Content-Disposition"]
    data = response.json()
    assert data["version"] == "2.0.0"
    assert overall(data["rows"])["organisations"] == 6
    assert overall(data["rows"])["median"] == 4.0

    # The unversioned downloads are the default version's, byte for byte.
    for name in ("csv", "json"):
        plain = client.get(reverse(f"benchmarks:national_{name}", args=[slug]))
        versioned = client.get(national_url(new, f"national_version_{name}"))
        assert plain.content == versioned.content
        assert plain["Content-Disposition"] == versioned["Content-Disposition"]


def test_national_default_is_the_highest_version_not_the_last_published(client):
    drafts = [make_version(version=v, publish=False, questions=1) for v in ("1.9.0", "1.10.0")]
    framework_version_publish(framework_version=drafts[1])
    framework_version_publish(framework_version=drafts[0])  # published last
    for fv in drafts:
        submit_many(fv, 6, [3, 3])
    text = client.get(reverse("benchmarks:national", args=["test-framework"])).content.decode()
    assert "The national picture · version 1.10.0" in text
    assert version_links(text) == ["1.10.0", "1.9.0"]


def test_drafts_and_unused_retired_versions_have_no_national_page(client, population):
    old, _ = population
    unused = make_version(version="1.5.0")
    framework_version_retire(framework_version=unused)
    draft = make_version(version="3.0.0", publish=False)
    framework_version_retire(framework_version=old)  # retired, but it has submissions
    text = client.get(reverse("benchmarks:national", args=[old.framework.slug])).content.decode()
    assert version_links(text) == ["1.0.0"]
    assert "The national picture · version 1.0.0" in text
    assert client.get(national_url(old)).status_code == 200
    assert client.get(national_url(unused)).status_code == 404
    assert client.get(national_url(draft)).status_code == 404
    assert client.get(national_url(draft, "national_version_csv")).status_code == 404
    missing = reverse("benchmarks:national_version", args=[old.framework.slug, "7.0.0"])
    assert client.get(missing).status_code == 404
    assert FrameworkVersion.objects.filter(framework=old.framework).count() == 3


def compare_tables(text):
    """{caption: ([column header texts], [row header texts])} for each comparison table."""
    tables = {}
    for chunk in text.split("<table")[1:]:
        caption = re.search(r"<caption[^>]*>\s*(.*?)\s*</caption>", chunk, re.S).group(1)
        columns = re.findall(r'<th scope="col"[^>]*>(?:<a[^>]*>)?([^<]+)', chunk)
        tables[caption] = (columns, re.findall(r'<th scope="row"[^>]*>([^<]+)', chunk))
    return tables


def test_consultant_comparison_keeps_clients_on_older_versions(client, population):
    old, tiny = population
    new = make_version(version="2.0.0", dimensions=3, questions=1)
    submit_many(new, 6, [4, 4, 4])
    moved = OrganisationFactory(name="Moved On Council")
    submit(moved, old, [2, 2], round_label="2025/26")
    submit(moved, new, [2, 2, 2], round_label="2026/27")
    waiting = OrganisationFactory(name="Not Yet Council")
    consultant = UserFactory()
    for org in (tiny[0].organisation, moved, waiting):
        ConsultantGrantFactory(organisation=org, consultant=consultant)
    client.force_login(consultant)

    text = client.get(reverse("benchmarks:compare", args=[old.framework.slug])).content.decode()
    tables = compare_tables(text)
    # A column per client, a row per dimension.
    assert tables == {
        "Version 2.0.0: scores by dimension": (
            ["Dimension", "Moved On Council", "Median of all organisations"],
            ["Overall", "Dimension 1", "Dimension 2", "Dimension 3"],
        ),
        "Version 1.0.0: scores by dimension": (
            ["Dimension", "Fire 0", "Median of all organisations"],
            ["Overall", "Dimension 1", "Dimension 2"],
        ),
    }
    new_table, old_table = text.split("<table")[1:]
    assert "Dimension 3" in new_table and "Dimension 3" not in old_table
    # Each version's median is that version's open-data median: one population everywhere.
    old_median = overall(csv_rows(client.get(national_url(old, "national_version_csv"))))
    # As released: Moved On Council's later submission on 1.0.0 waits for the next release.
    assert old_median["organisations"] == "30"
    assert re.search(
        r">Overall</th>\s*<td[^>]*>[^<]+</td>\s*<td[^>]*data-median>"
        + re.escape(old_median["median"]),
        old_table,
    )
    assert re.search(r">Overall</th>\s*<td[^>]*>2\.0</td>\s*<td[^>]*data-median>4\.0", new_table)
    assert "2026/27" in new_table and "2025/26" not in new_table
    assert "Not Yet Council" in text.split("<table")[-1].split("</table>")[-1]
    assert text.count("<h1") == 1


def test_comparison_query_count_does_not_grow_with_clients_or_versions(
    django_assert_num_queries,
):
    old = make_version(slug="counted", dimensions=2, questions=1)
    consultant = UserFactory()
    signed_in = CsrfClient()
    signed_in.force_login(consultant)
    url = reverse("benchmarks:compare", args=["counted"])
    first = OrganisationFactory()
    submit(first, old, [3, 3])
    ConsultantGrantFactory(organisation=first, consultant=consultant)
    signed_in.get(url)  # saves the session, and reads the released figures in full
    with django_assert_num_queries(COMPARE_QUERIES):
        assert signed_in.get(url).status_code == 200
    new = make_version(slug="counted", version="2.0.0", dimensions=3, questions=1)
    for n in range(8):
        org = OrganisationFactory()
        submit(org, old if n % 2 else new, [1 + n % 5] * (2 if n % 2 else 3))
        ConsultantGrantFactory(organisation=org, consultant=consultant)
    signed_in.get(url)
    with django_assert_num_queries(COMPARE_QUERIES):
        assert signed_in.get(url).status_code == 200


def test_consultant_comparison_is_three_clients_to_a_table_whatever_the_dimensions(client):
    """Dimensions run down the page and clients across, three at a time, so the page is read
    without scrolling sideways however many dimensions or clients there are."""
    fv = make_version(slug="wide", dimensions=9, questions=1)
    consultant = UserFactory()
    names = [f"Client {n:02d} Borough Council" for n in range(7)]
    for n, name in enumerate(names):
        org = OrganisationFactory(name=name)
        submit(org, fv, [1 + n % 5] * 9)
        ConsultantGrantFactory(organisation=org, consultant=consultant)
    client.force_login(consultant)
    text = client.get(reverse("benchmarks:compare", args=["wide"])).content.decode()
    tables = compare_tables(text)
    assert list(tables) == [
        "Version 1.0.0: scores by dimension, clients 1 to 3 of 7",
        "Version 1.0.0: scores by dimension, clients 4 to 6 of 7",
        "Version 1.0.0: scores by dimension, clients 7 to 7 of 7",
    ]
    columns = [name for cols, _ in tables.values() for name in cols[1:-1]]
    assert columns == names  # each client once, in order
    for cols, rows in tables.values():
        assert len(cols) <= 5
        assert rows == ["Overall"] + [f"Dimension {n}" for n in range(1, 10)]


# Session and user; versions, clients, their latest submissions, dimensions, scales, the
# clients' scores, the released figures. (The session is saved at most once a minute.)
COMPARE_QUERIES = 9
