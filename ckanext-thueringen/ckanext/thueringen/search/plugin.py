"""Plugin `thueringen_search`: the portal's German dataset search (docs/search.md)."""
from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from flask import request

from ckanext.thueringen import helpers, home
from ckanext.thueringen.search import analysis, feed, query, ranking


def _endpoint() -> str | None:
    try:
        return request.endpoint
    except RuntimeError:   # no request: CLI, harvest consumers
        return None


@toolkit.blanket.config_declarations
class ThueringenSearchPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IPackageController, inherit=True)
    plugins.implements(plugins.IOrganizationController, inherit=True)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IMiddleware, inherit=True)

    # IConfigurer: the script of the search page's filter panel
    def update_config(self, config):
        toolkit.add_public_directory(config, "public")

    # IMiddleware: CKAN's address of a search's feed, served by the portal's view
    # (search/feed.py says why)
    def make_middleware(self, app, config):
        if feed.ENDPOINT in getattr(app, "view_functions", {}):
            app.view_functions[feed.ENDPOINT] = feed.dataset_search_feed
        return app

    # IPackageController
    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        if _endpoint() == query.HOME_ENDPOINT:
            search_params = query.stock_home_params(search_params)
        search_params = query.time_filter_params(search_params)
        chosen = query.german_search_params(search_params, toolkit.config.get("thueringen.search.query_fields"))
        return ranking.with_compound_parts(chosen, search_params, analysis.compound_parts())

    # The home page's cached figures count what the index holds: every way a
    # dataset reaches the index (forms, API, harvest batches, the workers) passes here.
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        home.note_change()
        return pkg_dict

    def after_dataset_delete(self, context, pkg_dict):
        home.note_change()

    # IOrganizationController: the figures count authorities by level. (CKAN
    # calls these three for datasets too, as IPackageController methods: also a change.)
    def create(self, entity):
        home.note_change()

    def edit(self, entity):
        home.note_change()

    def delete(self, entity):
        home.note_change()

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
        return query.add_highlights(search_results, search_params)

    # ITemplateHelpers
    def get_helpers(self):
        return helpers.get_helpers("thueringen_search")
