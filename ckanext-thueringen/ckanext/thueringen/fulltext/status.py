"""What the action `thueringen_fulltext_status` reports about a document:
its stored row, or what follows from the resource while its job has not run."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.fulltext import jobs, selection
from ckanext.thueringen.model.fulltext import FAILED, PENDING


def resource_and_package(identifier: str) -> tuple[model.Resource | None, model.Package]:
    """A resource id -> (resource, its package); a dataset's id or name -> (None, dataset)."""
    resource = model.Resource.get(identifier)
    if resource is not None and resource.state != "deleted":
        return resource, resource.package
    package = model.Package.get(identifier)
    if package is None or package.state == "deleted":
        raise toolkit.ObjectNotFound(toolkit._("Resource or dataset not found"))
    return None, package


def document_status(resource: model.Resource, stored: dict[str, Any] | None) -> dict[str, Any]:
    """The stored row, or what follows from the resource when its job has not
    run yet. `document` is False for resources that are not text documents
    (data files), which are not extracted."""
    url = (resource.url or "").strip()
    if stored is not None and stored["url"] == url:
        return {**stored, "document": True}
    base = {"resource_id": resource.id, "package_id": resource.package_id, "url": url, "pages": None,
            "chars": None, "mime_type": None, "content_hash": None, "attempts": 0, "next_attempt_at": None,
            "extracted_at": None, "updated_at": None, "ocr_pages": None, "document": True}
    if not url:
        return {**base, "status": FAILED, "reason": "Die Ressource hat keine Adresse (URL)."}
    if not jobs.is_document(resource):
        return {**base, "document": False, "status": FAILED,
                "reason": selection.not_a_document_reason(jobs.format_code(resource))}
    # no row yet, or one for the document's former address: its job is queued
    return {**base, "status": PENDING, "reason": None}
