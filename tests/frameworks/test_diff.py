"""The version diff: every kind of change between two versions, found through the crosswalk or
by slug, on the page and as CSV. The expected changes are written out by hand."""

import csv
import dataclasses
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frameworks.diff import diff_versions, word_diff
from frameworks.fileformat import (
    DimensionSpec,
    DroppedSpec,
    FacetSpec,
    FacetValueSpec,
    FlagSpec,
    FrameworkSpec,
    LevelSpec,
    LinkSpec,
    QuestionSpec,
)
from frameworks.models import Question
from frameworks.services import (
    framework_version_create_draft,
    framework_version_import,
    framework_version_publish,
)
from tests.factories import make_spec


def q(slug, text, *, weight=1.0, tag="data", levels=None, recs=None, derived_from=None):
    return QuestionSpec(
        slug=slug,
        text=text,
        weight=weight,
        tags={"layer": tag},
        levels=levels or {1: "None.", 2: "Some.", 3: "All."},
        recommendations=recs or {1: "Train some.", 2: "Train all."},
        derived_from=derived_from,
    )


def layer(name="Layer", technology=0.5, systems=False):
    values = [
        FacetValueSpec("data", "Data", 0.5),
        FacetValueSpec("technology", "Technology", technology),
    ]
    if systems:
        values.append(FacetValueSpec("systems", "Systems", 0.2))
    return FacetSpec(slug="layer", name=name, values=tuple(values))


EARLIER = FrameworkSpec(
    slug="data-maturity",
    name="Data maturity",
    version="1.0.0",
    description="About data.",
    levels=(
        LevelSpec(1, "Low", "Little."),
        LevelSpec(2, "Mid", "Some."),
        LevelSpec(3, "High", "Lots."),
    ),
    facets=(layer(),),
    dimensions=(
        DimensionSpec(
            "people",
            "People",
            "About people.",
            1.0,
            (
                q("skills", "Do staff have data skills?"),
                q("leaders", "Do leaders use data?"),
                q("sharing", "Is data shared?"),
                q("roles", "Are data roles defined?"),
            ),
        ),
        DimensionSpec(
            "tools",
            "Tools",
            "About tools.",
            2.0,
            (
                q("catalogue", "Is there a data catalogue?"),
                q("backups", "Are backups tested?"),
                q("printers", "Are printers managed?"),
                q("servers", "Are servers patched?"),
                q("storage", "Is storage monitored?"),
            ),
        ),
        DimensionSpec(
            "governance", "Governance", "", 1.0, (q("policy", "Is there a data policy?"),)
        ),
    ),
)


def link(slug, relation="same"):
    return (LinkSpec("1.0.0", slug, relation),)


# Every kind of change: details, scoring, scale, facets, dimensions added, moved and reweighted,
# questions added, removed, reworded, moved (within and across dimensions), renamed, split,
# merged, and their weights, tags, descriptors and recommendations.
LATER = FrameworkSpec(
    slug="data-maturity",
    name="Data maturity",
    version="2.0.0",
    description="About data and tools.",
    scoring="lowest",
    levels=(
        LevelSpec(1, "Low", "Little."),
        LevelSpec(2, "Middle", "Some."),
        LevelSpec(3, "High", "A lot."),
    ),
    facets=(
        layer(name="Layers", technology=0.4, systems=True),
        FacetSpec("owner", "Owner", values=(FacetValueSpec("it", "IT"),)),
    ),
    dimensions=(
        DimensionSpec(
            "tools",
            "Tools",
            "About tools.",
            3.0,
            (
                q(
                    "catalogue",
                    "Is there an up-to-date data catalogue?",
                    derived_from=link("catalogue", "reworded"),
                ),
                q("roles", "Are data roles defined?", derived_from=link("roles")),
                q(
                    "backup-tests",
                    "Are backups tested every month?",
                    derived_from=link("backups", "split-from"),
                ),
                q(
                    "restore-tests",
                    "Are restores rehearsed?",
                    derived_from=link("backups", "split-from"),
                ),
                q(
                    "infrastructure",
                    "Is infrastructure patched and monitored?",
                    derived_from=(
                        LinkSpec("1.0.0", "servers", "merged-from"),
                        LinkSpec("1.0.0", "storage", "merged-from"),
                    ),
                ),
            ),
        ),
        DimensionSpec(
            "governance",
            "Governance",
            "",
            1.0,
            (q("policy", "Is there a data policy?", derived_from=link("policy")),),
        ),
        DimensionSpec(
            "people",
            "People",
            "About people and skills.",
            1.0,
            (
                q("leadership", "Do leaders use data?", derived_from=link("leaders")),
                q("sharing", "Is data shared?", derived_from=link("sharing")),
                q(
                    "skills",
                    "Do staff have data skills?",
                    weight=2.0,
                    tag="technology",
                    levels={1: "None.", 2: "Half.", 3: "All."},
                    recs={1: "Train a few.", 2: "Train all."},
                    derived_from=link("skills"),
                ),
            ),
        ),
        DimensionSpec(
            "culture",
            "Culture",
            "",
            1.0,
            (q("open-data", "Is data open by default?", derived_from=()),),
        ),
    ),
)

# The crosswalk above, as frameworks.lineage reports it: later question -> (relation, earlier).
LINEAGE = {
    ("tools", "catalogue"): ("reworded", frozenset({("tools", "catalogue")})),
    ("tools", "roles"): ("same", frozenset({("people", "roles")})),
    ("tools", "backup-tests"): ("split-from", frozenset({("tools", "backups")})),
    ("tools", "restore-tests"): ("split-from", frozenset({("tools", "backups")})),
    ("tools", "infrastructure"): (
        "merged-from",
        frozenset({("tools", "servers"), ("tools", "storage")}),
    ),
    ("governance", "policy"): ("same", frozenset({("governance", "policy")})),
    ("people", "leadership"): ("same", frozenset({("people", "leaders")})),
    ("people", "sharing"): ("same", frozenset({("people", "sharing")})),
    ("people", "skills"): ("same", frozenset({("people", "skills")})),
    ("culture", "open-data"): ("new", frozenset()),
}

EXPECTED = [
    ("framework changed", "", "", "description", "About data.", "About data and tools."),
    ("framework changed", "", "", "scoring rule", "Weighted mean", "Lowest level reached (gated)"),
    ("scale level changed", "", "", "level 2 label", "Mid", "Middle"),
    ("scale level changed", "", "", "level 3 description", "Lots.", "A lot."),
    ("facet changed", "", "", "layer name", "Layer", "Layers"),
    ("facet value changed", "", "", "layer technology weight", "0.5", "0.4"),
    ("facet value added", "", "", "layer systems", "", "Systems"),
    ("facet added", "", "", "owner", "", "Owner"),
    ("dimension changed", "Tools", "", "weight", "2", "3"),
    ("dimension moved", "People", "", "position", "1", "3"),
    ("dimension changed", "People", "", "description", "About people.", "About people and skills."),
    ("dimension added", "Culture", "", "", "", "Culture"),
    (
        "question reworded",
        "Tools",
        "catalogue",
        "text",
        "Is there a data catalogue?",
        "Is there an up-to-date data catalogue?",
    ),
    ("question moved", "Tools", "roles", "dimension", "People", "Tools"),
    (
        "question split",
        "Tools",
        "backup-tests",
        "from backups",
        "Are backups tested?",
        "Are backups tested every month?",
    ),
    (
        "question split",
        "Tools",
        "restore-tests",
        "from backups",
        "Are backups tested?",
        "Are restores rehearsed?",
    ),
    (
        "question merged",
        "Tools",
        "infrastructure",
        "from servers, storage",
        "Are servers patched? / Is storage monitored?",
        "Is infrastructure patched and monitored?",
    ),
    ("question changed", "People", "leadership", "slug", "leaders", "leadership"),
    ("question moved", "People", "skills", "position", "1", "3"),
    ("question changed", "People", "skills", "weight", "1", "2"),
    ("question changed", "People", "skills", "tag: Layers", "Data", "Technology"),
    ("question changed", "People", "skills", "level 2 descriptor", "Some.", "Half."),
    (
        "question changed",
        "People",
        "skills",
        "recommendation from level 1",
        "Train some.",
        "Train a few.",
    ),
    ("question added", "Culture", "open-data", "text", "", "Is data open by default?"),
    ("question removed", "Tools", "printers", "text", "Are printers managed?", ""),
]


def rows(diff):
    return [(c.label, c.dimension, c.question, c.field, c.before, c.after) for c in diff.changes]


def test_diff_through_the_crosswalk_finds_every_kind_of_change():
    diff = diff_versions(EARLIER, LATER, lineage=LINEAGE)
    assert diff.by_crosswalk
    assert rows(diff) == EXPECTED


def test_diff_summary_counts_each_kind():
    diff = diff_versions(EARLIER, LATER, lineage=LINEAGE)
    assert diff.summary == [
        ("Questions added", 1),
        ("Questions removed", 1),
        ("Questions reworded", 1),
        ("Questions moved", 2),
        ("Questions split from an earlier one", 2),
        ("Questions merged from earlier ones", 1),
        ("Other changes to questions", 5),
        ("Dimensions added", 1),
        ("Other changes to dimensions", 3),
        ("Changes to the scale", 2),
        ("Changes to facets", 4),
        ("Changes to the framework's details and scoring", 2),
    ]


def test_diff_without_a_crosswalk_matches_by_slug():
    diff = diff_versions(EARLIER, LATER)
    assert not diff.by_crosswalk
    added = {c.question for c in diff.changes if c.label == "question added"}
    removed = {c.question for c in diff.changes if c.label == "question removed"}
    # A renamed slug, a split and a merge cannot be told apart from removals and additions.
    assert added == {"leadership", "backup-tests", "restore-tests", "infrastructure", "open-data"}
    assert removed == {"leaders", "backups", "printers", "servers", "storage"}
    # The same slug in another dimension is still the same question, moved.
    assert ("question moved", "Tools", "roles", "dimension", "People", "Tools") in rows(diff)


def test_diff_of_unreviewed_questions_falls_back_to_their_slug():
    """A draft's question with no link and not marked new is matched by slug; one confirmed as
    new is added even though an earlier question had its slug."""
    dims = list(LATER.dimensions)
    culture = dims[3]
    dims[3] = dataclasses.replace(
        culture,
        questions=(
            q("open-data", "Is data open by default?", derived_from=()),
            q("printers", "Are printers managed?"),  # not reviewed: no derived_from at all
        ),
    )
    later = dataclasses.replace(LATER, dimensions=tuple(dims))
    lineage = {**LINEAGE, ("culture", "printers"): ("new", frozenset())}
    found = rows(diff_versions(EARLIER, later, lineage=lineage))
    assert ("question moved", "Culture", "printers", "dimension", "Tools", "Culture") in found
    assert not [r for r in found if r[0] == "question removed"]


def test_diff_of_a_version_with_itself_is_empty():
    diff = diff_versions(EARLIER, EARLIER)
    assert diff.changes == ()
    assert diff.summary == []


def test_diff_finds_scale_levels_added_and_removed():
    later = dataclasses.replace(
        EARLIER,
        version="1.1.0",
        levels=(LevelSpec(1, "Low", "Little."), LevelSpec(2, "Mid", "Some."), LevelSpec(4, "Top")),
    )
    assert [r for r in rows(diff_versions(EARLIER, later)) if r[0].startswith("scale")] == [
        ("scale level removed", "", "", "level 3", "High", ""),
        ("scale level added", "", "", "level 4", "", "Top"),
    ]


def test_word_diff_marks_the_words_removed_and_added():
    assert word_diff("Is there a data catalogue?", "Is there an up-to-date data catalogue?") == [
        ("equal", "Is there "),
        ("delete", "a"),
        ("insert", "an up-to-date"),
        ("equal", " data catalogue?"),
    ]
    assert word_diff("Same words.", "Same words.") == [("equal", "Same words.")]
    assert word_diff("", "New.") == [("insert", "New.")]


# The pages


def diff_url(fv, name="frameworks:diff"):
    return reverse(name, kwargs={"slug": fv.framework.slug, "version": fv.version})


@pytest.fixture
def versions(db):
    earlier = framework_version_import(spec=EARLIER, publish=True)
    later = framework_version_import(spec=LATER, publish=True)
    return earlier, later


def test_diff_page_matches_through_the_stored_crosswalk(client, versions):
    _earlier, later = versions
    page = client.get(diff_url(later), {"other": "1.0.0"})
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("<h1") == 1
    assert "Changes from version 1.0.0 to 2.0.0" in text
    assert "Questions are matched through the crosswalk" in text
    assert '<dt class="govuk-summary-list__key">Questions split from an earlier one</dt>' in text
    # The word-level diff, with words for screen readers.
    assert (
        '<del class="app-diff-del"><span class="govuk-visually-hidden">[removed: </span>a'
        '<span class="govuk-visually-hidden">]</span></del>'
    ) in text
    assert (
        '<ins class="app-diff-ins"><span class="govuk-visually-hidden">[added: </span>'
        'an up-to-date<span class="govuk-visually-hidden">]</span></ins>'
    ) in text
    # Only the one question really removed is reported as removed (not the renamed one).
    assert text.count("Removed: text") == 1


def test_diff_page_works_from_either_end(client, versions):
    earlier, _later = versions
    text = client.get(diff_url(earlier), {"other": "2.0.0"}).content.decode()
    assert "Changes from version 1.0.0 to 2.0.0" in text


def test_diff_page_defaults_to_the_version_a_draft_was_made_from(editor_client, versions):
    earlier, _later = versions
    draft = framework_version_create_draft(
        framework=earlier.framework, version="3.0.0", clone_from=earlier
    )
    text = editor_client.get(diff_url(draft)).content.decode()
    assert "Changes from version 1.0.0 to 3.0.0" in text
    assert "Nothing changed" in text


def test_diff_page_defaults_to_the_previous_version(client, versions):
    _earlier, later = versions
    text = client.get(diff_url(later)).content.decode()
    assert "Changes from version 1.0.0 to 2.0.0" in text


def test_diff_page_of_an_only_version_says_so(client, db):
    only = framework_version_import(spec=EARLIER, publish=True)
    text = client.get(diff_url(only)).content.decode()
    assert "nothing to compare it with yet" in text


def test_diff_never_shows_a_draft_to_anyone_but_editors(client, user_client, versions):
    earlier, later = versions
    draft = framework_version_create_draft(
        framework=earlier.framework, version="3.0.0", clone_from=later
    )
    Question.objects.filter(dimension__framework_version=draft, slug="policy").update(
        text="A secret draft question?"
    )
    for visitor in (client, user_client):
        assert visitor.get(diff_url(draft)).status_code == 404
        assert visitor.get(diff_url(draft, "frameworks:diff_csv")).status_code == 404
        page = visitor.get(diff_url(later), {"other": "3.0.0"})
        text = page.content.decode()
        assert "Select a version from the list" in text
        assert "secret draft" not in text and "3.0.0" not in text
        assert (
            visitor.get(diff_url(later, "frameworks:diff_csv"), {"other": "3.0.0"}).status_code
            == 404
        )


def test_diff_csv_has_one_formula_safe_row_per_change(client, db):
    earlier = framework_version_import(spec=EARLIER, publish=True)
    dims = list(EARLIER.dimensions)
    dims[2] = dataclasses.replace(
        dims[2], questions=(q("policy", '=HYPERLINK("http://evil.example")'),)
    )
    later = framework_version_import(
        spec=dataclasses.replace(EARLIER, version="1.1.0", dimensions=tuple(dims)), publish=True
    )
    response = client.get(diff_url(later, "frameworks:diff_csv"), {"other": earlier.version})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="data-maturity-1.0.0-to-1.1.0.csv"'
    )
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["kind", "dimension", "question", "field", "before", "after"],
        [
            "question reworded",
            "Governance",
            "policy",
            "text",
            "Is there a data policy?",
            '\'=HYPERLINK("http://evil.example")',
        ],
    ]


def test_diff_csv_through_the_crosswalk_lists_every_change(client, versions):
    _earlier, later = versions
    response = client.get(diff_url(later, "frameworks:diff_csv"), {"other": "1.0.0"})
    found = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    assert [tuple(r) for r in found] == EXPECTED


def test_version_page_links_to_the_diff(client, versions):
    _earlier, later = versions
    text = client.get(reverse("frameworks:version", args=["data-maturity", "2.0.0"])).content
    assert diff_url(later).encode() in text


@pytest.mark.parametrize("crosswalk", [False, True])
def test_diff_page_query_count_does_not_grow_with_the_framework(client, db, crosswalk):
    counts = []
    for size, slug in ((1, "small-one"), (8, "large-one")):
        spec = make_spec(slug=slug, dimensions=size, questions=size * 3)
        first = framework_version_import(spec=spec, publish=True)
        if crosswalk:
            second = framework_version_create_draft(
                framework=first.framework, version="2.0.0", clone_from=first
            )
            framework_version_publish(framework_version=second)
        else:
            second = framework_version_import(
                spec=dataclasses.replace(spec, version="2.0.0"), publish=True
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(diff_url(second), {"other": "1.0.0"}).status_code == 200
        counts.append(len(queries))
    assert counts == [counts[0], counts[0]]
    assert counts[0] == (24 if crosswalk else 23)


def test_diff_shows_the_warnings_declared_and_why_a_question_was_dropped():
    later = dataclasses.replace(
        LATER,
        flags=(FlagSpec("lens-imbalance", dimensions=("people", "tools")),),
        dropped=(DroppedSpec("1.0.0", "printers", "Printing is not a digital capability."),),
    )
    found = rows(diff_versions(EARLIER, later))
    assert (
        "framework changed",
        "",
        "",
        "warnings",
        "",
        "lens imbalance (between people, tools)",
    ) in (found)
    assert (
        "question removed",
        "Tools",
        "printers",
        "text",
        "Are printers managed?",
        "Printing is not a digital capability.",
    ) in found
    # Without a reason the removal stands alone, as before.
    assert ("question removed", "Tools", "servers", "text", "Are servers patched?", "") in found
