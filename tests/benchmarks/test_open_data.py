"""The open data as a reuser meets it: the licence, the date and the rules on the page; kinds,
regions and sizes in their own headed tables; a data dictionary that names every column of the
downloads; and a way to the page from the home page."""

import csv
import html
import io
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from benchmarks.models import PeerRelease
from organisations.models import Organisation
from tests.factories import OrganisationFactory, make_version, release, submit

pytestmark = pytest.mark.django_db

OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
K, R, S = Organisation.Kind, Organisation.Region, Organisation.SizeBand


def released_population():
    """36 bodies released, three kinds, two regions and three size bands cutting across each
    other (12, 18 and 12 bodies to a group): every group is shown, none is near another."""
    fv = make_version(dimensions=2, questions=1)
    kinds, regions = (K.UNITARY, K.DISTRICT, K.COUNTY), (R.NORTH_WEST, R.SOUTH_EAST)
    sizes = (S.SMALL, S.MEDIUM, S.LARGE)
    for n in range(36):
        org = OrganisationFactory(
            kind=kinds[n % 3], region=regions[(n // 3) % 2], size_band=sizes[(n // 6) % 3]
        )
        submit(org, fv, [1 + n % 5, 1 + (n * 7) % 5])
    release(fv)
    return fv


@pytest.fixture
def fv():
    return released_population()


class Page(HTMLParser):
    """The headings, and each table's caption, column headers and rows, of a page."""

    def __init__(self, markup):
        super().__init__()
        self.headings, self.tables, self.links = [], [], []
        self._text, self._in = None, None
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3", "caption", "th", "td", "a"):
            self._in, self._text = (tag, dict(attrs)), []
        if tag == "table":
            self.tables.append({"caption": "", "head": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._in is None or tag != self._in[0]:
            return
        text = " ".join("".join(self._text).split())
        attrs = self._in[1]
        if tag in ("h1", "h2", "h3"):
            self.headings.append((tag, text, attrs.get("id")))
        elif tag == "caption":
            self.tables[-1]["caption"] = text
        elif tag == "a":
            self.links.append((text, attrs.get("href")))
        elif tag == "th" and attrs.get("scope") == "col":
            self.tables[-1]["head"].append(text)
            if self.tables[-1]["rows"] == [[]]:
                self.tables[-1]["rows"] = []  # the header row is not a data row
        elif self.tables:
            self.tables[-1]["rows"][-1].append(text)
        self._in, self._text = None, None

    def table(self, caption):
        (found,) = [t for t in self.tables if t["caption"] == caption]
        return found


def summary_list(markup):
    """{key: value} of the page's summary list, as text."""
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", markup, re.S)
    text = [(" ".join(re.sub("<[^>]+>", " ", part).split()) for part in pair) for pair in pairs]
    return dict(text)


def page_of(client, fv):
    response = client.get(reverse("benchmarks:national", args=[fv.framework.slug]))
    assert response.status_code == 200
    return response, Page(response.content.decode())


def test_national_page_names_its_licence_and_links_to_it(client, fv):
    """A reuser must know they may reuse the figures, and on what terms."""
    response, page = page_of(client, fv)
    assert ("Open Government Licence v3.0", OGL) in page.links
    assert summary_list(response.content.decode())["Licence"] == (
        "Free to reuse under the Open Government Licence v3.0"
    )
    index = Page(client.get(reverse("benchmarks:national_index")).content.decode())
    assert ("Open Government Licence v3.0", OGL) in index.links


def test_open_data_json_carries_its_licence_date_and_dictionary(client, fv):
    response = client.get(reverse("benchmarks:national_json", args=[fv.framework.slug]))
    data = response.json()
    assert data["licence"] == {"name": "Open Government Licence v3.0", "url": OGL}
    assert data["figures_as_of"] == timezone.localdate().isoformat()
    page = reverse("benchmarks:national_version", args=[fv.framework.slug, fv.version])
    assert data["data_dictionary"] == f"http://testserver{page}#data-dictionary"
    # The dictionary itself travels with the data, one entry per field of each row.
    assert [field["name"] for field in data["fields"]] == list(data["rows"][0])


@pytest.mark.parametrize("name", ["national_csv", "national_json"])
def test_each_download_points_to_its_dictionary_and_licence(client, fv, name):
    """A CSV cannot carry a note without breaking the readers of its rows: the header says."""
    response = client.get(reverse(f"benchmarks:{name}", args=[fv.framework.slug]))
    page = reverse("benchmarks:national_version", args=[fv.framework.slug, fv.version])
    assert response["Link"] == (
        f'<http://testserver{page}#data-dictionary>; rel="describedby", <{OGL}>; rel="license"'
    )


def test_national_page_says_when_the_figures_were_released(client, fv):
    response, _ = page_of(client, fv)
    about = summary_list(response.content.decode())
    assert about["Figures as of"] == f"{timezone.localdate():%-d %B %Y}"
    assert about["Next update"].startswith("A group's figures are updated once 3 or more")


def test_national_page_says_when_some_groups_figures_are_older(client, fv):
    """Groups are released as their own organisations change, so their dates can differ: the
    page gives the newest and says how old the oldest is; each row of the data has its own."""
    march = datetime(2026, 3, 3, 12, tzinfo=UTC)
    PeerRelease.objects.filter(framework_version=fv, group_key="kind:county").update(
        released_at=march
    )
    response, _ = page_of(client, fv)
    about = summary_list(response.content.decode())
    assert about["Figures as of"] == (
        f"{timezone.localdate():%-d %B %Y} Some groups' figures are older, from as early as "
        "3 March 2026. The downloads give each group's date."
    )
    response = client.get(reverse("benchmarks:national_csv", args=[fv.framework.slug]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["figures_as_of"] for r in rows if r["group"] == "County council"} == {"2026-03-03"}


def test_national_page_states_the_disclosure_rules_in_plain_words(client, fv):
    response, page = page_of(client, fv)
    assert ("h2", "How the figures are protected", "rules") in page.headings
    section = response.content.decode().split('id="rules"')[1].split("<h2")[0]
    rules = " ".join(html.unescape(section).split())
    for words in (
        "6 or more organisations",
        "11 or more",
        "rounded to 1 decimal place",
        "No single organisation's score",
        "fewer than 3 organisations",
        "adding and subtracting the published counts",
        "3 or more of its organisations have submitted",
        "Counts of organisations are not rounded",
    ):
        assert words in rules, words


def test_kinds_regions_and_sizes_are_in_separate_headed_tables(client, fv):
    _, page = page_of(client, fv)
    headings = [text for level, text, _ in page.headings if level == "h2"]
    start = headings.index("All organisations")
    assert headings[start : start + 4] == [
        "All organisations",
        "By kind of organisation",
        "By region",
        "By size of organisation",
    ]
    everyone = page.table("Scores of all organisations")
    assert everyone["head"] == [
        "Score",
        "Organisations",
        "Lower quartile",
        "Median",
        "Upper quartile",
    ]
    assert [row[0] for row in everyone["rows"]] == ["Overall", "Dimension 1", "Dimension 2"]
    assert [row[1] for row in everyone["rows"]] == ["36"] * 3
    kinds = page.table("Overall score by kind of organisation")
    assert kinds["head"][0] == "Kind of organisation"
    assert [row[0] for row in kinds["rows"]] == [
        "County council",
        "District council",
        "Unitary authority",
    ]
    regions = page.table("Overall score by region")
    assert [(row[0], row[1]) for row in regions["rows"]] == [
        ("Local government bodies in the North West", "18"),
        ("Local government bodies in the South East", "18"),
    ]
    sizes = page.table("Overall score by size of organisation")
    assert [row[0] for row in sizes["rows"]] == [
        "Small local government bodies",
        "Medium local government bodies",
        "Large local government bodies",
    ]
    assert page.table("Dimension 2 by size of organisation")["rows"]


def test_sizes_are_in_the_open_data_too(client, fv):
    response = client.get(reverse("benchmarks:national_csv", args=[fv.framework.slug]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    small = [
        r
        for r in rows
        if r["grouping"] == "Size of organisation" and r["group"] == "Small local government bodies"
    ]
    assert [r["measure"] for r in small] == ["Overall", "Dimension 1", "Dimension 2"]
    assert {r["organisations"] for r in small} == {"12"}


def test_data_dictionary_describes_every_column_of_both_downloads(client, fv):
    """The oracle is the downloads themselves: every CSV column and JSON field is in the
    dictionary on the page, with a meaning, a type, units and an example."""
    _, page = page_of(client, fv)
    assert ("h2", "Data dictionary", "data-dictionary") in page.headings
    table = page.table("Columns of the CSV file and fields of each row in the JSON file")
    assert table["head"] == ["Name", "Meaning", "Type", "Units", "Example"]
    entries = {row[0]: row[1:] for row in table["rows"]}
    response = client.get(reverse("benchmarks:national_csv", args=[fv.framework.slug]))
    header = next(csv.reader(io.StringIO(response.content.decode())))
    data = client.get(reverse("benchmarks:national_json", args=[fv.framework.slug])).json()
    assert list(entries) == header == list(data["rows"][0])
    for name, (meaning, kind, units, example) in entries.items():
        assert meaning and kind and units and example, name
    assert entries["median"][2] == "Points on the framework's scale of 1 to 5"
    assert entries["organisations"][2] == "Organisations"
    # The JSON file's own fields, around the rows, are described too.
    around = page.table("Fields of the JSON file")
    assert [row[0] for row in around["rows"]] == [k for k in data if k != "rows"] + ["rows"]
    # And the download links say where the columns are described.
    assert ("data dictionary", "#data-dictionary") in page.links


def test_home_page_leads_to_the_open_data(client):
    page = Page(client.get(reverse("home")).content.decode())
    main_links = [href for _, href in page.links]
    # The header's navigation, the page itself, and the footer.
    assert main_links.count(reverse("benchmarks:national_index")) == 3
    assert ("h2", "The national picture", None) in page.headings


def test_each_published_version_of_a_framework_leads_to_its_open_data(client, fv):
    page = Page(client.get(fv.get_absolute_url()).content.decode())
    national = reverse("benchmarks:national_version", args=[fv.framework.slug, fv.version])
    assert (
        "See how public bodies score on this version (open data)",
        national,
    ) in page.links
