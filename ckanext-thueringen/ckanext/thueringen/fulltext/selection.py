"""Which resources are documents whose text is worth extracting.

A dataset's CSV, JSON or shapefile distributions are data, not documents:
their text would flood the search with numbers, and fetching them costs the
worker time for nothing. The resource's declared format (an EU file-type URI,
its code from the `filetypes` vocabulary) decides; without a format, the
address's file extension; without either, the resource is fetched and the
content decides (sniff.py). Images (PNG, JPEG, TIFF) are scans, read by text
recognition (ocr.py), in publications only: a dataset's images are maps,
charts and photos, whose recognised text would be noise.
"""
from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urlsplit

# Codes of the EU file-type vocabulary (lower case) for text documents. DOC and
# RTF are not read, but taken, so that the status tells why.
DOCUMENT_FORMATS = frozenset({
    "pdf", "pdfa1a", "pdfa1b", "pdfa2a", "pdfa2b", "pdfa3", "pdf1x", "pdfx",
    "odt", "docx", "doc", "rtf", "html", "htm", "xhtml", "html_simpl", "txt", "text",
})
DOCUMENT_EXTENSIONS = frozenset({"pdf", "odt", "docx", "doc", "rtf", "html", "htm", "xhtml", "txt", "php",
                                 "asp", "aspx", "jsp"})
IMAGE_FORMATS = frozenset({"png", "jpeg", "jpg", "tiff", "tif"})
SUPPORTED = "PDF, ODT, DOCX, HTML und Text"
# the dataset type whose images are scanned documents
SCAN_PACKAGE_TYPE = "publication"


def is_document(format_code: str, url: str, images: bool = False) -> bool:
    """Whether a resource of this format (or, without one, address) is a
    document; `images`: scanned images count too."""
    code = (format_code or "").strip().lower()
    if code:
        return code in DOCUMENT_FORMATS or (images and code in IMAGE_FORMATS)
    suffix = PurePosixPath(urlsplit(url or "").path).suffix.lower().lstrip(".")
    return not suffix or suffix in DOCUMENT_EXTENSIONS or (images and suffix in IMAGE_FORMATS)


def not_a_document_reason(format_code: str) -> str:
    shown = (format_code or "").upper() or "unbekannt"
    return f"Die Ressource ist kein Textdokument (Format {shown}); Volltext wird nur aus {SUPPORTED} gewonnen."
