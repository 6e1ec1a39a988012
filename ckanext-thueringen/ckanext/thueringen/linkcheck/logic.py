"""The action `thueringen_link_check_show` and its auth: a dataset's links and
their last answers, for the quality pages and API clients."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.linkcheck import results, store
from ckanext.thueringen.linkcheck import urls as link_urls
from ckanext.thueringen.linkcheck.mismatch import mismatch
from ckanext.thueringen.logic import schema


def _schema() -> dict[str, list]:
    return {"id": [toolkit.get_validator("not_empty"), toolkit.get_validator("unicode_only")]}


@toolkit.auth_allow_anonymous_access
def thueringen_link_check_show_auth(context: dict, data_dict: dict) -> dict[str, Any]:
    """Whoever may see the dataset (package_show) may see its links' answers."""
    try:
        toolkit.check_access("package_show", dict(context), {"id": (data_dict or {}).get("id")})
    except toolkit.NotAuthorized:
        return {"success": False, "msg": toolkit._("Not authorised to see this dataset")}
    return {"success": True}


@toolkit.side_effect_free
def thueringen_link_check_show(context: dict, data_dict: dict) -> dict[str, Any]:
    """The access and download URLs of a dataset or publication (`id`: id or
    name) with their last check.

    Per link: resource_id, resource_name, field (url, access_url,
    download_url), kind (access, download), url, checked (False while it
    waits for its first check), checked_at, next_check_at, status_code,
    content_type, size, final_url, method (HEAD/GET), redirects, error
    (German), ok (answered with 2xx/3xx), format_mismatch (German, or None).
    Totals: links, checked, broken, mismatches."""
    identifier = schema.validated(data_dict, _schema(), context)["id"]
    toolkit.check_access("thueringen_link_check_show", context, {"id": identifier})
    package = toolkit.get_action("package_show")(
        {key: value for key, value in context.items() if key in ("user", "auth_user_obj", "ignore_auth")},
        {"id": identifier})
    resources = package.get("resources") or []
    all_urls = link_urls.unique_urls(resources)
    checks = results.latest(all_urls)
    due = store.next_checks(all_urls)
    links = []
    for resource in resources:
        for field, kind, url in link_urls.links_of(resource):
            check = checks.get(url)
            links.append(link_entry(resource, field, kind, url, check, due.get(url)))
    return {"package_id": package["id"], "links": links,
            "totals": {"links": len(links), "checked": sum(1 for link in links if link["checked"]),
                       "broken": sum(1 for link in links if link["checked"] and not link["ok"]),
                       "mismatches": sum(1 for link in links if link["format_mismatch"])}}


def link_entry(resource: dict, field: str, kind: str, url: str, check: results.LinkCheck | None,
               next_check_at) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource_id": resource.get("id"), "resource_name": resource.get("name") or "",
        "field": field, "kind": kind, "url": url, "checked": check is not None,
        "next_check_at": next_check_at.isoformat() if next_check_at else None,
        "checked_at": None, "status_code": None, "content_type": None, "size": None, "final_url": None,
        "method": None, "redirects": 0, "error": None, "ok": False, "format_mismatch": None}
    if check is None:
        return entry
    entry.update(checked_at=check.checked_at.isoformat(), status_code=check.status_code,
                 content_type=check.content_type, size=check.size, final_url=check.final_url,
                 method=check.method, redirects=check.redirects, error=check.error,
                 ok=check.answers)
    if check.status_code is not None and 200 <= check.status_code < 300:
        entry["format_mismatch"] = mismatch(resource.get("format"), resource.get("mimetype"), check.content_type,
                                            kind=kind, ogc=link_urls.is_ogc_request(url))
    return entry
