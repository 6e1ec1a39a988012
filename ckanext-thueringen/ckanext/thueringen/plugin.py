"""The portal plugin `thueringen`: configuration, CLI, schema helpers and
validators, licences, dataset facets, harvest reports."""
from __future__ import annotations

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from ckan.lib.plugins import DefaultTranslation

from ckanext.thueringen import cli, facets, helpers, licenses
from ckanext.thueringen.logic import action, auth, validators
from ckanext.thueringen.search import geometry


@toolkit.blanket.config_declarations
class ThueringenPlugin(plugins.SingletonPlugin, DefaultTranslation):
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IClick)
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IConfigurable)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.ITranslation)
    plugins.implements(plugins.IValidators)
    plugins.implements(plugins.IFacets, inherit=True)
    plugins.implements(plugins.IPackageController, inherit=True)

    # IActions, IAuthFunctions
    def get_actions(self):
        return {"thueringen_harvest_report": action.thueringen_harvest_report,
                "harvest_source_clear": action.harvest_source_clear,
                "harvest_source_job_history_clear": action.harvest_source_job_history_clear,
                "harvest_jobs_run": action.harvest_jobs_run}

    def get_auth_functions(self):
        return {"thueringen_harvest_report": auth.thueringen_harvest_report}

    # IClick
    def get_commands(self):
        return cli.get_commands()

    # IConfigurer
    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")

    # IConfigurable
    def configure(self, config):
        licenses.install_license_register()

    # ITemplateHelpers
    def get_helpers(self):
        return helpers.get_helpers("thueringen")

    # IValidators: those of the dataset and the publication schema
    def get_validators(self):
        return validators.get_validators()

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        titles = facets.facet_titles(helpers.language())
        ordered = {field: titles[field] for field in titles}
        ordered.update({field: title for field, title in facets_dict.items() if field not in ordered})
        return ordered

    # IPackageController
    def before_dataset_index(self, pkg_dict):
        pkg_dict = geometry.drop_unreadable(pkg_dict)
        return facets.index_fields(pkg_dict, facets.organization_level(pkg_dict.get("owner_org")))

    def after_dataset_search(self, search_results, search_params):
        return facets.label_facets(search_results, helpers.language())
