"""Text recognition (OCR) of scans: PDF pages without a text layer and
images (PNG, JPEG, TIFF), with Tesseract and its German model.

The programs are called directly (Debian: tesseract-ocr, tesseract-ocr-deu,
poppler-utils' pdftoppm), from inside the extraction's limited child process
(sandbox.py), each with limits of its own: `page_seconds` of CPU and wall
time per page, `memory_bytes` of address space, at most `max_pages` pages per
document and `max_pixels` per page (a page is rendered at `dpi`, or at a
lower resolution where that would exceed the pixels; an image larger than
that is refused). Whatever fails ends as an ExtractionError with a German
reason.

The image headers are read here (`image_info`, pure), so that a huge or
many-paged image is refused before any program sees it.
"""
from __future__ import annotations

import math
import os
import resource
import shutil
import struct
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ckanext.thueringen.fulltext.errors import ExtractionError

PNG = "png"
JPEG = "jpeg"
TIFF = "tiff"
IMAGE_MIME_TYPES = {PNG: "image/png", JPEG: "image/jpeg", TIFF: "image/tiff"}
IMAGE_NAMES = {PNG: "PNG", JPEG: "JPEG", TIFF: "TIFF"}
# Below this resolution Tesseract reads body text badly; a page that would
# need less to stay under max_pixels is not recognised.
MIN_DPI = 100
# PDF user space: 72 units per inch
POINTS_PER_INCH = 72


@dataclass(frozen=True)
class OcrLimits:
    languages: str = "deu"
    max_pages: int = 50
    page_seconds: int = 60
    memory_bytes: int = 1024 * 1024 * 1024
    dpi: int = 300
    max_pixels: int = 50_000_000


@dataclass(frozen=True)
class ImageInfo:
    kind: str      # PNG, JPEG, TIFF
    width: int
    height: int
    frames: int    # pages of a TIFF; 1 otherwise


# --- image headers (pure) --------------------------------------------------------

def image_kind(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    return None


def image_info(data: bytes) -> ImageInfo:
    """Kind, size and page count of a PNG, JPEG or TIFF from its header;
    ExtractionError when the header is not readable."""
    kind = image_kind(data)
    try:
        if kind == PNG:
            if data[12:16] != b"IHDR":
                raise ValueError("IHDR fehlt")
            width, height = struct.unpack(">II", data[16:24])
            return ImageInfo(PNG, width, height, 1)
        if kind == JPEG:
            return ImageInfo(JPEG, *_jpeg_size(data), 1)
        if kind == TIFF:
            return _tiff_info(data)
    except (ValueError, struct.error, IndexError) as exc:
        name = IMAGE_NAMES.get(kind or "", "Bild")
        raise ExtractionError(f"Das {name}-Bild ist beschädigt ({exc or 'Kopf unvollständig'}).") from exc
    raise ExtractionError("Das Dokument ist kein PNG-, JPEG- oder TIFF-Bild.")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    # Markers up to the frame header (SOF0..SOF15 without DHT, JPG, DAC), which holds the size.
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise ValueError("ungültiger Marker")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        if length < 2:
            raise ValueError("ungültige Segmentlänge")
        position += 2 + length
    raise ValueError("keine Bildgröße gefunden")


_TIFF_MAX_FRAMES = 10_000


def _tiff_info(data: bytes) -> ImageInfo:
    order = "<" if data[:2] == b"II" else ">"
    offset = struct.unpack(order + "I", data[4:8])[0]
    width = height = 0
    frames = 0
    seen: set[int] = set()
    while offset and frames < _TIFF_MAX_FRAMES:
        if offset in seen or offset + 2 > len(data):
            raise ValueError("ungültiges Verzeichnis")
        seen.add(offset)
        count = struct.unpack(order + "H", data[offset:offset + 2])[0]
        for index in range(count):
            entry = offset + 2 + 12 * index
            tag, kind = struct.unpack(order + "HH", data[entry:entry + 4])
            if tag in (256, 257):  # ImageWidth, ImageLength: SHORT or LONG
                short = kind == 3
                value = struct.unpack(order + ("H" if short else "I"), data[entry + 8:entry + (10 if short else 12)])[0]
                if frames == 0 or value > (width if tag == 256 else height):
                    width, height = (value, height) if tag == 256 else (width, value)
        frames += 1
        next_at = offset + 2 + 12 * count
        offset = struct.unpack(order + "I", data[next_at:next_at + 4])[0]
    if not width or not height:
        raise ValueError("keine Bildgröße gefunden")
    return ImageInfo(TIFF, width, height, frames)


def check_image(info: ImageInfo, limits: OcrLimits) -> None:
    """Refuse an image that is too large or has too many pages for the text recognition."""
    name = IMAGE_NAMES[info.kind]
    if info.width * info.height > limits.max_pixels:
        raise ExtractionError(
            f"Das {name}-Bild ist mit {info.width} × {info.height} Pixeln zu groß für die Texterkennung "
            f"(höchstens {_megapixels(limits.max_pixels)} Megapixel je Seite); es wurde nicht gelesen.")
    if info.frames > limits.max_pages:
        raise ExtractionError(f"Das {name}-Bild hat {info.frames} Seiten; per Texterkennung gelesen werden "
                              f"höchstens {limits.max_pages}.")


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:g}"


def render_dpi(width_points: float, height_points: float, limits: OcrLimits) -> int | None:
    """The resolution to render a PDF page at: `dpi`, lower where the page
    would have more than `max_pixels`; None below MIN_DPI (too large a page)."""
    inches = (abs(width_points) / POINTS_PER_INCH) * (abs(height_points) / POINTS_PER_INCH)
    if inches <= 0:
        return limits.dpi
    dpi = min(limits.dpi, int(math.sqrt(limits.max_pixels / inches)))
    return dpi if dpi >= MIN_DPI else None


def too_many_pages_reason(count: int, limits: OcrLimits) -> str:
    return (f"Das PDF hat {count} Seiten ohne Textebene (Scans); per Texterkennung gelesen werden "
            f"höchstens {limits.max_pages}.")


def format_pages(pages: list[int] | tuple[int, ...]) -> str:
    """1, 2, 3, 5 -> "1–3, 5"."""
    ranges: list[str] = []
    ordered = sorted(set(pages))
    start = previous = None
    for page in [*ordered, None]:
        if page is not None and previous is not None and page == previous + 1:
            previous = page
            continue
        if start is not None:
            ranges.append(str(start) if start == previous else f"{start}–{previous}")
        start = previous = page
    return ", ".join(ranges)


# --- the programs ------------------------------------------------------------------

def tools_missing() -> list[str]:
    return [tool for tool in ("tesseract", "pdftoppm") if not shutil.which(tool)]


def recognize_image(data: bytes, info: ImageInfo, limits: OcrLimits, workdir: Path,
                    progress: Callable[[int], None] | None = None) -> list[str]:
    """The text of each page of an image (a TIFF may have several)."""
    check_image(info, limits)
    if progress:
        progress(info.frames)
    path = workdir / f"scan.{info.kind}"
    path.write_bytes(data)
    text = _tesseract(path, limits, seconds=limits.page_seconds * info.frames, what="Das Bild")
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # Tesseract ends every page with a form feed
    return pages or [""]


def recognize_pdf_pages(data: bytes, pages: dict[int, tuple[float, float]], limits: OcrLimits, workdir: Path,
                        progress: Callable[[int], None] | None = None) -> dict[int, str]:
    """The text of the given PDF pages (number from 1 -> its width and height in
    points), each rendered with pdftoppm and read by Tesseract."""
    if len(pages) > limits.max_pages:
        raise ExtractionError(too_many_pages_reason(len(pages), limits))
    if progress:
        progress(len(pages))
    pdf = workdir / "document.pdf"
    pdf.write_bytes(data)
    texts: dict[int, str] = {}
    for number, (width, height) in sorted(pages.items()):
        dpi = render_dpi(width, height, limits)
        if dpi is None:
            raise ExtractionError(
                f"Seite {number} des PDFs ist zu groß für die Texterkennung ({width / POINTS_PER_INCH * 2.54:.0f} × "
                f"{height / POINTS_PER_INCH * 2.54:.0f} cm); sie wurde nicht gelesen.")
        image = workdir / f"page-{number}"
        _run(["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number), "-gray", "-singlefile",
              str(pdf), str(image)], limits, limits.page_seconds, f"Seite {number} des PDFs")
        rendered = image.with_suffix(".pgm")
        try:
            texts[number] = _tesseract(rendered, limits, seconds=limits.page_seconds,
                                       what=f"Seite {number} des PDFs", dpi=dpi)
        finally:
            rendered.unlink(missing_ok=True)
    return texts


def _tesseract(image: Path, limits: OcrLimits, *, seconds: int, what: str, dpi: int | None = None) -> str:
    command = ["tesseract", str(image), "stdout", "-l", limits.languages, "--psm", "3"]
    if dpi:
        command += ["--dpi", str(dpi)]
    return _run(command, limits, seconds, what).decode("utf-8", errors="replace")


def _run(command: list[str], limits: OcrLimits, seconds: int, what: str) -> bytes:
    program = command[0]
    if not shutil.which(program):
        raise ExtractionError(f"Die Texterkennung ist nicht installiert ({program} fehlt); "
                              "gescannte Dokumente können nicht gelesen werden.")

    def limit():  # in the program's process, before it starts
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, resource.getrlimit(resource.RLIMIT_AS)[1]))
        hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)[1]
        soft_cpu = seconds if hard_cpu == resource.RLIM_INFINITY else min(seconds, hard_cpu)
        resource.setrlimit(resource.RLIMIT_CPU, (soft_cpu, hard_cpu))

    # One thread: Tesseract's OpenMP threads would compete with the web workers
    # and multiply the address space each thread reserves.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_THREAD_LIMIT": "1", "LC_ALL": "C.UTF-8"}
    if os.environ.get("TESSDATA_PREFIX"):
        env["TESSDATA_PREFIX"] = os.environ["TESSDATA_PREFIX"]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=seconds, env=env, preexec_fn=limit,
                                   check=False)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"Die Texterkennung von {_dative(what)} dauerte länger als {seconds} s und wurde "
                              "abgebrochen.") from exc
    if completed.returncode != 0:
        detail = " ".join(completed.stderr.decode("utf-8", errors="replace").split())[-160:]
        if completed.returncode < 0:
            detail = f"Signal {-completed.returncode}; zu viel Speicher oder Rechenzeit? {detail}".strip()
        raise ExtractionError(f"Die Texterkennung von {_dative(what)} schlug fehl ({detail or completed.returncode}).")
    return completed.stdout


def _dative(what: str) -> str:
    # "Das Bild" -> "dem Bild", "Seite 3 des PDFs" -> "Seite 3 des PDFs"
    return "dem Bild" if what == "Das Bild" else what
