"""Plugin `thueringen_fulltext`: the documents' text, extracted in the
background, kept out of package_show and searchable through Solr's field
`fulltext` (docs/fulltext.md)."""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckanext.thueringen import helpers
from ckanext.thueringen.fulltext import cli, jobs, storage, views
from ckanext.thueringen.fulltext import helpers as fulltext_helpers
from ckanext.thueringen.logic import action, auth

log = logging.getLogger(__name__)


@toolkit.blanket.config_declarations
class ThueringenFulltextPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.IClick)
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IPackageController, inherit=True)

    # IActions, IAuthFunctions
    def get_actions(self):
        return {"thueringen_fulltext_status": action.thueringen_fulltext_status}

    def get_auth_functions(self):
        return {"thueringen_fulltext_status": auth.thueringen_fulltext_status}

    # IBlueprint: the document's text view and PDF preview
    def get_blueprint(self):
        return [views.document]

    # IClick
    def get_commands(self):
        return cli.get_commands()

    # IConfigurer
    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")
        # the PDF preview's script; pdfjs/ in it is filled from npm at install (pdfjs.py)
        toolkit.add_public_directory(config, "public")

    # ITemplateHelpers
    def get_helpers(self):
        return {**helpers.get_helpers("thueringen_fulltext"), **fulltext_helpers.HELPERS}

    # IPackageController: the model's hooks, because they see the resources'
    # ids, which new resources get only when the package is saved.
    def create(self, entity: model.Package):
        jobs.schedule(entity)

    def edit(self, entity: model.Package):
        jobs.schedule(entity)

    def delete(self, entity: model.Package):
        # called before the package's state changes; the text goes with it
        try:
            jobs.forget_package(entity.id)
        except Exception:  # noqa: BLE001 - Redis down must not stop a deletion
            log.exception("Volltext: Löschen für Datensatz %s nicht eingereiht", entity.id)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        resource_ids = _indexed_resource_ids(pkg_dict)
        if resource_ids:
            try:
                text = storage.package_text(pkg_dict["id"], resource_ids,
                                            int(toolkit.config.get("thueringen.fulltext.index_max_chars")))
            except Exception:  # noqa: BLE001 - no table yet (before `ckan db upgrade`): index without text
                log.exception("Volltext für %s nicht lesbar", pkg_dict.get("id"))
                text = ""
            if text:
                pkg_dict["fulltext"] = text
        return pkg_dict


def _indexed_resource_ids(pkg_dict: dict[str, Any]) -> list[str]:
    # index_package has flattened the resources away; data_dict is the package as indexed
    try:
        resources = json.loads(pkg_dict.get("data_dict") or "{}").get("resources") or []
    except (TypeError, ValueError):
        return []
    return [resource["id"] for resource in resources if resource.get("id")]
