"""The documents of the demo "Veröffentlichungen" feeds, written when they are served.

The demo feeds in config/demo/catalogs/*.atom (made-up authorities, marked as
demo) carry each document's text as the entry's `<content type="text">` and
link the document with `rel="enclosure"` under a relative address
(`dokumente/<name>.pdf` or `.html`). `write_documents(catalogs, target)` writes
those files into `target` — real text PDFs through `pdf_writer.write_pdf`, a
scan (an image-only PDF of the rendered text, `pdf_writer.write_scanned_pdf`,
which needs poppler's pdftoppm) for a name ending in `-scan.pdf`, or a small
HTML page — so that the harvested publications have documents whose text the
portal can extract (scans by text recognition) and search. Generated files belong under var/, not
into git; the catalogue server of `make run` calls this at its start
(`static_server --demo-documents`). Writing is idempotent: a file whose bytes
would not change is left alone.
"""
from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ckanext.thueringen.harvesters.rdf_guard import check_xml_prolog
from pdf_writer import write_pdf, write_scanned_pdf

ATOM = "{http://www.w3.org/2005/Atom}"
DOCUMENT_FOLDER = "dokumente"
SCAN_SUFFIX = "-scan.pdf"


def document_texts(feed: bytes, where: str = "demo feed") -> dict[str, tuple[str, list[str]]]:
    """Relative document address -> (title, pages) for every enclosure of a feed
    that lives in its `dokumente/` folder."""
    check_xml_prolog(feed, where)
    root = ET.fromstring(feed)
    author = " ".join("".join(root.find(f"{ATOM}author/{ATOM}name").itertext()).split()) \
        if root.find(f"{ATOM}author/{ATOM}name") is not None else ""
    documents: dict[str, tuple[str, list[str]]] = {}
    for entry in root.findall(f"{ATOM}entry"):
        title = " ".join("".join(entry.find(f"{ATOM}title").itertext()).split())
        content = entry.find(f"{ATOM}content")
        body = "".join(content.itertext()).strip() if content is not None else ""
        published = (entry.findtext(f"{ATOM}published") or entry.findtext(f"{ATOM}updated") or "")[:10]
        for link in entry.findall(f"{ATOM}link"):
            href = (link.get("href") or "").strip()
            if link.get("rel") != "enclosure" or urlsplit(href).scheme or urlsplit(href).netloc:
                continue
            path = PurePosixPath(unquote(href))
            if path.parts[:1] != (DOCUMENT_FOLDER,) or ".." in path.parts:
                continue
            name = " ".join((link.get("title") or title).split())
            header = f"{author}\n{published}\n\n{name}"
            documents[str(path)] = (name, [header + "\n\n" + body] if body else [header])
    return documents


def render(relative: str, title: str, pages: list[str]) -> bytes:
    if relative.endswith(".html"):
        paragraphs = "\n".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>"
                               for page in pages for part in page.split("\n\n"))
        return (f"<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
                f"</head><body>\n<h1>{html.escape(title)}</h1>\n{paragraphs}\n</body></html>\n").encode()
    if relative.endswith(SCAN_SUFFIX):
        return write_scanned_pdf(pages)
    return write_pdf(pages, title=title)


def write_documents(catalogs: Path, target: Path) -> list[Path]:
    """Write the documents of every demo feed (*.atom) in `catalogs` into `target`."""
    written = []
    for feed in sorted(Path(catalogs).glob("*.atom")):
        for relative, (title, pages) in document_texts(feed.read_bytes(), str(feed)).items():
            path = Path(target) / relative
            data = render(relative, title, pages)
            if not path.exists() or path.read_bytes() != data:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            written.append(path)
    return written
