"""Input schemas of the portal's own actions (logic/action.py), in CKAN's navl
form: each names its parameters and the validators they pass."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.harvest_report import DEFAULT_LIMIT, MAX_LIMIT


def report_limit(value: Any) -> int:
    """The number of jobs a harvest report shows: a whole number from 1 to MAX_LIMIT;
    an empty value means the default."""
    if value in ("", None):
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise toolkit.Invalid(toolkit._("Must be a whole number")) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise toolkit.Invalid(toolkit._("Must be between 1 and {max}").format(max=MAX_LIMIT))
    return limit


def harvest_report_schema() -> dict[str, list]:
    one_text = toolkit.get_validator("unicode_only")
    return {"id": [toolkit.get_validator("not_empty"), one_text],
            "job_id": [toolkit.get_validator("ignore_missing"), one_text],
            "limit": [toolkit.get_validator("ignore_missing"), report_limit]}


def fulltext_status_schema() -> dict[str, list]:
    return {"id": [toolkit.get_validator("not_empty"), toolkit.get_validator("unicode_only")]}


def validated(data_dict: dict | None, schema: dict[str, list], context: dict) -> dict[str, Any]:
    """The action's parameters after its schema, or a ValidationError (409) naming each problem."""
    data, errors = toolkit.navl_validate(dict(data_dict or {}), schema, context)
    if errors:
        raise toolkit.ValidationError(errors)
    return data
