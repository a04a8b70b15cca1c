"""Tiny real files of every kind an evidence upload may be, and of kinds it must refuse,
made here byte by byte or by an independent writer (Pillow, openpyxl), never by the code
under test."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile


def pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (n, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (4, xref))
    return out.getvalue()


def image(fmt: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (0, 112, 60)).save(buffer, format=fmt)
    return buffer.getvalue()


def png() -> bytes:
    return image("PNG")


def jpeg() -> bytes:
    return image("JPEG")


def _zip(entries: dict[str, bytes | str], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:  # ODF: `mimetype` first and uncompressed
            archive.writestr(stored_first, entries[stored_first], zipfile.ZIP_STORED)
        for name, data in entries.items():
            if name != stored_first:
                archive.writestr(name, data)
    return buffer.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def _content_types(main: str, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>'
    )


def docx(*, macros: bool = False) -> bytes:
    main = (
        "application/vnd.ms-word.document.macroEnabled.main+xml"
        if macros
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    )
    entries = {
        "[Content_Types].xml": _content_types(main),
        "_rels/.rels": RELS,
        "word/document.xml": f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>Board minutes'
        "</w:t></w:r></w:p></w:body></w:document>",
    }
    if macros:
        entries["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macro"
    return _zip(entries)


def xlsx(*, vba_part: bool = False) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "Service standard"
    buffer = io.BytesIO()
    workbook.save(buffer)
    if not vba_part:
        return buffer.getvalue()
    # An .xlsm in all but its declared main type: only the vbaProject part gives it away.
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    entries["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macro"
    return _zip(entries)


def odt(*, macros: bool = False) -> bytes:
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
        'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
        'vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml"'
        ' manifest:media-type="text/xml"/>'
        + (
            '<manifest:file-entry manifest:full-path="Basic/Standard/Module1.xml" '
            'manifest:media-type="text/xml"/>'
            if macros
            else ""
        )
        + "</manifest:manifest>"
    )
    entries = {
        "mimetype": "application/vnd.oasis.opendocument.text",
        "content.xml": '<office:document-content xmlns:office="urn:oasis:names:tc:'
        'opendocument:xmlns:office:1.0"><office:body><office:text/></office:body>'
        "</office:document-content>",
        "META-INF/manifest.xml": manifest,
    }
    if macros:
        entries["Basic/Standard/Module1.xml"] = "<script:module/>"
    return _zip(entries, stored_first="mimetype")


def legacy_doc() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100 + b"This program cannot be run"


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)
