"""Export followed by import gives back an equal framework version."""

import dataclasses
import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from frameworks.builtin import LIBRARY_DIR, library_files, library_load, library_spec
from frameworks.fileformat import (
    DimensionSpec,
    FacetSpec,
    FacetValueSpec,
    FrameworkSpec,
    LevelSpec,
    LinkSpec,
    QuestionSpec,
    dump_framework,
    parse_framework,
)
from frameworks.models import FrameworkVersion
from frameworks.selectors import framework_version_spec
from frameworks.services import framework_version_create_draft, framework_version_import
from tests.factories import make_spec


def parse(text: str, fmt: str) -> FrameworkSpec:
    return parse_framework(
        text.encode(), filename=f"f.{fmt}", max_bytes=settings.FRAMEWORK_FILE_MAX_BYTES
    )


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_builtin_frameworks_round_trip_through_the_database(fmt):
    library_load()
    assert FrameworkVersion.objects.count() == 8
    for fv in FrameworkVersion.objects.order_by("pk"):
        original = framework_version_spec(framework_version=fv)
        exported = dump_framework(original, fmt)
        reparsed = parse(exported, fmt)
        assert reparsed == original
        copy = framework_version_import(spec=dataclasses.replace(reparsed, version=f"9.9.{fv.pk}"))
        assert framework_version_spec(framework_version=copy) == dataclasses.replace(
            original, version=f"9.9.{fv.pk}"
        )


@pytest.mark.django_db
def test_export_command_writes_a_file_that_imports_as_an_equal_version(tmp_path):
    library_load()
    path = tmp_path / "export.json"
    call_command(
        "export_framework",
        "data-systems-technology",
        "1.0.0",
        "--format",
        "json",
        "-o",
        str(path),
        stderr=io.StringIO(),
    )
    spec = parse_framework(
        path.read_bytes(), filename=path.name, max_bytes=settings.FRAMEWORK_FILE_MAX_BYTES
    )
    original = FrameworkVersion.objects.get(
        framework__slug="data-systems-technology", version="1.0.0"
    )
    assert spec == framework_version_spec(framework_version=original)
    # Built-in files use the `layer` shorthand; the export writes the tags out in full.
    assert all(q.tags.get("layer") for d in spec.dimensions for q in d.questions)


def test_every_builtin_file_parses_with_content():
    files = library_files()
    assert sorted({f.parent.name for f in files}) == [
        "data-systems-technology",
        "delivery-and-governance",
        "person-centred-persistent-delivery",
        "seven-tribes-of-digital",
    ]
    for path in files:
        spec = library_spec(path)
        assert (spec.slug, spec.version) == (path.parent.name, path.stem)
        assert len(spec.levels) == 5
        assert spec.question_count >= 15
        for d in spec.dimensions:
            for q in d.questions:
                assert set(q.levels) == {1, 2, 3, 4, 5}


def test_seven_tribes_questions_are_tagged_by_layer():
    spec = library_spec(LIBRARY_DIR / "seven-tribes-of-digital" / "1.0.0.yaml")
    layers = {q.tags.get("layer") for d in spec.dimensions for q in d.questions}
    assert {"data", "systems", "technology"} <= layers
    tagged_lenses = [d.slug for d in spec.dimensions if any(q.tags for q in d.questions)]
    assert len(tagged_lenses) >= 3


# --- property: any valid spec survives dump and parse, in both formats -------------------------

slugs = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
texts = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
weights = st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False)


link = st.builds(
    LinkSpec,
    version=st.from_regex(r"0\.[0-9]{1,2}", fullmatch=True),
    question=slugs,
    relation=st.sampled_from(["same", "reworded", "split-from"]),
)
links = st.one_of(
    st.none(),
    st.just(()),
    link.map(lambda one: (one,)),
    st.lists(
        link.map(lambda one: dataclasses.replace(one, relation="merged-from")),
        min_size=2,
        max_size=3,
        unique_by=lambda e: (e.version, e.question),
    ).map(tuple),
)


@st.composite
def specs(draw):
    values = sorted(draw(st.sets(st.integers(-5, 20), min_size=2, max_size=6)))
    levels = tuple(LevelSpec(v, draw(texts), draw(texts)) for v in values)
    facet_values = draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    facet = FacetSpec(
        "layer",
        "Layer",
        draw(texts),
        tuple(FacetValueSpec(s, draw(texts), draw(weights)) for s in facet_values),
    )
    # A second facet, which may be the declared layer axis instead of `layer`.
    tier = FacetSpec(
        "tier",
        "Tier",
        "",
        (FacetValueSpec("low", "Low"), FacetValueSpec("high", "High")),
        layer_axis=draw(st.booleans()),
    )
    q_slugs = iter(draw(st.lists(slugs, min_size=6, max_size=6, unique=True)))
    dims = []
    for d_slug in draw(st.lists(slugs, min_size=1, max_size=2, unique=True)):
        questions = []
        for _ in range(draw(st.integers(1, 3))):
            questions.append(
                QuestionSpec(
                    slug=next(q_slugs),
                    text=draw(texts),
                    help=draw(st.one_of(st.just(""), texts)),
                    weight=draw(weights),
                    tags=draw(
                        st.one_of(
                            st.just({}), st.sampled_from(facet_values).map(lambda v: {"layer": v})
                        )
                    ),
                    levels={v: draw(texts) for v in values},
                    recommendations={v: draw(texts) for v in values[:-1] if draw(st.booleans())},
                    derived_from=draw(links),
                )
            )
        dims.append(
            DimensionSpec(d_slug, draw(texts), draw(texts), draw(weights), tuple(questions))
        )
    return FrameworkSpec(
        slug=draw(slugs),
        name=draw(texts),
        version=draw(st.from_regex(r"[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,2})?", fullmatch=True)),
        description=draw(texts),
        source={},
        scoring=draw(st.sampled_from(["weighted_mean", "lowest"])),
        levels=levels,
        facets=(facet, tier),
        dimensions=tuple(dims),
        licence=draw(st.one_of(st.just(""), texts)),
        publisher=draw(st.one_of(st.just(""), texts)),
        publication_date=draw(st.one_of(st.none(), st.dates(datetime.date(1990, 1, 1)))),
    )


@hsettings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(spec=specs(), fmt=st.sampled_from(["yaml", "json"]))
def test_any_valid_spec_round_trips_through_a_file(spec, fmt):
    assert parse(dump_framework(spec, fmt), fmt) == spec


# --- File metadata and the layer axis survive export, import and a new draft --------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_licence_publisher_date_and_layer_axis_round_trip_and_reach_new_drafts(fmt):
    spec = dataclasses.replace(
        make_spec(),
        licence="Open Government Licence v3.0",
        publisher="Testshire Council",
        publication_date=datetime.date(2026, 4, 1),
    )
    text = dump_framework(spec, fmt)
    assert "Open Government Licence v3.0" in text and "2026-04-01" in text
    assert "layer_axis" in text
    fv = framework_version_import(spec=parse(text, fmt), publish=True)
    fv.refresh_from_db()
    assert (fv.licence, fv.publisher, fv.publication_date) == (
        "Open Government Licence v3.0",
        "Testshire Council",
        datetime.date(2026, 4, 1),
    )
    assert fv.facets.get(slug="layer").layer_axis
    assert framework_version_spec(framework_version=fv) == spec
    draft = framework_version_create_draft(framework=fv.framework, version="1.1.0", clone_from=fv)
    draft.refresh_from_db()
    assert (draft.licence, draft.publisher, draft.publication_date) == (
        fv.licence,
        fv.publisher,
        fv.publication_date,
    )
    assert draft.facets.get(slug="layer").layer_axis


@pytest.mark.django_db
def test_a_declared_layer_axis_round_trips_through_the_database():
    spec = make_spec()
    tier = FacetSpec(
        "tier", "Tier", "", (FacetValueSpec("low", "Low"), FacetValueSpec("high", "High")), True
    )
    layer = dataclasses.replace(spec.facets[0], layer_axis=False)
    spec = dataclasses.replace(spec, facets=(layer, tier))
    assert [f.layer_axis for f in spec.facets] == [False, True]
    fv = framework_version_import(spec=parse(dump_framework(spec, "yaml"), "yaml"))
    assert list(fv.facets.values_list("slug", "layer_axis")) == [("layer", False), ("tier", True)]
    assert framework_version_spec(framework_version=fv) == spec


@pytest.mark.django_db
def test_the_version_page_shows_licence_publisher_and_publication_date(client):
    spec = dataclasses.replace(
        make_spec(),
        licence="Open Government Licence v3.0",
        publisher="Testshire Council",
        publication_date=datetime.date(2026, 4, 1),
    )
    fv = framework_version_import(spec=spec, publish=True)
    page = client.get(fv.get_absolute_url()).content.decode()
    assert "Open Government Licence v3.0" in page
    assert "Testshire Council" in page
    assert "1 April 2026" in page
