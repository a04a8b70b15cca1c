"""Cells that leave the service in CSV or XLSX, made safe to open in a spreadsheet.

A cell starting with = + - or @ is read as a formula (CSV injection: `=HYPERLINK(...)` in
someone's evidence would run when a colleague opens the export). Some spreadsheets skip a
leading tab or carriage return and then read a formula, so those count too. Every export and
download writes its cells through `safe_cell`; XLSX sheets through `write_sheet`, which also
lays them out as a person would.
"""

import datetime

from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value, with a leading apostrophe if a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# Columns grow with their content up to this many characters, then wrap.
WIDEST = 60


def spreadsheet_value(value):
    """A cell as a spreadsheet should hold it: formula-safe text, and dates and times as real
    dates (in the service's time zone, to the second: spreadsheets hold no time zones)."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.replace(microsecond=0)
    return safe_cell(value)


def write_sheet(sheet, rows: list[list], *, header: bool = True) -> None:
    """Rows into an openpyxl sheet set up as a person would: with `header`, a bold, frozen and
    filtered first row; otherwise (a sheet of label and value pairs) bold labels. Columns as
    wide as their content, up to WIDEST characters, longer text wrapped; dates shown as dates."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in rows:
        sheet.append([spreadsheet_value(v) for v in row])
        for i, value in enumerate(row, start=1):
            if isinstance(value, datetime.datetime):
                length = 17
            else:
                length = max((len(line) for line in str(value or "").splitlines()), default=0)
            widths[i] = max(widths.get(i, 0), length)
    for i, width in widths.items():
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width, 6), WIDEST) + 2
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2 if header else 1):
        for cell in row:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "d mmm yyyy hh:mm"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "d mmm yyyy"
            elif isinstance(cell.value, str) and len(cell.value) > WIDEST:
                cell.alignment = wrap
    bold = Font(bold=True)
    if header and rows:
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    elif rows:
        for cell in sheet["A"]:
            cell.font = bold
