"""The plugin `thueringen_transparency`: transparency publications in CKAN.

The transparency area `/transparenz` (views.py), its facets and the search
index fields of publications (facets.py, publications.py), publications also in
the general /dataset search, and German names of the dataset type in CKAN's
texts (helpers.py). The publication schema's validators are registered by the
plugin `thueringen` with the others (logic/validators.py). See docs/transparency.md.
"""
from __future__ import annotations

import ckan.plugins as plugins
from flask import request

from ckanext.thueringen import helpers, views
from ckanext.thueringen.transparency import facets, feeds, logic, publications


def _endpoint() -> str | None:
    try:
        return request.endpoint
    except RuntimeError:   # no request: CLI, harvest consumers
        return None


class TransparencyPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IFacets, inherit=True)
    plugins.implements(plugins.IPackageController, inherit=True)
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IFeed)

    # IActions
    def get_actions(self):
        return logic.get_actions()

    # IAuthFunctions
    def get_auth_functions(self):
        return logic.get_auth_functions()

    # IFeed: every Atom feed of the portal in German, entries linking to the pages
    def get_feed_class(self):
        return feeds.GermanFeed

    def get_item_additional_fields(self, dataset_dict):
        return feeds.item_fields(dataset_dict)

    # IBlueprint
    def get_blueprint(self):
        return [views.transparency]

    # ITemplateHelpers
    def get_helpers(self):
        return {**helpers.get_helpers("thueringen_transparency"), **feeds.get_helpers()}

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        if package_type == publications.PUBLICATION_TYPE:
            return facets.facet_titles()
        return facets_dict

    # IPackageController
    def before_dataset_index(self, pkg_dict):
        return publications.index_fields(pkg_dict)

    def before_dataset_search(self, search_params):
        return facets.include_publications(search_params, _endpoint())

    def after_dataset_search(self, search_results, search_params):
        return facets.label_facets(search_results, helpers.language())
