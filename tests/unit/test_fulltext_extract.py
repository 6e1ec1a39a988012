"""ckanext.thueringen.fulltext: sniffing, extraction, dehyphenation, and the
limited child process, on documents the tests make themselves
(tests/fulltext_documents.py), including hostile ones.

Pure tests (no stack):
    .venv/bin/python -m pytest tests/unit/test_fulltext_extract.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import time

import pytest

import fulltext_documents as documents
from ckanext.thueringen.fulltext import sandbox
from ckanext.thueringen.fulltext.dehyphenate import dehyphenate
from ckanext.thueringen.fulltext.errors import ExtractionError
from ckanext.thueringen.fulltext.extract import NO_TEXT, decode_text, extract
from ckanext.thueringen.fulltext.sandbox import Limits, extract_limited
from ckanext.thueringen.fulltext.sniff import DOCX, HTML, ODT, PDF, TEXT, sniff
from pdf_writer import write_pdf

MiB = 1024 * 1024
# Small limits keep the hostile cases fast; generous enough for the good documents.
TEST_LIMITS = Limits(memory_bytes=256 * MiB, cpu_seconds=20, wall_seconds=30)


# --- dehyphenation ------------------------------------------------------------

@pytest.mark.parametrize("broken, joined", [
    ("Der Haushalts-\nplan 2025", "Der Haushaltsplan 2025"),
    ("Haushalts- \n  plan", "Haushaltsplan"),
    ("die Bund-\nLänder-Kommission", "die Bund-Länder-Kommission"),
    ("Zeitraum 2020-\n2024", "Zeitraum 2020-2024"),
    ("Ein-\nund Ausgaben", "Ein- und Ausgaben"),
    ("Straßen-\nbau und Über-\nwachung", "Straßenbau und Überwachung"),
    ("Ab\u00ad\nwasser und Ge\u00adbühren", "Abwasser und Gebühren"),
    ("- Punkt eins\n- Punkt zwei", "- Punkt eins\n- Punkt zwei"),
    ("Satzende.\nNeuer Satz", "Satzende.\nNeuer Satz"),
])
def test_dehyphenate(broken, joined):
    assert dehyphenate(broken) == joined


# --- sniffing: the content decides, not the name --------------------------------

def test_sniff_recognises_each_format_by_content():
    assert sniff(write_pdf(["x"])) == PDF
    assert sniff(b"\r\n  junk before the header %PDF-1.7 ...") == PDF
    assert sniff(documents.odt(["x"])) == ODT
    assert sniff(documents.docx(["x"])) == DOCX
    assert sniff(documents.html("T", ["x"])) == HTML
    assert sniff(b"<?xml version='1.0'?>\n<html><body>x</body></html>") == HTML
    assert sniff("Nur Text, äöü".encode("cp1252")) == TEXT
    assert sniff("Text in UTF-16".encode("utf-16")) == TEXT


@pytest.mark.parametrize("data, words", [
    (b"", "leer"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "PNG-Bild"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "altes Microsoft-Office-Dokument"),
    (b"\x00\x01\x02binary", "unbekanntes Binärformat"),
    (b"PK\x03\x04 not really a zip", "ZIP-Archiv ist beschädigt"),
])
def test_sniff_refuses_other_content_with_a_german_reason(data, words):
    with pytest.raises(ExtractionError, match=words):
        sniff(data)


def test_a_zip_that_is_no_text_document_is_named():
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("daten.csv", "a;b\n")
    with pytest.raises(ExtractionError, match="kein ODT- oder DOCX"):
        sniff(buffer.getvalue())


# --- extraction per format ----------------------------------------------------

def test_pdf_text_is_dehyphenated_and_pages_counted():
    pdf = write_pdf(["Der Haushalts-\nplan des Landes", "Bund-\nLänder-Finanzausgleich"])
    result = extract(pdf)
    assert (result.kind, result.mime_type, result.pages) == (PDF, "application/pdf", 2)
    assert "Der Haushaltsplan des Landes" in result.text
    assert "Bund-Länder-Finanzausgleich" in result.text


def test_odt_paragraphs_spaces_and_tabs():
    odt = documents.odt(["Bekanntmachung über Straßenreinigung", "Gebühr: 5 € pro Meter"])
    result = extract(odt)
    assert result.kind == ODT and result.pages is None
    assert result.text == "Bekanntmachung über Straßenreinigung\nGebühr: 5 € pro Meter"


def test_docx_keeps_only_visible_text():
    document = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Vertrag über</w:t></w:r><w:r><w:tab/>'
                '<w:t xml:space="preserve"> Müllabfuhr</w:t></w:r></w:p><w:p><w:del><w:r><w:t>GELÖSCHT</w:t>'
                '</w:r></w:del><w:r><w:instrText>PAGE</w:instrText><w:t>Laufzeit 2025</w:t></w:r></w:p>'
                '</w:body></w:document>').encode()
    result = extract(documents.docx([], document_xml=document))
    assert result.kind == DOCX
    assert result.text == "Vertrag über\t Müllabfuhr\nLaufzeit 2025"


def test_html_without_scripts_styles_and_comments_in_its_declared_charset():
    page = documents.html("Bekanntmachung", ["Größere Maßnahmen im Ämterbereich"], charset="iso-8859-1")
    result = extract(page)
    assert result.kind == HTML and result.mime_type == "text/html"
    assert "Größere Maßnahmen im Ämterbereich" in result.text
    assert "Bekanntmachung" in result.text
    for hidden in ("SKRIPTINHALT", "color: red", "Kommentar"):
        assert hidden not in result.text


def test_text_charsets():
    assert decode_text("Grüße aus Gößnitz".encode()) == "Grüße aus Gößnitz"
    assert decode_text("Grüße aus Gößnitz – 5 €".encode("cp1252")) == "Grüße aus Gößnitz – 5 €"
    assert decode_text("Straße".encode("utf-16")) == "Straße"
    assert extract("Abwasser-\nsatzung der Stadt".encode("cp1252")).text == "Abwassersatzung der Stadt"


def test_text_is_capped():
    result = extract(("Wort " * 10_000).encode(), max_chars=1000)
    assert len(result.text) == 1000 and result.truncated


def test_office_xml_with_a_dtd_is_refused():
    billion_laughs = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY lol "lol">'
                      b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                      b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                      b'<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>')
    with pytest.raises(ExtractionError, match="enthält eine DTD"):
        extract(documents.docx([], document_xml=billion_laughs))


# --- hostile documents, in the limited child process ---------------------------

def _failure(data: bytes, limits: Limits = TEST_LIMITS) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(ExtractionError) as failure:
        extract_limited(data, limits)
    return failure.value.reason, time.monotonic() - started


def test_good_documents_pass_through_the_child_process():
    result = extract_limited(write_pdf(["Seite eins über Thüringen", "Seite zwei"]), TEST_LIMITS)
    assert result.pages == 2 and "Seite eins über Thüringen" in result.text
    assert extract_limited(documents.docx(["Zuwendungsbescheid"]), TEST_LIMITS).text == "Zuwendungsbescheid"


def test_corrupt_and_truncated_pdfs_fail_with_a_reason():
    reason, _ = _failure(documents.corrupt_pdf())
    assert reason.startswith("Das PDF ist beschädigt")
    truncated = write_pdf(["Ein Satz, der im abgeschnittenen Teil steht. " * 20] * 3)[:700]
    reason, _ = _failure(truncated)
    assert "beschädigt" in reason


def test_encrypted_pdf_fails_as_encrypted():
    reason, _ = _failure(documents.encrypted_pdf())
    assert reason == "Das PDF ist verschlüsselt und kann ohne Passwort nicht gelesen werden."


def test_image_only_pdf_has_no_text():
    reason, _ = _failure(documents.image_only_pdf())
    assert reason == NO_TEXT
    assert "enthält keinen Text (nur Bilder?)" in reason


def test_flate_decompression_bomb_is_stopped():
    reason, seconds = _failure(documents.flate_bomb_pdf(200))
    assert "Dekompressionsbombe" in reason
    assert seconds < 15


def test_bomb_below_the_parsers_own_limit_hits_the_memory_cap():
    # pypdf stops inflating at 75 MB; with a 32 MB address-space allowance the
    # child's memory limit ends it first, as it would for any other bomb.
    reason, seconds = _failure(documents.flate_bomb_pdf(70), Limits(memory_bytes=32 * MiB, cpu_seconds=20,
                                                                       wall_seconds=30))
    assert "Arbeitsspeicher" in reason
    assert seconds < 15


def test_deeply_nested_pdf_fails_without_hanging():
    reason, seconds = _failure(documents.deeply_nested_pdf())
    assert "PDF" in reason and ("verschachtelt" in reason or "beschädigt" in reason)
    assert seconds < 20


def test_damage_is_reported_when_a_logging_setup_disabled_pypdfs_loggers(monkeypatch):
    """CKAN's logging setup (logging.config, disable_existing_loggers) disables the
    loggers of modules imported before it; pypdf reports damage only there."""
    import logging

    import pypdf._reader  # noqa: F401 - its logger exists before the setup runs

    for name, logger in list(logging.root.manager.loggerDict.items()):
        if (name == "pypdf" or name.startswith("pypdf.")) and isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "disabled", True)
    reason, _ = _failure(documents.deeply_nested_pdf())
    assert "PDF" in reason and ("verschachtelt" in reason or "beschädigt" in reason)


def test_zip_bomb_docx_is_refused():
    reason, seconds = _failure(documents.zip_bomb_docx(150))
    assert "ZIP-Bombe" in reason
    assert seconds < 5
    # a limit below the member's true size catches it too
    reason, _ = _failure(documents.zip_bomb_docx(20), Limits(max_unzipped=10 * MiB))
    assert "ZIP-Bombe" in reason


def test_cpu_time_limit_ends_a_long_extraction():
    long_pdf = write_pdf([f"Seite {n} " + "Haushaltsansatz und Verpflichtungsermächtigung " * 200
                          for n in range(400)])
    reason, seconds = _failure(long_pdf, Limits(cpu_seconds=1, wall_seconds=60))
    assert "Rechenzeit" in reason
    assert seconds < 10


def test_wall_clock_limit_ends_a_child_that_waits(monkeypatch):
    # The child is forked, so it runs this module's extract: one that blocks.
    monkeypatch.setattr(sandbox, "extract", lambda data, **limits: time.sleep(60))
    reason, seconds = _failure(b"egal", Limits(wall_seconds=1))
    assert "länger als 1 s" in reason
    assert seconds < 5


def test_a_crashing_child_is_reported_not_propagated(monkeypatch):
    import os
    import signal
    monkeypatch.setattr(sandbox, "extract", lambda data, **limits: os.kill(os.getpid(), signal.SIGTERM))
    reason, _ = _failure(b"egal")
    assert "Signal SIGTERM" in reason


# --- which resources are documents ----------------------------------------------

@pytest.mark.parametrize("format_code, url, expected", [
    ("pdf", "https://example.org/bericht", True),
    ("docx", "https://example.org/a.csv", True),      # the declared format wins
    ("csv", "https://example.org/bericht.pdf", False),
    ("json", "https://example.org/api", False),
    ("", "https://example.org/bericht.PDF", True),
    ("", "https://example.org/download?id=5", True),  # no hint: the content decides
    ("", "https://example.org/daten.xlsx", False),
    ("", "https://example.org/seite.html", True),
])
def test_is_document(format_code, url, expected):
    from ckanext.thueringen.fulltext.selection import is_document

    assert is_document(format_code, url) is expected


# --- which download failures are worth a retry -----------------------------------

def test_unknown_host_is_final_refused_connection_is_retried(tmp_path):
    import socket

    from ckanext.thueringen.fulltext.jobs import is_transient
    from ckanext.thueringen.harvesters.fetch import FetchError, fetch

    with pytest.raises(FetchError) as unknown:
        fetch("http://gibt-es-nicht.invalid/bericht.pdf", tmp_path, connect_timeout=5, total_timeout=10)
    assert not is_transient(unknown.value)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with pytest.raises(FetchError) as refused:
        fetch(f"http://127.0.0.1:{closed_port}/bericht.pdf", tmp_path, connect_timeout=5, total_timeout=10)
    assert is_transient(refused.value)

    assert is_transient(FetchError("http_status", "http://x antwortete mit HTTP 503 (Service Unavailable) …"))
    assert not is_transient(FetchError("http_status", "http://x antwortete mit HTTP 404 (Not Found) …"))
