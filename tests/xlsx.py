"""Reading XLSX files back from their XML, unzipped and parsed with the standard library: a
reader independent of openpyxl, which writes them."""

import io
import posixpath
import zipfile
from xml.etree import ElementTree

S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _column(reference: str) -> int:
    """ "C7" -> 2."""
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - ord("A") + 1
    return number - 1


def _value(cell, shared: list[str]):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{S}t"))
    raw = cell.findtext(f"{S}v")
    if raw is None:
        return None
    if kind == "s":
        return shared[int(raw)]
    if kind == "b":
        return raw == "1"
    if kind in ("str", "e"):
        return raw
    number = float(raw)
    return int(number) if number.is_integer() and "." not in raw and "E" not in raw else number


def read_xlsx(content: bytes) -> dict[str, list[list]]:
    """Each sheet's rows, by sheet name in the workbook's order; gaps in a row are None.
    Dates come back as the serial numbers the file stores."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    shared = []
    if "xl/sharedStrings.xml" in parts:
        for item in ElementTree.fromstring(parts["xl/sharedStrings.xml"]).findall(f"{S}si"):
            shared.append("".join(t.text or "" for t in item.iter(f"{S}t")))
    # A target is relative to xl/, or absolute from the package's root.
    targets = {
        rel.get("Id"): rel.get("Target")[1:]
        if rel.get("Target").startswith("/")
        else posixpath.normpath(posixpath.join("xl", rel.get("Target")))
        for rel in ElementTree.fromstring(parts["xl/_rels/workbook.xml.rels"]).iter(
            f"{PR}Relationship"
        )
    }
    sheets = {}
    for sheet in ElementTree.fromstring(parts["xl/workbook.xml"]).iter(f"{S}sheet"):
        root = ElementTree.fromstring(parts[targets[sheet.get(f"{R}id")]])
        rows = []
        for row in root.iter(f"{S}row"):
            values: dict[int, object] = {}
            for cell in row.findall(f"{S}c"):
                values[_column(cell.get("r"))] = _value(cell, shared)
            width = max(values, default=-1) + 1
            rows.append([values.get(n) for n in range(width)])
        sheets[sheet.get("name")] = rows
    return sheets
