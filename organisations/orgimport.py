"""Organisation lists as CSV: parse and validate, then create or update in one transaction.

`parse_organisations` is pure: bytes in, validated rows (or every problem found, each with its
line and column) out. It learns about organisations already in the service only through the
`existing` mapping it is given, so it is tested without a database. `organisations_import`
writes the rows, matched by code, and audits each organisation it creates or changes.
"""

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction

from maturity.audit.services import audit_record
from organisations.models import CLASSIFYING_FIELDS, CODE_MAX, Organisation, validate_code
from organisations.signals import organisations_reclassified

MAX_BYTES = 5 * 1024 * 1024
COLUMNS = ("name", "kind", "region", "code", "size_band", "parent_code")
NAME_MAX = 200
# The fields a row sets directly; the parent is set in a second pass, once every row exists.
FIELDS = ("name", "kind", "region", "size_band")


@dataclass(frozen=True)
class Problem:
    message: str
    line: int | None = None
    column: str = ""

    @property
    def place(self) -> str:
        if self.line is None:
            return self.column
        return f"line {self.line}, {self.column}" if self.column else f"line {self.line}"

    def __str__(self):
        return f"{self.place}: {self.message}" if self.place else self.message


class OrganisationFileError(Exception):
    """An organisation list that cannot be imported, with every problem found in it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]


@dataclass(frozen=True)
class OrganisationRow:
    """One organisation as a file describes it. kind, region and size_band hold choice values."""

    line: int
    name: str
    kind: str
    region: str
    code: str
    size_band: str
    parent_code: str = ""


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


# ---------------------------------------------------------------------------------------------
# Reading and validating (pure)


def _fold(text: str) -> str:
    """Compare labels loosely: case, spacing, underscores and curly apostrophes don't matter."""
    return " ".join(text.replace("\u2019", "'").replace("_", " ").split()).casefold()


def _choices(choices: Iterable[tuple[str, str]]) -> tuple[dict[str, str], str]:
    table = {}
    for value, label in choices:
        table[_fold(value)] = value
        table[_fold(label)] = value
    return table, ", ".join(value for value, _ in choices)


CHOICES = {
    "kind": (*_choices(Organisation.Kind.choices), "a kind of organisation"),
    "region": (*_choices(Organisation.Region.choices), "a region"),
    "size_band": (*_choices(Organisation.SizeBand.choices), "a size band"),
}


def too_large_problem(size: int, max_bytes: int = MAX_BYTES) -> Problem:
    shown = math.ceil(size / 1024 / 1024 * 10) / 10  # rounded up: never "5.0 MB" over 5 MB
    return Problem(
        f"The file is {shown:.1f} MB; the largest allowed is {max_bytes / 1024 / 1024:.0f} MB"
    )


def _decode(data: bytes, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise OrganisationFileError([too_large_problem(len(data), max_bytes)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise OrganisationFileError(
            [
                Problem(
                    f"The file is not UTF-8 text (byte 0x{data[exc.start]:02x} at position "
                    f"{exc.start}, on line {line}); save it as UTF-8 (in Excel: "
                    f"'CSV UTF-8') and try again"
                )
            ]
        ) from None
    if not text.strip():
        raise OrganisationFileError([Problem("The file is empty")])
    return text


def _read_csv(text: str) -> tuple[list[OrganisationRow], list[Problem]]:
    """CSV text to raw rows (values only stripped), with the problems of shape found."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    last = 0
    try:
        for cells in reader:
            start, last = last + 1, reader.line_num  # a quoted value may span lines
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
    except csv.Error as exc:
        problems.append(Problem(f"cannot be read as CSV ({exc})", line=last + 1))
    if not records:
        raise OrganisationFileError(problems or [Problem("The file is empty")])

    (_, header), body = records[0], records[1:]
    allowed = f"the columns are: {', '.join(COLUMNS)}"
    index: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = raw.strip()
        if not name:
            problems.append(Problem(f"column {i + 1} has no name ({allowed})", column="header"))
        elif name not in COLUMNS:
            problems.append(Problem(f"unknown column {name!r} ({allowed})", column="header"))
        elif name in index:
            problems.append(
                Problem(
                    f"column {name!r} appears twice (columns {index[name] + 1} and {i + 1})",
                    column="header",
                )
            )
        else:
            index[name] = i
    for name in COLUMNS:
        if name not in index:
            problems.append(Problem(f"missing column {name!r}", column="header"))
    if problems:
        # Without a sound header no value can be put in its column, so stop here.
        raise OrganisationFileError(problems)
    if not body:
        raise OrganisationFileError([Problem("The file has a header row but no organisations")])

    rows = []
    for line, cells in body:
        if len(cells) != len(header):
            problems.append(
                Problem(
                    f"has {len(cells)} values but the header has {len(header)} columns",
                    line=line,
                )
            )
            continue
        rows.append(OrganisationRow(line=line, **{c: cells[i].strip() for c, i in index.items()}))
    return rows, problems


def _code_problem(code: str) -> str:
    """What is wrong with a code (the model's own rule), or "" if nothing."""
    if not code:
        return "missing"
    if len(code) > CODE_MAX:
        return f"{code!r} is {len(code)} characters long; the most allowed is {CODE_MAX}"
    try:
        validate_code(code)
    except ValidationError as exc:
        return exc.messages[0]
    return ""


def _valid_code(code: str) -> bool:
    return not _code_problem(code)


def _check_row(row: OrganisationRow) -> tuple[OrganisationRow, list[Problem]]:
    """One row's own values: present, the right length and form, choices known."""
    problems = []

    def add(column, message):
        problems.append(Problem(message, line=row.line, column=column))

    if not row.name:
        add("name", "missing")
    elif len(row.name) > NAME_MAX:
        add("name", f"is {len(row.name)} characters long; the most allowed is {NAME_MAX}")
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in row.name):
        add(
            "name",
            "must be one line of plain text, without tabs, line breaks or control characters",
        )

    normalised = {}
    for column, (table, listed, what) in CHOICES.items():
        value = getattr(row, column)
        if not value:
            add(column, "missing")
        elif _fold(value) not in table:
            add(column, f"{value!r} is not {what} (use one of: {listed})")
        else:
            normalised[column] = table[_fold(value)]

    if problem := _code_problem(row.code):
        add("code", problem)
    return replace(row, **normalised), problems


def _check_links(rows: Sequence[OrganisationRow], existing: Mapping[str, str]) -> list[Problem]:
    """Across rows: codes used once, parents that exist, and no organisation its own ancestor."""
    problems = []
    first_line: dict[str, int] = {}
    links: list[OrganisationRow] = []
    for row in rows:
        if not _valid_code(row.code):
            continue  # reported by _check_row
        if row.code in first_line:
            problems.append(
                Problem(
                    f"{row.code!r} appears twice (also on line {first_line[row.code]})",
                    line=row.line,
                    column="code",
                )
            )
        else:
            first_line[row.code] = row.line
            links.append(row)

    for row in rows:
        if not _valid_code(row.code) or not row.parent_code:
            continue
        if row.parent_code == row.code:
            problems.append(
                Problem(
                    f"{row.code!r} cannot be its own parent",
                    line=row.line,
                    column="parent_code",
                )
            )
        elif row.parent_code not in first_line and row.parent_code not in existing:
            problems.append(
                Problem(
                    f"no organisation with code {row.parent_code!r} in the file or the service",
                    line=row.line,
                    column="parent_code",
                )
            )

    parent_of = dict(existing) | {row.code: row.parent_code for row in links}
    # Walk up from each row; a walk that comes back to a code on its own path is a loop.
    settled: set[str] = set()
    for row in links:
        path: list[str] = []
        on_path: dict[str, int] = {}
        code = row.code
        while code and code not in settled and code not in on_path:
            on_path[code] = len(path)
            path.append(code)
            code = parent_of.get(code, "")
        if code in on_path:
            loop = path[on_path[code] :]
            in_file = sorted(first_line[c] for c in loop if c in first_line)
            if len(loop) > 1 and in_file:
                chain = ", which has parent ".join(repr(c) for c in [*loop, loop[0]])
                lines = " and ".join(
                    filter(None, [", ".join(str(n) for n in in_file[:-1]), str(in_file[-1])])
                )
                problems.append(
                    Problem(
                        f"the parents go round in a loop: {chain} (see line"
                        f"{'s' if len(in_file) > 1 else ''} {lines})",
                        line=in_file[0],
                        column="parent_code",
                    )
                )
        settled.update(path)
    return problems


def _ordered(problems: list[Problem]) -> list[Problem]:
    columns = {"header": -1, **{c: i for i, c in enumerate(COLUMNS)}}
    return sorted(problems, key=lambda p: (p.line or 0, columns.get(p.column, -2)))


def validate_rows(
    rows: Sequence[OrganisationRow], *, existing: Mapping[str, str]
) -> list[OrganisationRow]:
    """Check rows against each other and the service, or raise with every problem.

    `existing` maps the code of every organisation already in the service to its parent's
    code ("" for none). Labels for kind, region and size band come back as choice values.
    """
    checked, problems = [], []
    for row in rows:
        row, found = _check_row(row)
        checked.append(row)
        problems.extend(found)
    problems.extend(_check_links(checked, existing))
    if problems:
        raise OrganisationFileError(_ordered(problems))
    return checked


def parse_organisations(
    data: bytes, *, existing: Mapping[str, str] | None = None, max_bytes: int = MAX_BYTES
) -> list[OrganisationRow]:
    """Bytes of a CSV organisation list to validated rows, or OrganisationFileError."""
    rows, problems = _read_csv(_decode(data, max_bytes))
    try:
        validated = validate_rows(rows, existing=existing or {})
    except OrganisationFileError as exc:
        problems.extend(exc.problems)
    if problems:
        raise OrganisationFileError(_ordered(problems))
    return validated


# ---------------------------------------------------------------------------------------------
# Writing


def organisation_parents() -> dict[str, str]:
    """Every organisation's code with its parent's code ("" for none): `existing` for a file."""
    return {
        code: parent or ""
        for code, parent in Organisation.objects.values_list("code", "parent__code")
    }


@transaction.atomic
def organisations_import(*, rows: Sequence[OrganisationRow], user=None) -> ImportResult:
    """Create the organisations whose codes are new and update the others to match the rows.

    Rows are checked again here against the service as it is now, so a file parsed earlier
    cannot make a loop or point at a parent that has gone. Rows that match are not written.
    """
    codes = [row.code for row in rows]
    found = {o.code: o for o in Organisation.objects.select_for_update().filter(code__in=codes)}
    parents = organisation_parents()
    rows = validate_rows(rows, existing=parents)

    created: list[Organisation] = []
    updated: list[Organisation] = []
    changes: dict[str, dict[str, list]] = {}
    for row in rows:
        org = found.get(row.code)
        if org is None:
            org = Organisation(code=row.code, **{f: getattr(row, f) for f in FIELDS})
            created.append(org)
            diff = {"code": [None, row.code]} | {f: [None, getattr(row, f)] for f in FIELDS}
            if row.parent_code:
                diff["parent"] = [None, row.parent_code]
        else:
            diff = {
                f: [getattr(org, f), getattr(row, f)]
                for f in FIELDS
                if getattr(org, f) != getattr(row, f)
            }
            if parents.get(row.code, "") != row.parent_code:
                diff["parent"] = [parents.get(row.code) or None, row.parent_code or None]
            if not diff:
                continue
            for f in FIELDS:
                setattr(org, f, getattr(row, f))
            updated.append(org)
        changes[row.code] = diff

    if created:
        Organisation.objects.bulk_create(created, batch_size=500)
    if created or updated:
        wanted = {row.code: row.parent_code for row in rows if row.code in changes}
        pk_of = dict(
            Organisation.objects.filter(
                code__in=[*wanted, *(p for p in wanted.values() if p)]
            ).values_list("code", "pk")
        )
        for org in created:
            org.pk = org.pk or pk_of[org.code]
        for org in [*created, *updated]:
            org.parent_id = pk_of[wanted[org.code]] if wanted[org.code] else None
        with_parent = [org for org in created if org.parent_id]
        if with_parent:
            Organisation.objects.bulk_update(with_parent, ["parent"], batch_size=500)
        if updated:
            Organisation.objects.bulk_update(updated, [*FIELDS, "parent"], batch_size=500)
            moved = [o.pk for o in updated if set(changes[o.code]) & set(CLASSIFYING_FIELDS)]
            if moved:
                organisations_reclassified.send(sender=Organisation, organisation_ids=moved)
        new = {org.code for org in created}
        by_code = {org.code: org for org in [*created, *updated]}
        for code, diff in changes.items():  # in file order
            audit_record(
                actor=user,
                action="organisation.create" if code in new else "organisation.update",
                obj=by_code[code],
                changes=diff,
                organisation_id=by_code[code].pk,
            )
    return ImportResult(
        created=len(created),
        updated=len(updated),
        unchanged=len(rows) - len(created) - len(updated),
    )
