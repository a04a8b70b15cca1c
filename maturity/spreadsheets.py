"""Cells that leave the service in CSV or XLSX, made safe to open in a spreadsheet.

A cell starting with = + - or @ is read as a formula (CSV injection: `=HYPERLINK(...)` in
someone's evidence would run when a colleague opens the export). Some spreadsheets skip a
leading tab or carriage return and then read a formula, so those count too. Every export and
download writes its cells through `safe_cell`.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value, with a leading apostrophe if a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
