"""Search facets from the vocabularies: what is indexed, and how it is labelled.

Multi-valued scheming fields are stored as JSON lists, which Solr cannot facet
on; they are indexed again as `vocab_<field>` (CKAN's multi-valued string
field). Facet items carry URIs (formats and licences CKAN's short forms);
their labels come from display.label, in the user's language.
"""
from __future__ import annotations

import json
from typing import Any

from ckanext.thueringen import display

# Solr facet field -> (dataset field, vocabulary). Order = order on the page.
VOCABULARY_FACETS = {
    "vocab_theme": ("theme", "themes"),
    "res_format": ("format", "filetypes"),
    "license_id": ("license_id", "licenses"),
    "vocab_region": ("spatial_coverage", "regions"),
}
FACET_TITLES = {
    "vocab_theme": {"de": "Kategorien", "en": "Categories"},
    "organization": {"de": "Veröffentlichende Stellen", "en": "Publishers"},
    "vocab_region": {"de": "Gebiete", "en": "Areas"},
    "res_format": {"de": "Formate", "en": "Formats"},
    "license_id": {"de": "Lizenzen", "en": "Licences"},
    "tags": {"de": "Schlagwörter", "en": "Keywords"},
}


def _list(value: Any) -> list:
    if not value:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return value if isinstance(value, list) else [value]


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Add the `vocab_*` facet fields to a dataset about to be indexed."""
    pkg_dict["vocab_theme"] = _list(pkg_dict.get("theme"))
    coverage = _list(pkg_dict.get("spatial_coverage"))
    pkg_dict["vocab_region"] = [entry["uri"] for entry in coverage if isinstance(entry, dict) and entry.get("uri")]
    return pkg_dict


def facet_titles(language: str) -> dict[str, str]:
    return {field: titles.get(language, titles["de"]) for field, titles in FACET_TITLES.items()}


def label_facets(search_results: dict[str, Any], language: str) -> dict[str, Any]:
    """Give facet items of vocabulary fields their labels (display.label: areas by
    name, formats and licences also by their short form)."""
    for facet_field in VOCABULARY_FACETS:
        facet = search_results.get("search_facets", {}).get(facet_field)
        if not facet:
            continue
        for item in facet.get("items", []):
            item["display_name"] = display.label(facet_field, item["name"], language) or item["name"]
    return search_results
