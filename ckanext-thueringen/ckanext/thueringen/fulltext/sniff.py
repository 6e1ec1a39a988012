"""What a downloaded document is, from its bytes, not its name or headers.

Servers and authorities label files wrongly all the time (a PDF served as
application/octet-stream, a DOCX named .pdf, an HTML error page under a .pdf
URL), so only the content decides. Unknown and unsupported formats raise
ExtractionError with a German reason that names what the file is.
"""
from __future__ import annotations

import io
import re
import zipfile

from ckanext.thueringen.fulltext.errors import ExtractionError

PDF = "pdf"
ODT = "odt"
DOCX = "docx"
HTML = "html"
TEXT = "text"

MIME_TYPES = {
    PDF: "application/pdf",
    ODT: "application/vnd.oasis.opendocument.text",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    HTML: "text/html",
    TEXT: "text/plain",
}
ODT_MIMETYPE = MIME_TYPES[ODT].encode("ascii")
DOCX_MAIN_PART = b"wordprocessingml.document.main+xml"

# The PDF header may follow some junk; readers look in the first kilobyte.
_PDF_WINDOW = 1024
# Formats we recognise but do not read: a clear reason beats "unbekannt".
_OTHER_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ein altes Microsoft-Office-Dokument (.doc/.xls), das nicht gelesen wird"),
    (b"\x89PNG\r\n\x1a\n", "ein PNG-Bild, kein Textdokument"),
    (b"\xff\xd8\xff", "ein JPEG-Bild, kein Textdokument"),
    (b"GIF87a", "ein GIF-Bild, kein Textdokument"),
    (b"GIF89a", "ein GIF-Bild, kein Textdokument"),
    (b"II*\x00", "ein TIFF-Bild, kein Textdokument"),
    (b"MM\x00*", "ein TIFF-Bild, kein Textdokument"),
    (b"\x1f\x8b", "ein gzip-Archiv, kein Textdokument"),
    (b"Rar!", "ein RAR-Archiv, kein Textdokument"),
    (b"7z\xbc\xaf\x27\x1c", "ein 7-Zip-Archiv, kein Textdokument"),
    (b"{\\rtf", "ein RTF-Dokument, das nicht gelesen wird"),
)
_HTML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]",
                         re.IGNORECASE | re.DOTALL)
_HTML_ANYWHERE = re.compile(rb"<(html|body)[\s>]", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def sniff(data: bytes) -> str:
    """PDF, ODT, DOCX, HTML or TEXT for `data`; ExtractionError otherwise."""
    if not data:
        raise ExtractionError("Das Dokument ist leer (0 Bytes).")
    if b"%PDF-" in data[:_PDF_WINDOW]:
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    for magic, what in _OTHER_MAGIC:
        if data.startswith(magic):
            raise ExtractionError(f"Das Dokument ist {what}.")
    head = data[:4096]
    if head.startswith(_BOMS[1:]):  # UTF-16 text has NUL bytes; decide on the decoded text
        head = head.decode("utf-16", errors="replace").encode("utf-8")
    elif b"\x00" in head:
        raise ExtractionError("Das Dokument hat ein unbekanntes Binärformat; gelesen werden PDF, ODT, DOCX, "
                              "HTML und Text.")
    head = head.removeprefix(_BOMS[0])
    if _HTML_START.match(head) or _HTML_ANYWHERE.search(head[:1024]):
        return HTML
    return TEXT


def _sniff_zip(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        # ODF: the uncompressed first member "mimetype" names the type.
        if "mimetype" in names:
            with archive.open("mimetype") as member:
                if member.read(200).strip() == ODT_MIMETYPE:
                    return ODT
        if "[Content_Types].xml" in names:
            with archive.open("[Content_Types].xml") as member:
                if DOCX_MAIN_PART in member.read(256 * 1024):
                    return DOCX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise ExtractionError(f"Das ZIP-Archiv ist beschädigt ({exc}).") from exc
    raise ExtractionError("Das Dokument ist ein ZIP-Archiv, aber kein ODT- oder DOCX-Textdokument.")
