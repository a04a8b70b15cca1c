"""The `maturity-framework/1` file format: parse, validate and write framework files.

Pure: bytes in, a FrameworkSpec (or every problem found, each with its place) out, and back.
Nothing here touches the database, so it is tested without one.
"""

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from frameworks.layers import LAYER_FACET

FORMAT_TAG = "maturity-framework/1"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Dot-separated whole numbers ("1.0.0", "2.1"), compared by `version_key`.
VERSION_RE = re.compile(r"^(?=.{1,40}\Z)[0-9]+(?:\.[0-9]+)*\Z")
SCORING_RULES = ("weighted_mean", "lowest")
MIN_LEVELS, MAX_LEVELS = 2, 10
MAX_PROBLEMS = 50
# Lists and mappings inside each other: a framework file needs 7; libyaml crashes past ~10,000.
MAX_DEPTH = 50
LIMITS = {"slug": 80, "name": 200, "label": 100, "text": 2000, "description": 5000}


def version_key(version: str) -> tuple[int, ...]:
    """The sort key of a version number: its parts as numbers, trailing zeros dropped.

    So "1.10" sorts after "1.9", and "1.0" equals "1.0.0" (a missing part counts as 0). The one
    place versions are compared; "newest" anywhere means the highest key, not the latest date.
    """
    if not isinstance(version, str) or not VERSION_RE.match(version):
        raise ValueError(f"{version!r} is not a version number like 1.0.0")
    parts = [int(part) for part in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


@dataclass(frozen=True)
class Problem:
    place: str
    message: str

    def __str__(self):
        return f"{self.place}: {self.message}" if self.place else self.message


class FrameworkFileError(Exception):
    """A framework file that cannot be imported, with every problem found in it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]


@dataclass(frozen=True)
class LevelSpec:
    value: int
    label: str
    description: str = ""


@dataclass(frozen=True)
class FacetValueSpec:
    slug: str
    name: str
    weight: float = 1.0


@dataclass(frozen=True)
class FacetSpec:
    slug: str
    name: str
    description: str = ""
    values: tuple[FacetValueSpec, ...] = ()


RELATIONS = ("same", "reworded", "split-from", "merged-from")


@dataclass(frozen=True)
class LinkSpec:
    """One `derived_from` entry: this question's ancestor in an earlier version."""

    version: str
    question: str
    relation: str


@dataclass(frozen=True)
class QuestionSpec:
    slug: str
    text: str
    help: str = ""
    weight: float = 1.0
    tags: dict[str, str] = field(default_factory=dict)
    levels: dict[int, str] = field(default_factory=dict)
    recommendations: dict[int, str] = field(default_factory=dict)
    # The crosswalk: None when the file says nothing, () when the question is new.
    derived_from: tuple[LinkSpec, ...] | None = None


@dataclass(frozen=True)
class DimensionSpec:
    slug: str
    name: str
    description: str = ""
    weight: float = 1.0
    questions: tuple[QuestionSpec, ...] = ()


@dataclass(frozen=True)
class FrameworkSpec:
    slug: str
    name: str
    version: str
    description: str = ""
    source: dict[str, list[str]] = field(default_factory=dict)
    scoring: str = "weighted_mean"
    levels: tuple[LevelSpec, ...] = ()
    facets: tuple[FacetSpec, ...] = ()
    dimensions: tuple[DimensionSpec, ...] = ()

    @property
    def question_count(self) -> int:
        return sum(len(d.questions) for d in self.dimensions)

    def to_document(self) -> dict[str, Any]:
        """The canonical file structure, as written on export."""
        top = self.levels[-1].value if self.levels else None
        doc: dict[str, Any] = {
            "slug": self.slug,
            "name": self.name,
            "version": self.version,
            "description": self.description,
        }
        if self.source:
            doc["source"] = {k: list(v) for k, v in self.source.items()}
        doc["scoring"] = self.scoring
        doc["scale"] = {
            "levels": [
                {"value": lv.value, "label": lv.label, "description": lv.description}
                for lv in self.levels
            ]
        }
        if self.facets:
            doc["facets"] = [
                {
                    "slug": f.slug,
                    "name": f.name,
                    "description": f.description,
                    "values": [
                        {"slug": v.slug, "name": v.name, "weight": v.weight} for v in f.values
                    ],
                }
                for f in self.facets
            ]
        doc["dimensions"] = []
        for d in self.dimensions:
            questions = []
            for q in d.questions:
                qd: dict[str, Any] = {"slug": q.slug, "text": q.text}
                if q.help:
                    qd["help"] = q.help
                qd["weight"] = q.weight
                if q.tags:
                    qd["tags"] = dict(q.tags)
                qd["levels"] = {v: q.levels[v] for v in sorted(q.levels)}
                recs = {v: q.recommendations[v] for v in sorted(q.recommendations) if v != top}
                if recs:
                    qd["recommendations"] = recs
                if q.derived_from is not None:
                    qd["derived_from"] = [
                        {
                            "version": link.version,
                            "question": link.question,
                            "relation": link.relation,
                        }
                        for link in q.derived_from
                    ]
                questions.append(qd)
            doc["dimensions"].append(
                {
                    "slug": d.slug,
                    "name": d.name,
                    "description": d.description,
                    "weight": d.weight,
                    "questions": questions,
                }
            )
        return {"format": FORMAT_TAG, "framework": doc}


# ---------------------------------------------------------------------------------------------
# Reading bytes safely


# libyaml (C) when PyYAML was built with it, which it is in the published wheels: 10x faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_NO_ANCHORS = "anchors and aliases (& and *) are not allowed in framework files"


class _StrictLoader(_SafeLoader):
    """Safe YAML that refuses duplicate keys (anchors are refused before loading)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue  # the safe constructor reports unhashable keys itself
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _too_deep(line: int, column: int) -> FrameworkFileError:
    return FrameworkFileError(
        [
            Problem(
                "",
                f"The file nests lists or mappings more than {MAX_DEPTH} levels deep (line "
                f"{line}, column {column}); a framework file needs no more than 7",
            )
        ]
    )


def _check_yaml_events(text: str) -> None:
    """Refuse anchors, aliases and deep nesting from the event stream, before anything is built.

    libyaml's parser is a loop, safe at any depth; its composer recurses in C once per level and
    crashes the process (a segmentation fault, no exception) on a file nested some 10,000 deep.
    With no anchors or aliases at all, no expansion bomb can reach the constructor either.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.constructor.ConstructorError(None, None, _NO_ANCHORS, event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(event.start_mark.line + 1, event.start_mark.column + 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


# A JSON string (skipped whole, so brackets inside text do not count) or one bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _check_json_depth(text: str) -> None:
    """Refuse deep JSON before decoding it: the decoder recurses once per level."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                start = token.start()
                raise _too_deep(text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start))
        elif bracket in ("]", "}"):
            depth -= 1


def _json_pairs(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def load_document(data: bytes, *, filename: str = "", max_bytes: int) -> Any:
    """Bytes to plain Python structures, refusing anything large, undecodable or unsafe."""
    if len(data) > max_bytes:
        raise FrameworkFileError(
            [
                Problem(
                    "",
                    f"The file is {len(data) / 1024 / 1024:.1f} MB; the largest allowed is "
                    f"{max_bytes / 1024 / 1024:.0f} MB",
                )
            ]
        )
    if not data.strip():
        raise FrameworkFileError([Problem("", "The file is empty")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FrameworkFileError(
            [
                Problem(
                    "",
                    f"The file is not UTF-8 text (byte 0x{data[exc.start]:02x} at position "
                    f"{exc.start}); save it as UTF-8 and try again",
                )
            ]
        ) from None
    as_json = filename.lower().endswith(".json") or (
        not filename.lower().endswith((".yaml", ".yml")) and text.lstrip().startswith("{")
    )
    if as_json:
        _check_json_depth(text)
        try:
            return json.loads(text, object_pairs_hook=_json_pairs)
        except json.JSONDecodeError as exc:
            raise FrameworkFileError(
                [
                    Problem(
                        "",
                        f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, "
                        f"column {exc.colno}",
                    )
                ]
            ) from None
        except ValueError as exc:
            raise FrameworkFileError([Problem("", f"The file is not valid JSON: {exc}")]) from None
    try:
        _check_yaml_events(text)
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a safe loader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FrameworkFileError(
            [Problem("", f"The file is not valid YAML: {problem}{where}")]
        ) from None


def parse_framework(data: bytes, *, filename: str = "", max_bytes: int) -> FrameworkSpec:
    """Bytes of a framework file to a validated FrameworkSpec, or FrameworkFileError."""
    document = load_document(data, filename=filename, max_bytes=max_bytes)
    _refuse_null_characters(document)
    return validate_document(document)


def _refuse_null_characters(node: Any, place: str = "") -> None:
    """No NUL character anywhere: JSON's \\u0000 and YAML's \\0 decode to one, and PostgreSQL
    refuses to store text that holds it. (Nesting is already limited to MAX_DEPTH.)"""
    if isinstance(node, str) and "\x00" in node:
        raise FrameworkFileError([Problem(place, "contains a null character; remove it")])
    if isinstance(node, dict):
        for key, value in node.items():
            _refuse_null_characters(key, place)
            _refuse_null_characters(value, f"{place}.{key}" if place else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _refuse_null_characters(value, f"{place}[{index}]")


def dump_framework(spec: FrameworkSpec, fmt: str = "yaml") -> str:
    doc = spec.to_document()
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.dump(doc, Dumper=_SafeDumper, sort_keys=False, allow_unicode=True, width=100)
    raise ValueError(f"Unknown format {fmt!r}; use yaml or json")


# ---------------------------------------------------------------------------------------------
# Validation


class _Collector:
    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, place: str, message: str) -> None:
        self.problems.append(Problem(place, message))


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    return type(value).__name__


def _mapping(c: _Collector, value: Any, place: str, allowed: set[str], required: set[str]):
    if not isinstance(value, dict):
        c.add(place, f"expected a mapping of fields, found {_describe(value)}")
        return None
    for key in value:
        if key not in allowed:
            c.add(
                place,
                f"unknown field {key!r} (allowed: {', '.join(sorted(allowed))})",
            )
    for key in sorted(required):
        if key not in value:
            c.add(place, f"missing required field {key!r}")
    return value


def _text(
    c: _Collector, obj: dict, key: str, place: str, *, required: bool, limit: str = "text"
) -> str:
    value = obj.get(key)
    where = f"{place}.{key}" if place else key
    if value is None:
        if required and key in obj:
            c.add(where, "must not be empty")
        return ""
    if not isinstance(value, str):
        c.add(where, f"expected text, found {_describe(value)}")
        return ""
    value = value.strip()
    if required and not value:
        c.add(where, "must not be empty")
    if len(value) > LIMITS[limit]:
        c.add(where, f"is {len(value)} characters long; the most allowed is {LIMITS[limit]}")
    return value


def _slug(c: _Collector, obj: dict, place: str) -> str:
    value = obj.get("slug")
    where = f"{place}.slug"
    if value is None:
        return ""
    if not isinstance(value, str) or not SLUG_RE.match(value):
        c.add(
            where,
            f"{value!r} is not a valid slug: use lower-case letters, digits and single hyphens, "
            "like 'data-quality'",
        )
        return str(value)
    if len(value) > LIMITS["slug"]:
        c.add(where, f"is longer than {LIMITS['slug']} characters")
    return value


def _weight(c: _Collector, obj: dict, place: str) -> float:
    if "weight" not in obj:
        return 1.0
    value = obj["weight"]
    where = f"{place}.weight"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        c.add(where, f"expected a number greater than 0, found {_describe(value)}")
        return 1.0
    if value <= 0:
        c.add(where, f"must be greater than 0, found {value}")
        return 1.0
    return float(value)


def _level_key(key: Any) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    if isinstance(key, str) and re.fullmatch(r"-?\d+", key.strip()):
        return int(key)
    return None


def _level_texts(
    c: _Collector, value: Any, place: str, scale_values: list[int], what: str
) -> dict[int, str]:
    if not isinstance(value, dict):
        c.add(place, f"expected a mapping from level to text, found {_describe(value)}")
        return {}
    result: dict[int, str] = {}
    for key, text in value.items():
        level = _level_key(key)
        if level is None:
            c.add(place, f"{key!r} is not a level number")
            continue
        if scale_values and level not in scale_values:
            c.add(place, f"level {level} is not on the scale ({_levels_list(scale_values)})")
            continue
        if not isinstance(text, str) or not text.strip():
            c.add(place, f"the {what} for level {level} is empty")
            continue
        if len(text.strip()) > LIMITS["text"]:
            c.add(place, f"the {what} for level {level} is longer than {LIMITS['text']} characters")
        result[level] = text.strip()
    return result


def _levels_list(values: list[int]) -> str:
    return ", ".join(str(v) for v in values)


FRAMEWORK_FIELDS = {
    "slug",
    "name",
    "version",
    "description",
    "source",
    "scoring",
    "scale",
    "facets",
    "dimensions",
}
DIMENSION_FIELDS = {"slug", "name", "description", "weight", "layer", "questions"}
QUESTION_FIELDS = {
    "slug",
    "text",
    "help",
    "weight",
    "tags",
    "levels",
    "recommendations",
    "derived_from",
}


def validate_document(doc: Any) -> FrameworkSpec:
    c = _Collector()
    top = _mapping(c, doc, "", {"format", "framework"}, {"framework"})
    if top is None:
        raise FrameworkFileError(c.problems)
    if "format" in top and top["format"] != FORMAT_TAG:
        c.add("format", f"expected {FORMAT_TAG!r}, found {top['format']!r}")
    fw = _mapping(
        c, top.get("framework", {}), "framework", FRAMEWORK_FIELDS, {"slug", "name", "version"}
    )
    if fw is None:
        raise FrameworkFileError(c.problems)

    slug = _slug(c, fw, "framework")
    name = _text(c, fw, "name", "framework", required=True, limit="name")
    version = fw.get("version")
    if version is not None and not isinstance(version, str):
        c.add(
            "framework.version",
            f'write the version as quoted text, like "1.0.0" (found {_describe(version)})',
        )
        version = str(version)
    elif isinstance(version, str) and not VERSION_RE.match(version):
        c.add(
            "framework.version",
            f"{version!r} is not a valid version: use numbers separated by dots, "
            'up to 40 characters, like "1.0.0"',
        )
    description = _text(c, fw, "description", "framework", required=False, limit="description")
    source = _source(c, fw.get("source"))
    scoring = fw.get("scoring", "weighted_mean")
    if scoring not in SCORING_RULES:
        c.add("framework.scoring", f"must be one of {', '.join(SCORING_RULES)}, found {scoring!r}")

    levels = _scale(c, fw.get("scale"))
    scale_values = [lv.value for lv in levels]
    facets = _facets(c, fw.get("facets"))
    facet_values = {f.slug: {v.slug for v in f.values} for f in facets}

    dimensions: list[DimensionSpec] = []
    raw_dims = fw.get("dimensions")
    if raw_dims is None:
        c.add("framework.dimensions", "missing: a framework needs at least one dimension")
        raw_dims = []
    elif not isinstance(raw_dims, list) or not raw_dims:
        c.add("framework.dimensions", "expected a list of at least one dimension")
        raw_dims = []
    dim_slugs: dict[str, str] = {}
    question_slugs: dict[str, str] = {}
    for di, raw_dim in enumerate(raw_dims):
        place = f"dimensions[{di}]"
        dim = _mapping(c, raw_dim, place, DIMENSION_FIELDS, {"slug", "name", "questions"})
        if dim is None:
            continue
        dslug = _slug(c, dim, place)
        if dslug in dim_slugs:
            c.add(f"{place}.slug", f"{dslug!r} is already used by {dim_slugs[dslug]}")
        elif dslug:
            dim_slugs[dslug] = place
        layer = dim.get("layer")
        if layer is not None:
            if LAYER_FACET not in facet_values:
                c.add(
                    f"{place}.layer",
                    f"needs a facet with slug {LAYER_FACET!r} declared under facets",
                )
                layer = None
            elif layer not in facet_values[LAYER_FACET]:
                c.add(
                    f"{place}.layer",
                    f"unknown layer {layer!r} (declared: "
                    f"{', '.join(sorted(facet_values[LAYER_FACET]))})",
                )
                layer = None
        raw_questions = dim.get("questions")
        if "questions" in dim and (not isinstance(raw_questions, list) or not raw_questions):
            c.add(f"{place}.questions", "a dimension needs at least one question")
            raw_questions = []
        questions = []
        for qi, raw_q in enumerate(raw_questions or []):
            qplace = f"{place}.questions[{qi}]"
            q = _question(c, raw_q, qplace, scale_values, facet_values, layer)
            if q is None:
                continue
            if q.slug in question_slugs:
                c.add(f"{qplace}.slug", f"{q.slug!r} is already used by {question_slugs[q.slug]}")
            elif q.slug:
                question_slugs[q.slug] = qplace
            questions.append(q)
        dimensions.append(
            DimensionSpec(
                slug=dslug,
                name=_text(c, dim, "name", place, required=True, limit="name"),
                description=_text(
                    c, dim, "description", place, required=False, limit="description"
                ),
                weight=_weight(c, dim, place),
                questions=tuple(questions),
            )
        )
        if len(c.problems) >= MAX_PROBLEMS:
            break

    if c.problems:
        raise FrameworkFileError(c.problems[:MAX_PROBLEMS])
    return FrameworkSpec(
        slug=slug,
        name=name,
        version=version,
        description=description,
        source=source,
        scoring=scoring,
        levels=tuple(levels),
        facets=tuple(facets),
        dimensions=tuple(dimensions),
    )


def _source(c: _Collector, raw: Any) -> dict[str, list[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        c.add("framework.source", f"expected a mapping of lists, found {_describe(raw)}")
        return {}
    source = {}
    for key, items in raw.items():
        if key not in ("seeds", "references"):
            c.add("framework.source", f"unknown field {key!r} (allowed: references, seeds)")
            continue
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            c.add(f"framework.source.{key}", "expected a list of text items")
            continue
        source[key] = [i.strip() for i in items]
    return source


def _scale(c: _Collector, raw: Any) -> list[LevelSpec]:
    scale = _mapping(c, raw, "framework.scale", {"levels"}, {"levels"})
    if scale is None:
        return []
    raw_levels = scale.get("levels")
    if not isinstance(raw_levels, list):
        c.add("framework.scale.levels", f"expected a list of levels, found {_describe(raw_levels)}")
        return []
    if not MIN_LEVELS <= len(raw_levels) <= MAX_LEVELS:
        c.add(
            "framework.scale.levels",
            f"a scale has {MIN_LEVELS} to {MAX_LEVELS} levels, found {len(raw_levels)}",
        )
    levels: list[LevelSpec] = []
    for li, raw_level in enumerate(raw_levels):
        place = f"framework.scale.levels[{li}]"
        lv = _mapping(c, raw_level, place, {"value", "label", "description"}, {"value", "label"})
        if lv is None:
            continue
        value = lv.get("value")
        if isinstance(value, bool) or not isinstance(value, int):
            c.add(f"{place}.value", f"expected a whole number, found {_describe(value)}")
            continue
        if levels and value <= levels[-1].value:
            c.add(
                f"{place}.value",
                f"levels must be in strictly ascending order: {value} comes after "
                f"{levels[-1].value}",
            )
            continue
        levels.append(
            LevelSpec(
                value=value,
                label=_text(c, lv, "label", place, required=True, limit="label"),
                description=_text(c, lv, "description", place, required=False),
            )
        )
    return levels


def _facets(c: _Collector, raw: Any) -> list[FacetSpec]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        c.add("framework.facets", f"expected a list of facets, found {_describe(raw)}")
        return []
    facets: list[FacetSpec] = []
    seen: set[str] = set()
    for fi, raw_facet in enumerate(raw):
        place = f"facets[{fi}]"
        f = _mapping(
            c,
            raw_facet,
            place,
            {"slug", "name", "description", "values"},
            {"slug", "name", "values"},
        )
        if f is None:
            continue
        fslug = _slug(c, f, place)
        if fslug in seen:
            c.add(f"{place}.slug", f"the facet {fslug!r} is declared twice")
        seen.add(fslug)
        raw_values = f.get("values")
        if not isinstance(raw_values, list) or not raw_values:
            c.add(f"{place}.values", "a facet needs a list of at least one value")
            raw_values = []
        values: list[FacetValueSpec] = []
        value_slugs: set[str] = set()
        for vi, raw_value in enumerate(raw_values):
            vplace = f"{place}.values[{vi}]"
            v = _mapping(c, raw_value, vplace, {"slug", "name", "weight"}, {"slug", "name"})
            if v is None:
                continue
            vslug = _slug(c, v, vplace)
            if vslug in value_slugs:
                c.add(f"{vplace}.slug", f"the value {vslug!r} is declared twice")
            value_slugs.add(vslug)
            values.append(
                FacetValueSpec(
                    slug=vslug,
                    name=_text(c, v, "name", vplace, required=True, limit="name"),
                    weight=_weight(c, v, vplace),
                )
            )
        facets.append(
            FacetSpec(
                slug=fslug,
                name=_text(c, f, "name", place, required=True, limit="name"),
                description=_text(c, f, "description", place, required=False),
                values=tuple(values),
            )
        )
    return facets


def _question(
    c: _Collector,
    raw: Any,
    place: str,
    scale_values: list[int],
    facet_values: dict[str, set[str]],
    layer: str | None,
) -> QuestionSpec | None:
    q = _mapping(c, raw, place, QUESTION_FIELDS, {"slug", "text", "levels"})
    if q is None:
        return None
    tags: dict[str, str] = {}
    raw_tags = q.get("tags")
    if raw_tags is not None:
        if not isinstance(raw_tags, dict):
            c.add(
                f"{place}.tags",
                f"expected a mapping of facet to value, found {_describe(raw_tags)}",
            )
        else:
            for facet, value in raw_tags.items():
                if facet not in facet_values:
                    declared = ", ".join(sorted(facet_values)) or "none"
                    c.add(f"{place}.tags", f"unknown facet {facet!r} (declared facets: {declared})")
                elif value not in facet_values[facet]:
                    c.add(
                        f"{place}.tags",
                        f"unknown value {value!r} for facet {facet!r} (declared: "
                        f"{', '.join(sorted(facet_values[facet]))})",
                    )
                else:
                    tags[facet] = value
    if layer is not None:
        if tags.get(LAYER_FACET, layer) != layer:
            c.add(
                f"{place}.tags",
                f"layer {tags[LAYER_FACET]!r} contradicts the dimension's layer {layer!r}",
            )
        tags[LAYER_FACET] = layer

    levels = _level_texts(c, q.get("levels", {}), f"{place}.levels", scale_values, "descriptor")
    if "levels" in q:
        for value in scale_values:
            if value not in levels and isinstance(q.get("levels"), dict):
                c.add(f"{place}.levels", f"no descriptor for level {value}")
    recommendations: dict[int, str] = {}
    if q.get("recommendations") is not None:
        recommendations = _level_texts(
            c, q["recommendations"], f"{place}.recommendations", scale_values, "recommendation"
        )
        if scale_values and scale_values[-1] in recommendations:
            c.add(
                f"{place}.recommendations",
                f"level {scale_values[-1]} is the top of the scale, so it has no recommendation "
                "for moving up; remove it",
            )
            recommendations.pop(scale_values[-1])
    return QuestionSpec(
        slug=_slug(c, q, place),
        text=_text(c, q, "text", place, required=True),
        help=_text(c, q, "help", place, required=False),
        weight=_weight(c, q, place),
        tags=tags,
        levels=levels,
        recommendations=recommendations,
        derived_from=_derived_from(c, q, place),
    )


def _derived_from(c: _Collector, q: dict, place: str) -> tuple[LinkSpec, ...] | None:
    """The question's crosswalk entries. Whether each named version and question exists is
    checked on import, against the versions the service holds (services.py)."""
    if "derived_from" not in q:
        return None
    raw = q["derived_from"]
    place = f"{place}.derived_from"
    if not isinstance(raw, list):
        c.add(place, f"expected a list (empty for a new question), found {_describe(raw)}")
        return None
    links: list[LinkSpec] = []
    for i, entry in enumerate(raw):
        eplace = f"{place}[{i}]"
        e = _mapping(
            c,
            entry,
            eplace,
            {"version", "question", "relation"},
            {"version", "question", "relation"},
        )
        if e is None:
            continue
        version, question, relation = e["version"], e["question"], e["relation"]
        ok = True
        if not isinstance(version, str) or not VERSION_RE.match(version):
            c.add(
                f"{eplace}.version",
                f'expected a quoted version like "1.0.0", found {_describe(version)}',
            )
            ok = False
        if not isinstance(question, str) or not SLUG_RE.match(question):
            c.add(f"{eplace}.question", f"expected a question's slug, found {_describe(question)}")
            ok = False
        if relation not in RELATIONS:
            c.add(
                f"{eplace}.relation",
                f"must be one of {', '.join(RELATIONS)}, found "
                + (repr(relation) if isinstance(relation, str) else _describe(relation)),
            )
            ok = False
        if ok:
            if (version, question) in {(link.version, link.question) for link in links}:
                c.add(eplace, f"question {question!r} of version {version} is listed twice")
                continue
            links.append(LinkSpec(version=version, question=question, relation=relation))
    relations = {link.relation for link in links}
    if len(relations) > 1:
        c.add(
            place,
            "every entry must have the same relation (" + ", ".join(sorted(relations)) + " found)",
        )
    elif relations == {"merged-from"} and len(links) < 2:
        c.add(place, "a question merged from others names at least two ancestors")
    elif relations and relations != {"merged-from"} and len(links) > 1:
        (relation,) = relations
        c.add(
            place, f"a question that is {relation!r} has exactly one ancestor; found {len(links)}"
        )
    return tuple(links)
