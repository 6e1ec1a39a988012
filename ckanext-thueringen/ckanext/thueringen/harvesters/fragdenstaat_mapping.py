"""Answered information requests of FragDenStaat as publications: the pure part of the harvester.

FragDenStaat runs froide (github.com/okfde/froide); its public API
`/api/v1/request/` lists requests (froide's FoiRequestListSerializer) in pages
of `{"meta": {"limit", "next", "offset", "previous", "total_count"}, "objects": [...]}`,
and `/api/v1/request/<id>/` gives one request with its law (FoiLawSerializer)
and its messages, each with its attachments (FoiAttachmentSerializer).
`map_request(detail, site)` turns such a detail into a `publication`:

| froide                                      | publication |
|---------------------------------------------|-------------|
| resource_uri (the request's API address)    | record guid, `identifier` |
| url (the request's page, site-relative)     | `uri`, `url` |
| title; description (+ summary, the result)  | `title`; `notes` |
| law.name                                    | `legal_basis`; `legal_basis_law` derived from it |
| public_body name, url, site_url             | `publisher` |
| resolved_on; last_modified_at               | `publication_date` and `issued`; `modified` |
| tags                                        | tags |
| attachments of the authority's answers      | `resources` (file_url, name, filetype, size) |
| –                                           | `document_type`: informationsantraege (or the source's) |

Attachments are documents only when FragDenStaat shows them to everyone:
approved, not pending (still being converted or redacted), not irrelevant (a
signature image, say), and not an original that was replaced by a redacted
version. Requests that are not public, not resolved or not (partially)
successful are not publications (`is_publishable`).
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from ckanext.thueringen import normalize
from ckanext.thueringen.normalize import Normalized
from ckanext.thueringen.transparency.publications import as_publication

SUCCESSFUL = ("successful", "partially_successful")
RESOLVED = "resolved"
INFORMATION_REQUESTS = "https://opendata.thueringen.de/def/document-type/informationsantraege"
RESOLUTION_LABELS = {"successful": "erfolgreich", "partially_successful": "teilweise erfolgreich"}


def site_base_url(url: str) -> str:
    """The froide site of a source URL: "https://fragdenstaat.de/api/v1/request/" and
    "https://fragdenstaat.de/" both give "https://fragdenstaat.de"."""
    parts = urlsplit(url.strip())
    path = re.split(r"/api(?:/|$)", parts.path, maxsplit=1)[0].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def request_api_url(site: str, request: dict) -> str:
    """The API address of a request (its `resource_uri`, else built from its id)."""
    resource_uri = request.get("resource_uri")
    if isinstance(resource_uri, str) and resource_uri.strip():
        return urljoin(site + "/", resource_uri.strip())
    return f"{site}/api/v1/request/{request.get('id')}/"


def is_publishable(request: dict, resolutions: tuple[str, ...] = SUCCESSFUL) -> bool:
    return (request.get("public") is not False and request.get("status") == RESOLVED
            and request.get("resolution") in resolutions)


def public_attachments(detail: dict) -> list[tuple[dict, dict]]:
    """(message, attachment) of every document of the authority's answers that
    FragDenStaat shows to everyone (see the module's doc)."""
    found = []
    for message in detail.get("messages") or []:
        if not isinstance(message, dict) or not message.get("is_response"):
            continue
        for attachment in message.get("attachments") or []:
            if not isinstance(attachment, dict) or not attachment.get("file_url"):
                continue
            if not attachment.get("approved") or attachment.get("pending") or attachment.get("is_irrelevant"):
                continue
            if attachment.get("redacted"):   # the original; its redacted version is an attachment of its own
                continue
            found.append((message, attachment))
    return found


def map_request(detail: dict, site: str, document_type: str | None = None) -> Normalized:
    """The publication of a request detail (`/api/v1/request/<id>/`), normalised."""
    page = urljoin(site + "/", detail["url"]) if isinstance(detail.get("url"), str) and detail["url"] else None
    notes = _text(detail.get("description"))
    summary = _text(detail.get("summary"))
    if summary:
        notes = f"{notes}\n\nErgebnis: {summary}" if notes else summary
    resolution = RESOLUTION_LABELS.get(detail.get("resolution"), "")
    if resolution:
        notes = f"{notes}\n\nDie Anfrage wurde über FragDenStaat gestellt und ist {resolution} beantwortet." \
            if notes else f"Anfrage über FragDenStaat, {resolution} beantwortet."
    law = detail.get("law") if isinstance(detail.get("law"), dict) else {}
    body = detail.get("public_body") if isinstance(detail.get("public_body"), dict) else {}
    publisher = {"name": _text(body.get("name")), "url": body.get("url") or None,
                 "uri": body.get("site_url") or None}
    resolved = normalize.date(detail.get("resolved_on")) if detail.get("resolved_on") else None
    resources = []
    for message, attachment in public_attachments(detail):
        resource = {"url": urljoin(site + "/", attachment["file_url"]),
                    "name": _text(attachment.get("name")) or "Anlage",
                    "format": attachment.get("filetype") or None, "mimetype": attachment.get("filetype") or None,
                    "issued": normalize.date(message.get("timestamp")) if message.get("timestamp") else None}
        size = attachment.get("size")
        if isinstance(size, int) and not isinstance(size, bool) and size > 0:
            resource["size"] = size
        resources.append({k: v for k, v in resource.items() if v not in (None, "")})
    tags = [normalize.clean_tag(str(tag)) for tag in detail.get("tags") or []]
    dataset: dict[str, Any] = {
        "type": "publication",
        "title": _text(detail.get("title")),
        "notes": notes or _text(detail.get("title")),
        "identifier": request_api_url(site, detail),
        "uri": page,
        "url": page,
        "document_type": document_type or INFORMATION_REQUESTS,
        "legal_basis": _text(law.get("name")) or None,
        "publisher": [{k: v for k, v in publisher.items() if v}] if publisher["name"] else None,
        "issued": resolved,
        "publication_date": resolved[:10] if resolved else None,
        "modified": normalize.date(detail.get("last_modified_at")) if detail.get("last_modified_at") else resolved,
        "language": "de",
        "tag_string": ",".join(dict.fromkeys(tag for tag in tags if tag)) or None,
        "resources": resources,
    }
    return normalize.normalize_dataset(as_publication({k: v for k, v in dataset.items() if v not in (None, "", [])}))


def _text(value: Any) -> str:
    """Text with its lines kept and spaces inside them collapsed."""
    if not isinstance(value, str):
        return ""
    lines = [" ".join(line.split()) for line in value.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
