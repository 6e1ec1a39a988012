"""Plugin `thueringen_security`: wires the security modules into CKAN.

- IMiddleware: CSRF exemptions per request (csrf.py), security headers on
  every answer (headers.py), download headers of uploaded files (uploads.py),
  HTTP caching of what anonymous visitors get (http_cache.py).
- IValidators / ITemplateHelpers: resource URLs on save and safe links in
  templates (urls.py).
- IDCATRDFHarvester: ckanext-dcat's stock harvester through the outbound
  policy (security/outbound.py), never on a local file, and no document with
  a remote JSON-LD context or XML entities reaches its parser.
- IActions: harvest source URLs on save; uploaded files removed with their
  resource (resource_delete) or dataset (dataset_purge).
- IClick: `ckan thueringen uploads clean`.
- IConfigurer: templates that keep CKAN's and ckanext-scheming's pages free
  of inline script and unsafe links, and their static script.
"""
from __future__ import annotations

import logging
import tempfile

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
import flask
from ckanext.dcat.interfaces import IDCATRDFHarvester

from ckanext.thueringen.harvesters import rdf_guard
from ckanext.thueringen.harvesters.fetch import guarded_session
from ckanext.thueringen.security import cli, csrf, headers, http_cache, uploads, urls

log = logging.getLogger(__name__)


class ThueringenSecurityPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IClick)
    plugins.implements(plugins.IConfigurer)
    plugins.implements(IDCATRDFHarvester, inherit=True)
    plugins.implements(plugins.IMiddleware, inherit=True)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IValidators)

    # IClick
    def get_commands(self):
        return cli.get_commands()

    # IConfigurer
    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")
        toolkit.add_public_directory(config, "public")

    # IDCATRDFHarvester: ckanext-dcat's stock harvester (dcat_rdf) downloads with
    # its own requests session, and reads a local file for a URL without http
    def before_download(self, url, harvest_job):
        if not urls.is_web_address(url or ""):
            return None, [urls.INVALID_URL]
        return url, []

    def update_session(self, session):
        return guarded_session(session)

    def after_download(self, content, harvest_job):
        """rdflib would fetch a JSON-LD document's remote @context itself, past
        the outbound policy (and expand XML entities): the same check as the
        portal's harvesters (rdf_guard) before ckanext-dcat parses."""
        if not content:
            return content, []
        with tempfile.NamedTemporaryFile(prefix="dcat-rdf-", suffix=".download") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            handle.flush()
            try:
                rdf_guard.check_safe(handle.name, rdf_guard.detect_format(handle.name, None, None),
                                     url=harvest_job.source.url if harvest_job is not None else None)
            except rdf_guard.UnsafeDocument as exc:
                return None, [str(exc)]
        return content, []

    # IMiddleware
    def make_middleware(self, app, config):
        if not isinstance(app, flask.Flask):   # another plugin wrapped it already
            raise RuntimeError("thueringen_security needs CKAN's Flask app: list it before other "
                               "middleware plugins in ckan.plugins")
        csrf.scope_exemptions_to_the_request(app)
        headers.install(app, headers.content_security_policy(config.get("thueringen.security.csp_extra") or ""),
                        int(config.get("thueringen.security.hsts_max_age") or 0))
        app.after_request(_download_headers)
        if toolkit.asbool(config.get("thueringen.http_cache.enabled", True)):
            http_cache.install(app, int(config.get("thueringen.http_cache.max_age") or 0))
        return app

    # ITemplateHelpers
    def get_helpers(self):
        return {"thueringen_safe_url": urls.safe_url}

    # IValidators
    def get_validators(self):
        return {"thueringen_resource_url": urls.resource_url}

    # IActions
    def get_actions(self):
        return {"package_create": _package_create, "package_update": _package_update,
                "resource_delete": _resource_delete, "dataset_purge": _dataset_purge}


def _download_headers(response: flask.Response) -> flask.Response:
    """An uploaded file's answer from CKAN's download view (any dataset type's blueprint)."""
    endpoint = flask.request.endpoint or ""
    if not endpoint.endswith("resource.download") or response.status_code != 200:
        return response
    resource = model.Resource.get((flask.request.view_args or {}).get("resource_id", ""))
    if resource is None or resource.url_type != "upload":
        return response
    filename = (flask.request.view_args or {}).get("filename") or (resource.url or "").rsplit("/", 1)[-1]
    for name, value in uploads.download_headers(resource.mimetype, filename).items():
        response.headers[name] = value
    return response


# --- harvest source URLs -----------------------------------------------------------

def _is_harvest_source(context, data_dict) -> bool:
    if data_dict.get("type"):
        return data_dict["type"] == "harvest"
    package = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    return package is not None and package.type == "harvest"


@toolkit.chained_action
def _package_create(original_action, context, data_dict):
    if _is_harvest_source(context, data_dict):
        urls.check_harvest_source_url(data_dict)
    return original_action(context, data_dict)


@toolkit.chained_action
def _package_update(original_action, context, data_dict):
    if _is_harvest_source(context, data_dict):
        urls.check_harvest_source_url(data_dict)
    return original_action(context, data_dict)


# --- uploaded files ----------------------------------------------------------------

def _storage_path() -> str | None:
    return toolkit.config.get("ckan.storage_path")


@toolkit.chained_action
def _resource_delete(original_action, context, data_dict):
    resource = model.Resource.get(data_dict.get("id") or "")
    uploaded = resource is not None and resource.url_type == "upload"
    resource_id = resource.id if resource is not None else None
    result = original_action(context, data_dict)
    if uploaded:
        uploads.delete_upload(_storage_path(), resource_id)
    return result


@toolkit.chained_action
def _dataset_purge(original_action, context, data_dict):
    package = model.Package.get(data_dict.get("id") or "")
    uploaded = [] if package is None else [
        resource_id for (resource_id,) in model.Session.query(model.Resource.id)
        .filter(model.Resource.package_id == package.id, model.Resource.url_type == "upload")]
    result = original_action(context, data_dict)
    for resource_id in uploaded:
        uploads.delete_upload(_storage_path(), resource_id)
    return result


def active_upload_ids() -> list[str]:
    """The ids of the resources whose uploaded file must stay: active, of a dataset that exists."""
    return [resource_id for (resource_id,) in model.Session.query(model.Resource.id)
            .join(model.Package, model.Package.id == model.Resource.package_id)
            .filter(model.Resource.url_type == "upload", model.Resource.state == "active")]
