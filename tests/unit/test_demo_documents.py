"""scripts/demo_documents.py and the catalogue server: the demo feed's documents.

`make run`'s catalogue server writes the documents of the demo feeds
(config/demo/catalogs/*.atom) at its start and serves them beside the feeds.
Here the same is done into a temporary folder (no stack):
    .venv/bin/python -m pytest tests/unit/test_demo_documents.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import io
from pathlib import Path

import pypdf
import requests

from ckanext.thueringen.harvesters.feed_mapping import parse_feed
from demo_documents import write_documents
from static_server import serve_in_thread

CATALOGS = Path(__file__).resolve().parents[2] / "config" / "demo" / "catalogs"
FEED = "schwarzaburg-veroeffentlichungen.atom"


def test_every_document_of_the_demo_feed_is_written_as_real_text(tmp_path):
    written = write_documents(CATALOGS, tmp_path)
    feed = parse_feed((CATALOGS / FEED).read_bytes(), f"http://127.0.0.1:8900/{FEED}")
    linked = {r["url"].removeprefix("http://127.0.0.1:8900/")
              for p in feed.publications for r in p.dataset["resources"]}
    assert {str(path.relative_to(tmp_path)) for path in written} == linked
    pdfs = [path for path in written if path.suffix == ".pdf"]
    assert len(pdfs) >= 15
    text = pypdf.PdfReader(io.BytesIO((tmp_path / "dokumente" / "haushaltssatzung-2025.pdf").read_bytes())) \
        .pages[0].extract_text()
    assert "Haushaltssatzung der Stadt Schwarzaburg für das Haushaltsjahr 2025" in text
    assert "Grundsteuer B 410 v. H." in text
    html = (tmp_path / "dokumente" / "bauausschuss-2025-04-beschluesse.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "gemeindliche Einvernehmen" in html
    # one publication is a scan: pictures of its pages, no text layer
    scan = pypdf.PdfReader(io.BytesIO((tmp_path / "dokumente" / "gutachten-friedhofsmauer-scan.pdf").read_bytes()))
    assert "".join(page.extract_text() for page in scan.pages).strip() == ""
    assert "/XObject" in scan.pages[0]["/Resources"]
    # a second start writes nothing new
    before = {path: path.stat().st_mtime_ns for path in written}
    write_documents(CATALOGS, tmp_path)
    assert {path: path.stat().st_mtime_ns for path in written} == before


def test_catalogue_server_serves_feeds_and_generated_documents(tmp_path):
    write_documents(CATALOGS, tmp_path)
    server = serve_in_thread(CATALOGS, more_directories=(tmp_path,))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        feed = requests.get(f"{base}/{FEED}", timeout=10)
        assert feed.headers["Content-Type"] == "application/atom+xml"
        document = requests.get(f"{base}/dokumente/stellenplan-2025.pdf", timeout=10)
        assert document.status_code == 200 and document.content.startswith(b"%PDF-")
        assert document.headers["Content-Type"] == "application/pdf"
        assert requests.get(f"{base}/dokumente/gibt-es-nicht.pdf", timeout=10).status_code == 404
        assert requests.get(f"{base}/bremen-catalog.rdf", timeout=10).status_code == 200
    finally:
        server.shutdown()
        server.server_close()
