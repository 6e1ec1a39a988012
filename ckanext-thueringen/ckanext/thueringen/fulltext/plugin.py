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

from ckanext.thueringen.fulltext import cli, jobs, selection, storage
from ckanext.thueringen.guard.validators import text_parameters

log = logging.getLogger(__name__)


@toolkit.blanket.config_declarations
class ThueringenFulltextPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IClick)
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IPackageController, inherit=True)

    # IActions, IAuthFunctions
    def get_actions(self):
        return {"thueringen_fulltext_status": fulltext_status}

    def get_auth_functions(self):
        return {"thueringen_fulltext_status": fulltext_status_auth}

    # IClick
    def get_commands(self):
        return cli.get_commands()

    # IConfigurer
    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")

    # ITemplateHelpers
    def get_helpers(self):
        return {"thueringen_fulltext_status": status_for_page}

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


# --- action, auth, helper -----------------------------------------------------

def _resource_and_package(identifier: str) -> tuple[model.Resource | None, model.Package]:
    resource = model.Resource.get(identifier)
    if resource is not None and resource.state != "deleted":
        return resource, resource.package
    package = model.Package.get(identifier)
    if package is None or package.state == "deleted":
        raise toolkit.ObjectNotFound(toolkit._("Resource or dataset not found"))
    return None, package


@toolkit.auth_allow_anonymous_access
def fulltext_status_auth(context: dict, data_dict: dict) -> dict[str, Any]:
    """Whoever may see the dataset may see its documents' extraction status."""
    try:
        _, package = _resource_and_package((data_dict or {}).get("id") or "")
        toolkit.check_access("package_show", dict(context), {"id": package.id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return {"success": False, "msg": toolkit._("Not authorised to see this dataset")}
    return {"success": True}


@toolkit.side_effect_free
def fulltext_status(context: dict, data_dict: dict) -> dict[str, Any]:
    """Full-text extraction status. `id`: a resource id (one document) or a
    dataset's id or name (all its documents, under `resources`).

    Per document: status (pending, done, failed), reason (German), pages,
    chars, mime_type, content_hash, attempts, next_attempt_at, extracted_at,
    url, and `document` (False for data files such as CSV, which are not
    extracted). Never the text itself."""
    text_parameters(data_dict or {}, "id")
    identifier = (data_dict or {}).get("id")
    if not identifier:
        raise toolkit.ValidationError({"id": [toolkit._("Missing value")]})
    resource, package = _resource_and_package(identifier)  # 404 before 403: ids are not secret
    toolkit.check_access("thueringen_fulltext_status", context, data_dict)
    if resource is not None:
        return _document_status(resource, storage.status(resource.id))
    stored = storage.statuses_of_package(package.id)
    documents = [r for r in package.resources if r.state == "active"]
    return {"package_id": package.id, "resources": [_document_status(r, stored.get(r.id)) for r in documents]}


def _document_status(resource: model.Resource, stored: dict[str, Any] | None) -> dict[str, Any]:
    """The stored row, or what follows from the resource when its job has not
    run yet. `document` is False for resources that are not text documents
    (data files), which are not extracted."""
    url = (resource.url or "").strip()
    if stored is not None and stored["url"] == url:
        return {**stored, "document": True}
    base = {"resource_id": resource.id, "package_id": resource.package_id, "url": url, "pages": None,
            "chars": None, "mime_type": None, "content_hash": None, "attempts": 0, "next_attempt_at": None,
            "extracted_at": None, "updated_at": None, "document": True}
    if not url:
        return {**base, "status": storage.FAILED, "reason": "Die Ressource hat keine Adresse (URL)."}
    if not jobs.is_document(resource):
        return {**base, "document": False, "status": storage.FAILED,
                "reason": selection.not_a_document_reason(jobs.format_code(resource))}
    # no row yet, or one for the document's former address: its job is queued
    return {**base, "status": storage.PENDING, "reason": None}


def status_for_page(resource_id: str) -> dict[str, Any] | None:
    """Template helper: the status of one document; None for data files and
    for users who may not see it."""
    try:
        status = toolkit.get_action("thueringen_fulltext_status")({}, {"id": resource_id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        return None
    return status if status.get("document") else None
