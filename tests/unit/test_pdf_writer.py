"""scripts/pdf_writer.py: real text PDFs that a reader gives back.

Pure tests (no stack):
    .venv/bin/python -m pytest tests/unit/test_pdf_writer.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import io

import pypdf

from ckanext.thueringen.fulltext.extract import extract
from pdf_writer import LINES_PER_PAGE, write_pdf


def test_extractor_reads_the_text_back_with_umlauts_and_euro():
    pdf = write_pdf(["Haushaltsplan für Thüringen – Größe: 5 € (Straße) \\ Ende",
                     "Zweite Seite\nmit zwei Zeilen"], title="Übersicht")
    result = extract(pdf)
    assert result.kind == "pdf"
    assert result.pages == 2
    assert "Haushaltsplan für Thüringen – Größe: 5 € (Straße) \\ Ende" in result.text
    assert "Zweite Seite\nmit zwei Zeilen" in result.text


def test_strict_reader_accepts_structure_and_title():
    pdf = write_pdf(["eins", "zwei", "drei"], title="Bericht über Äpfel")
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 3
    assert reader.metadata.title == "Bericht über Äpfel"
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")


def test_long_lines_wrap_and_overflow_continues_on_a_new_page():
    words = " ".join(f"Wort{i}" for i in range(3000))
    pdf = write_pdf([words])
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) > 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Wort0 " in text and "Wort2999" in text
    first_page_lines = reader.pages[0].extract_text().splitlines()
    assert len(first_page_lines) <= LINES_PER_PAGE
    assert max(len(line) for line in first_page_lines) <= 90


def test_empty_input_gives_one_blank_page():
    reader = pypdf.PdfReader(io.BytesIO(write_pdf([])), strict=True)
    assert len(reader.pages) == 1
