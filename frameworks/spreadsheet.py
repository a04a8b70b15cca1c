"""Frameworks as spreadsheets: a version written to XLSX, and a version read back from one.

Framework authors work in spreadsheets. The workbook holds the same document as a
`maturity-framework/1` file, laid out as tables: the framework's details (one field a row), the
scale, the facets and their values, the dimensions, and one row per question. Reading builds that
document and runs the file format's own validator, so a sheet meets exactly the rules a YAML or
JSON file meets; each problem's place (`dimensions[0].questions[2].levels`) is then named as the
sheet, row and column it came from.

The details sheet, and every table's columns beyond the ones the layout needs, come from the
document's own fields, so a field added to the format reaches the spreadsheet without a change
here. Cells a spreadsheet would read as a formula are written with a leading apostrophe, as every
export is (maturity.spreadsheets), and read back without it. A formula in an uploaded workbook is
refused: its value is whatever the author's spreadsheet last worked out, not what they typed.
"""

import datetime
import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from frameworks.fileformat import (
    LENS_IMBALANCE,
    FrameworkFileError,
    FrameworkSpec,
    Problem,
    parse_framework,
    validate_document,
)
from maturity.spreadsheets import FORMULA_STARTS, safe_cell

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

INSTRUCTIONS = "Instructions"
FRAMEWORK = "Framework"
SCALE = "Scale"
FACETS = "Facets"
FACET_VALUES = "Facet values"
DIMENSIONS = "Dimensions"
QUESTIONS = "Questions"
REQUIRED_SHEETS = (FRAMEWORK, SCALE, DIMENSIONS, QUESTIONS)

# A framework of 200 questions fills about 200 rows and 30 columns: room to spare.
MAX_ROWS = 2000
MAX_COLUMNS = 60
# An XLSX file is a zip: cap what it unpacks to, not only what was uploaded.
UNPACKED_PER_BYTE = 10

# Columns every table has, in this order, even where the document leaves the field out (an
# author fills in help for the first time in the Help column).
BASE_KEYS = {
    SCALE: ("value", "label", "description"),
    FACETS: ("slug", "name", "description"),
    FACET_VALUES: ("facet", "slug", "name", "weight"),
    DIMENSIONS: ("slug", "name", "description", "weight"),
    QUESTIONS: ("dimension", "slug", "text", "help", "weight"),
}
TEXT_KEYS = {"slug", "name", "label", "text", "description", "help", "facet", "dimension"}
NUMBER_KEYS = {"value", "weight"}
LIST_MARK = " (list)"
RELATION_WORDS = {
    "same": "same as",
    "reworded": "reworded from",
    "split-from": "split from",
    "merged-from": "merged from",
}
_LINK_RE = re.compile(
    r"(same(?:\s+as)?|reworded(?:\s+from)?|split[\s-]+from|merged[\s-]+from)\s+(\S+)\s+in\s+"
    r"(?:version\s+)?(\S+)",
    re.IGNORECASE,
)
_LINK_EXAMPLE = "reworded from data-ownership in 1.0.0"
# A level's heading carries its label, which may hold any character.
_LEVEL_HEADING = re.compile(r"level\s+(-?\d+)\b.*", re.IGNORECASE | re.DOTALL)
_RECOMMENDATION_HEADING = re.compile(r"recommendation\D*?(-?\d+)\b.*", re.IGNORECASE)
_TAG_HEADING = re.compile(r"tag\s*:\s*(.*)", re.IGNORECASE)
_PLACE_IN_MESSAGE = re.compile(
    r"\b(?:framework\.)?(?:dimensions|facets|scale\.levels)\[\d+\](?:\.[a-z_]+(?:\[\d+\])?)*"
)


def _heading(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _key(heading: str) -> str:
    return "_".join(heading.lower().split())


def _escaped(value: Any) -> Any:
    """safe_cell, made reversible: text that already starts with apostrophes before a formula
    character gains one more, so reading back strips exactly one from every such cell."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value.lstrip("'").startswith(FORMULA_STARTS)
    ):
        return "'" + value
    return safe_cell(value)


def _unescaped(text: str) -> str:
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


# ---------------------------------------------------------------------------------------------
# Writing


INSTRUCTIONS_TEXT = [
    ("How to edit this framework in a spreadsheet", "title"),
    (
        "This workbook holds one version of a framework. Change it here, save it as an Excel "
        "workbook (.xlsx), and upload it on the service's 'Upload a framework file' page: it "
        "becomes a new version. The whole workbook is checked first; if anything is wrong you "
        "are told the sheet, row and column, and nothing is saved.",
        "",
    ),
    ("The sheets", "heading"),
    (
        "Framework: the framework's details, one field a row. Give the new version a higher "
        "version number than any version so far, like 1.1.0. A field marked (list) takes one "
        "item a row: add a row with the same field name for another item.",
        "",
    ),
    ("Scale: the levels every question is answered on, lowest first (2 to 10 levels).", ""),
    (
        "Facets and Facet values (optional): second ways of grouping questions, such as layer "
        "(data, systems, technology), and the values each one has.",
        "",
    ),
    ("Dimensions: the areas the framework covers, in the order they are shown.", ""),
    (
        "Questions: one row a question, in the order they are asked. 'Dimension' is the slug "
        "of a dimension on the Dimensions sheet. Each 'Level' column describes what the "
        "question looks like at that level (every level needs one); each 'Recommendation' "
        "column says how to move up from that level (optional). 'Tag' columns take a value "
        "from the Facet values sheet.",
        "",
    ),
    ("Rules", "heading"),
    (
        "Slugs are short names for web addresses: lower-case letters, digits and single "
        "hyphens, like data-quality. Each dimension and question needs its own.",
        "",
    ),
    ("Weights are numbers greater than 0; leave a weight empty for 1.", ""),
    (
        "Type text and numbers, not formulas: a workbook with a formula in it is refused. A "
        "cell that starts with = + - or @ is shown with an apostrophe in front so that it stays "
        "text; the apostrophe is removed when the workbook is uploaded.",
        "",
    ),
    ("Do not rename the sheets or the column headings.", ""),
    ("Derived from: how each question relates to an earlier version", "heading"),
    (
        "Leave it empty if you do not know yet. Write 'new' for a question with no ancestor. "
        "Otherwise write one line for each ancestor, in one of these forms:",
        "",
    ),
    ("same as data-ownership in 1.0.0", "example"),
    ("reworded from data-ownership in 1.0.0", "example"),
    ("split from data-ownership in 1.0.0", "example"),
    ("merged from data-ownership in 1.0.0 (one line for each question merged)", "example"),
    (
        "The version named must be an earlier version of this framework that the service holds, "
        "and the question one of its slugs.",
        "",
    ),
    ("Flags and dropped questions (on the Framework sheet)", "heading"),
    (
        "Flags (list): a warning the framework means, one a row. 'lens-imbalance' warns when "
        "one dimension is two or more levels ahead of another (after a colon, name the "
        "dimensions that are lenses if not all are). 'technology-ahead-of-data' "
        "names the questions on starting new systems, automation or AI, and warns when they "
        "run a level or more ahead of the data layer:",
        "",
    ),
    ("technology-ahead-of-data: ai-adoption, new-systems", "example"),
    (
        "Dropped (list): a question of an earlier version that this one no longer asks, and "
        "why, one a row:",
        "",
    ),
    ("channel-insight in 1.0.0: now part of the question on measuring services", "example"),
]


def _flatten(path: tuple[str, ...], value: Any):
    """(field label, value) rows for one top-level field: mappings spread over dotted labels,
    lists one item a row."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten((*path, key), inner)
        return
    label = ": ".join([_heading(path[0]), *(part.replace("_", " ") for part in path[1:])])
    if isinstance(value, list):
        for item in value or [None]:
            yield label + LIST_MARK, item
    else:
        yield label, value


def _columns(base: tuple[str, ...], items: list[dict], skip: set[str]) -> list[str]:
    keys = list(base)
    for item in items:
        keys += [k for k in item if k not in keys and k not in skip]
    return keys


def _storable(value: Any) -> Any:
    """The value as a cell can hold it."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, dict | list):  # a nested field in a table: readable, at least
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        # Control characters cannot be stored in XLSX at all; the validator lets them through
        # (only NUL is refused), so drop them rather than fail the download.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def framework_xlsx(spec: FrameworkSpec) -> bytes:
    """The version as an XLSX workbook that `parse_workbook` reads back into an equal spec."""
    from openpyxl import Workbook

    document = spec.to_document()
    fw = document["framework"]
    levels = fw["scale"]["levels"]
    top = levels[-1]["value"] if levels else None
    facets = fw.get("facets", [])
    dimensions = fw["dimensions"]

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = _storable(f"{spec.name} {spec.version}")
    _instructions(workbook.create_sheet(INSTRUCTIONS))

    details = [("Format", document["format"])]
    for key, value in fw.items():
        if key in _ITEM_TEXT:
            details += [(_heading(key) + LIST_MARK, _ITEM_TEXT[key](item)) for item in value]
        elif key not in ("scale", "facets", "dimensions"):
            details += _flatten((key,), value)
    _table(workbook, FRAMEWORK, ["Field", "Value"], [list(row) for row in details], [28, 90])
    values = [{"facet": f["slug"], **v} for f in facets for v in f["values"]]
    for title, items, skip in (
        (SCALE, levels, set()),
        (FACETS, facets, {"values"}),
        (FACET_VALUES, values, set()),
        (DIMENSIONS, dimensions, {"questions"}),
    ):
        keys = _columns(BASE_KEYS[title], items, skip)
        rows = [[item.get(k) for k in keys] for item in items]
        _table(workbook, title, [_heading(k) for k in keys], rows)

    questions = [{"dimension": d["slug"], **q} for d in dimensions for q in d["questions"]]
    special = {"tags", "levels", "recommendations", "derived_from"}
    keys = _columns(BASE_KEYS[QUESTIONS], questions, special)
    headings = [_heading(k) for k in keys]
    headings += [f"Tag: {f['slug']}" for f in facets]
    headings += [f"Level {lv['value']}: {lv['label']}" for lv in levels]
    rec_levels = [lv for lv in levels if lv["value"] != top]
    headings += [f"Recommendation from level {lv['value']}" for lv in rec_levels]
    headings.append("Derived from")
    rows = []
    for q in questions:
        rows.append(
            [q.get(k) for k in keys]
            + [q.get("tags", {}).get(f["slug"]) for f in facets]
            + [q["levels"].get(lv["value"]) for lv in levels]
            + [q.get("recommendations", {}).get(lv["value"]) for lv in rec_levels]
            + [_derived_from_text(q.get("derived_from"))]
        )
    _table(workbook, QUESTIONS, headings, rows, freeze="C2")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _flag_text(flag: dict) -> str:
    named = flag.get("questions") or flag.get("dimensions")
    return f"{flag['code']}: {', '.join(named)}" if named else flag["code"]


def _dropped_text(dropped: dict) -> str:
    return f"{dropped['question']} in {dropped['version']}: {dropped['reason']}"


# Framework fields whose items are mappings, written one item a row as a line of text.
_ITEM_TEXT = {"flags": _flag_text, "dropped": _dropped_text}
_DROPPED_RE = re.compile(r"(\S+)\s+in\s+(?:version\s+)?(\S+?)\s*:\s*(.+)", re.DOTALL)


def _flag_item(text: str, cell: "Cell", problems: list[Problem]) -> dict | None:
    code, _, named = text.partition(":")
    item: dict[str, Any] = {"code": code.strip()}
    if named.strip():
        # Lens imbalance names dimensions; technology ahead of data, questions.
        key = "dimensions" if item["code"] == LENS_IMBALANCE else "questions"
        item[key] = [slug.strip() for slug in named.split(",") if slug.strip()]
    return item


def _dropped_item(text: str, cell: "Cell", problems: list[Problem]) -> dict | None:
    match = _DROPPED_RE.fullmatch(text.strip())
    if match is None:
        problems.append(
            Problem(
                str(cell),
                f"{text!r} does not say which question was dropped and why: write it like "
                "'channel-insight in 1.0.0: the reason it is no longer asked'",
            )
        )
        return None
    question, version, reason = match.groups()
    return {"version": version, "question": question, "reason": reason.strip()}


_ITEM_READ = {"flags": _flag_item, "dropped": _dropped_item}


def _derived_from_text(links: list[dict] | None) -> str | None:
    if links is None:
        return None
    if not links:
        return "new"
    return "\n".join(
        f"{RELATION_WORDS[link['relation']]} {link['question']} in {link['version']}"
        for link in links
    )


def _width(heading: str) -> int:
    key = _key(heading)
    if key in NUMBER_KEYS or key == "layer_axis":
        return 10
    if key in ("slug", "facet", "dimension", "label", "name") or key.startswith("tag:"):
        return 24
    return 50


def _table(workbook, title, headings: list[str], rows: list[list], widths=None, freeze="B2"):
    """One sheet: a bold, frozen heading row, then the rows, wrapped, text kept as text."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE3E8")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wrapped = Alignment(wrap_text=True, vertical="top")
    for values in rows:
        sheet.append([_escaped(_storable(value)) for value in values])
    for column, heading in enumerate(headings, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = widths[column - 1] if widths else _width(heading)
        if _key(heading) not in NUMBER_KEYS:
            # Typed entries stay text, in new rows too: "1.10" is not the number 1.1.
            sheet.column_dimensions[letter].number_format = "@"
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.alignment = wrapped
            if isinstance(cell.value, str):
                cell.number_format = "@"
    sheet.freeze_panes = freeze
    return sheet


def _instructions(sheet):
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions["A"].width = 100
    for text, kind in INSTRUCTIONS_TEXT:
        sheet.append([_escaped(text)])
        cell = sheet.cell(row=sheet.max_row, column=1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if kind == "title":
            cell.font = Font(bold=True, size=16)
        elif kind == "heading":
            cell.font = Font(bold=True, size=13)
        elif kind == "example":
            cell.font = Font(name="Courier New")


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Cell:
    """Where something is in a workbook: a sheet, and perhaps a row and a column."""

    sheet: str
    row: int | None = None
    column: int | None = None
    heading: str = ""

    def __str__(self):
        parts = [f"{self.sheet} sheet"]
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            heading = f" ({self.heading})" if self.heading else ""
            parts.append(f"column {_letter(self.column)}{heading}")
        return ", ".join(parts)


@dataclass
class _Places:
    """Each document place the workbook filled, and the cells it came from."""

    rows: dict[str, tuple[Cell, dict[str, Cell]]] = field(default_factory=dict)

    def add(self, place: str, row: Cell, columns: dict[str, Cell] | None = None) -> None:
        self.rows.setdefault(place, (row, columns or {}))

    def cell(self, place: str, message: str = "") -> Cell:
        place = re.sub(r"^framework(?:\.|$)", "", place)
        probe = place
        while probe not in self.rows:
            if not probe:
                return Cell(_SHEET_OF.get(re.match(r"[a-z_]*", place).group(), FRAMEWORK))
            probe = re.sub(r"(?:^|\.)[^.\[]*$|\[\d+\]$", "", probe)
        row, columns = self.rows[probe]
        rest = place[len(probe) :].lstrip(".")
        key = re.match(r"[^.\[]*", rest).group()
        if key in ("levels", "recommendations"):
            level = re.search(r"level (-?\d+)", message)
            key = f"{key}.{level[1]}" if level else key
        elif key == "tags":
            facet = re.search(r"facet '([^']*)'", message)
            tags = [k for k in columns if k.startswith("tags.")]
            key = f"tags.{facet[1]}" if facet else (tags[0] if len(tags) == 1 else key)
        elif not key:
            named = re.search(r"field '([^']+)'", message)
            key = named[1] if named else key
        return columns.get(key, row)

    def problem(self, problem: Problem) -> Problem:
        message = _PLACE_IN_MESSAGE.sub(lambda m: str(self.cell(m.group())), problem.message)
        return Problem(str(self.cell(problem.place, problem.message)), message)


_SHEET_OF = {"scale": SCALE, "facets": FACETS, "dimensions": DIMENSIONS}


@dataclass
class SheetFramework:
    """A framework read from a workbook: its spec, and where each part of it came from."""

    spec: FrameworkSpec
    places: _Places

    def messages(self, error: FrameworkFileError) -> list[str]:
        """A later check's problems (the import's), named by sheet, row and column."""
        return [str(self.places.problem(p)) for p in error.problems]


@dataclass
class _Table:
    title: str
    headings: dict[int, str]  # column number -> heading
    rows: list[tuple[int, dict[int, Any]]]  # (row number, {column number: value})

    def cell(self, row: int, column: int) -> Cell:
        return Cell(self.title, row, column, self.headings.get(column, ""))


_DAMAGED = (
    "The workbook could not be read: it may be damaged. Open it in your spreadsheet, save it "
    "again as an Excel workbook (.xlsx) and try again"
)


def _refuse(message: str) -> FrameworkFileError:
    return FrameworkFileError([Problem("", message)])


def _open_workbook(data: bytes, max_bytes: int):
    from openpyxl import load_workbook

    if len(data) > max_bytes:
        raise _refuse(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the largest allowed is "
            f"{max_bytes / 1024 / 1024:.0f} MB"
        )
    not_xlsx = (
        "The file is not an Excel workbook (.xlsx). Save it from your spreadsheet as an Excel "
        "workbook (.xlsx) and try again"
    )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            "The file is in the old Excel format (.xls). Save it as an Excel workbook (.xlsx) "
            "and try again"
        )
    if not data.startswith(b"PK"):
        raise _refuse(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > UNPACKED_PER_BYTE * max_bytes:
                raise _refuse(
                    f"The workbook unpacks to {unpacked / 1024 / 1024:.0f} MB, more than a "
                    f"framework needs (at most {UNPACKED_PER_BYTE * max_bytes / 1024 / 1024:.0f} "
                    "MB); remove pictures and unused sheets and try again"
                )
            if "xl/workbook.xml" not in archive.namelist():
                raise _refuse(not_xlsx)
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except FrameworkFileError:
        raise
    except Exception:  # a damaged zip or XML: openpyxl raises many kinds
        logger.info("An uploaded workbook could not be read", exc_info=True)
        raise _refuse(_DAMAGED) from None


def _value(cell, where: Cell, problems: list[Problem]) -> Any:
    if cell.data_type == "f":
        problems.append(
            Problem(
                str(where),
                "holds a formula; type the value itself (copy the cell and paste it back as "
                "values only)",
            )
        )
        return None
    if cell.data_type == "e":
        problems.append(Problem(str(where), f"holds the error {cell.value}"))
        return None
    value = cell.value
    if isinstance(value, str):
        if "\x00" in value:
            problems.append(Problem(str(where), "contains a null character; remove it"))
            return None
        value = _unescaped(value)
        return value if value.strip() else None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def _read_table(sheet, problems: list[Problem]) -> _Table:
    """The sheet's heading row and its rows with values, read as a stream."""
    table = _Table(sheet.title, {}, [])
    # The size every spreadsheet program records; reading stops there too (a file that claims
    # less than it holds has the rest ignored), so the work is bounded whatever the file says.
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        problems.append(
            Problem(
                str(Cell(sheet.title)),
                f"has cells as far as row {rows:,}, column {_letter(columns)}; a framework "
                f"needs at most {MAX_ROWS:,} rows and {MAX_COLUMNS} columns. Delete the rows and "
                "columns beyond the table, even empty ones, and try again",
            )
        )
        return table
    cells_by_row = sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS)
    for number, cells in enumerate(cells_by_row, start=1):
        values = {}
        for column, cell in enumerate(cells, start=1):
            if cell.value is not None:
                value = _value(cell, table.cell(number, column), problems)
                if value is not None:
                    values[column] = value
        if not values:
            continue
        if not table.headings and number > 1:
            problems.append(
                Problem(str(Cell(sheet.title, 1)), "the first row must hold the column headings")
            )
            break
        if number == 1:
            seen: dict[str, int] = {}
            for column, value in values.items():
                heading = _as_text(value).strip()
                if _key(heading) in seen:
                    problems.append(
                        Problem(
                            str(Cell(sheet.title, 1, column)),
                            f"the heading {heading!r} is already used in column "
                            f"{_letter(seen[_key(heading)])}",
                        )
                    )
                seen[_key(heading)] = column
                table.headings[column] = heading
            continue
        for column in sorted(values.keys() - table.headings.keys()):
            problems.append(
                Problem(
                    str(Cell(sheet.title, number, column)),
                    "has a value but its column has no heading; give the column a heading or "
                    "move the value",
                )
            )
        table.rows.append((number, values))
    return table


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _as_text(value: Any) -> str:
    """A cell in a text column: a number typed there is the text the author typed."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value else number
    return value


def _field_value(key: str, value: Any) -> Any:
    if value is None:
        return "" if key in TEXT_KEYS else None
    if key in TEXT_KEYS:
        return _as_text(value) if not isinstance(value, str) else value
    if key in NUMBER_KEYS:
        return _as_number(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def _record(table: _Table, number: int, values: dict[int, Any], keys: dict[int, str]):
    """One row as a mapping of document fields, and the cell each field came from."""
    item, columns = {}, {}
    for column, key in keys.items():
        columns[key] = table.cell(number, column)
        value = _field_value(key, values.get(column))
        if value is not None:
            item[key] = value
    return item, columns


def parse_any(
    data: bytes, *, filename: str, max_bytes: int
) -> tuple[FrameworkSpec, "SheetFramework | None"]:
    """A framework file by its name: a workbook (.xlsx) or YAML/JSON. The workbook, when it is
    one, names later problems (from import) by sheet, row and column: `sheet.messages(error)`."""
    if filename.lower().endswith(".xlsx"):
        sheet = parse_workbook(data, max_bytes=max_bytes)
        return sheet.spec, sheet
    return parse_framework(data, filename=filename, max_bytes=max_bytes), None


def parse_workbook(data: bytes, *, max_bytes: int) -> SheetFramework:
    """Bytes of an XLSX workbook to a validated spec, or FrameworkFileError whose problems are
    named by sheet, row and column."""
    workbook = _open_workbook(data, max_bytes)
    try:
        sheets = {sheet.title.strip().lower(): sheet for sheet in workbook.worksheets}
        missing = [title for title in REQUIRED_SHEETS if title.lower() not in sheets]
        if missing:
            raise _refuse(
                f"The workbook has no {_either(missing)} sheet. It needs the sheets "
                f"{', '.join(REQUIRED_SHEETS[:-1])} and {REQUIRED_SHEETS[-1]}: download a "
                "framework as a spreadsheet to see the layout"
            )
        problems: list[Problem] = []
        tables = {
            title: _read_table(sheets[title.lower()], problems) if title.lower() in sheets else None
            for title in (FRAMEWORK, SCALE, FACETS, FACET_VALUES, DIMENSIONS, QUESTIONS)
        }
    except FrameworkFileError:
        raise
    except Exception:  # damaged XML inside a sound zip shows only as each sheet is read
        logger.info("An uploaded workbook could not be read", exc_info=True)
        raise _refuse(_DAMAGED) from None
    finally:
        workbook.close()
    places = _Places()
    document = _framework_details(tables[FRAMEWORK], places, problems)
    fw = document.setdefault("framework", {})
    fw["scale"] = {"levels": _scale(tables[SCALE], places)}
    facets = _facets(tables[FACETS], tables[FACET_VALUES], places, problems)
    if facets:
        fw["facets"] = facets
    fw["dimensions"] = _dimensions(tables[DIMENSIONS], tables[QUESTIONS], places, problems)
    if problems:
        raise FrameworkFileError(problems)
    try:
        spec = validate_document(document)
    except FrameworkFileError as exc:
        raise FrameworkFileError([places.problem(p) for p in exc.problems]) from None
    return SheetFramework(spec=spec, places=places)


def _either(names: list[str]) -> str:
    return " or ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


def _framework_details(table: _Table, places: _Places, problems: list[Problem]) -> dict:
    document: dict[str, Any] = {}
    fw: dict[str, Any] = {}
    field_column = next((c for c, h in table.headings.items() if _key(h) == "field"), 1)
    value_column = next((c for c, h in table.headings.items() if _key(h) == "value"), 2)
    given: dict[str, int] = {}
    for number, values in table.rows:
        label = values.get(field_column)
        value = values.get(value_column)
        if label is None:
            problems.append(
                Problem(
                    str(table.cell(number, field_column)),
                    "give the name of the field this row sets, or delete the row",
                )
            )
            continue
        label = _as_text(label).strip()
        is_list = label.endswith(LIST_MARK)
        path = [_key(part) for part in label.removesuffix(LIST_MARK).split(":")]
        place = ".".join(path)
        if path == ["format"]:
            target = document
        else:
            target = fw
            for part in path[:-1]:
                target = target.setdefault(part, {})
                if not isinstance(target, dict):
                    break
        cell = Cell(table.title, number, value_column, label)
        if not isinstance(target, dict) or (place in given and not is_list):
            problems.append(
                Problem(
                    str(cell),
                    f"{label} is already given in row {given.get(place, number)}; keep one",
                )
            )
            continue
        given.setdefault(place, number)
        for depth in range(1, len(path) + 1):  # "source" names the first source row
            places.add(".".join(path[:depth]), cell)
        text = "" if value is None else value if isinstance(value, str | bool) else _as_text(value)
        if is_list:
            items = target.setdefault(path[-1], [])
            if value is not None and isinstance(items, list):
                if place in _ITEM_READ:
                    text = _ITEM_READ[place](_as_text(text), cell, problems)
                if text is not None:
                    places.add(f"{place}[{len(items)}]", cell)
                    items.append(text)
        else:
            target[path[-1]] = text
    document["framework"] = fw
    return document


def _keys(table: _Table | None) -> dict[int, str]:
    return {column: _key(heading) for column, heading in (table.headings if table else {}).items()}


def _scale(table: _Table, places: _Places) -> list[dict]:
    keys = _keys(table)
    levels = []
    for number, values in table.rows:
        item, columns = _record(table, number, values, keys)
        places.add(f"scale.levels[{len(levels)}]", Cell(table.title, number), columns)
        levels.append(item)
    return levels


def _facets(
    facets_table: _Table | None,
    values_table: _Table | None,
    places: _Places,
    problems: list[Problem],
) -> list[dict]:
    facets: list[dict] = []
    by_slug: dict[str, dict] = {}
    if facets_table is not None:
        keys = _keys(facets_table)
        for number, values in facets_table.rows:
            item, columns = _record(facets_table, number, values, keys)
            item["values"] = []
            place = f"facets[{len(facets)}]"
            places.add(place, Cell(facets_table.title, number), columns)
            by_slug.setdefault(item.get("slug", ""), item)
            item["_place"] = place
            facets.append(item)
    if values_table is not None:
        keys = _keys(values_table)
        for number, values in values_table.rows:
            item, columns = _record(values_table, number, values, keys)
            slug = item.pop("facet", "")
            facet = by_slug.get(slug) if slug else None
            if facet is None:
                problems.append(
                    Problem(
                        str(columns.get("facet", Cell(values_table.title, number))),
                        f"no facet {slug!r} on the Facets sheet"
                        if slug
                        else "enter the slug of a facet from the Facets sheet",
                    )
                )
                continue
            place = f"{facet['_place']}.values[{len(facet['values'])}]"
            places.add(place, Cell(values_table.title, number), columns)
            facet["values"].append(item)
    for facet in facets:
        del facet["_place"]
    return facets


def _dimensions(
    dimensions_table: _Table,
    questions_table: _Table,
    places: _Places,
    problems: list[Problem],
) -> list[dict]:
    dimensions: list[dict] = []
    by_slug: dict[str, int] = {}
    keys = _keys(dimensions_table)
    for number, values in dimensions_table.rows:
        item, columns = _record(dimensions_table, number, values, keys)
        place = f"dimensions[{len(dimensions)}]"
        places.add(place, Cell(dimensions_table.title, number), columns)
        by_slug.setdefault(item.get("slug", ""), len(dimensions))
        item["questions"] = []
        dimensions.append(item)

    plain, tags, levels, recs, derived = {}, {}, {}, {}, None
    for column, heading in questions_table.headings.items():
        if match := _TAG_HEADING.fullmatch(heading):
            tags[column] = match[1].strip()
        elif match := _LEVEL_HEADING.fullmatch(heading):
            levels[column] = int(match[1])
        elif match := _RECOMMENDATION_HEADING.fullmatch(heading):
            recs[column] = int(match[1])
        elif _key(heading) == "derived_from":
            derived = column
        else:
            plain[column] = _key(heading)

    for number, values in questions_table.rows:
        item, columns = _record(questions_table, number, values, plain)
        slug = item.pop("dimension", "")
        if not slug or slug not in by_slug:
            problems.append(
                Problem(
                    str(columns.get("dimension", Cell(questions_table.title, number))),
                    f"no dimension {slug!r} on the Dimensions sheet"
                    if slug
                    else "enter the slug of a dimension from the Dimensions sheet",
                )
            )
            continue
        item["levels"] = {}
        for target, group in (("tags", tags), ("levels", levels), ("recommendations", recs)):
            for column, key in group.items():
                columns[f"{target}.{key}"] = questions_table.cell(number, column)
                if values.get(column) is not None:
                    item.setdefault(target, {})[key] = _as_text(values[column])
        if derived is not None:
            cell = questions_table.cell(number, derived)
            columns["derived_from"] = cell
            links = _links(values.get(derived), cell, problems)
            if links is not None:
                item["derived_from"] = links
        dimension = dimensions[by_slug[slug]]
        place = f"dimensions[{by_slug[slug]}].questions[{len(dimension['questions'])}]"
        places.add(place, Cell(questions_table.title, number), columns)
        dimension["questions"].append(item)
    return dimensions


def _links(value: Any, cell: Cell, problems: list[Problem]) -> list[dict] | None:
    if value is None:
        return None
    text = _as_text(value).strip()
    if text.lower() == "new":
        return []
    links = []
    for line in filter(None, (part.strip() for part in re.split(r"[\n;]", text))):
        match = _LINK_RE.fullmatch(line)
        if match is None:
            problems.append(
                Problem(
                    str(cell),
                    f"{line!r} is not a crosswalk entry: write one line for each earlier "
                    f"question, like '{_LINK_EXAMPLE}' (or same as, split from, merged from), "
                    "or 'new' for a question with no ancestor",
                )
            )
            continue
        words, question, version = match.groups()
        relation = words.split()[0].lower().split("-")[0]
        links.append(
            {
                "version": version,
                "question": question,
                "relation": relation if relation in ("same", "reworded") else f"{relation}-from",
            }
        )
    return links
