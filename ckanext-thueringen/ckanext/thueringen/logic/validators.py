"""Validators of the portal's scheming schemas: datasets (schemas/dataset.yaml)
and transparency publications (schemas/publication.yaml, on the rules of
ckanext.thueringen.transparency.publications)."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as toolkit
from ckanext.scheming.validation import scheming_validator

from ckanext.thueringen import normalize, vocabularies
from ckanext.thueringen.transparency import publications

_ = toolkit._

# Context flag of the portal's harvesters: they store a record as its source sent
# it, also when it lacks a value DCAT-AP.de makes mandatory (harvesters/importing.py).
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
def thueringen_ckan_form(field: dict[str, Any], schema: dict[str, Any]):
    """A format or licence in CKAN's short form ("CSV", "cc-by/4.0"), its
    vocabulary URI into the field named by the field's `uri_field`
    (normalize.ckan_form). Runs before ignore_missing: a client that sends only
    the URI gets the short form too."""
    fields = normalize.format_fields if field["field_name"] == "format" else normalize.licence_fields
    uri_field = field["uri_field"]

    def validator(key, data, errors, context) -> None:
        uri_key = key[:-1] + (uri_field,)
        value = data.get(key)
        if _empty(value):
            value = data.get(uri_key)
            if _empty(value):
                return
        short, uri = fields(value)
        data[key] = short
        data[uri_key] = uri or toolkit.missing

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


# --- publications -----------------------------------------------------------------

def _empty(value: Any) -> bool:
    return value in (None, "", []) or value is toolkit.missing


def thueringen_document_type(value: Any, context) -> Any:
    """A document type of the list, given as URI, slug, label or alias -> its URI."""
    if _empty(value):
        return value
    found = publications.document_type(value)
    if not found:
        raise toolkit.Invalid(_("Unknown document type \"{value}\"; choose one of the document types of the "
                                "list (ThürTG § 5 Abs. 2 and § 6 Abs. 3)").format(value=value))
    return found


def thueringen_date(value: Any, context) -> Any:
    """A date as ISO 8601 text, from ISO or German forms (31.12.2024)."""
    if _empty(value):
        return value
    found = normalize.date(value)
    if not found:
        raise toolkit.Invalid(_("\"{value}\" is not a valid date; enter it as 2024-12-31 or 31.12.2024").format(
            value=value))
    return found


def thueringen_euro_amount(value: Any, context) -> Any:
    """A sum of euros -> decimal text with two places ("1234567.89")."""
    if _empty(value):
        return value
    found = publications.euro_amount(value)
    if found is None:
        raise toolkit.Invalid(_("\"{value}\" is not a clear amount in euros; enter it as 1234567.89 or "
                                "1.234.567,89").format(value=value))
    return found


def thueringen_legal_basis_law(key, data, errors, context) -> None:
    """The law's code; derived from the legal basis text when not given."""
    value = data.get(key)
    if _empty(value):
        derived = publications.law_from_legal_basis(data.get(("legal_basis",)))
        data[key] = derived or ""
        return
    found = publications.legal_basis_law(value)
    if not found:
        codes = ", ".join(concept.code for concept in vocabularies.vocabulary("legal_basis_laws"))
        errors[key].append(_("Unknown law \"{value}\"; allowed are {codes}").format(value=value, codes=codes))
        return
    data[key] = found


def thueringen_not_before_contract_start(key, data, errors, context) -> None:
    """A contract does not end before it starts."""
    end, start = data.get(key), data.get(("contract_start",))
    if _empty(end) or _empty(start) or errors.get(key) or errors.get(("contract_start",)):
        return
    if str(end)[:10] < str(start)[:10]:
        errors[key].append(_("The contract cannot end before it starts ({start})").format(start=start))


def get_validators() -> dict[str, Any]:
    return {"thueringen_uri": thueringen_uri, "thueringen_uri_list": thueringen_uri_list,
            "thueringen_regional_key": thueringen_regional_key, "thueringen_normalized": thueringen_normalized,
            "thueringen_required_unless_harvested": thueringen_required_unless_harvested,
            "thueringen_ckan_form": thueringen_ckan_form,
            "thueringen_document_type": thueringen_document_type,
            "thueringen_date": thueringen_date,
            "thueringen_euro_amount": thueringen_euro_amount,
            "thueringen_legal_basis_law": thueringen_legal_basis_law,
            "thueringen_not_before_contract_start": thueringen_not_before_contract_start}
