"""Where a document's bytes come from.

An uploaded file (`url_type: upload`) is read straight from CKAN's file
storage, through the resource uploader of CKAN's IUploader interface
(`get_resource_uploader(...).get_path(resource_id)`): its `url` is only the
file name, and fetching it over the portal's own download address would be a
round trip through the web server that the outbound policy refuses anyway
(loopback). Every other document is downloaded through the portal's one
guarded HTTP path (harvesters/fetch.py). Both give the same limits: at most
`thueringen.fulltext.max_bytes` bytes.

Used by the extraction job (jobs.py) and by the document preview (views.py).
"""
from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.harvesters.fetch import fetch

MiB = 1024 * 1024
UPLOAD = "upload"

# Documents come with every label; the content decides (sniff.py), so the
# download accepts all the types under which documents are commonly served.
DOCUMENT_MEDIA_TYPES = (
    "application/pdf", "application/x-pdf", "application/acrobat",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text/html", "application/xhtml+xml", "text/plain",
    "application/octet-stream", "binary/octet-stream", "application/download", "application/force-download",
    "application/x-download", "application/zip", "application/x-zip-compressed", "application/msword",
    "application/vnd.ms-word", "application/rtf", "text/rtf", "text/csv", "text/xml", "application/xml",
    "application/json", "image/png", "image/jpeg", "image/tiff", "image/gif",
)


class UploadMissing(Exception):
    """The uploaded file cannot be read; `reason` is a German sentence. Final:
    a file that is not in the storage does not appear by waiting."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Document:
    data: bytes
    sha256: str


def is_upload(url_type: str | None) -> bool:
    return (url_type or "") == UPLOAD


def _int(key: str) -> int:
    return int(toolkit.config.get(key))


def read(resource_id: str, url: str, url_type: str | None) -> Document:
    """The bytes of a resource's document. Raises UploadMissing for an upload
    that cannot be read, FetchError for a download that fails."""
    if is_upload(url_type):
        data = read_upload(resource_id, url, _int("thueringen.fulltext.max_bytes"))
    else:
        with tempfile.TemporaryDirectory(prefix="fulltext-") as folder:
            fetched = fetch(url, folder, max_bytes=_int("thueringen.fulltext.max_bytes"),
                            connect_timeout=_int("thueringen.fulltext.connect_timeout"),
                            read_timeout=_int("thueringen.fulltext.read_timeout"),
                            total_timeout=_int("thueringen.fulltext.total_timeout"),
                            accept=DOCUMENT_MEDIA_TYPES)
            data = Path(fetched.path).read_bytes()
    return Document(data, hashlib.sha256(data).hexdigest())


def upload_path(resource_id: str, url: str) -> Path:
    """Where the storage keeps the uploaded file of a resource (CKAN's uploader decides)."""
    from ckan.lib.uploader import get_resource_uploader

    uploader = get_resource_uploader({"id": resource_id, "url": url, "url_type": UPLOAD})
    try:
        path = uploader.get_path(resource_id)
    except (TypeError, AttributeError, toolkit.ValidationError) as exc:
        # TypeError: no ckan.storage_path; AttributeError: an uploader without get_path
        raise UploadMissing("Der Dateispeicher des Portals ist nicht eingerichtet oder gibt die "
                            "hochgeladene Datei nicht als Datei heraus.") from exc
    path = Path(str(path))
    if not path.is_absolute():
        raise UploadMissing("Der Dateispeicher des Portals gibt die hochgeladene Datei nicht als Datei heraus.")
    return path


def read_upload(resource_id: str, url: str, max_bytes: int) -> bytes:
    """The uploaded file's bytes, at most `max_bytes` (the same cap as a download)."""
    path = upload_path(resource_id, url)
    name = Path(url or "").name or "Die Datei"
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except FileNotFoundError:
        raise UploadMissing(f"Die hochgeladene Datei {name} fehlt im Dateispeicher des Portals.") from None
    except OSError as exc:
        raise UploadMissing(f"Die hochgeladene Datei {name} ist nicht lesbar ({exc.strerror}).") from exc
    if len(data) > max_bytes:
        raise UploadMissing(f"Die hochgeladene Datei {name} ist größer als {max_bytes // MiB} MB; "
                            "so große Dokumente werden nicht gelesen.")
    return data

