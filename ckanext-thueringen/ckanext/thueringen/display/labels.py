"""Every stored value in words: one lookup, by field, for pages, facets,
search snippets and feeds.

The portal stores vocabulary values as URIs (themes, languages, ...), as
CKAN's short forms (a format "CSV", a licence id "dl-by-de/2.0"), or as keys
of the political geocoding (areas). `label(field, value, language)` gives
each in words; a value no vocabulary knows comes back as it is.
"""
from __future__ import annotations

from typing import Any

from ckanext.thueringen import vocabularies
from ckanext.thueringen.display import areas

# field name (dataset or resource field, or its Solr facet field) -> vocabulary
FIELD_VOCABULARIES = {
    "theme": "themes",
    "vocab_theme": "themes",
    "license_id": "licenses",
    "license_uri": "licenses",
    "license": "licenses",
    "format": "filetypes",
    "format_uri": "filetypes",
    "res_format": "filetypes",
    "frequency": "frequencies",
    "vocab_frequency": "frequencies",
    "language": "languages",
    "access_rights": "access_rights",
    "availability": "availability",
    "status": "distribution_status",
    "hvd_category": "hvd_categories",
    "political_geocoding_level_uri": "geocoding_levels",
    "publisher_type": "publisher_types",
    "type": "publisher_types",
    "contributor_id": "contributors",
    "document_type": "document_types",
    "vocab_document_type": "document_types",
    "authority_level": "authority_levels",
    "vocab_authority_level": "authority_levels",
}
# Fields whose values are areas of the political geocoding.
AREA_FIELDS = frozenset({"spatial_coverage", "vocab_region", "vocab_area", "spatial", "area"})


def concept(field: str, value: Any) -> vocabularies.Concept | None:
    """The concept `value` of `field` names: by URI, code ("CSV", "cc-by/4.0") or label."""
    name = FIELD_VOCABULARIES.get(field)
    if not name or not isinstance(value, str) or not value.strip():
        return None
    return vocabularies.vocabulary(name).lookup(value.strip())


def label(field: str, value: Any, language: str = "de") -> str:
    """`value` of `field` in words, in `language` (German where the vocabulary
    has no label in it); "" for an empty value; an unknown value as it is."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if field in AREA_FIELDS:
        return areas.area_label(str(value), language)
    found = concept(field, value)
    return found.label(language) if found else str(value).strip()


def labels(field: str, values: Any, language: str = "de") -> list[str]:
    """Each non-empty value of a field that holds a list, in words."""
    if values is None or values == "":
        return []
    items = values if isinstance(values, (list, tuple)) else [values]
    return [text for text in (label(field, item, language) for item in items) if text]
