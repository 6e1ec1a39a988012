"""The broken links of an authority, from the link checker's answers."""
from __future__ import annotations

from typing import Any

from ckan import model

from ckanext.thueringen.linkcheck import results as linkcheck

URL_FIELDS = ("url", "access_url", "download_url")


def broken(owner_org: str, include_private: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    """Each address of the authority's datasets that the link checker found
    not answering (no 2xx/3xx), with its dataset; worst first: errors, then by status."""
    query = (model.Session.query(model.Package.name, model.Package.title, model.Resource)
             .join(model.Resource, model.Resource.package_id == model.Package.id)
             .filter(model.Package.owner_org == owner_org, model.Package.state == "active",
                     model.Resource.state == "active"))
    if not include_private:
        query = query.filter(model.Package.private.is_(False))
    uses: dict[str, list[tuple[str, str]]] = {}
    for name, title, resource in query:
        extras = resource.extras or {}
        for field in URL_FIELDS:
            value = (getattr(resource, field, None) if field == "url" else extras.get(field)) or ""
            if value.startswith(("http://", "https://")):
                uses.setdefault(value.strip(), []).append((name, title))
    checks = linkcheck.latest(uses)
    found = []
    for url, check in checks.items():
        if check.answers:
            continue
        for name, title in sorted(set(uses[url])):
            found.append({"url": url, "dataset": name, "title": title, "status_code": check.status_code,
                          "error": check.error, "checked_at": check.checked_at.isoformat()})
    found.sort(key=lambda item: (item["status_code"] is not None, item["status_code"] or 0, item["url"]))
    return found[:limit]
