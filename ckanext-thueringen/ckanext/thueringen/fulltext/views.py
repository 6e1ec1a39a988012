"""Reading a document in the browser (blueprint `thueringen_document`).

- `/dokument/<resource_id>/text`: the extracted text as a page, in parts of
  TEXT_PART_CHARS characters; `?q=` marks the search words (highlight.py,
  escaped on the server) and opens the part with the first match.
- `/dokument/<resource_id>/vorschau`: a PDF shown with pdf.js, served by the
  portal itself (public/thueringen-fulltext/, document-viewer.mjs; no inline
  script, the CSP's 'self' is enough).
- `/dokument/<resource_id>/pdf`: the PDF's bytes for the preview, from the
  portal's origin: an upload from the storage, a link through the guarded
  download (source.py), only if the content is a PDF.

Whoever may not see the resource's dataset gets 404, as for a resource
that does not exist.
"""
from __future__ import annotations

import io
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from flask import Blueprint, Response, request, send_file

from ckanext.thueringen.fulltext import highlight, source, storage
from ckanext.thueringen.fulltext.errors import ExtractionError
from ckanext.thueringen.fulltext.sniff import PDF, sniff
from ckanext.thueringen.harvesters.fetch import FetchError
from ckanext.thueringen.model.fulltext import DONE

log = logging.getLogger(__name__)
_ = toolkit._

document = Blueprint("thueringen_document", __name__)

TEXT_PART_CHARS = 100_000
PDF_MIME_TYPE = "application/pdf"


def _visible(resource_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The resource and its dataset as the current user may see them; 404 otherwise."""
    try:
        resource = toolkit.get_action("resource_show")({}, {"id": resource_id})
        package = toolkit.get_action("package_show")({}, {"id": resource["package_id"]})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        toolkit.abort(404, _("Document not found"))
    return resource, package


def _stored(resource_id: str, url: str) -> dict[str, Any] | None:
    """The document's row, if it belongs to the resource's current file or address."""
    row = storage.status(resource_id)
    return row if row is not None and row["url"] == (url or "").strip() else None


def is_pdf(stored: dict[str, Any] | None) -> bool:
    """Whether the preview can show the document: its extracted content was a PDF."""
    return bool(stored and stored.get("mime_type") == PDF_MIME_TYPE)


def text(resource_id: str):
    resource, package = _visible(resource_id)
    raw_url = _raw_url(resource_id)
    stored = _stored(resource_id, raw_url)
    q = (request.args.get("q") or "").strip()[:200]
    terms = highlight.query_terms(q)
    extra = {"resource": resource, "pkg": package, "q": q, "stored": stored, "is_pdf": is_pdf(stored)}
    body = storage.text(resource_id) if stored and stored["status"] == DONE else None
    if body is None:
        return toolkit.render("fulltext/text.html", {**extra, "part": None, "parts": 0, "matches": 0})
    spans = highlight.parts(body, TEXT_PART_CHARS)
    counts = [highlight.count_matches(body[start:end], terms) for start, end in spans] if terms else [0] * len(spans)
    try:
        number = int(request.args.get("teil") or 0)
    except ValueError:
        number = 0
    if not 1 <= number <= len(spans):
        number = next((index + 1 for index, count in enumerate(counts) if count), 1)
    start, end = spans[number - 1]
    part = highlight.highlight(body[start:end], terms, first_id=1 + sum(counts[:number - 1]))
    return toolkit.render("fulltext/text.html", {**extra, "part": part, "part_number": number,
                                                  "parts": len(spans), "matches": sum(counts)})


def preview(resource_id: str):
    resource, package = _visible(resource_id)
    if not is_pdf(_stored(resource_id, _raw_url(resource_id))):
        toolkit.abort(404, _("There is no PDF preview of this document."))
    return toolkit.render("fulltext/preview.html", {"resource": resource, "pkg": package,
                                                     "q": (request.args.get("q") or "").strip()[:200]})


def pdf(resource_id: str):
    resource, _package = _visible(resource_id)
    raw_url = _raw_url(resource_id)
    if not is_pdf(_stored(resource_id, raw_url)):
        toolkit.abort(404, _("There is no PDF preview of this document."))
    try:
        fetched = source.read(resource_id, raw_url, resource.get("url_type"))
    except source.UploadMissing as exc:
        toolkit.abort(404, exc.reason)
    except FetchError as exc:
        toolkit.abort(502, _("The document could not be fetched: {reason}").format(reason=exc.message))
    try:
        is_a_pdf = sniff(fetched.data) == PDF
    except ExtractionError:
        is_a_pdf = False
    if not is_a_pdf:
        toolkit.abort(404, _("There is no PDF preview of this document."))
    response: Response = send_file(io.BytesIO(fetched.data), mimetype=PDF_MIME_TYPE, download_name="dokument.pdf",
                                   as_attachment=False, etag=fetched.sha256, conditional=True, max_age=0)
    # shown by pdf.js on the portal's page; opened on its own, it runs nothing
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _raw_url(resource_id: str) -> str:
    """The stored url (an upload's file name), not resource_show's download address."""
    resource = model.Resource.get(resource_id)
    return (resource.url or "").strip() if resource is not None else ""


document.add_url_rule("/dokument/<resource_id>/text", view_func=text)
document.add_url_rule("/dokument/<resource_id>/vorschau", view_func=preview)
document.add_url_rule("/dokument/<resource_id>/pdf", view_func=pdf)
