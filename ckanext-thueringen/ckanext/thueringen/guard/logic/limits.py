"""How many keywords and resources one dataset may have (`thueringen.limits.tags`,
`thueringen.limits.resources`), checked before package_create and package_update
(and so resource_create, package_patch and the harvesters, which go through
them). A count is an error of the whole list; CKAN's flattened validation has
no place for an error of a list beside its items' errors, so this is checked
here, not in the schema."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.guard.validators import limit

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


def count_errors(data_dict: dict) -> dict[str, list[str]]:
    """German errors for too many keywords or resources; {} when within the limits."""
    errors = {}
    tags, most_tags = tag_count(data_dict), limit("tags")
    if tags > most_tags:
        # in the form of a tag's errors, which ValidationError expects under "tags"
        errors["tags"] = [{"name": [_("At most {max} keywords allowed ({count} given)").format(
            max=most_tags, count=tags)]}]
    resources = data_dict.get("resources")
    count, most = (len(resources) if isinstance(resources, list) else 0), limit("resources")
    if count > most:
        errors["resources"] = [_("At most {max} resources per dataset allowed ({count} given)").format(
            max=most, count=count)]
    return errors


def _checked(original_action, context, data_dict):
    errors = count_errors(data_dict)
    if errors:
        raise toolkit.ValidationError(errors)
    return original_action(context, data_dict)


@toolkit.chained_action
def package_create(original_action, context, data_dict):
    return _checked(original_action, context, data_dict)


@toolkit.chained_action
def package_update(original_action, context, data_dict):
    return _checked(original_action, context, data_dict)


def get_actions() -> dict[str, Any]:
    return {"package_create": package_create, "package_update": package_update}
