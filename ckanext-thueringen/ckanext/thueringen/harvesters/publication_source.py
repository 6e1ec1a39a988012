"""Sources of transparency publications: the config keys and what they do to a record.

A harvest source whose records are all transparency documents says so in its
config: `{"dataset_type": "publication"}`, optionally with `"document_type"` (URI,
slug, label or alias of the vocabulary `document_types`) for the records that name
none. A harvester offers the keys through `config_options = OPTIONS` and passes
each record through `as_configured`. Records that name a document type in
dct:type or dct:subject are publications anyway (the `dcatap_de` profile,
ckanext.thueringen.transparency.publication_rdf).
"""
from __future__ import annotations

import json
from typing import Any

from ckanext.thueringen.transparency import publications

from .config import ConfigError


def _dataset_type(value: Any) -> str:
    if value not in ("dataset", publications.PUBLICATION_TYPE):
        raise ConfigError(f"erwartet „dataset“ oder „{publications.PUBLICATION_TYPE}“, nicht "
                          f"{json.dumps(value, ensure_ascii=False)}.")
    return value


def _document_type(value: Any) -> str:
    found = publications.document_type(value) if isinstance(value, str) else None
    if not found:
        raise ConfigError(f"{json.dumps(value, ensure_ascii=False)} ist keine Dokumentart der Liste "
                          f"{publications.DOCUMENT_TYPE_SCHEME} (z. B. „gutachten-studien“).")
    return found


OPTIONS = {"dataset_type": _dataset_type, "document_type": _document_type}


def as_configured(dataset: dict, options: dict[str, Any] | None) -> dict:
    """The record as the source's config wants it: a publication when the source
    is one of publications or the record names a document type; else unchanged."""
    options = options or {}
    if options.get("dataset_type") != publications.PUBLICATION_TYPE and \
            dataset.get("type") != publications.PUBLICATION_TYPE:
        return dataset
    given = None if dataset.get("document_type") else options.get("document_type")
    return publications.as_publication(dataset, given)
