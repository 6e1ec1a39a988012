"""Does the served content type fit the declared format? (pure, with the EU file types)

The declared format is a resource's `format` (the EU file-type URI, its label
such as "CSV", or a code or media type a publisher wrote) or, without one, its
`mimetype`; both are read through the vocabulary `filetypes`
(schemas/vocabularies/eu-file-type*.ttl), which knows each type's media types
and aliases. The served type is the Content-Type of the answer.

Not a mismatch, because servers commonly answer so for correct data:
- no Content-Type, or one that says nothing (application/octet-stream & co.);
- an archive (zip, gzip, tar): the declared data packed, as with shapefiles;
- text/plain for a text format (CSV, JSON, XML, GeoJSON, Turtle …), and the
  generic XML or JSON types for a format built on XML or JSON;
- an HTML page at an access URL: DCAT's access URL may be a landing page
  (a download URL must be the file);
- OGC service requests: the answer is the service's XML, not the data format.
A format the vocabulary does not know is not judged either.
"""
from __future__ import annotations

import re

from ckanext.thueringen import vocabularies
from ckanext.thueringen.vocabularies import Concept

GENERIC = frozenset({"application/octet-stream", "binary/octet-stream", "application/download",
                     "application/force-download", "application/x-download", "application/unknown",
                     "application/binary"})
ARCHIVES = frozenset({"application/zip", "application/x-zip-compressed", "application/x-zip",
                      "application/gzip", "application/x-gzip", "application/x-tar", "application/x-gtar",
                      "application/x-7z-compressed", "application/x-bzip2"})
HTML = frozenset({"text/html", "application/xhtml+xml"})
XML = frozenset({"application/xml", "text/xml"})
JSON = frozenset({"application/json", "text/json"})
_MEDIA_TYPE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$")


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, lower case, without parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def declared_concept(format_value: str | None, mimetype: str | None = None) -> Concept | None:
    """The file type a resource declares: its format (URI, label, code or
    media type), else its media type."""
    types = vocabularies.vocabulary("filetypes")
    for value in (format_value, mimetype):
        value = (value or "").strip()
        if not value:
            continue
        concept = types.lookup(value) or types.lookup(media_type(value)) or types.by_folded_label(value)
        if concept is not None:
            return concept
    return None


def media_types_of(concept: Concept) -> frozenset[str]:
    """The media types the vocabulary lists for a file type."""
    return frozenset(text.lower() for text in concept.alt_labels if _MEDIA_TYPE.match(text.lower()))


def _textual(types: frozenset[str]) -> bool:
    return any(t.startswith("text/") or t.endswith(("json", "xml", "+xml", "+json", "turtle", "n3"))
               for t in types)


def mismatch(format_value: str | None, mimetype: str | None, content_type: str | None, *,
             kind: str = "download", ogc: bool = False) -> str | None:
    """A German sentence when the served `content_type` does not fit the declared
    format; None when it fits or cannot be judged. `kind`: "access" or "download"."""
    served = media_type(content_type)
    if not served or served in GENERIC or served in ARCHIVES or ogc:
        return None
    declared = declared_concept(format_value, mimetype)
    if declared is None:
        return None
    types = vocabularies.vocabulary("filetypes")
    served_concept = types.lookup(served)
    declared_types = media_types_of(declared)
    if served_concept == declared or served in declared_types:
        return None
    if served == "text/plain" and _textual(declared_types):
        return None
    if served in XML and any(t.endswith("xml") for t in declared_types):
        return None
    if served in JSON and any(t.endswith("json") for t in declared_types):
        return None
    if served in HTML:
        if kind == "access":
            return None
        return (f"Angegeben ist das Format {declared.label('de')}, die Download-Adresse liefert aber eine "
                f"HTML-Seite ({served}) – meist eine Übersichts-, Fehler- oder Anmeldeseite statt der Datei.")
    what = f"{served} ({served_concept.label('de')})" if served_concept is not None else served
    return f"Angegeben ist das Format {declared.label('de')}, der Server liefert aber den Inhaltstyp {what}."
