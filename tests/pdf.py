"""Reading PDFs back as text and pages, with poppler's tools, as a person's viewer would."""

import itertools
import re
import subprocess
from html import unescape


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pages_of(pdf: bytes, tmp_path) -> list[str]:
    """Each page's text, whitespace collapsed so wrapped lines read as one sentence."""
    pages = pdf_text(pdf, tmp_path).split("\f")[:-1]  # pdftotext ends every page with \f
    # A line broken after a hyphen ("re-" / "entering") reads back as "re- entering".
    return [re.sub(r"(?<=\w-) (?=\w)", "", re.sub(r"\s+", " ", page)) for page in pages]


def word_boxes(pdf: bytes, tmp_path) -> list[list[tuple[str, float, float, float, float]]]:
    """Each page's words with where poppler finds them: (word, left, top, right, bottom), in
    points from the page's top left corner."""
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    word = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        [(unescape(text), *map(float, box)) for *box, text in word.findall(page)]
        for page in html.split("<page ")[1:]
    ]


# The text block of an A4 page with 18 mm side margins, in points: our PDFs' pages.
TEXT_BLOCK = (18 / 25.4 * 72, (210 - 18) / 25.4 * 72)


def crowded_words(pdf: bytes, tmp_path) -> list[tuple]:
    """Words that run into the next on their line, (page, word, next word, gap in points), or
    stand outside the page's text block, (page, word, left, right): text too wide for its
    table column, or a chart label drawn past its edge. Closer than 1.5 pt is less than a
    space at the smallest text we print (a 6.5 pt chart label has a 1.8 pt space)."""
    crowded = []
    for page, words in enumerate(word_boxes(pdf, tmp_path), 1):
        lines = {}
        for word, left, _, right, bottom in words:
            lines.setdefault(round(bottom, 1), []).append((left, right, word))
            if left < TEXT_BLOCK[0] - 0.1 or right > TEXT_BLOCK[1] + 0.1:
                crowded.append((page, word, round(left, 1), round(right, 1)))
        for line in lines.values():
            line.sort()
            for (_, right, word), (left, _, after) in itertools.pairwise(line):
                if left - right < 1.5:
                    crowded.append((page, word, after, round(left - right, 2)))
    return crowded


def page_count(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))


def page_fill(pdf: bytes, tmp_path, *, top_mm=22, bottom_mm=20) -> list[float]:
    """How far down each page its content reaches, as a share of the space between the page
    margins (0 empty, 1 full): the lowest row of ink in poppler's picture of the page, the
    running header and page number left out. Ink, not text, so charts count as content."""
    path = tmp_path / "fill.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "25", "-gray", str(path), str(tmp_path / "fill")], check=True)
    fills = []
    for image in sorted(tmp_path.glob("fill-*.pgm"), key=lambda p: int(p.stem.split("-")[-1])):
        width, height, pixels = _read_pgm(image.read_bytes())
        first = round(top_mm / 297 * height)
        last = height - round(bottom_mm / 297 * height)
        inked = [
            row for row in range(first, last) if min(pixels[row * width : (row + 1) * width]) < 200
        ]
        fills.append((max(inked) - first) / (last - first) if inked else 0.0)
    return fills


def _read_pgm(data: bytes) -> tuple[int, int, bytes]:
    """A binary PGM (P5) as width, height and one byte a pixel."""
    fields, position = [], 0
    while len(fields) < 4:
        while data[position : position + 1].isspace():
            position += 1
        start = position
        while not data[position : position + 1].isspace():
            position += 1
        fields.append(data[start:position])
    magic, width, height, _ = fields
    assert magic == b"P5"
    return int(width), int(height), data[position + 1 :]
