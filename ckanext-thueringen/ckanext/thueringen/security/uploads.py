"""Uploaded files: served so that they cannot run script, and removed with their resource.

Serving. CKAN 2.12.0's download view sends the resource's stored `mimetype`
as Content-Type. Harvested and normalised resources store it as an IANA URI
(https://www.iana.org/assignments/media-types/text/html), which is no media
type, and browsers then sniff the content. `download_headers` sets a valid
media type (the URI's type, else one guessed from the file name, else
application/octet-stream), and `Content-Disposition: attachment` with a
sandboxing Content-Security-Policy for every type that is not known to be
inert when shown inline (HTML, SVG, XML, scripts and anything unknown), so
that an editor's upload never runs script in the portal's origin. nosniff
comes with every answer (headers.py).

Removal. CKAN keeps an uploaded file on disk when its resource is deleted or
its dataset purged. `delete_upload` removes the file of one resource (called
after resource_delete and dataset_purge, security/plugin.py);
`orphaned_uploads` finds the files of the storage folder that belong to no
active uploaded resource (`ckan thueringen uploads clean`).
"""
from __future__ import annotations

import logging
import mimetypes
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)

MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")
IANA_PREFIX = re.compile(r"^https?://www\.iana\.org/assignments/media-types/", re.I)
# Shown inline: types a browser displays without running script from them.
INLINE_TYPES = frozenset({
    "text/plain", "text/csv", "application/json", "application/pdf",
    "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp", "image/tiff",
    "audio/mpeg", "audio/ogg", "video/mp4", "video/webm",
})
ATTACHMENT_POLICY = "default-src 'none'; sandbox"


def media_type(stored: str | None, filename: str | None) -> str:
    """A valid media type for a download: the stored one (or the type an IANA
    media-type URI names), else one guessed from the file name, else
    application/octet-stream."""
    candidate = IANA_PREFIX.sub("", (stored or "").strip()).split(";")[0].strip().lower()
    if MEDIA_TYPE.match(candidate):
        return candidate
    guessed = mimetypes.guess_type(filename or "", strict=False)[0]
    return guessed.lower() if guessed else "application/octet-stream"


def shown_inline(media: str) -> bool:
    return media in INLINE_TYPES


def download_headers(stored_mimetype: str | None, filename: str | None) -> dict[str, str]:
    """The headers that replace CKAN's for an uploaded file."""
    media = media_type(stored_mimetype, filename)
    headers = {"Content-Type": media + ("; charset=utf-8" if media in ("text/plain", "text/csv") else "")}
    if not shown_inline(media):
        name = _ascii_filename(filename or "download")
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        headers["Content-Security-Policy"] = ATTACHMENT_POLICY
    return headers


def _ascii_filename(name: str) -> str:
    cleaned = re.sub(r'[^A-Za-z0-9._-]+', "_", os.path.basename(name)).strip("._") or "download"
    return cleaned[:120]


# --- files on disk -------------------------------------------------------------

def upload_path(storage_path: str | os.PathLike, resource_id: str) -> Path:
    """Where CKAN's ResourceUpload keeps the file of a resource (resources/abc/def/ghi…)."""
    return Path(storage_path) / "resources" / resource_id[0:3] / resource_id[3:6] / resource_id[6:]


def delete_upload(storage_path: str | os.PathLike | None, resource_id: str) -> bool:
    """Remove the uploaded file of `resource_id` and its emptied folders; True if one was removed."""
    if not storage_path or len(resource_id) < 7 or not re.fullmatch(r"[0-9a-f-]+", resource_id):
        return False
    path = upload_path(storage_path, resource_id)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    log.info("Hochgeladene Datei der Ressource %s gelöscht", resource_id)
    _remove_empty(path.parent, Path(storage_path) / "resources")
    return True


def _remove_empty(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def stored_uploads(storage_path: str | os.PathLike) -> Iterator[tuple[str, Path]]:
    """(resource id, path) of every file in the storage's resources folder."""
    root = Path(storage_path) / "resources"
    if not root.is_dir():
        return
    for first in sorted(root.iterdir()):
        if not first.is_dir():
            continue
        for second in sorted(first.iterdir()):
            if not second.is_dir():
                continue
            for file in sorted(second.iterdir()):
                if file.is_file():
                    yield first.name + second.name + file.name, file


def orphaned_uploads(storage_path: str | os.PathLike, active_upload_ids: Iterable[str]) -> list[tuple[str, Path]]:
    """The stored files whose resource is not an active uploaded resource."""
    keep = set(active_upload_ids)
    return [(resource_id, path) for resource_id, path in stored_uploads(storage_path) if resource_id not in keep]
