"""German messages for records that could not be stored.

The consumers run without a request, so CKAN's own validation messages come
in English: `describe_validation_error` turns a failed package_create/_update
into one German sentence with the record, its page and each field's value.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ckanext.harvest.model import HarvestObject

from ckanext.thueringen.normalize import Unmapped

from .fetch import display_url

_MESSAGES_DE = {
    "Missing value": "Angabe fehlt",
    "Date format incorrect": "kein gültiges Datum (erlaubt: JJJJ, JJJJ-MM, JJJJ-MM-TT, JJJJ-MM-TTThh:mm:ss)",
    "Please enter a complete web address starting with http:// or https://":
        "keine vollständige Web-Adresse (sie muss mit http:// oder https:// beginnen)",
    "Not a complete web address (http:// or https://)": "keine vollständige Web-Adresse (http:// oder https://)",
    "Invalid integer": "keine ganze Zahl",
    "Must be a natural number": "keine natürliche Zahl",
    "That URL is already in use.": "die Adresse ist schon vergeben",
    "Organization does not exist": "die Organisation gibt es nicht",
}


def _labels(dataset_type: str = "dataset") -> tuple[dict[str, str], dict[str, str]]:
    """German labels of the dataset and resource fields of the type's scheming schema."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    schema = scheming_get_dataset_schema(dataset_type) or scheming_get_dataset_schema("dataset") or {}

    def label(item) -> str:
        text = item.get("label", item["field_name"])
        return text.get("de") or text.get("en") or item["field_name"] if isinstance(text, dict) else str(text)

    return ({f["field_name"]: label(f) for f in schema.get("dataset_fields", [])},
            {f["field_name"]: label(f) for f in schema.get("resource_fields", [])})


def _german(message: str) -> str:
    """CKAN's message in German (the consumers run without a request, so CKAN's
    own messages come in English)."""
    return next((german for english, german in _MESSAGES_DE.items() if message.startswith(english)),
                message.rstrip("."))


def _problems(errors: Any, path: str, labels: dict[str, str], values: Any) -> Iterator[tuple[str, str, Any, str]]:
    """(field path, label, value, message) for every message in a CKAN error dict."""
    if isinstance(errors, dict):
        for key, inner in errors.items():
            sub = values.get(key) if isinstance(values, dict) else None
            yield from _problems(inner, f"{path}{'.' if path else ''}{key}", labels, sub)
    elif isinstance(errors, list):
        for index, inner in enumerate(errors):
            if isinstance(inner, str):
                yield path, labels.get(path.rsplit(".", 1)[-1].split("[")[0], ""), values, inner
            elif inner:
                sub = values[index] if isinstance(values, list) and index < len(values) else None
                yield from _problems(inner, f"{path}[{index}]", labels, sub)
    elif errors:
        yield path, labels.get(path, ""), values, str(errors)


def record_label(obj: HarvestObject) -> str:
    """"Datensatz <URI> („Titel“) aus <page>", from the object's content, for messages."""
    try:
        content = json.loads(obj.content or "{}")
    except ValueError:
        content = {}
    dataset = content.get("dataset") if isinstance(content.get("dataset"), dict) else {}
    title = dataset.get("title")
    page = content.get("page") or (obj.source.url if obj.source else "")
    return f"Datensatz {obj.guid}" + (f" („{title}“)" if title else "") + (f" aus {display_url(page)}" if page else "")


def describe_validation_error(guid: str, page: str, error_dict: dict, dataset: dict,
                              unmapped: list[Unmapped]) -> str:
    """One German message for a failed package_create/_update: what (the record),
    where (its URI and the source page) and why (each field with its value)."""
    dataset_labels, resource_labels = _labels(dataset.get("type") or "dataset")
    explained = {item.field: item.message for item in unmapped}
    reasons = []
    for key, errors in error_dict.items():
        labels = resource_labels if key == "resources" else dataset_labels
        for path, label, value, message in _problems({key: errors}, "", labels, dataset):
            named = f"„{label}“ ({path})" if label else path
            if path in explained:   # the normaliser's message names the value
                reasons.append(f"Feld {named}: {explained[path]}")
            elif value in (None, "", [], {}) or isinstance(value, (dict, list)):
                reasons.append(f"Feld {named}: {_german(message)}")
            else:
                reasons.append(f"Feld {named} „{value}“: {_german(message)}")
    title = dataset.get("title")
    what = f"Datensatz {guid}" + (f" („{title}“)" if title else "")
    return (f"{what} aus {display_url(page)} wurde nicht übernommen: " + "; ".join(reasons) +
            ". Ein schon gespeicherter Stand bleibt unverändert.")
