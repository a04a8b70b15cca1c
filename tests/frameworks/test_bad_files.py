"""Bad framework files: each is refused with a message naming the place, and changes nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

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
        "format: expected 'maturity-framework/1', found 'maturity-framework/2'",
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
