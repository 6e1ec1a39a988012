"""Validators against input the portal cannot keep, for the scheming schemas.

- `thueringen_clean_input`: the schemas' `before_validators` (dataset,
  publication, organisation). It sees every value of the record before any
  field validator runs, so it covers every field, the extras and the resources
  at once: characters that cannot be stored, numbers that are not finite, a
  list or an object where the schema takes one value, texts longer than the
  configured limits (the number of keywords and resources: logic/prechecks.py). A refused value is
  replaced by `missing`, so that no field validator works on it; the record
  is refused with a German message at the field.
  Web pages and e-mail addresses (of a contact, publisher, creator or
  organisation: fields shown as links) must be http(s) and e-mail addresses:
  the pages make them safe when they show them, but a stored `javascript:`
  address would stay in the API and the export.
- `thueringen_calendar_date`: in the preset `dcat_date` (schemas/presets.yaml).
- `text_parameters`: an action's parameters that must be one text each (an id).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as toolkit
from ckanext.scheming.validation import scheming_validator

from ckanext.thueringen.guard import rules
from ckanext.thueringen.normalize.values import email_address
from ckanext.thueringen.security.urls import is_web_address, scheme_of

_ = toolkit._
missing = toolkit.missing

# Fields whose text may be as long as a description.
_LONG_TEXT = {"notes", "description"}
_CONTAINERS = ("__extras", "__junk")
# CKAN's own one-value fields of a dataset, of a resource and of its lists of dicts.
_CORE_FIELDS = {"id", "name", "title", "notes", "url", "version", "state", "type", "owner_org", "private",
                "license_id", "author", "author_email", "maintainer", "maintainer_email", "creator_user_id",
                "description", "image_url", "is_organization", "approval_status"}
_CORE_RESOURCE_FIELDS = {"id", "url", "name", "description", "format", "mimetype", "mimetype_inner", "size",
                         "hash", "position", "package_id", "url_type", "resource_type", "state", "last_modified",
                         "created", "cache_url", "cache_last_updated", "metadata_modified"}
_CORE_SUBFIELDS = {"extras": {"key", "value"}, "tags": {"name", "vocabulary_id"}, "groups": {"id", "name"}}


def limit(name: str) -> int:
    """A limit of `thueringen.limits.*` (config_declaration.yaml)."""
    return toolkit.config.get(f"thueringen.limits.{name}")


def _multiple(field: dict[str, Any]) -> bool:
    """A field that takes a list (scheming's multiple_* presets, tag_string)."""
    return (str(field.get("preset", "")).startswith("multiple_") or "multiple" in str(field.get("validators", ""))
            or field.get("field_name") == "tag_string")


def _single_valued(schema: dict[str, Any]) -> tuple[set[str], set[str], dict[str, set[str]]]:
    """Names of the one-value fields of a record, of its resources, and of the
    subfields of each repeating field."""
    fields = schema.get("dataset_fields") or schema.get("fields") or []
    record = {f["field_name"] for f in fields if not _multiple(f) and "repeating_subfields" not in f} | _CORE_FIELDS
    resource = {f["field_name"] for f in schema.get("resource_fields") or [] if not _multiple(f)}
    resource |= _CORE_RESOURCE_FIELDS
    subfields = {f["field_name"]: {s["field_name"] for s in f["repeating_subfields"] if not _multiple(s)}
                 for f in fields if "repeating_subfields" in f}
    subfields.update(_CORE_SUBFIELDS)
    return record, resource, subfields


def _link_kind(field: dict[str, Any]) -> str | None:
    """"web" for a field that holds a web page, "email" for an e-mail address,
    by what the schema shows it as or by its name."""
    name, snippet = field.get("field_name", ""), field.get("display_snippet") or ""
    if snippet == "email.html" or name == "email" or name.endswith("_email"):
        return "email"
    # not every *_url: an organisation's image_url is an uploaded file's name
    if snippet == "link.html" or name in ("url", "homepage") or name.endswith("_homepage"):
        return "web"
    return None


def _link_fields(schema: dict[str, Any]) -> dict[tuple, str]:
    """The record's fields and subfields that are links: key pattern -> kind
    ((name,) or (field, subfield)); resources have their own URL validators."""
    fields = schema.get("dataset_fields") or schema.get("fields") or []
    found = {}
    for field in fields:
        for sub in field.get("repeating_subfields") or []:
            if _link_kind(sub):
                found[(field["field_name"], sub["field_name"])] = _link_kind(sub)
        if "repeating_subfields" not in field and _link_kind(field):
            found[(field["field_name"],)] = _link_kind(field)
    return found


def link_message(kind: str, value: Any) -> str | None:
    """Why `value` cannot be stored as a web page or e-mail address (German), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if kind == "web" and not is_web_address(text):
        return _("Please enter a complete web address starting with http:// or https://")
    if kind == "email" and (scheme_of(text) not in (None, "mailto") or email_address(text) is None):
        return _("Email {email} is not a valid format").format(email=text)
    return None


def _takes_one_value(key: tuple, record: set[str], resource: set[str], subfields: dict[str, set[str]]) -> bool:
    if len(key) == 1:
        return key[0] in record
    if len(key) == 3 and key[0] == "resources":
        return key[2] in resource
    if len(key) == 3:
        return key[2] in subfields.get(key[0], set())
    return False


def _length_limit(key: tuple) -> int:
    if key == ("title",):
        return limit("title_length")
    if key[-1] in _LONG_TEXT:
        return limit("notes_length")
    return limit("text_length")


def value_problem_message(value: Any) -> str | None:
    """Why a value holds something no text field can store (German), or None."""
    problem = rules.value_problem(value)
    if problem and problem[0] == "character":
        return _("Contains a character that cannot be stored ({character}); remove control characters").format(
            character=problem[1])
    if problem:
        return _("Not a finite number ({value})").format(value=problem[1])
    return None


def value_message(key: tuple, value: Any, one_value: bool) -> str | None:
    """Why `value` at `key` cannot be kept (German), or None."""
    if one_value and isinstance(value, (dict, list, tuple)):
        return _("Must be a single value, not a list or an object")
    message = value_problem_message(value)
    if message:
        return message
    most = _length_limit(key)
    for _path, leaf in rules.leaves(value):
        if isinstance(leaf, str) and len(leaf) > most:
            return _("At most {max} characters allowed ({length} given)").format(max=most, length=len(leaf))
    return None


def _refuse(data: dict, errors: dict, key: tuple, message: str) -> None:
    errors.setdefault(key, []).append(message)
    if key in data:
        data[key] = missing


def _entries(data: dict) -> Iterable[tuple[tuple, Any]]:
    """Each value of the flattened record with the key to report it under; the
    values CKAN collected as extras or junk under their own keys."""
    for key, value in list(data.items()):
        if key[-1] in _CONTAINERS and isinstance(value, dict):
            for inner, inner_value in value.items():
                yield (inner if isinstance(inner, tuple) else key[:-1] + (inner,)), inner_value
        elif value is not missing and not key[-1].startswith("__"):
            yield key, value


@scheming_validator
def thueringen_clean_input(field: dict | None, schema: dict[str, Any]):
    """The `before_validators` of a scheming schema (see the module docstring)."""
    record, resource, subfields = _single_valued(schema)
    links = _link_fields(schema)

    def validator(key, data, errors, context) -> None:
        for data_key, value in _entries(data):
            message = value_message(data_key, value, _takes_one_value(data_key, record, resource, subfields))
            kind = links.get(data_key if len(data_key) == 1 else (data_key[0], data_key[-1]))
            if not message and kind and data_key[0] != "resources":
                message = link_message(kind, value)
            if message:
                _refuse(data, errors, data_key, message)

    return validator


def thueringen_calendar_date(value: Any, context) -> Any:
    """A date that the calendar has: refuses 2024-02-30 and 2024-13, which
    ckanext-dcat 2.4.4's `dcat_date` lets through by their form alone (it can
    go once dcat_date checks the calendar)."""
    if isinstance(value, str) and not rules.is_calendar_date(value):
        raise toolkit.Invalid(_("\"{value}\" is not a date of the calendar").format(value=value))
    return value


def text_parameters(data_dict: dict, *names: str) -> None:
    """Refuse (German ValidationError, 409) parameters that are given but are
    not one text each, e.g. an `id` sent as a list or an object."""
    schema = {name: [toolkit.get_validator("ignore_missing"), toolkit.get_validator("unicode_only")]
              for name in names}
    _data, errors = toolkit.navl_validate({name: data_dict[name] for name in names if name in data_dict}, schema)
    if errors:
        raise toolkit.ValidationError(errors)


def get_validators() -> dict[str, Any]:
    return {"thueringen_clean_input": thueringen_clean_input,
            "thueringen_calendar_date": thueringen_calendar_date}
