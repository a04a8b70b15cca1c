"""HTML to PDF through WeasyPrint, loading nothing but this service's own files.

The fetcher serves our static files and consultants' uploaded logos (from the default storage,
by the names we gave them) and refuses every other URL, so a report can never reach the
network or the file system. WeasyPrint is imported only when a PDF is made: importing it
costs most of a second.

Our PDF templates are well-formed XML as well as HTML (void elements closed, `<br/>`), so their
HTML is parsed by the standard library's expat, in C, about 40 times quicker than WeasyPrint's
HTML5 parser, which is pure Python (3 ms against 125 ms for a board report). HTML that is not
well-formed still goes to the HTML5 parser, and makes the same PDF.
"""

import gc
import logging
import mimetypes
import re
import threading
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from functools import cache
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)

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


@cache
def _tree_html_class():
    import cssselect2
    import weasyprint

    class TreeHTML(weasyprint.HTML):
        """weasyprint.HTML over a tree that is already parsed: HTML.__init__ without its parser
        (nor <base href>, which our templates never have)."""

        def __init__(self, root, *, base_url, url_fetcher):
            self.base_url = base_url
            self.url_fetcher = url_fetcher
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(
                root, content_language=None
            )
            self.etree_element = self.wrapper_element.etree_element

    return TreeHTML


class _OneRun(str):
    """SVG text that WeasyPrint's loop over the letters of a text element sees as one letter."""

    def __iter__(self):
        yield str(self)


# What places or spaces an SVG text's characters one by one: text with any of these keeps
# WeasyPrint's own drawing, letter by letter.
PER_CHARACTER = ("dx", "dy", "rotate", "textLength", "letter-spacing")


@cache
def _svg_text_in_one_run():
    """Draw SVG text as one run where nothing in it is placed character by character.

    WeasyPrint 70 lays out and draws every SVG text one character at a time, so that it can
    place each one (dx, rotate and the like): a Pango layout for each character, 822 for the
    board report's 63 chart labels, about 125 ms of its 2.6 s. Text placed only as a whole is
    drawn the same as one run: the same words at the same places, now with the font's kerning.
    So that text goes through WeasyPrint's own code as a single letter."""
    from weasyprint import svg
    from weasyprint.svg.utils import normalize

    # Two threads making their first PDFs at once may both get here: the second wraps the
    # stock function again, not the first one's wrapper.
    stock = getattr(svg.TAGS["text"], "stock", svg.TAGS["text"])

    def text(drawer, node, font_size):
        element = node._etree_node
        if (
            node.tag in ("text", "tspan")
            and element.text
            and not any(node.get(name) for name in PER_CHARACTER)
            and all(len(normalize(node.get(axis)).split()) <= 1 for axis in ("x", "y"))
        ):
            element.text = _OneRun(element.text)
        return stock(drawer, node, font_size)

    text.stock = stock
    for tag, function in svg.TAGS.items():
        if getattr(function, "stock", function) is stock:
            svg.TAGS[tag] = text
    svg.text = text  # SVG.draw_node knows text elements by this name
    return text


def html_document(html: str):
    """A weasyprint.HTML of the string: parsed as XML when it is well-formed, else as HTML5.
    The XML tree has the shape WeasyPrint's own parser gives (HTML elements without a
    namespace, SVG in the SVG namespace, which our charts declare)."""
    import weasyprint

    _svg_text_in_one_run()
    try:
        # Not untrusted XML: our templates' output, every value in it escaped by Django (so no
        # one can add a DOCTYPE or an entity), and expat >= 2.4 bounds entity expansion anyway.
        root = ET.fromstring(html)  # noqa: S314
    except ET.ParseError as error:
        logger.debug("PDF HTML is not well-formed XML (%s); parsed as HTML5", error)
    else:
        if root.tag == "html":
            return _tree_html_class()(root, base_url=BASE_URL, url_fetcher=own_files_fetcher())
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=own_files_fetcher())


# Objects allocated between two collections of the youngest generation, while a PDF is made.
RENDER_GC_THRESHOLD = 50_000


class _RenderCollections:
    """While any PDF is being made in this process, the garbage collector's first threshold is
    RENDER_GC_THRESHOLD instead of Python's 2,000.

    A board report builds some hundred thousand objects that live until it is written (boxes,
    styles, text layouts). With the default threshold they set off about 250 young and 20
    middle collections, and every other report a full one over the whole process, which cost
    a quarter of the report's time (424 ms of 2,633, measured with gc.callbacks); at 50,000,
    about 100 ms. The threshold is the whole process's, so renders in several threads at once
    share one raise, and the last to finish puts Python's back."""

    def __init__(self):
        self._lock = threading.Lock()
        self._renders = 0
        self._saved = None

    @contextmanager
    def fewer(self):
        with self._lock:
            if self._renders == 0:
                self._saved = gc.get_threshold()
                gc.set_threshold(max(RENDER_GC_THRESHOLD, self._saved[0]), *self._saved[1:])
            self._renders += 1
        try:
            yield
        finally:
            with self._lock:
                self._renders -= 1
                if self._renders == 0:
                    gc.set_threshold(*self._saved)


_render_collections = _RenderCollections()
fewer_collections = _render_collections.fewer


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1) of the HTML; relative URLs resolve against BASE_URL."""
    with fewer_collections():
        return html_document(html).write_pdf(pdf_variant="pdf/ua-1")
