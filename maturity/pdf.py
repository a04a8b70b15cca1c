"""HTML to PDF through WeasyPrint, loading nothing but this service's own files.

The fetcher serves our static files and consultants' uploaded logos (from the default storage,
by the names we gave them) and refuses every other URL, so a report can never reach the
network or the file system. WeasyPrint is imported only when a PDF is made: importing it
costs most of a second.
"""

import mimetypes
import re
from functools import cache
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage

BASE_URL = "http://report.invalid/"
# Logos are stored under names we choose (see maturity.accounts.models.logo_path).
LOGO_NAME = re.compile(r"logos/[0-9a-f]{32}\.(png|jpg)")


def read_own_file(url: str) -> tuple[bytes, str]:
    """The bytes and content type behind one of our URLs; ValueError for anything else."""
    parts = urlparse(url)
    path = parts.path if f"{parts.scheme}://{parts.netloc}/" == BASE_URL else ""
    if path.startswith(settings.STATIC_URL):
        try:
            found = finders.find(path[len(settings.STATIC_URL) :])
        except SuspiciousFileOperation:
            found = None
        if found:
            with open(found, "rb") as handle:
                return handle.read(), mimetypes.guess_type(found)[0] or "application/octet-stream"
    elif path.startswith(settings.MEDIA_URL):
        name = path[len(settings.MEDIA_URL) :]
        if LOGO_NAME.fullmatch(name) and default_storage.exists(name):
            with default_storage.open(name, "rb") as handle:
                return handle.read(), mimetypes.guess_type(name)[0]
    raise ValueError(f"PDFs load only this service's own files, not {url!r}")


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OwnFilesFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            body, content_type = read_own_file(url)
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    return OwnFilesFetcher


@cache
def _ssl_context():
    import ssl

    return ssl.create_default_context()


def own_files_fetcher():
    # Our fetch() never opens a connection, but the base class builds an HTTPS handler, and
    # without a context of its own it loads the system's certificates on every PDF (40 ms).
    return _fetcher_class()(
        allowed_protocols=["http"], allow_redirects=False, ssl_context=_ssl_context()
    )


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1) of the HTML; relative URLs resolve against BASE_URL."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=own_files_fetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1")
