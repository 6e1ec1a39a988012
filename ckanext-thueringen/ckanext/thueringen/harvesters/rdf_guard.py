"""Reading a fetched catalogue page safely: the parse stage of the pipeline.

`parse_page(path, content_type, url)` decides the RDF serialisation
(`detect_format`), refuses dangerous documents before any RDF parser sees them
(`check_safe`) and reads the page with `ckanext.thueringen.rdf.parse_datasets`.
Every failure is a `ParseError` (`UnsafeDocument` is one) with a German
sentence that names the URL and the reason in one line.

What `check_safe` refuses:

- XML whose DOCTYPE declares entities (`<!ENTITY …>`: external entities that
  read local files or other hosts — XXE —, and nested entities that expand to
  gigabytes — "billion laughs"). To be sure of that, any internal DTD subset
  (`<!DOCTYPE x [ … ]>`, where entities are declared) and any external DTD is
  refused; a bare `<!DOCTYPE rdf:RDF>` is fine. The prolog is read in chunks
  with expat, the XML parser rdflib itself uses, in every encoding the parser
  could read it in; reading stops at the first element, where a DOCTYPE can
  no longer appear. Any format is checked, since the format may be wrong.
- JSON-LD whose contexts are to be loaded from elsewhere (`"@context": "https://…"`
  or `@import`): rdflib would fetch them itself, without our size, time and
  scheme limits (file:// included).
"""
from __future__ import annotations

import codecs
import io
import json
import os
import re
import xml.parsers.expat
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from ckanext.thueringen.rdf import ParsedPage, parse_datasets

from .fetch import display_url, one_line

CHUNK_SIZE = 64 * 1024
SNIFF_BYTES = 4096

MEDIA_TYPE_FORMATS = {
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "text/n3": "n3",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/n-triples": "nt",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}
SUFFIX_FORMATS = {
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".ttl": "turtle",
    ".n3": "n3",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
}
_ELEMENT_START = re.compile(r"<[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?[\s/>]")
FORMAT_LABELS = {
    "xml": "RDF/XML",
    "turtle": "Turtle",
    "n3": "N3",
    "json-ld": "JSON-LD",
    "nt": "N-Triples",
    "nquads": "N-Quads",
    "trig": "TriG",
}


class ParseError(Exception):
    """A page that could not be read as RDF; the message is German and names the URL."""


class UnsafeDocument(ParseError):
    """A page refused before parsing because parsing it would be dangerous."""


def detect_format(path: str | os.PathLike, content_type: str | None, url: str | None) -> str:
    """The rdflib format name: from the media type, else the file ending
    (of the URL, then of the file), else from the first bytes."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type in MEDIA_TYPE_FORMATS:
        return MEDIA_TYPE_FORMATS[media_type]
    for name in (urlsplit(url or "").path, str(path)):
        suffix = PurePosixPath(name).suffix.lower()
        if suffix in SUFFIX_FORMATS:
            return SUFFIX_FORMATS[suffix]
    return _sniff(_head(Path(path)))


def check_safe(path: str | os.PathLike, rdf_format: str, *, url: str | None = None) -> None:
    """Raise UnsafeDocument for a document no RDF parser may see (see the module's doc)."""
    where = display_url(url) if url else str(path)
    check_xml_prolog(Path(path), where)
    if rdf_format == "json-ld":
        _check_jsonld_contexts(Path(path), where)


def parse_page(path: str | os.PathLike, content_type: str | None, url: str) -> ParsedPage:
    """Detect the format, check the page, parse it. Raises ParseError (or UnsafeDocument)."""
    path = Path(path)
    where = display_url(url)
    rdf_format = detect_format(path, content_type, url)
    check_safe(path, rdf_format, url=url)
    head = _head(path)
    if not head.strip():
        raise ParseError(f"Die Antwort von {where} ist leer; erwartet wurde ein RDF-Katalog.")
    if _is_html(head):
        raise ParseError(f"{where} lieferte eine HTML-Seite statt eines RDF-Katalogs – meist eine Fehler- "
                         "oder Anmeldeseite.")
    label = FORMAT_LABELS.get(rdf_format, rdf_format)
    try:
        return parse_datasets(path.read_bytes(), rdf_format)
    except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise all kinds (SAX, BadSyntax, JSON, Recursion…)
        raise ParseError(f"Der Katalog von {where} ist kein lesbares {label}: {one_line(exc)}") from exc


# --- format detection ---------------------------------------------------------

def _head(path: Path) -> str:
    """The first bytes as text, enough to tell the serialisations apart."""
    with path.open("rb") as handle:
        raw = handle.read(SNIFF_BYTES)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    if raw.startswith((b"<\0", b"\0<")):
        return raw.decode("utf-16-le" if raw[0] else "utf-16-be", errors="replace")
    # latin-1 keeps every ASCII byte as it is, which is all the markup needs
    return raw.removeprefix(codecs.BOM_UTF8).decode("latin-1")


def _sniff(head: str) -> str:
    text = head.lstrip("\ufeff \t\r\n")
    while text.startswith("#"):  # Turtle and N-Triples comments
        text = text.partition("\n")[2].lstrip(" \t\r\n")
    if text.startswith(("<?xml", "<!", "<rdf:RDF")) or _starts_with_element(text):
        return "xml"
    if text.startswith("{") or (text.startswith("[") and text[1:].lstrip()[:1] in ('{', '"', "[", "]")):
        return "json-ld"
    # Turtle reads N-Triples as well; @prefix/PREFIX/@base/BASE and the rest
    return "turtle"


def _starts_with_element(text: str) -> bool:
    """'<Catalog xmlns="…">' (an element declaring namespaces, as RDF/XML must),
    not '<http://…>' or '<s>' (Turtle/N-Triples IRIs)."""
    return _ELEMENT_START.match(text) is not None and "xmlns" in text.partition(">")[0]


def _is_html(head: str) -> bool:
    text = head.lstrip("\ufeff \t\r\n").lower()
    return text.startswith(("<!doctype html", "<html"))


# --- checks -------------------------------------------------------------------

class _EndOfProlog(Exception):
    pass


# Autodetection (byte order marks, the declared encoding), what rdflib forces on
# expat for bytes (UTF-8) and a reading that never fails on a byte (Latin-1):
# a DOCTYPE that any of them would meet is met here.
_PROLOG_ENCODINGS = (None, "utf-8", "iso-8859-1")


def check_xml_prolog(document: Path | bytes, where: str) -> None:
    """Raise UnsafeDocument for XML (a file, or bytes) whose DOCTYPE declares entities
    or names a DTD; other XML parsers of the portal (feeds) rely on it too."""
    for encoding in _PROLOG_ENCODINGS:
        _scan_prolog(document, where, encoding)


def _scan_prolog(document: Path | bytes, where: str, encoding: str | None) -> None:
    """Feed the document to expat up to the first element; refuse a DOCTYPE with an
    internal subset (where entities are declared) or with an external DTD."""
    parser = xml.parsers.expat.ParserCreate(encoding, " ")
    subset = False

    def refuse(what: str):
        return UnsafeDocument(f"Das Dokument von {where} {what}; solche Dokumente werden aus Sicherheitsgründen "
                              "nicht gelesen (Schutz vor XXE und Entity-Expansion).")

    def doctype(name, system_id, public_id, has_internal_subset):
        nonlocal subset
        if system_id or public_id:
            raise refuse(f"verweist in seiner DOCTYPE-Angabe auf eine externe DTD ({system_id or public_id})")
        subset = bool(has_internal_subset)

    def entity(name, is_parameter_entity, value, base, system_id, public_id, notation_name):
        kind = "externe Entität" if system_id or public_id else "Entität"
        raise refuse(f"deklariert in seiner DOCTYPE-Angabe eine {kind} ({name})")

    def end_doctype():
        if subset:
            raise refuse("enthält eine interne DTD (DOCTYPE mit [ … ])")

    def first_element(*_args):
        raise _EndOfProlog

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.EndDoctypeDeclHandler = end_doctype
    parser.StartElementHandler = first_element
    try:
        with (io.BytesIO(document) if isinstance(document, bytes) else document.open("rb")) as handle:
            while chunk := handle.read(CHUNK_SIZE):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _EndOfProlog:
        return
    except xml.parsers.expat.ExpatError:
        # no XML at all (Turtle, JSON-LD …) or broken XML, which the RDF parser
        # will report - unless it broke inside an internal DTD subset
        if subset:
            raise refuse("enthält eine interne DTD (DOCTYPE mit [ … ])") from None


def _check_jsonld_contexts(path: Path, where: str) -> None:
    try:
        with path.open("rb") as handle:
            document = json.load(handle)
    except (ValueError, RecursionError):
        return  # not JSON: the parser will report it, and loads nothing
    todo = [document]
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                remote = _remote_context(key, value)
                if remote:
                    raise UnsafeDocument(
                        f"Das JSON-LD-Dokument von {where} lädt einen Kontext von {remote} nach; externe "
                        "Kontexte werden nicht abgerufen – der Kontext muss im Dokument stehen.")
                todo.append(value)


def _remote_context(key: str, value) -> str | None:
    if key == "@import" and isinstance(value, str):
        return value
    if key == "@context":
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                return item
    return None
