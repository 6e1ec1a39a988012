"""Private stays private: CKAN 2.12's listings that read the database directly,
past the permission labels that guard search and package_show, chained so
that they show only what the user may see.

- tag_list, tag_search, tag_autocomplete (also /api/2/util/tag/autocomplete)
  list every free tag of every dataset, private ones included; format_autocomplete
  every format. They keep only the values that the datasets the user may see
  carry: the `tags` and `res_format` facets of a package_search as the user
  (CKAN's permission labels, so private datasets count for their organisation's
  members and sysadmins, drafts for their authors).
- member_list of an organisation or group lists the ids of private datasets;
  they are kept only for users who may read those datasets.
- The package_show auth's refusal names the dataset's id, also when it was
  asked for by name; it says no more than that the user may not see it.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.guard.logic.chaining import allowed

_ = toolkit._


def visible_values(context: dict, facet_field: str) -> set[str]:
    """The values of a facet field over every dataset the context's user may see."""
    result = toolkit.get_action("package_search")(
        {"user": context.get("user"), "ignore_auth": False},
        {"q": "*:*", "rows": 0, "facet": "true", "facet.field": [facet_field], "facet.limit": -1,
         "facet.mincount": 1, "include_private": True, "include_drafts": True})
    return {item["name"] for item in result["search_facets"].get(facet_field, {}).get("items", [])}


def _number(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _page(items: list, data_dict: dict) -> list:
    """`offset` and `limit` of the request applied to the filtered items."""
    offset, limit = _number(data_dict.get("offset")) or 0, _number(data_dict.get("limit"))
    return items[offset:offset + limit if limit is not None else None]


def _free_tags(data_dict: dict) -> bool:
    """Free tags (no vocabulary): those of datasets. Vocabulary tags are the vocabulary's."""
    return not data_dict.get("vocabulary_id")


def _all_of(data_dict: dict) -> dict:
    return {**data_dict, "offset": None, "limit": None}


@toolkit.chained_action
@toolkit.side_effect_free
def tag_list(original_action, context, data_dict):
    tags = original_action(context, data_dict)
    if not _free_tags(data_dict):
        return tags
    visible = visible_values(context, "tags")
    return [tag for tag in tags if (tag["name"] if isinstance(tag, dict) else tag) in visible]


@toolkit.chained_action
@toolkit.side_effect_free
def tag_search(original_action, context, data_dict):
    if not _free_tags(data_dict):
        return original_action(context, data_dict)
    found = original_action(context, _all_of(data_dict))
    visible = visible_values(context, "tags")
    results = [tag for tag in found["results"] if tag["name"] in visible]
    return {"count": len(results), "results": _page(results, data_dict)}


@toolkit.chained_action
@toolkit.side_effect_free
def tag_autocomplete(original_action, context, data_dict):
    if not _free_tags(data_dict):
        return original_action(context, data_dict)
    names = original_action(context, _all_of(data_dict))
    visible = visible_values(context, "tags")
    return _page([name for name in names if name in visible], data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def format_autocomplete(original_action, context, data_dict):
    # The original counts and cuts to `limit` (default 5) itself; ask it for
    # more, so that formats only private datasets have do not crowd the others out.
    limit = _number(data_dict.get("limit")) or 5
    formats = original_action(context, {**data_dict, "limit": limit + 100})
    visible = {value.lower() for value in visible_values(context, "res_format")}
    return [name for name in formats if name in visible][:limit]


@toolkit.chained_action
@toolkit.side_effect_free
def member_list(original_action, context, data_dict):
    members = original_action(context, data_dict)
    package_ids = [member[0] for member in members if member[1] == "package"]
    if not package_ids:
        return members
    hidden = {package.id for package in model.Session.query(model.Package.id)
              .filter(model.Package.id.in_(package_ids))
              .filter((model.Package.private.is_(True)) | (model.Package.state != "active"))}
    hidden = {package_id for package_id in hidden if not allowed("package_show", context, package_id)}
    return [member for member in members if member[0] not in hidden]


@toolkit.chained_auth_function
@toolkit.auth_allow_anonymous_access
def package_show(next_auth, context, data_dict):
    result = next_auth(context, data_dict)
    if result.get("success"):
        return result
    return {"success": False, "msg": _("Not authorised to see this dataset")}


def get_actions() -> dict[str, Any]:
    return {"tag_list": tag_list, "tag_search": tag_search, "tag_autocomplete": tag_autocomplete,
            "format_autocomplete": format_autocomplete, "member_list": member_list}


def get_auth_functions() -> dict[str, Any]:
    return {"package_show": package_show}
