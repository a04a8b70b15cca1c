"""Reading Word documents back from their XML, unzipped and parsed with the standard library:
a reader independent of python-docx, which writes them."""

import io
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
DC = "{http://purl.org/dc/elements/1.1/}"


@dataclass
class Table:
    rows: list[list[str]]
    # Rows marked to repeat at the top of each page (w:tblHeader), by index.
    repeated: list[int]


@dataclass
class Docx:
    document: ElementTree.Element
    core: ElementTree.Element
    styles: ElementTree.Element
    parts: dict[str, bytes]

    @property
    def paragraphs(self) -> list[tuple[str, str]]:
        """(style id, text) of each paragraph of the body, tables' paragraphs left out."""
        body = self.document.find(f"{W}body")
        return [(_style(p), _text(p)) for p in body.findall(f"{W}p")]

    @property
    def headings(self) -> list[tuple[str, str]]:
        return [(s, t) for s, t in self.paragraphs if s == "Title" or s.startswith("Heading")]

    @property
    def tables(self) -> list[Table]:
        found = []
        for table in self.document.iter(f"{W}tbl"):
            rows, repeated = [], []
            for n, row in enumerate(table.findall(f"{W}tr")):
                marker = row.find(f"{W}trPr/{W}tblHeader")
                if marker is not None and marker.get(f"{W}val", "true") in ("true", "1", "on"):
                    repeated.append(n)
                rows.append([_text(cell) for cell in row.findall(f"{W}tc")])
            found.append(Table(rows, repeated))
        return found

    @property
    def images(self) -> list[dict]:
        """The properties (`wp:docPr`: name, descr, title) of each picture in the body."""
        return [dict(p.attrib) for p in self.document.iter(f"{WP}docPr")]

    @property
    def text(self) -> str:
        """All the body's text, paragraph by paragraph (tables' cells included)."""
        return "\n".join(_text(p) for p in self.document.iter(f"{W}p"))

    def core_property(self, tag: str) -> str:
        element = next((e for e in self.core if e.tag.endswith("}" + tag)), None)
        return "" if element is None else (element.text or "")


def _style(paragraph) -> str:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return "" if style is None else style.get(f"{W}val")


def _text(element) -> str:
    """The text as a reader sees it: a line break (w:br) as a new line."""
    parts = {f"{W}t": None, f"{W}br": "\n", f"{W}tab": "\t"}
    return "".join(
        (e.text or "") if parts[e.tag] is None else parts[e.tag]
        for e in element.iter()
        if e.tag in parts
    )


def read_docx(content: bytes) -> Docx:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    return Docx(
        document=ElementTree.fromstring(parts["word/document.xml"]),
        core=ElementTree.fromstring(parts["docProps/core.xml"]),
        styles=ElementTree.fromstring(parts["word/styles.xml"]),
        parts=parts,
    )


def docx_text(content: bytes) -> str:
    return read_docx(content).text
