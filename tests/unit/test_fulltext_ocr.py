"""Text recognition of scans (fulltext/ocr.py, through extract and the
sandbox): scanned PDFs and PNG, JPEG and TIFF images made by the tests
themselves (pdf_writer renders German text with poppler's pdftoppm), read
by the real Tesseract with its German model; and the limits.

Pure tests (no stack; Tesseract and pdftoppm as installed by scripts/stack.py):
    .venv/bin/python -m pytest tests/unit/test_fulltext_ocr.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import os
import time

import pytest

import fulltext_documents as documents
from ckanext.thueringen.fulltext.errors import ExtractionError
from ckanext.thueringen.fulltext.extract import extract
from ckanext.thueringen.fulltext.ocr import (
    ImageInfo,
    OcrLimits,
    check_image,
    format_pages,
    image_info,
    render_dpi,
)
from ckanext.thueringen.fulltext.sandbox import Limits, extract_limited
from pdf_writer import render_pages, write_pdf, write_scanned_pdf

OCR = OcrLimits()
TEXT = ("Gutachten zur Straßenbrücke über die Saale\n"
        "Die Tragfähigkeit der Brücke ist eingeschränkt; die Sanierung kostet 1.250.000 Euro.")


# --- pure parts -------------------------------------------------------------------

def test_image_headers_give_kind_size_and_pages():
    png, jpeg, tiff = (render_pages(["Seite"], image_format, dpi=50)[0] for image_format in ("png", "jpeg", "tiff"))
    width, height = round(595 * 50 / 72), round(842 * 50 / 72)
    for data, kind in ((png, "png"), (jpeg, "jpeg"), (tiff, "tiff")):
        info = image_info(data)
        assert (info.kind, info.frames) == (kind, 1)
        assert abs(info.width - width) <= 1 and abs(info.height - height) <= 1
    assert image_info(documents.white_png(20000, 30000)) == ImageInfo("png", 20000, 30000, 1)


def test_a_damaged_image_header_is_a_german_reason():
    with pytest.raises(ExtractionError, match="Das PNG-Bild ist beschädigt"):
        image_info(b"\x89PNG\r\n\x1a\n" + b"\x00" * 10)
    with pytest.raises(ExtractionError, match="Das JPEG-Bild ist beschädigt"):
        image_info(b"\xff\xd8\xff\xe0\x00")


def test_too_large_and_too_many_paged_images_are_refused():
    with pytest.raises(ExtractionError) as large:
        check_image(ImageInfo("png", 20000, 20000, 1), OCR)
    assert large.value.reason == ("Das PNG-Bild ist mit 20000 × 20000 Pixeln zu groß für die Texterkennung "
                                  "(höchstens 50 Megapixel je Seite); es wurde nicht gelesen.")
    with pytest.raises(ExtractionError, match="Das TIFF-Bild hat 51 Seiten; per Texterkennung gelesen werden "
                                              "höchstens 50."):
        check_image(ImageInfo("tiff", 100, 100, 51), OCR)
    check_image(ImageInfo("png", 2480, 3508, 1), OCR)  # A4 at 300 dpi


def test_render_resolution_shrinks_for_large_pages_and_gives_up_on_huge_ones():
    assert render_dpi(595, 842, OCR) == 300            # A4
    a0 = render_dpi(2384, 3370, OCR)                    # A0: 300 dpi would be 140 megapixels
    assert 100 <= a0 < 300
    assert (2384 / 72 * a0) * (3370 / 72 * a0) <= OCR.max_pixels
    assert render_dpi(14400, 14400, OCR) is None        # 5 m × 5 m


def test_page_lists_for_people():
    assert format_pages([1, 2, 3, 5, 7, 8]) == "1–3, 5, 7–8"
    assert format_pages([4]) == "4"
    assert format_pages([]) == ""


# --- with Tesseract -------------------------------------------------------------------

def test_a_scanned_pdf_is_read_by_ocr_and_says_which_pages():
    scan = write_scanned_pdf([TEXT, "Zweite Seite: Kostenschätzung der Verkehrsbehörde"])
    with pytest.raises(ExtractionError, match="keinen Text"):
        extract(scan)  # without OCR, as before
    result = extract_limited(scan, Limits(ocr=OCR))
    assert (result.kind, result.pages, result.ocr_pages) == ("pdf", 2, (1, 2))
    for word in ("Straßenbrücke", "Tragfähigkeit", "Sanierung", "Kostenschätzung", "Verkehrsbehörde"):
        assert word in result.text, result.text


def test_only_the_pages_without_text_layer_are_recognised():
    text_page = write_pdf(["Erste Seite mit Textebene: Haushaltssatzung"])
    scan_page = write_scanned_pdf(["Zweite Seite gescannt: Kindertagesstätte"])
    import io

    import pypdf

    writer = pypdf.PdfWriter()
    for data in (text_page, scan_page):
        for page in pypdf.PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    mixed = io.BytesIO()
    writer.write(mixed)
    result = extract(mixed.getvalue(), ocr=OCR)
    assert result.ocr_pages == (2,)
    assert "Haushaltssatzung" in result.text and "Kindertagesstätte" in result.text


@pytest.mark.parametrize("image_format, mime_type", [("png", "image/png"), ("jpeg", "image/jpeg"),
                                                     ("tiff", "image/tiff")])
def test_images_are_read_by_ocr(image_format, mime_type):
    image = render_pages(["Bebauungsplan Nr. 12 „Am Mühlgraben“ der Gemeinde Schwarzburg"], image_format, dpi=200)[0]
    with pytest.raises(ExtractionError, match="Bild, kein Textdokument"):
        extract(image)  # without OCR, as before
    result = extract_limited(image, Limits(ocr=OCR))
    assert (result.kind, result.mime_type, result.pages, result.ocr_pages) == (image_format, mime_type, 1, (1,))
    assert "Bebauungsplan" in result.text and "Mühlgraben" in result.text


def test_a_scan_with_too_many_pages_is_refused_before_any_recognition():
    started = time.monotonic()
    with pytest.raises(ExtractionError) as refused:
        extract_limited(write_scanned_pdf(["x"] * 4, dpi=20), Limits(ocr=OcrLimits(max_pages=3)))
    assert refused.value.reason == ("Das PDF hat 4 Seiten ohne Textebene (Scans); per Texterkennung gelesen werden "
                                    "höchstens 3.")
    assert time.monotonic() - started < 10


def _tesseracts() -> set[str]:
    found = set()
    for pid in (pid for pid in os.listdir("/proc") if pid.isdigit()):
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() == "tesseract":
                    found.add(pid)
        except OSError:
            pass
    return found


def test_a_huge_image_is_refused_and_a_recognition_that_takes_too_long_is_stopped():
    with pytest.raises(ExtractionError, match="20000 × 20000 Pixeln zu groß"):
        extract_limited(documents.white_png(20000, 20000), Limits(ocr=OCR))
    # one second per page is far too little for Tesseract at 300 dpi: stopped, with a reason
    image = render_pages([TEXT * 6], "png", dpi=300)[0]
    before = _tesseracts()
    started = time.monotonic()
    with pytest.raises(ExtractionError, match="Texterkennung von dem Bild (dauerte länger als 1 s|schlug fehl)"):
        extract_limited(image, Limits(ocr=OcrLimits(page_seconds=1)))
    assert time.monotonic() - started < 15
    assert _tesseracts() - before == set()  # no program outlives its limit
