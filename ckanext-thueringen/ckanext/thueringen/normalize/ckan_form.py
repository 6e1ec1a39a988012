"""The API's form of formats and licences, as CKAN clients expect it, and the
vocabulary URIs beside them.

CKAN's API convention: a resource's `format` is a short name ("CSV"), so that
the `res_format` facet and `fq=res_format:CSV` work; a dataset's `license_id`
is a short id of the licence register ("dl-by-de/2.0"), with `license_title`
and `license_url` from the register. The EU file-type URI and the DCAT-AP.de
licence URI stay in fields of their own (`format_uri`, `license_uri`), which
the RDF export reads (`export_form`). A value no vocabulary knows stays in
`format` / `license_id` as sent, with no URI.
"""
from __future__ import annotations

import copy
from typing import Any

from ckanext.thueringen import vocabularies
from ckanext.thueringen.normalize.values import file_type, licence


def _fields(value: Any, vocabulary: str, mapper) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not value.strip():
        return value, None
    uri = mapper(value)
    concept = vocabularies.vocabulary(vocabulary).get(uri) if uri else None
    return (concept.code, concept.uri) if concept else (value, None)


def format_fields(value: Any) -> tuple[Any, str | None]:
    """(short name, EU file-type URI) of a format given in any form ("csv",
    "text/csv", the URI); an unknown format as it is, with no URI."""
    return _fields(value, "filetypes", file_type)


def licence_fields(value: Any) -> tuple[Any, str | None]:
    """(licence id, DCAT-AP.de licence URI) of a licence given in any form (the
    URI, "dl-de/by-2-0", "CC BY 4.0", ...); an unknown licence as it is, with no URI."""
    return _fields(value, "licenses", licence)


def _apply(record: dict, field: str, uri_field: str, fields) -> None:
    value = record.get(field)
    if not value and record.get(uri_field):   # a client that sent only the URI
        value = record[uri_field]
    short, uri = fields(value)
    if short not in (None, ""):
        record[field] = short
    if uri:
        record[uri_field] = uri
    elif value:
        record.pop(uri_field, None)


def to_ckan_form(dataset: dict) -> dict:
    """`dataset` (changed in place, and returned) with `license_id` and each
    resource's `format` in CKAN's form and their URIs in `license_uri` and
    `format_uri`. Idempotent: a dataset already in this form is left as it is."""
    _apply(dataset, "license_id", "license_uri", licence_fields)
    for resource in dataset.get("resources") or []:
        if isinstance(resource, dict):
            _apply(resource, "format", "format_uri", format_fields)
    return dataset


def export_form(dataset: dict) -> dict:
    """A copy of `dataset` with the vocabulary URIs where DCAT-AP.de wants them:
    `license_id` the licence URI, each `format` the file-type URI (the form the
    RDF profile was written for, so that its export stays the same)."""
    result = dict(dataset)
    if result.get("license_uri"):
        result["license_id"] = result["license_uri"]
    resources = []
    for resource in dataset.get("resources") or []:
        resource = copy.copy(resource) if isinstance(resource, dict) else resource
        if isinstance(resource, dict) and resource.get("format_uri"):
            resource["format"] = resource["format_uri"]
        resources.append(resource)
    if "resources" in dataset:
        result["resources"] = resources
    return result
