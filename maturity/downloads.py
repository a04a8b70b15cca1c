"""Names of downloaded files and of the entries inside zips, all built by one safe rule.

Organisation codes, names and round labels are typed by people. In a Content-Disposition header a
quote or semicolon breaks the header; in a zip entry, '../' writes outside the folder the zip is
unpacked into (zip slip). So every part of every name is reduced to ASCII letters, digits, dots,
underscores and hyphens here, whatever the validation upstream let through.
"""

import re
import unicodedata

from django.utils.http import content_disposition_header

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DOTS = re.compile(r"\.{2,}")


def _part(value) -> str:
    """Accents folded (ŵ to w), anything else unsafe to one hyphen, no '..', no leading dot."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return _DOTS.sub(".", _UNSAFE.sub("-", text)).strip(".-_")


def file_name(*parts, extension: str = "") -> str:
    """The parts joined by hyphens, each made safe: a file name, or one folder of a zip path.

    `file_name("E07000223", "core", "2026-27", extension="pdf")` is "E07000223-core-2026-27.pdf".
    """
    stem = "-".join(part for part in map(_part, parts) if part) or "download"
    return f"{stem}.{_part(extension)}" if extension else stem


def attachment(response, *parts, extension: str):
    """Mark the response as a download named from `parts`; returns the response."""
    response["Content-Disposition"] = content_disposition_header(
        True, file_name(*parts, extension=extension)
    )
    return response
