"""Template helpers of the home page and the search page (plugin thueringen_search)."""
from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckanext.thueringen import facets, home, vocabularies
from ckanext.thueringen.search import filters, regions


def _language() -> str:
    from ckanext.thueringen import helpers
    return helpers.language()


def thueringen_home() -> dict[str, Any]:
    """The home page's figures with the labels of categories and levels."""
    data = home.figures()
    language = _language()
    return {**data,
            "categories": home.categories(data["themes"], language),
            "level_rows": home.levels(data["levels"], language)}


def thueringen_area_rows(name: str, search_facets: dict[str, Any]) -> list[dict[str, Any]]:
    """The area facet's items as rows of a tree (Land, Kreis, Gemeinde): each
    with `depth`, `item` (None for an area shown only as the parent of others)
    and `label`. The items are CKAN's (get_facet_items_dict: `active` set)."""
    items = toolkit.h.get_facet_items_dict(name, search_facets, limit=0)
    if not items:
        return []

    def label_of(item: dict[str, Any]) -> str:
        return toolkit.h.thueringen_facet_label(item)

    language = _language()
    vocabulary = vocabularies.vocabulary("regions")
    rows = []
    for depth, node in regions.flatten(regions.tree(items, facets.region_parent, label_of)):
        label = label_of(node.item) if node.item else vocabulary.label(node.uri, language)
        rows.append({"depth": depth, "item": node.item, "label": label, "uri": node.uri})
    return rows


def thueringen_time_filters() -> list[dict[str, str]]:
    """The time filter fields of the search form with their current values."""
    args = toolkit.request.args if toolkit.request else {}
    fields = [(filters.TEMPORAL_FROM, toolkit._("Period covered from")),
              (filters.TEMPORAL_TO, toolkit._("Period covered to")),
              (filters.PUBLISHED_FROM, toolkit._("Published from")),
              (filters.PUBLISHED_TO, toolkit._("Published to"))]
    return [{"name": name, "label": label, "value": args.get(name, "")} for name, label in fields]


def thueringen_sort_options() -> list[tuple[str, str]]:
    """The orders of the search page: relevance, newest, last changed, title,
    and the best metadata quality first where the quality plugin scores."""
    options = [(toolkit._("Relevance"), "score desc, metadata_modified desc"),
               (toolkit._("Newest"), "metadata_created desc"),
               (toolkit._("Last Modified"), "metadata_modified desc"),
               (toolkit._("Title A-Z"), "title_string asc")]
    if plugins.plugin_loaded("thueringen_quality"):
        from ckanext.thueringen.quality.plugin import SCORE_FIELD

        options.append((toolkit._("Best metadata quality"), f"{SCORE_FIELD} desc, metadata_modified desc"))
    return options


HELPERS = {
    "thueringen_home": thueringen_home,
    "thueringen_area_rows": thueringen_area_rows,
    "thueringen_time_filters": thueringen_time_filters,
    "thueringen_sort_options": thueringen_sort_options,
}
