"""The action `thueringen_publication_obligations` and its auth function
(plugin `thueringen_transparency`; docs/transparency.md)."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.transparency import obligations

_ = toolkit._


def _organization(context: dict, identifier: str) -> dict[str, Any]:
    return toolkit.get_action("organization_show")(
        {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj"),
         "ignore_auth": context.get("ignore_auth", False)},
        {"id": identifier.strip(), "include_datasets": False, "include_users": False,
         "include_groups": False, "include_followers": False})


@toolkit.side_effect_free
def thueringen_publication_obligations(context: dict, data_dict: dict) -> dict[str, Any]:
    """Which ThürTG document types an authority must publish (by its level) and
    what it has published of each: `id` (id or name of the organization).

    Returns organization, level (uri, label; null when the authority has no
    level), years (the previous and the current year), obligations (per
    document type: document_type, label, norm, count, newest, count_recent,
    missing) and missing (the document types with nothing for those years).
    Only public publications count, for every caller."""
    identifier = data_dict.get("id")
    if not isinstance(identifier, str) or not identifier.strip():
        raise toolkit.ValidationError({"id": [_("Give the id or name of an authority")]})
    toolkit.check_access("thueringen_publication_obligations", context, data_dict)
    organization = _organization(context, identifier)
    return obligations.overview(organization, datetime.date.today())


def thueringen_publication_obligations_auth(context: dict, data_dict: dict) -> dict[str, Any]:
    """Whoever may see the authority may see its overview: it holds public facts only."""
    try:
        toolkit.check_access("organization_show", context, {"id": data_dict.get("id")})
    except toolkit.NotAuthorized:
        return {"success": False, "msg": _("You may not see this authority")}
    return {"success": True}


thueringen_publication_obligations_auth = toolkit.auth_allow_anonymous_access(thueringen_publication_obligations_auth)


def get_actions() -> dict[str, Any]:
    return {"thueringen_publication_obligations": thueringen_publication_obligations}


def get_auth_functions() -> dict[str, Any]:
    return {"thueringen_publication_obligations": thueringen_publication_obligations_auth}
