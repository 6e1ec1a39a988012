"""Plugin `thueringen_quality`: the MQA score of every dataset, computed in
the background from its DCAT-AP.de export, stored in its own table, indexed
for the search (rating facet, sorting by score) and shown on the dataset
pages, the authorities' quality pages and a ranking (docs/quality.md)."""
from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.quality import action, auth, cli, helpers, jobs, metrics, storage, views

log = logging.getLogger(__name__)
BAND_FIELD = "quality_band"
SCORE_FIELD = "quality_score"


@toolkit.blanket.config_declarations
class ThueringenQualityPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.IClick)
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IFacets, inherit=True)
    plugins.implements(plugins.IPackageController, inherit=True)

    # IActions, IAuthFunctions
    def get_actions(self):
        return {"thueringen_quality_show": action.thueringen_quality_show,
                "thueringen_quality_summary": action.thueringen_quality_summary,
                "package_show": action.package_show}

    def get_auth_functions(self):
        return {"thueringen_quality_show": auth.thueringen_quality_show,
                "thueringen_quality_summary": auth.thueringen_quality_summary}

    # IBlueprint
    def get_blueprint(self):
        return [views.quality]

    # IClick
    def get_commands(self):
        return cli.get_commands()

    # IConfigurer
    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")

    # ITemplateHelpers
    def get_helpers(self):
        return helpers.get_helpers()

    # IFacets: the rating as a facet of datasets and publications
    def dataset_facets(self, facets_dict, package_type):
        facets_dict[BAND_FIELD] = toolkit._("Metadatenqualität")
        return facets_dict

    # IPackageController: the model's hooks (harvest imports and edits alike)
    def create(self, entity: model.Package):
        self._schedule(entity)

    def edit(self, entity: model.Package):
        self._schedule(entity)

    @staticmethod
    def _schedule(entity: model.Package) -> None:
        if entity.type == "harvest":
            return
        saved_at = entity.metadata_modified.isoformat() if entity.metadata_modified else None
        jobs.schedule([(entity.id, saved_at)])

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        try:
            found = storage.get(pkg_dict["id"])
        except Exception:  # noqa: BLE001 - no table yet (before `ckan db upgrade`): index without score
            model.Session.rollback()
            log.exception("Qualität für %s nicht lesbar", pkg_dict.get("id"))
            found = None
        if found is not None:
            pkg_dict[BAND_FIELD] = found["band"]
            # zero-padded: the catch-all string field sorts it as a number
            pkg_dict[SCORE_FIELD] = f"{found['score']:03d}"
        return pkg_dict

    def after_dataset_search(self, search_results, search_params):
        facet = (search_results.get("search_facets") or {}).get(BAND_FIELD)
        for item in (facet or {}).get("items", []):
            item["display_name"] = metrics.BAND_LABELS.get(item["name"], item["name"])
        return search_results
