"""Template helpers of the plugin thueringen_fulltext besides the status
(ckanext.thueringen.helpers.thueringen_fulltext_status)."""
from __future__ import annotations

from typing import Any

from ckanext.thueringen.fulltext import ocr, selection

# links into the documents of one search result
MAX_DOCUMENT_LINKS = 3


def thueringen_fulltext_pages(pages: list[int] | None) -> str:
    """Page numbers for people: [1, 2, 3, 5] -> "1–3, 5"."""
    return ocr.format_pages(pages or [])


def thueringen_fulltext_documents(package: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources of a package dict (package_search, package_show) whose text
    is extracted: documents, in publications also scans (selection.py)."""
    from ckanext.thueringen.helpers import thueringen_format_code

    images = package.get("type") == selection.SCAN_PACKAGE_TYPE
    found = [resource for resource in package.get("resources") or []
             if resource.get("id") and (resource.get("url") or "").strip()
             and selection.is_document(thueringen_format_code(resource.get("format")), resource["url"], images=images)]
    return found[:MAX_DOCUMENT_LINKS]


HELPERS = {
    "thueringen_fulltext_pages": thueringen_fulltext_pages,
    "thueringen_fulltext_documents": thueringen_fulltext_documents,
}
