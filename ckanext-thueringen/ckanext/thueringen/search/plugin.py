"""Plugin `thueringen_search`: the portal's German dataset search (docs/search.md)."""
from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckanext.thueringen import helpers
from ckanext.thueringen.search import analysis, query, ranking


@toolkit.blanket.config_declarations
class ThueringenSearchPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IPackageController, inherit=True)
    plugins.implements(plugins.ITemplateHelpers)

    # IPackageController
    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        chosen = query.german_search_params(search_params, toolkit.config.get("thueringen.search.query_fields"))
        return ranking.with_compound_parts(chosen, search_params, analysis.compound_parts())

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
        return query.add_highlights(search_results, search_params)

    # ITemplateHelpers
    def get_helpers(self):
        return helpers.get_helpers("thueringen_search")
