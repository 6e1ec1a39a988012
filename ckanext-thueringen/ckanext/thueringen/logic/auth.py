"""Auth functions of the portal's actions (logic/action.py)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.thueringen import harvest_report
from ckanext.thueringen.fulltext import status


def _can_see_source(context: dict, source_id: str) -> bool:
    """Everyone who may see the source itself (ckanext-harvest's
    harvest_source_show, i.e. package_show of the source): anonymous users for
    a public source; for a private or deleted one its organisation and sysadmins."""
    try:
        toolkit.check_access("harvest_source_show", dict(context), {"id": harvest_report.find_source(source_id).id})
        return True
    except toolkit.NotAuthorized:
        return False


@toolkit.auth_allow_anonymous_access
def thueringen_harvest_report(context: dict, data_dict: dict) -> dict[str, Any]:
    """The report is public for everyone who may see the source (harvest_report.py)."""
    source_id = (data_dict or {}).get("id")
    if source_id and _can_see_source(context, source_id):
        return {"success": True}
    return {"success": False, "msg": toolkit._("Not authorised to see the harvest reports of this source")}


@toolkit.auth_allow_anonymous_access
def thueringen_fulltext_status(context: dict, data_dict: dict) -> dict[str, Any]:
    """Whoever may see the dataset may see its documents' extraction status."""
    try:
        _, package = status.resource_and_package((data_dict or {}).get("id") or "")
        toolkit.check_access("package_show", dict(context), {"id": package.id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return {"success": False, "msg": toolkit._("Not authorised to see this dataset")}
    return {"success": True}
