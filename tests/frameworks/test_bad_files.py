"""Bad framework files: each is refused with a message naming the place, and changes nothing."""

import io
import json
import re

import pytest
import yaml
from django.core.management import CommandError, call_command

from frameworks import services
from frameworks.fileformat import FrameworkFileError, dump_framework, parse_framework
from frameworks.models import (
    Dimension,
    Facet,
    FacetValue,
    Framework,
    FrameworkVersion,
    Question,
    QuestionLevel,
    ScaleLevel,
)
from frameworks.selectors import framework_version_layer_axis, framework_version_spec
from maturity.audit.models import AuditEvent
from tests.factories import make_version

GOOD = """\
format: maturity-framework/1
framework:
  slug: small-framework
  name: Small framework
  version: "1.0.0"
  description: A small but complete framework.
  scale:
    levels:
      - {value: 1, label: Low, description: Not much.}
      - {value: 2, label: Middle, description: Some.}
      - {value: 3, label: High, description: A lot.}
  facets:
    - slug: layer
      name: Layer
      values:
        - {slug: data, name: Data, weight: 0.5}
        - {slug: technology, name: Technology}
  dimensions:
    - slug: dim-a
      name: Dimension A
      weight: 1.0
      questions:
        - slug: q-one
          text: Question one?
          weight: 1.0
          tags: {layer: data}
          levels: {1: One low., 2: One middle., 3: One high.}
          recommendations: {1: Raise one., 2: Raise one more.}
    - slug: dim-b
      name: Dimension B
      layer: technology
      questions:
        - slug: q-two
          text: Question two?
          levels: {1: Two low., 2: Two middle., 3: Two high.}
"""

MODELS = (
    Framework,
    FrameworkVersion,
    ScaleLevel,
    Facet,
    FacetValue,
    Dimension,
    Question,
    QuestionLevel,
    AuditEvent,
)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def replace(old, new, text=GOOD):
    assert old in text, old
    return text.replace(old, new, 1)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)

BAD_FILES = [
    ("not-yaml", "framework: [unclosed\n  slug: x", "The file is not valid YAML"),
    (
        "wrong-format-tag",
        replace("format: maturity-framework/1", "format: maturity-framework/2"),
        "format: this file is in maturity-framework/2, a version of the format this service "
        "cannot read; it reads maturity-framework/1 files",
    ),
    (
        "no-format-tag",
        replace("format: maturity-framework/1\n", ""),
        "format: missing: start the file with format: maturity-framework/1",
    ),
    (
        "publication-date-not-a-date",
        replace(
            "  description: A small but complete",
            "  publication_date: 31/01/2025\n  description: A small but complete",
        ),
        "framework.publication_date: '31/01/2025' is not a date: write it as year-month-day",
    ),
    (
        "two-layer-axes",
        replace(
            "    - slug: layer\n      name: Layer\n",
            "    - slug: lens\n      name: Lens\n      layer_axis: true\n"
            "      values: [{slug: people, name: People}, {slug: things, name: Things}]\n"
            "    - slug: layer\n      name: Layer\n      layer_axis: true\n",
        ),
        "facets[1].layer_axis: only one facet can be the layer axis, and facets[0] already is",
    ),
    (
        "text-where-a-number-goes",
        replace("      weight: 1.0\n      questions:", "      weight: heavy\n      questions:"),
        "dimensions[0].weight: expected a number, found the text 'heavy'",
    ),
    (
        "crosswalk-version-not-a-version",
        replace(
            "          tags: {layer: data}\n",
            "          tags: {layer: data}\n"
            "          derived_from: [{version: one, question: q-old, relation: same}]\n",
        ),
        "dimensions[0].questions[0].derived_from[0].version: 'one' is not a valid version",
    ),
    (
        "duplicate-dimension-slug",
        replace("slug: dim-b", "slug: dim-a"),
        "dimensions[1].slug: 'dim-a' is already used by dimensions[0]",
    ),
    (
        "duplicate-question-slug",
        replace("slug: q-two", "slug: q-one"),
        "dimensions[1].questions[0].slug: 'q-one' is already used by dimensions[0].questions[0]",
    ),
    (
        "missing-level-descriptor",
        replace("{1: Two low., 2: Two middle., 3: Two high.}", "{1: Two low., 2: Two middle.}"),
        "dimensions[1].questions[0].levels: no descriptor for level 3",
    ),
    (
        "levels-not-ascending",
        replace("{value: 2, label: Middle", "{value: 1, label: Middle"),
        "framework.scale.levels[1].value: levels must be in strictly ascending order: 1 comes "
        "after 1",
    ),
    (
        "dimension-weight-zero",
        replace("      weight: 1.0\n      questions:", "      weight: 0\n      questions:"),
        "dimensions[0].weight: must be greater than 0, found 0",
    ),
    (
        "question-weight-negative",
        replace("          weight: 1.0\n          tags", "          weight: -2\n          tags"),
        "dimensions[0].questions[0].weight: must be greater than 0, found -2",
    ),
    (
        "unknown-facet",
        replace("tags: {layer: data}", "tags: {lyer: data}"),
        "dimensions[0].questions[0].tags: unknown facet 'lyer' (declared facets: layer)",
    ),
    (
        "unknown-facet-value",
        replace("tags: {layer: data}", "tags: {layer: people}"),
        "dimensions[0].questions[0].tags: unknown value 'people' for facet 'layer'",
    ),
    (
        "unknown-layer-shorthand",
        replace("layer: technology", "layer: hardware"),
        "dimensions[1].layer: unknown layer 'hardware'",
    ),
    ("over-size-cap", GOOD + "#" * (2 * 1024 * 1024), "the largest allowed is 2 MB"),
    ("alias-bomb", BOMB, "anchors and aliases (& and *) are not allowed"),
    (
        "not-utf8",
        GOOD.replace("Small framework", "Small fr\xe4mework").encode("latin-1"),
        "not UTF-8",
    ),
    (
        "recommendation-for-top-level",
        replace("{1: Raise one., 2: Raise one more.}", "{1: Raise one., 3: Nowhere to go.}"),
        "dimensions[0].questions[0].recommendations: level 3 is the top of the scale",
    ),
    (
        "dimension-without-questions",
        replace(
            "      layer: technology\n      questions:\n        - slug: q-two\n          text: "
            "Question two?\n          levels: {1: Two low., 2: Two middle., 3: Two high.}\n",
            "      layer: technology\n      questions: []\n",
        ),
        "dimensions[1].questions: a dimension needs at least one question",
    ),
    (
        "unknown-field",
        replace("      name: Dimension A\n", "      name: Dimension A\n      colour: blue\n"),
        "dimensions[0]: unknown field 'colour'",
    ),
    (
        "version-not-quoted",
        replace('version: "1.0.0"', "version: 1.0"),
        'framework.version: write the version as quoted text, like "1.0.0"',
    ),
    (
        "duplicate-key",
        replace("      name: Dimension A\n", "      name: Dimension A\n      name: Again\n"),
        "the key 'name' appears twice in one mapping",
    ),
    ("empty", "   \n", "The file is empty"),
    (
        "one-level-scale",
        replace(
            "      - {value: 2, label: Middle, description: Some.}\n"
            "      - {value: 3, label: High, description: A lot.}\n",
            "",
        ),
        "framework.scale.levels: a scale has 2 to 10 levels, found 1",
    ),
    (
        "bad-slug",
        replace("slug: small-framework", "slug: Small_Framework"),
        "framework.slug: 'Small_Framework' is not a valid slug",
    ),
    (
        "level-not-on-scale",
        replace("{1: Two low., 2: Two middle., 3: Two high.}", "{1: a, 2: b, 3: c, 7: d}"),
        "dimensions[1].questions[0].levels: level 7 is not on the scale (1, 2, 3)",
    ),
    (
        "top-level-not-a-mapping",
        "- just\n- a list\n",
        "expected a mapping of fields, found a list",
    ),
]


def _write(tmp_path, name, content):
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


@pytest.mark.django_db
def test_good_file_imports(tmp_path):
    out = io.StringIO()
    call_command("import_framework", str(_write(tmp_path, "good", GOOD)), "--publish", stdout=out)
    version = FrameworkVersion.objects.get(framework__slug="small-framework")
    assert version.is_published
    assert "Imported Small framework 1.0.0 (2 questions in 2 dimensions) as published" in (
        out.getvalue()
    )
    tagged = Question.objects.get(slug="q-two").tags.get()
    assert (tagged.facet.slug, tagged.slug) == ("layer", "technology")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "expected"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_file_is_refused_with_its_place_and_changes_nothing(tmp_path, name, content, expected):
    make_version(slug="already-here")  # data present that a bad import must leave alone
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_framework", str(_write(tmp_path, name, content)), stderr=err)
    assert expected in err.getvalue()
    assert counts() == before


def test_there_are_at_least_twelve_distinct_bad_files():
    assert len({expected for _, _, expected in BAD_FILES}) >= 12


@pytest.mark.django_db
def test_all_problems_are_reported_at_once(tmp_path):
    content = replace("tags: {layer: data}", "tags: {lyer: data}")
    content = replace("slug: dim-b", "slug: dim-a", content)
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems"):
        call_command("import_framework", str(_write(tmp_path, "two", content)), stderr=err)
    assert "unknown facet 'lyer'" in err.getvalue()
    assert "'dim-a' is already used" in err.getvalue()


@pytest.mark.django_db
def test_existing_version_is_refused_and_unchanged(tmp_path):
    path = _write(tmp_path, "good", GOOD)
    call_command("import_framework", str(path), stdout=io.StringIO())
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_framework", str(path), stderr=err)
    assert "framework.version: version '1.0.0' of 'small-framework' already exists" in (
        err.getvalue()
    )
    assert counts() == before


@pytest.mark.django_db
def test_json_file_with_duplicate_key_is_refused(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text('{"framework": {"slug": "a", "slug": "b"}}')
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_framework", str(path), stderr=err)
    assert "the key 'slug' appears twice" in err.getvalue()


@pytest.mark.django_db
def test_missing_file_is_reported():
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_framework", "/nonexistent/framework.yaml")


# --- The format tag -----------------------------------------------------------------------------


def parse(content: str, filename: str = "f.yaml"):
    return parse_framework(content.encode(), filename=filename, max_bytes=10**6)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("maturity-framework/2", "format: this file is in maturity-framework/2, a version of"),
        ("something-else/1", "format: the text 'something-else/1' is not a framework file format"),
    ],
)
def test_a_file_of_another_format_gets_one_message_not_a_flood(tag, expected):
    # A /2 file may be shaped quite differently: none of that is reported, only the format.
    content = replace("format: maturity-framework/1", f"format: {tag}")
    content = replace("  scale:\n", "  scales:\n", content)
    content = replace("slug: dim-b", "slug: Dim B", content)
    content = replace(
        "      weight: 1.0\n      questions:", "      weight: -1\n      questions:", content
    )
    with pytest.raises(FrameworkFileError) as caught:
        parse(content)
    assert len(caught.value.messages) == 1
    assert expected in caught.value.messages[0]


# --- Lines and columns in YAML files ------------------------------------------------------------


def _at(content: str, needle: str, occurrence: int = 1, offset: int = 0) -> str:
    """ "line L, column C" of the `occurrence`-th `needle` (plus `offset`), counted by hand."""
    start = -1
    for _ in range(occurrence):
        start = content.index(needle, start + 1)
    start += offset
    line = content.count("\n", 0, start) + 1
    column = start - content.rfind("\n", 0, start)
    return f"line {line}, column {column}"


LINES = [
    # name of a BAD_FILES case, where its problem is: (needle, occurrence, offset into it)
    ("duplicate-dimension-slug", ("slug: dim-a", 2, 6)),
    ("unknown-field", ("colour: blue", 1, 8)),
    ("missing-level-descriptor", ("{1: Two low., 2: Two middle.}", 1, 0)),
    ("levels-not-ascending", ("{value: 1, label: Middle", 1, 8)),
    ("unknown-facet", ("{lyer: data}", 1, 7)),
    ("dimension-weight-zero", ("weight: 0\n", 1, 8)),
    ("unknown-layer-shorthand", ("layer: hardware", 1, 7)),
    ("level-not-on-scale", ("7: d", 1, 3)),
    ("publication-date-not-a-date", ("31/01/2025", 1, 0)),
    ("text-where-a-number-goes", ("weight: heavy", 1, 8)),
    ("wrong-format-tag", ("maturity-framework/2", 1, 0)),
]
CASES = {name: (content, expected) for name, content, expected in BAD_FILES}


@pytest.mark.parametrize(("name", "where"), LINES, ids=[name for name, _ in LINES])
def test_a_yaml_problem_names_its_line_and_column(name, where):
    content, expected = CASES[name]
    with pytest.raises(FrameworkFileError) as caught:
        parse(content)
    assert f"{_at(content, *where)}: {expected}" in caught.value.messages[0]


FILE_LEVEL = {"over-size-cap", "not-utf8", "empty"}  # no line to name


@pytest.mark.parametrize(
    ("name", "content"),
    [(n, c) for n, c, _ in BAD_FILES if n not in FILE_LEVEL],
    ids=[n for n, _, _ in BAD_FILES if n not in FILE_LEVEL],
)
def test_every_problem_in_a_yaml_file_names_a_line(name, content):
    with pytest.raises(FrameworkFileError) as caught:
        parse(content)
    for message in caught.value.messages:
        assert re.search(r"\bline \d+, column \d+\b", message), message


def test_json_files_are_checked_by_the_same_rules_and_name_the_same_places():
    document = yaml.safe_load(CASES["duplicate-dimension-slug"][0])
    text = json.dumps(document, indent=2)
    with pytest.raises(FrameworkFileError) as caught:
        parse(text, "f.json")
    # And the line and column, as in YAML: where the second dimension's slug is.
    lines = text.splitlines()
    line = [n for n, row in enumerate(lines, start=1) if '"slug": "dim-a"' in row][1]
    column = lines[line - 1].index('"dim-a"') + 1
    assert caught.value.messages == [
        f"line {line}, column {column}: {CASES['duplicate-dimension-slug'][1]}"
    ]


# --- Plain words --------------------------------------------------------------------------------

WRONG_TYPES = [
    (
        "name: Small framework",
        "name: [Small, framework]",
        "framework.name: expected text, found a list",
    ),
    (
        "slug: q-two",
        "slug: 12",
        "dimensions[1].questions[0].slug: expected text, found the number 12",
    ),
    (
        "levels: {1: Two low.",
        "levels: [{1: Two low.",
        "expected a mapping from level to text, found a list",
    ),
    (
        "tags: {layer: data}",
        "tags: [layer, data]",
        "expected a mapping of facet to value, found a list",
    ),
    (
        "{value: 2, label: Middle",
        "{value: two, label: Middle",
        "expected a whole number, found the text 'two'",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    WRONG_TYPES,
    ids=[w[2] for w in WRONG_TYPES],
)
def test_wrong_types_are_named_in_plain_words(old, new, expected):
    content = replace(old, new)
    if new.startswith("levels: ["):
        content = replace("3: Two high.}", "3: Two high.}]", content)
    with pytest.raises(FrameworkFileError) as caught:
        parse(content)
    assert any(message.endswith(expected) for message in caught.value.messages), (
        caught.value.messages
    )


PYTHON_TYPE_NAMES = re.compile(r"\b(str|int|float|dict|NoneType|bool|date)\b")


def test_no_message_names_a_python_type():
    content = replace(
        "tags: {layer: data}\n",
        "tags: {layer: data}\n          derived_from: [{version: one, question: 2, relation: [same]}]\n",
    )
    content = replace("weight: 0.5}", "weight: [0.5]}", content)
    content = replace("label: High,", "label: 3,", content)
    content = replace(
        "  description: A small",
        "  publication_date: 2025-01-31\n  licence: [OGL]\n  description: A small",
        content,
    )
    with pytest.raises(FrameworkFileError) as caught:
        parse(content)
    messages = caught.value.messages
    assert len(messages) >= 6, messages
    assert not [m for m in messages if PYTHON_TYPE_NAMES.search(m)], messages


# --- The layer axis ----------------------------------------------------------------------------

TIERS = replace(
    "    - slug: layer\n      name: Layer\n      values:\n"
    "        - {slug: data, name: Data, weight: 0.5}\n"
    "        - {slug: technology, name: Technology}\n",
    "    - slug: tier\n      name: Tier\n      layer_axis: true\n      values:\n"
    "        - {slug: foundations, name: Foundations}\n"
    "        - {slug: platforms, name: Platforms}\n"
    "        - {slug: devices, name: Devices}\n",
)
TIERS = replace("tags: {layer: data}", "tags: {tier: foundations}", TIERS)
TIERS = replace("layer: technology", "layer: devices", TIERS)


@pytest.mark.django_db
def test_a_declared_layer_axis_is_stored_and_the_layer_shorthand_uses_it(tmp_path):
    call_command("import_framework", str(_write(tmp_path, "tiers", TIERS)), stdout=io.StringIO())
    facet = Facet.objects.get(slug="tier")
    assert facet.layer_axis
    tagged = Question.objects.get(slug="q-two").tags.get()
    assert (tagged.facet.slug, tagged.slug) == ("tier", "devices")
    axis = framework_version_layer_axis(framework_version=facet.framework_version)
    assert axis.facet == "tier"
    assert [slug for slug, _ in axis.values] == ["foundations", "platforms", "devices"]


@pytest.mark.django_db
def test_a_facet_with_slug_layer_is_the_layer_axis_when_none_is_declared(tmp_path):
    call_command("import_framework", str(_write(tmp_path, "good", GOOD)), stdout=io.StringIO())
    assert Facet.objects.get(slug="layer").layer_axis


def test_the_layer_shorthand_needs_a_layer_axis():
    content = replace("slug: layer\n      name: Layer", "slug: lens\n      name: Lens")
    content = replace("tags: {layer: data}", "tags: {lens: data}", content)
    with pytest.raises(FrameworkFileError) as caught:
        parse(content)
    assert caught.value.messages == [
        f"{_at(content, 'layer: technology', 1, 7)}: dimensions[1].layer: needs a layer axis: "
        "declare a facet with layer_axis: true (or a facet with slug 'layer') under facets"
    ]


# --- Publishing runs the same validator as import ----------------------------------------------


def publish_problems(draft):
    with pytest.raises(services.FrameworkVersionIncomplete) as caught:
        services.framework_version_publish(framework_version=draft)
    draft.refresh_from_db()
    assert draft.is_draft
    return caught.value.problems


@pytest.mark.django_db
def test_publishing_refuses_what_a_file_import_refuses():
    # Each is possible in the database (the admin, the editor) but not in a file.
    draft = make_version(publish=False)
    Question.objects.filter(slug="d1-q1").update(text="Why? " * 500)
    FacetValue.objects.filter(slug="systems").update(name="")
    Dimension.objects.filter(slug="dimension-2").update(name="   ")
    problems = publish_problems(draft)
    assert problems == [
        "Facet “Layer”, value “systems”, name: must not be empty.",
        "Question “d1-q1” in “Dimension 1”, text: is 2500 characters long; the most allowed is "
        "2000.",
        "Dimension “dimension-2”, name: must not be empty.",
    ]
    # The same problems, in the file's words, when its export is imported.
    spec = framework_version_spec(framework_version=draft)
    with pytest.raises(FrameworkFileError) as caught:
        parse(dump_framework(spec, "yaml"))
    assert [p.place for p in caught.value.problems] == [
        "facets[0].values[1].name",
        "dimensions[0].questions[0].text",
        "dimensions[1].name",
    ]


@pytest.mark.django_db
def test_publishing_refuses_a_recommendation_for_the_top_level():
    # Only the database can hold one: a file has nowhere to write it.
    draft = make_version(publish=False)
    QuestionLevel.objects.filter(question__slug="d2-q3", value=5).update(recommendation="Go on.")
    assert publish_problems(draft) == [
        "Question “d2-q3” in “Dimension 2”: level 5 is the top of the scale, so it has no "
        "recommendation for moving up; remove it."
    ]
