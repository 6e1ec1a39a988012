"""The portal plugin: configuration, CLI, schema helpers and validators, licences."""
from __future__ import annotations

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckan.lib.plugins import DefaultTranslation

from ckanext.thueringen import cli, facets, harvest_report, helpers, licenses, validators
from ckanext.thueringen.harvesters import queue as harvest_queue


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
        return {"thueringen_harvest_report": harvest_report.report_action,
                "harvest_source_clear": _harvest_source_clear,
                "harvest_source_job_history_clear": _harvest_source_job_history_clear,
                "harvest_jobs_run": _harvest_jobs_run}

    def get_auth_functions(self):
        return {"thueringen_harvest_report": harvest_report.report_auth}

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
        return {**helpers.get_helpers(), "thueringen_harvest_report": harvest_report.report_for_page}

    # IValidators
    def get_validators(self):
        return validators.get_validators()

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        titles = facets.facet_titles(_language())
        ordered = {field: titles[field] for field in titles}
        ordered.update({field: title for field, title in facets_dict.items() if field not in ordered})
        return ordered

    # IPackageController
    def before_dataset_index(self, pkg_dict):
        return facets.index_fields(pkg_dict)

    def after_dataset_search(self, search_results, search_params):
        return facets.label_facets(search_results, _language())


def _language() -> str:
    """The user's language; German outside a web request (CLI, harvest jobs)."""
    try:
        return toolkit.h.lang() or "de"
    except (RuntimeError, AttributeError):
        return "de"


# ckanext-harvest's actions that clear a source's jobs and objects (with or
# without its datasets), then the source's rows of the page memory
# (harvesters/pages.py PageMemory), which would otherwise stay for good: with no
# import left to compare with, they could never settle a page again.

@toolkit.chained_action
def _harvest_source_clear(original_action, context, data_dict):
    return _page_memory_cleared(original_action(context, data_dict))


@toolkit.chained_action
def _harvest_jobs_run(original_action, context, data_dict):
    """Before ckanext-harvest marks finished jobs: queue again what a consumer
    that died left unfinished, so that its job can finish (requeue_orphans)."""
    toolkit.check_access("harvest_jobs_run", context, data_dict)
    harvest_queue.requeue_orphans()
    return original_action(context, data_dict)


@toolkit.chained_action
def _harvest_source_job_history_clear(original_action, context, data_dict):
    # ckanext-harvest 1.6.3 checks the auth function of harvest_source_clear here instead
    # of its own, and CKAN's auth audit then refuses every call through the API
    toolkit.check_access("harvest_source_job_history_clear", context, data_dict)
    return _page_memory_cleared(original_action(context, data_dict))


def _page_memory_cleared(result: dict) -> dict:
    from ckanext.thueringen.harvesters.pages import PageMemory

    PageMemory.forget_source(result["id"])
    return result
