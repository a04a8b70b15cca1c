"""The `maturity-framework/1` file format: parse, validate and write framework files.

Pure: bytes in, a FrameworkSpec (or every problem found, each with its place) out, and back.
Nothing here touches the database, so it is tested without one.

Validation has two halves. The shape of a file (types, required and allowed fields, enums,
patterns, lengths) is checked against the published JSON Schema in `schema/`, the same file
editors can point their own tools at. What a schema cannot say (slugs unique, tags naming
declared facets, one descriptor per scale value, the crosswalk's rules) is checked here in
Python. Both report in the same words: a place in the file, its line in a YAML file, and what to
do about it.
"""

import dataclasses
import datetime
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from frameworks.layers import LEGACY_LAYER_FACET

FORMAT_TAG = "maturity-framework/1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "maturity-framework-1.schema.json"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Dot-separated whole numbers ("1.0.0", "2.1"), compared by `version_key`.
VERSION_RE = re.compile(r"^(?=.{1,40}\Z)[0-9]+(?:\.[0-9]+)*\Z")
SCORING_RULES = ("weighted_mean", "lowest")
MIN_LEVELS, MAX_LEVELS = 2, 10
MAX_PROBLEMS = 50
# Lists and mappings inside each other: a framework file needs 7; libyaml crashes past ~10,000.
MAX_DEPTH = 50
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
# Longest text of each kind, as the schema says (forms in the service use the same).
LIMITS = {
    "slug": SCHEMA["$defs"]["slug"]["maxLength"],
    "name": SCHEMA["$defs"]["name"]["maxLength"],
    "label": SCHEMA["$defs"]["label"]["maxLength"],
    "text": SCHEMA["$defs"]["text"]["maxLength"],
    "description": SCHEMA["$defs"]["description"]["maxLength"],
}


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
    """One thing wrong with a file: its place ("dimensions[1].questions[0].levels"), what is
    wrong, and where it is in a YAML file. `path` is the place as keys and list indexes."""

    place: str
    message: str
    line: int | None = None
    column: int | None = None
    path: tuple = field(default=(), compare=False, repr=False)

    def __str__(self):
        where = f"line {self.line}, column {self.column}: " if self.line else ""
        return f"{where}{self.place}: {self.message}" if self.place else where + self.message


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
    # The layer axis: its values in roadmap order, foundations first. At most one per version.
    layer_axis: bool = False


RELATIONS = ("same", "reworded", "split-from", "merged-from")
# The warnings a framework may declare (`flags` in the file); none is shown unless declared.
LENS_IMBALANCE = "lens-imbalance"
TECHNOLOGY_AHEAD_OF_DATA = "technology-ahead-of-data"
FLAG_CODES = (LENS_IMBALANCE, TECHNOLOGY_AHEAD_OF_DATA)
SOURCE_KEYS = ("seeds", "references", "notes")


@dataclass(frozen=True)
class FlagSpec:
    """A declared flag. `questions` (technology-ahead-of-data): the questions that say how far
    new systems, automation or AI have been started, read against the layer axis's foundations."""

    code: str
    questions: tuple[str, ...] = ()
    # lens-imbalance: the dimensions that are lenses (all of them when none is named).
    dimensions: tuple[str, ...] = ()


def flags_to_json(flags: tuple[FlagSpec, ...]) -> list[dict]:
    """As FrameworkVersion.flags stores them."""
    return [
        {"code": f.code, "questions": list(f.questions), "dimensions": list(f.dimensions)}
        for f in flags
    ]


def flags_from_json(stored: list[dict]) -> tuple[FlagSpec, ...]:
    return tuple(
        FlagSpec(
            code=f["code"],
            questions=tuple(f.get("questions", ())),
            dimensions=tuple(f.get("dimensions", ())),
        )
        for f in stored or ()
    )


@dataclass(frozen=True)
class DroppedSpec:
    """A question of an earlier version that this one no longer asks, and why."""

    version: str
    question: str
    reason: str


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
    licence: str = ""
    publisher: str = ""
    publication_date: datetime.date | None = None
    flags: tuple[FlagSpec, ...] = ()
    dropped: tuple[DroppedSpec, ...] = ()

    def __post_init__(self):
        # Before files could declare their layer axis, a facet with slug "layer" was it; it
        # still is when no facet says otherwise, so every spec names its axis the same way.
        if not any(f.layer_axis for f in self.facets):
            object.__setattr__(
                self,
                "facets",
                tuple(
                    dataclasses.replace(f, layer_axis=True) if f.slug == LEGACY_LAYER_FACET else f
                    for f in self.facets
                ),
            )

    @property
    def question_count(self) -> int:
        return sum(len(d.questions) for d in self.dimensions)

    @property
    def layer_axis(self) -> FacetSpec | None:
        return next((f for f in self.facets if f.layer_axis), None)

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
        if self.licence:
            doc["licence"] = self.licence
        if self.publisher:
            doc["publisher"] = self.publisher
        if self.publication_date:
            doc["publication_date"] = self.publication_date.isoformat()
        doc["scoring"] = self.scoring
        if self.flags:
            doc["flags"] = [
                {"code": f.code}
                | ({"questions": list(f.questions)} if f.questions else {})
                | ({"dimensions": list(f.dimensions)} if f.dimensions else {})
                for f in self.flags
            ]
        if self.dropped:
            doc["dropped"] = [
                {"version": d.version, "question": d.question, "reason": d.reason}
                for d in self.dropped
            ]
        doc["scale"] = {
            "levels": [
                {"value": lv.value, "label": lv.label, "description": lv.description}
                for lv in self.levels
            ]
        }
        if self.facets:
            doc["facets"] = []
            for f in self.facets:
                fd: dict[str, Any] = {"slug": f.slug, "name": f.name, "description": f.description}
                if f.layer_axis:
                    fd["layer_axis"] = True
                fd["values"] = [
                    {"slug": v.slug, "name": v.name, "weight": v.weight} for v in f.values
                ]
                doc["facets"].append(fd)
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

# Where each value starts in a YAML file (line, column; both from 1), by its path of keys and
# list indexes: how a problem found after loading still names its line.
Marks = Mapping[tuple, tuple[int, int]]


class _StrictLoader(_SafeLoader):
    """Safe YAML that refuses duplicate keys (anchors are refused before loading), keeps dates
    as text (a date is checked as text, like in JSON), and records where each value starts."""

    marks: dict[tuple, tuple[int, int]]

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

    def get_single_data(self):
        node = self.get_single_node()
        self.marks = {}
        if node is None:
            return None
        # Iterative: nesting is limited to MAX_DEPTH before this runs, but no recursion anyway.
        stack = [((), node)]
        while stack:
            path, current = stack.pop()
            self.marks[path] = (current.start_mark.line + 1, current.start_mark.column + 1)
            if isinstance(current, yaml.MappingNode):
                for key_node, value_node in current.value:
                    if isinstance(key_node, yaml.ScalarNode):
                        stack.append(((*path, self.construct_object(key_node)), value_node))
            elif isinstance(current, yaml.SequenceNode):
                stack.extend(((*path, i), item) for i, item in enumerate(current.value))
        return self.construct_document(node)


_StrictLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


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
    return _load(data, filename=filename, max_bytes=max_bytes)[0]


def _load(data: bytes, *, filename: str, max_bytes: int) -> tuple[Any, Marks]:
    """The document and, for YAML, where each of its values starts."""
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
            return json.loads(text, object_pairs_hook=_json_pairs), {}
        except json.JSONDecodeError as exc:
            raise FrameworkFileError(
                [
                    Problem(
                        "",
                        f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, "
                        f"column {exc.colno}",
                        exc.lineno,
                        exc.colno,
                    )
                ]
            ) from None
        except ValueError as exc:
            raise FrameworkFileError([Problem("", f"The file is not valid JSON: {exc}")]) from None
    try:
        _check_yaml_events(text)
        loader = _StrictLoader(text)
        try:
            return loader.get_single_data(), loader.marks
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FrameworkFileError(
            [Problem("", f"The file is not valid YAML: {problem}{where}")]
        ) from None


def parse_framework(data: bytes, *, filename: str = "", max_bytes: int) -> FrameworkSpec:
    """Bytes of a framework file to a validated FrameworkSpec, or FrameworkFileError."""
    document, marks = _load(data, filename=filename, max_bytes=max_bytes)
    try:
        return validate_document(document, marks=marks)
    except FrameworkFileError:
        if marks:
            raise
        # JSON: the parser keeps no places, so read them now, for the messages only. JSON is
        # YAML too (as far as a framework file goes); when it does not read as YAML, the
        # problems keep their places in the file's structure alone.
        marks = _json_marks(data)
        if not marks:
            raise
    return validate_document(document, marks=marks)


def _json_marks(data: bytes) -> Marks:
    try:
        loader = _StrictLoader(data.decode("utf-8-sig"))
        try:
            loader.get_single_data()
            return loader.marks
        finally:
            loader.dispose()
    except (yaml.YAMLError, ValueError):
        return {}


def dump_framework(spec: FrameworkSpec, fmt: str = "yaml") -> str:
    doc = spec.to_document()
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.dump(doc, Dumper=_SafeDumper, sort_keys=False, allow_unicode=True, width=100)
    raise ValueError(f"Unknown format {fmt!r}; use yaml or json")


# ---------------------------------------------------------------------------------------------
# Places: a path of keys and list indexes, named as every message names it


def place_of(path: tuple) -> str:
    """("framework", "dimensions", 1, "slug") -> "dimensions[1].slug". Dimensions and facets are
    named from their list; everything else under `framework` keeps that prefix."""
    if len(path) >= 3 and path[0] == "framework" and path[1] in ("dimensions", "facets"):
        path = path[1:]
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _describe(value: Any) -> str:
    """A value as a message quotes it, in plain words (never a Python type's name)."""
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
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"the text {shown!r}"
    return "a value of an unknown kind"


class _Collector:
    def __init__(self, marks: Marks):
        self.marks = marks
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str, *, at: tuple | None = None) -> None:
        """A problem named by `path`, whose line is that of `at` (a key or item inside the
        place, when that is more exact) or of the nearest enclosing value that has one."""
        line_path = at if at is not None else path
        while line_path and line_path not in self.marks:
            line_path = line_path[:-1]
        line, column = self.marks.get(line_path, (None, None))
        self.problems.append(Problem(place_of(path), message, line, column, at or path))

    def error(self, document: Any) -> FrameworkFileError:
        """Every problem once, in the order of the file, at most MAX_PROBLEMS."""
        order = _document_order(document)

        def position(problem: Problem) -> int:
            path = problem.path
            while path and path not in order:
                path = path[:-1]
            return order.get(path, 0)

        unique = list({(p.place, p.message, p.line): p for p in self.problems}.values())
        return FrameworkFileError(sorted(unique, key=position)[:MAX_PROBLEMS])


def _document_order(document: Any) -> dict[tuple, int]:
    order: dict[tuple, int] = {}
    stack = [((), document)]
    while stack:
        path, node = stack.pop()
        order[path] = len(order)
        if isinstance(node, dict):
            stack.extend(reversed([((*path, k), v) for k, v in node.items()]))
        elif isinstance(node, list):
            stack.extend(reversed([((*path, i), v) for i, v in enumerate(node)]))
    return order


# ---------------------------------------------------------------------------------------------
# Shape: the JSON Schema, its errors said in plain words


def _inline_refs(node: Any, defs: dict) -> Any:
    """The schema with each local `$ref` replaced by what it refers to: the same rules (the
    schema has no recursion), checked faster, as jsonschema resolves every `$ref` it meets,
    some 3,500 of them in a 200-question framework."""
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _inline_refs(value, defs) for key, value in node.items()}
    ref = node.pop("$ref", None)
    if ref is None:
        return node
    return {**_inline_refs(defs[ref.removeprefix("#/$defs/")], defs), **node}


_SCHEMA_VALIDATOR = Draft202012Validator(
    {k: v for k, v in _inline_refs(SCHEMA, SCHEMA["$defs"]).items() if k != "$defs"},
    format_checker=Draft202012Validator.FORMAT_CHECKER,
)
_SLUG_PATTERN = SCHEMA["$defs"]["slug"]["pattern"]
_VERSION_PATTERN = SCHEMA["$defs"]["version"]["pattern"]
_LEVEL_TEXTS = ("levels", "recommendations")
_EXPECTED = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
    "null": "nothing",
}
# What a mapping or list is expected to be, where "a mapping of fields" or "a list" says less.
_EXPECTED_FIELD = {
    "source": "a mapping of lists",
    "tags": "a mapping of facet to value",
    "levels": "a mapping from level to text",
    "recommendations": "a mapping from level to text",
    "derived_from": "a list (empty for a new question)",
    "flags": "a list of flags, each with a code",
    "dropped": "a list of dropped questions",
    "facets": "a list of facets",
    "dimensions": "a list of at least one dimension",
}
_MISSING = {
    "format": f"missing: start the file with format: {FORMAT_TAG}",
    "dimensions": "missing: a framework needs at least one dimension",
}
_TOO_FEW = {
    "dimensions": "a framework needs at least one dimension; add one",
    "questions": "a dimension needs at least one question",
    "values": "a facet needs a list of at least one value",
}
_SLUG_ADVICE = "use lower-case letters, digits and single hyphens, like 'data-quality'"
_VERSION_ADVICE = 'use numbers separated by dots, up to 40 characters, like "1.0.0"'
_DATE_ADVICE = "write it as year-month-day, like 2025-04-01"


def _level_text_path(path: tuple) -> bool:
    """A question's level descriptor or recommendation: (..., "questions", i, "levels", 3)."""
    return len(path) >= 4 and path[-2] in _LEVEL_TEXTS and path[-4] == "questions"


def _schema_problems(c: _Collector, document: Any) -> None:
    for error in _SCHEMA_VALIDATOR.iter_errors(document):
        _schema_problem(c, error)


def _schema_problem(c: _Collector, error) -> None:
    path = tuple(error.absolute_path)
    keyword, value, expected = error.validator, error.instance, error.validator_value
    field_name = next((p for p in reversed(path) if isinstance(p, str)), "")
    if "propertyNames" in error.schema_path:
        # A key of a mapping: the problem is the mapping's, on the key's line.
        if path and path[-1] in _LEVEL_TEXTS:
            c.add(path, f"{value!r} is not a level number", at=(*path, value))
        else:
            c.add(path, f"{value!r} is not a valid slug: {_SLUG_ADVICE}", at=(*path, value))
        return
    if _level_text_path(path):
        what = "descriptor" if path[-2] == "levels" else "recommendation"
        level, path = path[-1], path[:-1]
        if keyword == "type" and value is not None:
            message = f"the {what} for level {level} should be text, found {_describe(value)}"
        elif keyword == "maxLength":
            message = f"the {what} for level {level} is longer than {expected} characters"
        else:
            message = f"the {what} for level {level} is empty"
        c.add(path, message, at=(*path, level))
        return
    if keyword == "required":
        for name in expected:
            if isinstance(value, dict) and name not in value:
                if name in _MISSING:
                    c.add((*path, name), _MISSING[name], at=path)
                else:
                    c.add(path, f"missing required field {name!r}")
    elif keyword == "additionalProperties":
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        for key in value:
            if key not in error.schema.get("properties", {}):
                c.add(path, f"unknown field {key!r} (allowed: {allowed})", at=(*path, key))
    elif keyword == "type":
        if field_name == "version" and path[-1] == "version":
            found = _describe(value)
            c.add(path, f'write the version as quoted text, like "1.0.0" (found {found})')
            return
        kinds = [expected] if isinstance(expected, str) else [k for k in expected if k != "null"]
        wanted = " or ".join(_EXPECTED[k] for k in kinds)
        if kinds[0] in ("object", "array") and path and path[-1] == field_name:
            wanted = _EXPECTED_FIELD.get(field_name, wanted)
        c.add(path, f"expected {wanted}, found {_describe(value)}")
    elif keyword == "pattern":
        if expected == _SLUG_PATTERN:
            c.add(path, f"{value!r} is not a valid slug: {_SLUG_ADVICE}")
        elif expected == _VERSION_PATTERN:
            c.add(path, f"{value!r} is not a valid version: {_VERSION_ADVICE}")
        elif field_name == "publication_date":
            c.add(path, f"{value!r} is not a date: {_DATE_ADVICE}")
        else:
            c.add(path, "must not be empty")
    elif keyword == "format":
        c.add(path, f"{value!r} is not a date: {_DATE_ADVICE}")
    elif keyword == "maxLength":
        if field_name == "version":
            c.add(path, f"{value!r} is not a valid version: {_VERSION_ADVICE}")
        else:
            c.add(path, f"is {len(value)} characters long; the most allowed is {expected}")
    elif keyword in ("minItems", "maxItems"):
        if path[-2:] == ("scale", "levels"):
            message = f"a scale has {MIN_LEVELS} to {MAX_LEVELS} levels, found {len(value)}"
        else:
            message = _TOO_FEW.get(field_name, f"needs at least {expected}")
        c.add(path, message)
    elif keyword == "exclusiveMinimum":
        c.add(path, f"must be greater than {expected}, found {value}")
    elif keyword == "enum":
        c.add(path, f"must be one of {', '.join(expected)}, found {_describe(value)}")
    else:  # a keyword this module has no words for yet: jsonschema's own
        c.add(path, error.message)


# ---------------------------------------------------------------------------------------------
# Validation: the format, the shape, then what only Python can check


def validate_document(document: Any, *, marks: Marks | None = None) -> FrameworkSpec:
    """A loaded file (or a spec's `to_document()`) to a FrameworkSpec, or FrameworkFileError
    naming the place of every problem, and its line when `marks` has the lines (YAML)."""
    c = _Collector(marks or {})
    if not isinstance(document, dict):
        c.add((), f"expected a mapping of fields, found {_describe(document)}")
        raise c.error(document)
    _refuse_null_characters(c, document)
    if "format" in document and document["format"] != FORMAT_TAG:
        # Another version of the format: its fields would only be a flood of errors here.
        raise FrameworkFileError([_unknown_format(c, document["format"])])
    _schema_problems(c, document)
    spec = _framework(c, document.get("framework"))
    if c.problems or spec is None:
        raise c.error(document)
    return spec


def _unknown_format(c: _Collector, found: Any) -> Problem:
    if isinstance(found, str) and re.fullmatch(r"maturity-framework/\d+", found.strip()):
        message = (
            f"this file is in {found.strip()}, a version of the format this service cannot "
            f"read; it reads {FORMAT_TAG} files"
        )
    else:
        message = (
            f"{_describe(found)} is not a framework file format; the first line of a framework "
            f"file is format: {FORMAT_TAG}"
        )
    c.add(("format",), message)
    return c.problems[-1]


def _refuse_null_characters(c: _Collector, document: Any) -> None:
    """No NUL character anywhere: JSON's \\u0000 and YAML's \\0 decode to one, and PostgreSQL
    refuses to store text that holds it. (Nesting is already limited to MAX_DEPTH.)"""
    stack = [((), document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str) and "\x00" in node:
            c.add(path, "contains a null character; remove it")
            raise FrameworkFileError([c.problems[-1]])
        if isinstance(node, dict):
            for key, value in node.items():
                stack.append((path, key))
                stack.append(((*path, key), value))
        elif isinstance(node, list):
            stack.extend(((*path, i), value) for i, value in enumerate(node))


def _text(obj: dict, key: str) -> str:
    value = obj.get(key)
    return value.strip() if isinstance(value, str) else ""


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _weight(c: _Collector, obj: dict, path: tuple) -> float:
    value = obj.get("weight", 1.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return 1.0  # the schema has said why
    if not math.isfinite(value):
        c.add((*path, "weight"), f"expected a number greater than 0, found {value}")
        return 1.0
    return float(value)


def _framework(c: _Collector, fw: Any) -> FrameworkSpec | None:
    if not isinstance(fw, dict):
        return None
    levels = _scale(c, fw.get("scale"))
    scale_values = [lv.value for lv in levels]
    facets = _facets(c, fw.get("facets"))
    facet_values = {f.slug: [v.slug for v in f.values] for f in facets}
    axis = next((f for f in facets if f.layer_axis), None) or next(
        (f for f in facets if f.slug == LEGACY_LAYER_FACET), None
    )

    dimensions: list[DimensionSpec] = []
    dim_slugs: dict[str, str] = {}
    question_slugs: dict[str, str] = {}
    for di, dim in enumerate(_list(fw.get("dimensions"))):
        dpath = ("framework", "dimensions", di)
        if not isinstance(dim, dict):
            continue
        dslug = dim.get("slug") if isinstance(dim.get("slug"), str) else ""
        if dslug in dim_slugs:
            c.add((*dpath, "slug"), f"{dslug!r} is already used by {dim_slugs[dslug]}")
        elif dslug:
            dim_slugs[dslug] = place_of(dpath)
        layer = _layer(c, dim.get("layer"), (*dpath, "layer"), axis)
        questions = []
        for qi, raw_q in enumerate(_list(dim.get("questions"))):
            qpath = (*dpath, "questions", qi)
            q = _question(c, raw_q, qpath, scale_values, facet_values, axis, layer)
            if q is None:
                continue
            if q.slug in question_slugs:
                c.add((*qpath, "slug"), f"{q.slug!r} is already used by {question_slugs[q.slug]}")
            elif q.slug:
                question_slugs[q.slug] = place_of(qpath)
            questions.append(q)
        dimensions.append(
            DimensionSpec(
                slug=dslug,
                name=_text(dim, "name"),
                description=_text(dim, "description"),
                weight=_weight(c, dim, dpath),
                questions=tuple(questions),
            )
        )
        if len(c.problems) >= MAX_PROBLEMS:
            break

    source = fw.get("source") if isinstance(fw.get("source"), dict) else {}
    date = fw.get("publication_date")
    try:
        published = datetime.date.fromisoformat(date) if isinstance(date, str) else None
    except ValueError:
        published = None  # the schema has said why
    scoring = fw.get("scoring", "weighted_mean")
    level_values = [lv.value for lv in levels]
    return FrameworkSpec(
        slug=fw.get("slug") if isinstance(fw.get("slug"), str) else "",
        name=_text(fw, "name"),
        version=str(fw.get("version", "")),
        description=_text(fw, "description"),
        source={
            key: [i.strip() for i in items if isinstance(i, str)]
            for key, items in source.items()
            if key in SOURCE_KEYS and isinstance(items, list)
        },
        scoring=scoring if scoring in SCORING_RULES else "weighted_mean",
        levels=tuple(levels) if len(set(level_values)) == len(level_values) else (),
        facets=tuple(facets),
        dimensions=tuple(dimensions),
        licence=_text(fw, "licence"),
        publisher=_text(fw, "publisher"),
        publication_date=published,
        flags=_flags(c, fw.get("flags"), dimensions, axis),
        dropped=_dropped(c, fw.get("dropped"), dimensions),
    )


def _flags(
    c: _Collector, raw: Any, dimensions: list[DimensionSpec], axis: FacetSpec | None
) -> tuple[FlagSpec, ...]:
    """Declared flags, each once, naming questions of this file and the axis they need."""
    where = {q.slug: q for d in dimensions for q in d.questions}
    found: list[FlagSpec] = []
    for i, entry in enumerate(_list(raw)):
        path = ("framework", "flags", i)
        if not isinstance(entry, dict) or entry.get("code") not in FLAG_CODES:
            continue  # the schema has said why
        code = entry["code"]
        questions = tuple(q for q in _list(entry.get("questions")) if isinstance(q, str))
        lenses = tuple(d for d in _list(entry.get("dimensions")) if isinstance(d, str))
        if code in {f.code for f in found}:
            c.add((*path, "code"), f"{code} is declared twice")
            continue
        if code == TECHNOLOGY_AHEAD_OF_DATA:
            if not questions:
                c.add(
                    path,
                    "name the questions that say how far new systems, automation or AI have "
                    "been started, under questions:",
                )
            if axis is None:
                c.add(path, "needs a layer axis: declare a facet with layer_axis: true")
            if lenses:
                c.add((*path, "dimensions"), f"{code} reads questions; it takes no dimensions")
                lenses = ()
        elif questions:
            c.add((*path, "questions"), f"{code} reads the dimensions; it takes no questions")
            questions = ()
        dimension_slugs = {d.slug for d in dimensions}
        for di, slug in enumerate(lenses):
            if slug not in dimension_slugs:
                c.add((*path, "dimensions", di), f"no dimension {slug!r} in this file")
        for qi, slug in enumerate(questions):
            if slug not in where:
                c.add((*path, "questions", qi), f"no question {slug!r} in this file")
            elif axis is not None and where[slug].tags.get(axis.slug) == (
                axis.values[0].slug if axis.values else None
            ):
                c.add(
                    (*path, "questions", qi),
                    f"{slug!r} is on the {axis.values[0].name.lower()} layer, which the flag "
                    "compares against; name questions about new systems, automation or AI",
                )
        if code == LENS_IMBALANCE and len(set(lenses) or dimension_slugs) < 2:
            c.add(path, f"{code} compares dimensions; name at least two")
        found.append(FlagSpec(code=code, questions=questions, dimensions=lenses))
    return tuple(found)


def _dropped(c: _Collector, raw: Any, dimensions: list[DimensionSpec]) -> tuple[DroppedSpec, ...]:
    """Dropped questions of earlier versions; that each exists is checked on import."""
    ancestors = {
        (link.version, link.question)
        for d in dimensions
        for q in d.questions
        for link in q.derived_from or ()
    }
    found: list[DroppedSpec] = []
    for i, entry in enumerate(_list(raw)):
        path = ("framework", "dropped", i)
        if not isinstance(entry, dict):
            continue
        version, question, reason = (entry.get(k) for k in ("version", "question", "reason"))
        if not (
            isinstance(version, str)
            and VERSION_RE.match(version)
            and isinstance(question, str)
            and isinstance(reason, str)
        ):
            continue  # the schema has said why
        if not reason.strip():
            c.add((*path, "reason"), "say why the question is no longer asked")
            continue
        if (version, question) in {(d.version, d.question) for d in found}:
            c.add(path, f"question {question!r} of version {version} is listed twice")
        elif (version, question) in ancestors:
            c.add(
                path,
                f"question {question!r} of version {version} is named in a question's "
                "derived_from, so it is not dropped",
            )
        else:
            found.append(DroppedSpec(version=version, question=question, reason=reason.strip()))
    return tuple(found)


def _scale(c: _Collector, scale: Any) -> list[LevelSpec]:
    levels: list[LevelSpec] = []
    raw_levels = scale.get("levels") if isinstance(scale, dict) else None
    for li, lv in enumerate(_list(raw_levels)):
        if not isinstance(lv, dict):
            continue
        value = lv.get("value")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            continue
        if levels and value <= levels[-1].value:
            c.add(
                ("framework", "scale", "levels", li, "value"),
                f"levels must be in strictly ascending order: {value} comes after "
                f"{levels[-1].value}",
            )
            continue
        levels.append(
            LevelSpec(value=value, label=_text(lv, "label"), description=_text(lv, "description"))
        )
    return levels


def _facets(c: _Collector, raw: Any) -> list[FacetSpec]:
    facets: list[FacetSpec] = []
    seen: set[str] = set()
    axis_at: tuple | None = None
    for fi, f in enumerate(_list(raw)):
        path = ("framework", "facets", fi)
        if not isinstance(f, dict):
            continue
        fslug = f.get("slug") if isinstance(f.get("slug"), str) else ""
        if fslug in seen:
            c.add((*path, "slug"), f"the facet {fslug!r} is declared twice")
        seen.add(fslug)
        if f.get("layer_axis") is True:
            if axis_at is not None:
                c.add(
                    (*path, "layer_axis"),
                    f"only one facet can be the layer axis, and {place_of(axis_at)} already is",
                )
            else:
                axis_at = path
        values: list[FacetValueSpec] = []
        value_slugs: set[str] = set()
        for vi, v in enumerate(_list(f.get("values"))):
            if not isinstance(v, dict):
                continue
            vpath = (*path, "values", vi)
            vslug = v.get("slug") if isinstance(v.get("slug"), str) else ""
            if vslug in value_slugs:
                c.add((*vpath, "slug"), f"the value {vslug!r} is declared twice")
            value_slugs.add(vslug)
            values.append(
                FacetValueSpec(slug=vslug, name=_text(v, "name"), weight=_weight(c, v, vpath))
            )
        facets.append(
            FacetSpec(
                slug=fslug,
                name=_text(f, "name"),
                description=_text(f, "description"),
                values=tuple(values),
                layer_axis=path == axis_at,
            )
        )
    return facets


def _layer(c: _Collector, layer: Any, path: tuple, axis: FacetSpec | None) -> str | None:
    """The dimension's `layer:` shorthand: a value of the layer-axis facet."""
    if not isinstance(layer, str):
        return None
    if axis is None:
        c.add(
            path,
            "needs a layer axis: declare a facet with layer_axis: true (or a facet with slug "
            f"{LEGACY_LAYER_FACET!r}) under facets",
        )
        return None
    declared = [v.slug for v in axis.values]
    if layer not in declared:
        c.add(path, f"unknown layer {layer!r} (declared: {', '.join(declared)})")
        return None
    return layer


def _level_key(key: Any) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    if isinstance(key, str) and re.fullmatch(r"-?\d+", key.strip()):
        return int(key)
    return None


def _level_texts(
    c: _Collector, value: Any, path: tuple, scale_values: list[int]
) -> tuple[dict[int, str], set[int]]:
    """The texts by level, and every level the mapping names (even with an empty text)."""
    result: dict[int, str] = {}
    named: set[int] = set()
    if not isinstance(value, dict):
        return result, named
    for key, text in value.items():
        level = _level_key(key)
        if level is None:
            if not isinstance(key, str):  # text keys: the schema has said so
                c.add(path, f"{key!r} is not a level number", at=(*path, key))
            continue
        named.add(level)
        if scale_values and level not in scale_values:
            c.add(
                path,
                f"level {level} is not on the scale ({', '.join(map(str, scale_values))})",
                at=(*path, key),
            )
            continue
        if isinstance(text, str) and text.strip():
            result[level] = text.strip()
    return result, named


def _question(
    c: _Collector,
    q: Any,
    path: tuple,
    scale_values: list[int],
    facet_values: dict[str, list[str]],
    axis: FacetSpec | None,
    layer: str | None,
) -> QuestionSpec | None:
    if not isinstance(q, dict):
        return None
    tags: dict[str, str] = {}
    raw_tags = q.get("tags")
    for facet, value in (raw_tags if isinstance(raw_tags, dict) else {}).items():
        if not isinstance(facet, str) or not isinstance(value, str):
            continue
        at = (*path, "tags", facet)
        if facet not in facet_values:
            declared = ", ".join(sorted(facet_values)) or "none"
            c.add((*path, "tags"), f"unknown facet {facet!r} (declared facets: {declared})", at=at)
        elif value not in facet_values[facet]:
            c.add(
                (*path, "tags"),
                f"unknown value {value!r} for facet {facet!r} (declared: "
                f"{', '.join(facet_values[facet])})",
                at=at,
            )
        else:
            tags[facet] = value
    if layer is not None and axis is not None:
        if tags.get(axis.slug, layer) != layer:
            c.add(
                (*path, "tags"),
                f"layer {tags[axis.slug]!r} contradicts the dimension's layer {layer!r}",
            )
        tags[axis.slug] = layer

    levels, named = _level_texts(c, q.get("levels"), (*path, "levels"), scale_values)
    missing = [str(v) for v in scale_values if v not in named]
    if missing and isinstance(q.get("levels"), dict):
        c.add(
            (*path, "levels"),
            f"no descriptor for level {missing[0]}"
            if len(missing) == 1
            else f"no descriptors for levels {', '.join(missing)}",
        )
    recommendations, _ = _level_texts(
        c, q.get("recommendations"), (*path, "recommendations"), scale_values
    )
    if scale_values and scale_values[-1] in recommendations:
        c.add(
            (*path, "recommendations"),
            f"level {scale_values[-1]} is the top of the scale, so it has no recommendation "
            "for moving up; remove it",
        )
        recommendations.pop(scale_values[-1])
    return QuestionSpec(
        slug=q.get("slug") if isinstance(q.get("slug"), str) else "",
        text=_text(q, "text"),
        help=_text(q, "help"),
        weight=_weight(c, q, path),
        tags=tags,
        levels=levels,
        recommendations=recommendations,
        derived_from=_derived_from(c, q, (*path, "derived_from")),
    )


def _derived_from(c: _Collector, q: dict, path: tuple) -> tuple[LinkSpec, ...] | None:
    """The question's crosswalk entries. Whether each named version and question exists is
    checked on import, against the versions the service holds (services.py)."""
    if "derived_from" not in q:
        return None
    links: list[LinkSpec] = []
    for i, entry in enumerate(_list(q["derived_from"])):
        if not isinstance(entry, dict):
            continue
        version, question, relation = (entry.get(k) for k in ("version", "question", "relation"))
        if not (
            isinstance(version, str)
            and VERSION_RE.match(version)
            and isinstance(question, str)
            and relation in RELATIONS
        ):
            continue  # the schema has said why
        if (version, question) in {(link.version, link.question) for link in links}:
            c.add((*path, i), f"question {question!r} of version {version} is listed twice")
            continue
        links.append(LinkSpec(version=version, question=question, relation=relation))
    relations = {link.relation for link in links}
    if len(relations) > 1:
        c.add(
            path,
            "every entry must have the same relation (" + ", ".join(sorted(relations)) + " found)",
        )
    elif relations == {"merged-from"} and len(links) < 2:
        c.add(path, "a question merged from others names at least two ancestors")
    elif relations and relations != {"merged-from"} and len(links) > 1:
        (relation,) = relations
        c.add(path, f"a question that is {relation!r} has exactly one ancestor; found {len(links)}")
    return tuple(links)


# ---------------------------------------------------------------------------------------------
# Problems as an editor reads them (the publish page names dimensions and questions)


_FIELD_WORDS = {
    "name": "name",
    "slug": "slug",
    "text": "text",
    "help": "help text",
    "weight": "weight",
    "label": "label",
    "value": "value",
    "description": "description",
    "layer": "layer",
    "layer_axis": "layer axis",
    "scoring": "scoring rule",
    "licence": "licence",
    "publisher": "publisher",
    "publication_date": "publication date",
}


def editor_message(problem: Problem, document: dict) -> str:
    """A problem with its place said by name: 'Question “data-quality” in “Data”: no
    descriptor for level 4.' `document` is the one the problem was found in."""
    path, node, subject, dimension = problem.path, document, [], ""
    for i, part in enumerate(path):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
        container = path[i - 1] if i else None
        if isinstance(part, int) and isinstance(node, dict):
            name = node.get("name")
            named = (name.strip() if isinstance(name, str) else "") or node.get("slug") or part + 1
            if container == "dimensions":
                dimension = f"“{named}”"
                subject = [f"Dimension {dimension}"]
            elif container == "questions":
                subject = [f"Question “{node.get('slug') or part + 1}” in {dimension}"]
            elif container == "facets":
                subject = [f"Facet “{named}”"]
            elif container == "values":
                subject.append(f"value “{node.get('slug') or part + 1}”")
            elif path[i - 2 : i] == ("scale", "levels"):
                subject = [f"Scale level {node.get('value', part + 1)}"]
        elif isinstance(part, str) and part in _FIELD_WORDS and i == len(path) - 1:
            subject.append(_FIELD_WORDS[part])
        if not isinstance(node, dict | list):
            break
    words = ", ".join(subject)
    sentence = f"{words}: {problem.message}" if words else problem.message
    return sentence[0].upper() + sentence[1:].rstrip(".") + "."
