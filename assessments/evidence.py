"""What kind of file an evidence upload is, told from its content: never from its name or the
browser's content type, both of which the uploader chooses.

PDF, PNG and JPEG by their first bytes. The office formats are zips: Office Open XML by the
content types its `[Content_Types].xml` declares, OpenDocument by its `mimetype` entry. Legacy
Office files (an OLE header), macro-enabled documents and anything else are refused, with the
reason in words for the person uploading.
"""

import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class Kind:
    label: str  # what people read: "PDF", "Word document"
    extension: str  # the download's extension
    content_type: str


PDF = Kind("PDF", "pdf", "application/pdf")
PNG = Kind("PNG image", "png", "image/png")
JPEG = Kind("JPEG image", "jpg", "image/jpeg")
DOCX = Kind(
    "Word document",
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = Kind(
    "Excel spreadsheet", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
ODT = Kind("OpenDocument text", "odt", "application/vnd.oasis.opendocument.text")
ODS = Kind("OpenDocument spreadsheet", "ods", "application/vnd.oasis.opendocument.spreadsheet")
ODP = Kind("OpenDocument presentation", "odp", "application/vnd.oasis.opendocument.presentation")
KINDS = {k.extension: k for k in (PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS, ODP)}

ALLOWED = "a PDF, Word (.docx), Excel (.xlsx), OpenDocument, PNG or JPEG file"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
ODF = {ODT.content_type: ODT, ODS.content_type: ODS, ODP.content_type: ODP}
# More entries than any real document has: a zip bomb's table of contents is refused unread.
MAX_ZIP_ENTRIES = 10_000
# Only the small parts that say what a document is are read, and no more of them than this.
MAX_PART_BYTES = 1024 * 1024


class Refused(Exception):
    """Why the file cannot be kept, said to the person who chose it."""


def detect(file: BinaryIO) -> Kind:
    """The kind of `file` (read from the start, left at the start), or Refused."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(OLE):
        raise Refused(
            "is an old-style Office file (.doc, .xls or .ppt). Save it as .docx, .xlsx or PDF "
            "and upload that"
        )
    if head.startswith(ZIP):
        try:
            with zipfile.ZipFile(file) as archive:
                return _zipped(archive)
        except (
            zipfile.BadZipFile,
            KeyError,
            UnicodeDecodeError,
            ValueError,
            EOFError,
            NotImplementedError,  # a compression method the standard library lacks
            RuntimeError,  # encrypted
            zlib.error,
        ):
            raise Refused(f"must be {ALLOWED}") from None
        finally:
            file.seek(0)
    raise Refused(f"must be {ALLOWED}")


def _zipped(archive: zipfile.ZipFile) -> Kind:
    names = archive.namelist()
    if len(names) > MAX_ZIP_ENTRIES:
        raise Refused(f"must be {ALLOWED}")
    if "mimetype" in names:
        kind = ODF.get(_read(archive, "mimetype").decode("ascii").strip())
        if kind is None:
            raise Refused(f"must be {ALLOWED}")
        scripts = any(n.startswith(("Basic/", "Scripts/")) for n in names)
        if scripts or _odf_manifest_has_macros(archive):
            raise Refused("contains macros. Save it without macros and upload it again")
        return kind
    if "[Content_Types].xml" in names:
        types = _read(archive, "[Content_Types].xml").decode("utf-8", "replace")
        if "macroenabled" in types.lower() or any(
            n.lower().endswith("vbaproject.bin") for n in names
        ):
            raise Refused("contains macros. Save it without macros and upload it again")
        for content_type, kind in OOXML_MAIN.items():
            if f'ContentType="{content_type}"' in types:
                return kind
    raise Refused(f"must be {ALLOWED}")


_SCRIPTS = re.compile(r'manifest:full-path="/?(Basic|Scripts)/', re.IGNORECASE)


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as part:
        return part.read(MAX_PART_BYTES)


def _odf_manifest_has_macros(archive: zipfile.ZipFile) -> bool:
    try:
        manifest = _read(archive, "META-INF/manifest.xml").decode("utf-8", "replace")
    except KeyError:
        return False
    return bool(_SCRIPTS.search(manifest)) or "application/vnd.sun.star.basic" in manifest
