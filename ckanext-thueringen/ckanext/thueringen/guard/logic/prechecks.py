"""What CKAN 2.12 reads before its validators run, or what they cannot report,
checked before package_create, package_update, resource_create and
resource_update (and so package_patch, resource_patch and the harvesters,
which go through them):

- the lists of a dataset (resources, tags, extras, groups) are lists, and
  have at most `thueringen.limits.tags` keywords and `thueringen.limits.resources`
  resources: errors of a whole list, for which CKAN's flattened validation has
  no place beside its items' errors (package_update fails with a 500 on
  `"resources": null`);
- `type`, `owner_org`, `id` and `name` are one text each (package_create looks
  the type's plugin up with the type, the auth functions read the others: a
  list gives a 500), `tag_string` a text or a list of texts (its converter
  fails on anything else), a resource's `url` one text (the upload handler
  reads it before validation).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.guard.logic.chaining import chained_actions
from ckanext.thueringen.guard.validators import limit, text_parameters

_ = toolkit._


def tag_count(data_dict: dict) -> int:
    tags = data_dict.get("tags")
    count = len(tags) if isinstance(tags, list) else 0
    tag_string = data_dict.get("tag_string")
    if isinstance(tag_string, str):
        count += len([tag for tag in tag_string.split(",") if tag.strip()])
    elif isinstance(tag_string, list):
        count += len(tag_string)
    return count


LISTS = ("resources", "tags", "extras", "groups")


def _tag_error(message: str) -> list[dict[str, list[str]]]:
    # in the form of a tag's errors, which ValidationError expects under "tags"
    return [{"name": [message]}]


def count_errors(data_dict: dict) -> dict[str, list]:
    """German errors for lists that are none or too long; {} when all is well."""
    errors: dict[str, list] = {}
    for name in LISTS:
        value = data_dict.get(name, [])
        message = None
        if not isinstance(value, list):
            message = _("Must be a list")
        elif not all(isinstance(item, dict) for item in value):
            message = _("Must be a list of dicts")   # CKAN's own message
        if message:
            errors[name] = _tag_error(message) if name == "tags" else [message]
    if errors:
        return errors
    tags, most_tags = tag_count(data_dict), limit("tags")
    if tags > most_tags:
        errors["tags"] = _tag_error(_("At most {max} keywords allowed ({count} given)").format(
            max=most_tags, count=tags))
    resources = data_dict.get("resources")
    count, most = (len(resources) if isinstance(resources, list) else 0), limit("resources")
    if count > most:
        errors["resources"] = [_("At most {max} resources per dataset allowed ({count} given)").format(
            max=most, count=count)]
    return errors


def _tag_string_errors(data_dict: dict) -> dict[str, list]:
    value = data_dict.get("tag_string")
    if value is None or isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(item, str) for item in value)):
        return {}
    return {"tag_string": [_("Must be a text or a list of texts")]}


def _checked(original_action, context, data_dict):
    text_parameters(data_dict, "type", "owner_org", "id", "name")
    errors = count_errors(data_dict) or _tag_string_errors(data_dict)
    if errors:
        raise toolkit.ValidationError(errors)
    return original_action(context, data_dict)


def _resource_checked(original_action, context, data_dict):
    text_parameters(data_dict, "url", "package_id", "id")
    return original_action(context, data_dict)


def get_actions() -> dict[str, Any]:
    return {**chained_actions(_checked, "package_create", "package_update"),
            **chained_actions(_resource_checked, "resource_create", "resource_update")}
