"""Validators of the portal's scheming schemas."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as toolkit
from ckanext.scheming.validation import scheming_validator

from ckanext.thueringen import normalize

_ = toolkit._

# Context flag of the portal's harvesters: they store a record as its source sent
# it, also when it lacks a value DCAT-AP.de makes mandatory (harvesters/base.py).
HARVESTED = "thueringen_harvested"


def _is_absolute_uri(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def thueringen_uri(value: Any, context) -> Any:
    """An absolute http(s) URI, e.g. a landing page or a download URL."""
    if value in (None, "") or value is toolkit.missing:
        return value
    value = str(value).strip()
    if not _is_absolute_uri(value):
        raise toolkit.Invalid(_("Please enter a complete web address starting with http:// or https://"))
    return value


def thueringen_uri_list(value: Any, context) -> Any:
    """Each value of a multi-valued field is an absolute http(s) URI."""
    if value in (None, "", []) or value is toolkit.missing:
        return value
    items = value
    if isinstance(value, str):
        try:
            items = json.loads(value) if value.startswith("[") else [value]
        except ValueError:
            items = [value]
    wrong = [item for item in items if item and not _is_absolute_uri(str(item).strip())]
    if wrong:
        raise toolkit.Invalid(_("Not a complete web address (http:// or https://): {values}").format(
            values=", ".join(map(str, wrong))))
    return [str(item).strip() for item in items if item]


def thueringen_regional_key(value: Any, context) -> Any:
    """An official German regional key (2 to 12 digits), e.g. 16 or 16053."""
    if value in (None, "") or value is toolkit.missing:
        return value
    value = str(value).strip()
    if not (value.isdigit() and 2 <= len(value) <= 12):
        raise toolkit.Invalid(_("A regional key has 2 to 12 digits, e.g. 16053"))
    return value


@scheming_validator
def thueringen_normalized(field: dict[str, Any], schema: dict[str, Any]):
    """Map what a user or a client sends ("CSV", "dl-de-by-2.0", "de") to the
    vocabulary URI, with the same rules as harvested data; keep what is unknown."""
    resource = any(f is field for f in schema.get("resource_fields", []))

    def validator(value: Any, context) -> Any:
        if value in (None, "", []) or value is toolkit.missing:
            return value
        return normalize.field_value(field["field_name"], value, resource)

    return validator


@scheming_validator
def thueringen_required_unless_harvested(field: dict[str, Any], schema: dict[str, Any]):
    """Mandatory for whoever edits a record in the form or the API; a harvested
    record that lacks the value is stored all the same and the harvest report
    says what is missing (a source's record is never lost over one value); the
    export derives what it can (ckanext.thueringen.derived)."""
    not_empty = toolkit.get_validator("not_empty")
    ignore_missing = toolkit.get_validator("ignore_missing")

    def validator(key, data, errors, context) -> None:
        check = ignore_missing if context.get(HARVESTED) else not_empty
        check(key, data, errors, context)

    return validator


def get_validators() -> dict[str, Any]:
    return {"thueringen_uri": thueringen_uri, "thueringen_uri_list": thueringen_uri_list,
            "thueringen_regional_key": thueringen_regional_key, "thueringen_normalized": thueringen_normalized,
            "thueringen_required_unless_harvested": thueringen_required_unless_harvested}
