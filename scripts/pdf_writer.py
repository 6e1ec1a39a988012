"""A minimal writer for real text PDFs, for tests, fixtures and benchmarks.

The portal never publishes PDFs itself, but tests of full-text extraction,
harvesting and search need genuine PDF documents with German text. Writing
them here with the standard library keeps those tests free of a PDF
generator dependency and of binary fixture files.

The output is a PDF 1.4 file with one standard Type 1 font (Helvetica in
WinAnsiEncoding, so ä ö ü ß € are real text, not glyph soup), A4 pages, and
an exact cross-reference table, so any conforming reader (pypdf,
pdftotext, browsers) extracts the text back.
"""
from __future__ import annotations

import subprocess
import tempfile
import textwrap
import zlib
from pathlib import Path

PAGE_WIDTH = 595  # A4 in PDF points
PAGE_HEIGHT = 842
MARGIN = 56
FONT_SIZE = 10
LEADING = 13
# Helvetica at 10 pt averages about 5 pt per character of German prose; 88
# characters keep lines inside the 483 pt text width without a width table.
LINE_CHARS = 88
LINES_PER_PAGE = (PAGE_HEIGHT - 2 * MARGIN) // LEADING


def _pdf_string(text: str) -> bytes:
    """A literal PDF string in WinAnsiEncoding (cp1252 is WinAnsi's superset).

    Characters WinAnsi cannot show become '?', so any Python text is accepted.
    """
    raw = text.encode("cp1252", errors="replace")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped + b")"


def _info_string(text: str) -> bytes:
    """A text string for the document information dictionary (UTF-16BE, BOM)."""
    return b"<" + ("\ufeff" + text).encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _wrap(text: str) -> list[str]:
    """Lines of a page: explicit newlines kept, long lines wrapped at words."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        wrapped = textwrap.wrap(
            paragraph, width=LINE_CHARS, break_long_words=True, break_on_hyphens=False
        )
        lines.extend(wrapped or [""])
    return lines


def _content_stream(lines: list[str]) -> bytes:
    ops = [
        b"BT",
        b"/F1 %d Tf" % FONT_SIZE,
        b"%d TL" % LEADING,
        b"%d %d Td" % (MARGIN, PAGE_HEIGHT - MARGIN - FONT_SIZE),
    ]
    for line in lines:
        ops.append(_pdf_string(line) + b" Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops) + b"\n"


def _physical_pages(pages: list[str]) -> list[list[str]]:
    """Each input page becomes one PDF page; overflowing text continues on
    extra pages rather than running off the paper."""
    result: list[list[str]] = []
    for page in pages:
        lines = _wrap(page)
        for start in range(0, max(len(lines), 1), LINES_PER_PAGE):
            result.append(lines[start:start + LINES_PER_PAGE])
    return result or [[]]


def write_pdf(pages: list[str], title: str | None = None) -> bytes:
    """Return the bytes of a valid text PDF with one page per entry of *pages*.

    A page whose text needs more than LINES_PER_PAGE wrapped lines continues
    on further pages. An empty list gives one blank page (a PDF needs one).
    """
    physical = _physical_pages(list(pages))
    # Object numbers: 1 catalog, 2 page tree, 3 font, 4 info,
    # then per page: page object, content stream.
    first_page_obj = 5
    page_refs = [first_page_obj + 2 * i for i in range(len(physical))]

    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % ref for ref in page_refs)
        + b"] /Count %d >>" % len(physical),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
        b" /Encoding /WinAnsiEncoding >>",
        4: b"<< /Producer (ckanext-thueringen pdf_writer)"
        + (b" /Title " + _info_string(title) if title else b"") + b" >>",
    }
    for ref, lines in zip(page_refs, physical):
        stream = _content_stream(lines)
        objects[ref] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d]" % (PAGE_WIDTH, PAGE_HEIGHT)
            + b" /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (ref + 1)
        )
        objects[ref + 1] = (
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream"
        )

    return assemble_pdf(objects, root=1, info=4)


def assemble_pdf(objects: dict[int, bytes], root: int, info: int | None = None) -> bytes:
    """A PDF file of numbered object bodies, with an exact cross-reference table.

    Also used by tests to build deliberately odd PDFs object by object.
    Object numbers must run from 1 without gaps.
    """
    # The binary comment line marks the file as binary for transfer tools.
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_at = len(out)
    count = max(objects) + 1
    out += b"xref\n0 %d\n" % count
    out += b"0000000000 65535 f \n"
    for number in range(1, count):
        out += b"%010d 00000 n \n" % offsets[number]
    info_entry = b" /Info %d 0 R" % info if info is not None else b""
    out += (
        b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n"
        % (count, root, info_entry, xref_at)
    )
    return bytes(out)


# --- scans ----------------------------------------------------------------------
# A scan is a picture of a page: no text a reader can extract, only pixels,
# which text recognition (OCR) must read. Made from a text PDF of this module,
# rendered by poppler's pdftoppm (Debian poppler-utils), so that tests and the
# demo have scans of known German text without any file from elsewhere.

def render_pages(pages: list[str], image_format: str = "pgm", dpi: int = 150) -> list[bytes]:
    """The pages of write_pdf(pages) as images: "pgm" (8-bit grey), "png", "jpeg" or
    "tiff" (one file per page)."""
    flags = {"pgm": ["-gray"], "png": ["-png", "-gray"], "jpeg": ["-jpeg", "-gray"], "tiff": ["-tiff", "-gray"]}
    suffix = {"pgm": ".pgm", "png": ".png", "jpeg": ".jpg", "tiff": ".tif"}[image_format]
    with tempfile.TemporaryDirectory(prefix="pdf-writer-") as folder:
        source = Path(folder) / "text.pdf"
        source.write_bytes(write_pdf(pages))
        subprocess.run(["pdftoppm", "-r", str(dpi), *flags[image_format], str(source), str(Path(folder) / "page")],
                       check=True, capture_output=True)
        return [path.read_bytes() for path in sorted(Path(folder).glob("page-*" + suffix),
                                                      key=lambda p: int(p.stem.rsplit("-", 1)[1]))]


def _pgm(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and pixels of a binary 8-bit PGM (pdftoppm -gray)."""
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:
        while data[position:position + 1].isspace():
            position += 1
        end = position
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    if fields[0] != b"P5" or fields[3] != b"255":
        raise ValueError("not an 8-bit binary PGM")
    width, height = int(fields[1]), int(fields[2])
    start = position + 1
    return width, height, data[start:start + width * height]


def write_scanned_pdf(pages: list[str], dpi: int = 150) -> bytes:
    """A PDF that shows the pages of write_pdf(pages) as grey images only: a scan
    without a text layer."""
    images = [_pgm(image) for image in render_pages(pages, "pgm", dpi)]
    objects: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    kids = []
    for index, (width, height, pixels) in enumerate(images):
        page, content, image = 3 + 3 * index, 4 + 3 * index, 5 + 3 * index
        kids.append(page)
        draw = b"q %d 0 0 %d 0 0 cm /Scan Do Q\n" % (PAGE_WIDTH, PAGE_HEIGHT)
        stream = zlib.compress(pixels, 6)
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d]" % (PAGE_WIDTH, PAGE_HEIGHT)
                         + b" /Resources << /XObject << /Scan %d 0 R >> >> /Contents %d 0 R >>" % (image, content))
        objects[content] = b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"endstream"
        objects[image] = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                          b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
                          % (width, height, len(stream)) + stream + b"\nendstream")
    objects[2] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % kid for kid in kids)
                  + b"] /Count %d >>" % len(kids))
    return assemble_pdf(objects, root=1)
