"""Search facets from the vocabularies: what is indexed, and how it is labelled.

Multi-valued scheming fields are stored as JSON lists, which Solr cannot facet
on; they are indexed again as `vocab_<field>` (CKAN's multi-valued string
field). Facet items carry URIs (formats and licences CKAN's short forms);
their labels come from display.label, in the user's language. Besides the
dataset's own values, a dataset is indexed with the areas above its areas
(`vocab_area`, the Gebiet facet as a tree), the level of its publishing
authority (`vocab_authority_level`, from the organisation) and the dates the time filters ask for (search/filters.py).
"""
from __future__ import annotations

import json
from typing import Any

import ckan.model as model

from ckanext.thueringen import display, vocabularies
from ckanext.thueringen.search import filters, regions

# Solr facet field -> (dataset field, vocabulary). Order = order on the page.
VOCABULARY_FACETS = {
    "vocab_theme": ("theme", "themes"),
    "res_format": ("format", "filetypes"),
    "license_id": ("license_id", "licenses"),
    "vocab_region": ("spatial_coverage", "regions"),
    "vocab_area": ("spatial_coverage", "regions"),
    "vocab_authority_level": ("owner_org", "authority_levels"),
    "vocab_frequency": ("frequency", "frequencies"),
}
# CKAN indexes each dataset's `isopen` (from its licence in the licence
# register, which licenses.py fills from the licence vocabulary's open flag).
OPEN_LICENCE_FIELD = "isopen"
AREA_FIELD = "vocab_area"
FACET_TITLES = {
    "vocab_theme": {"de": "Kategorien", "en": "Categories"},
    "organization": {"de": "Veröffentlichende Stellen", "en": "Publishers"},
    "vocab_authority_level": {"de": "Ebene", "en": "Level"},
    "vocab_area": {"de": "Gebiete", "en": "Areas"},
    "res_format": {"de": "Formate", "en": "Formats"},
    "license_id": {"de": "Lizenzen", "en": "Licences"},
    "isopen": {"de": "Offene Lizenz", "en": "Open licence"},
    "tags": {"de": "Schlagwörter", "en": "Keywords"},
    "vocab_document_type": {"de": "Dokumentarten", "en": "Document types"},
    "vocab_frequency": {"de": "Aktualisierung", "en": "Update frequency"},
}
OPEN_LICENCE_LABELS = {"true": {"de": "nur offene Lizenzen", "en": "open licences only"},
                       "false": {"de": "andere Lizenzen", "en": "other licences"}}


def _list(value: Any) -> list:
    if not value:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return value if isinstance(value, list) else [value]


def region_parent(uri: str) -> str | None:
    concept = vocabularies.vocabulary("regions").get(uri)
    return concept.property("parent") if concept else None


def organization_level(owner_org: str | None) -> str | None:
    """The authority level (a URI of the `authority_levels` vocabulary) of the
    organisation `owner_org`, from its scheming field `authority_level`."""
    if not owner_org:
        return None
    group = model.Group.get(owner_org)
    return (group.extras or {}).get("authority_level") or None if group else None


def index_fields(pkg_dict: dict[str, Any], authority_level: str | None = None) -> dict[str, Any]:
    """Add the `vocab_*` facet fields and the dates of the time filters to a
    dataset about to be indexed; `authority_level` is its organisation's."""
    pkg_dict["vocab_theme"] = _list(pkg_dict.get("theme"))
    coverage = _list(pkg_dict.get("spatial_coverage"))
    pkg_dict["vocab_region"] = [entry["uri"] for entry in coverage if isinstance(entry, dict) and entry.get("uri")]
    pkg_dict[AREA_FIELD] = regions.with_ancestors(pkg_dict["vocab_region"], region_parent)
    pkg_dict["vocab_frequency"] = _list(pkg_dict.get("frequency"))
    pkg_dict["vocab_authority_level"] = [authority_level] if authority_level else []
    bounds = filters.period_bounds(_list(pkg_dict.get("temporal_coverage")))
    if bounds:
        pkg_dict[filters.TEMPORAL_START], pkg_dict[filters.TEMPORAL_END] = bounds
    published = filters.stored_span(pkg_dict.get("publication_date") or pkg_dict.get("issued"))
    if published:
        pkg_dict[filters.PUBLISHED] = filters.solr_date(published.first)
    return pkg_dict


def facet_titles(language: str) -> dict[str, str]:
    return {field: titles.get(language, titles["de"]) for field, titles in FACET_TITLES.items()}


def label_facets(search_results: dict[str, Any], language: str) -> dict[str, Any]:
    """Give facet items of vocabulary fields their labels (display.label: areas by
    name, formats and licences also by their short form)."""
    for item in search_results.get("search_facets", {}).get(OPEN_LICENCE_FIELD, {}).get("items", []):
        labels = OPEN_LICENCE_LABELS.get(str(item["name"]).lower())
        if labels:
            item["display_name"] = labels.get(language, labels["de"])
    for facet_field in VOCABULARY_FACETS:
        facet = search_results.get("search_facets", {}).get(facet_field)
        if not facet:
            continue
        for item in facet.get("items", []):
            item["display_name"] = display.label(facet_field, item["name"], language) or item["name"]
    return search_results
