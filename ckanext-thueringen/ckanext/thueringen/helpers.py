"""Template helpers of the portal's plugins, all in this module.

`get_helpers(plugin)` gives the helpers a plugin registers. Each helper exists
only while its plugin is loaded: templates ask `h.get("thueringen_fulltext_status")`
or `h.get("thueringen_highlights")` whether a feature is there.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.thueringen import harvest_report, vocabularies
from ckanext.thueringen.search import query
from ckanext.thueringen.search import templating as search_templating
from ckanext.thueringen.transparency import publications

_ = toolkit._


def language() -> str:
    """The user's language; German outside a web request (CLI, harvest jobs)."""
    try:
        return toolkit.h.lang() or "de"
    except (RuntimeError, AttributeError):
        return "de"


# --- vocabularies (plugin thueringen) ------------------------------------------------

def thueringen_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """ckanext-scheming `choices_helper`: the choices of the field's `vocabulary`."""
    return vocabularies.vocabulary(field["vocabulary"]).choices()


def thueringen_vocabulary_label(vocabulary: str, uri: str, language: str = "de") -> str:
    return vocabularies.vocabulary(vocabulary).label(uri, language)


def thueringen_format_label(value: str | None) -> str:
    """The short name of a file type ("CSV") for its EU URI; other values as they are."""
    concept = vocabularies.vocabulary("filetypes").get(value or "")
    return concept.label("de") if concept else (value or "")


def thueringen_format_code(value: str | None) -> str:
    """The lower-case code of a file type ("csv"), which CKAN's styles colour by."""
    concept = vocabularies.vocabulary("filetypes").get(value or "")
    return (concept.code if concept else (value or "")).lower()


# --- harvest reports (plugin thueringen) ---------------------------------------------

def thueringen_harvest_report(source_id: str, limit: int = harvest_report.DEFAULT_LIMIT) -> dict[str, Any] | None:
    """The report of a harvest source's page, or None for users who may not see it."""
    try:
        return toolkit.get_action("thueringen_harvest_report")({}, {"id": source_id, "limit": limit})
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return None


# --- transparency (plugin thueringen_transparency) -----------------------------------

def thueringen_legal_basis_law_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """ckanext-scheming `choices_helper`: the laws, by code, labelled in both languages."""
    return [{"value": c.code, "label": {"de": c.label("de"), "en": c.label("en")}}
            for c in vocabularies.vocabulary("legal_basis_laws")]


def _type_names() -> dict[str, str]:
    """CKAN's texts about a dataset type (h.humanize_entity_type), for publications."""
    return {
        "add link": _("Add publication"),
        "breadcrumb": _("Publications"),
        "content tab": _("Publications"),
        "create label": _("Create publication"),
        "create title": _("Create publication"),
        "delete confirmation": _("Are you sure you want to delete this publication?"),
        "description placeholder": _("What is the document about?"),
        "edit label": _("Edit publication"),
        "facet label": _("Publications"),
        "form label": _("Publication"),
        "main nav": _("Publications"),
        "my label": _("My publications"),
        "view label": _("View publication"),
        "name placeholder": _("My publication"),
        "no any objects": _("There are no publications yet."),
        "no description": _("There is no description for this publication."),
        "no label": _("No publication"),
        "page title": _("Publications"),
        "save label": _("Save publication"),
        "search placeholder": _("Search publications..."),
        "update label": _("Update publication"),
    }


@toolkit.chained_helper
def humanize_entity_type(next_helper, entity_type: str, object_type: str, purpose: str):
    if entity_type == "package" and object_type == publications.PUBLICATION_TYPE:
        return _type_names().get(purpose, _("Publication"))
    return next_helper(entity_type, object_type, purpose)


def thueringen_document_type_label(uri: str | None) -> str:
    return vocabularies.vocabulary("document_types").label(uri or "", language())


def thueringen_facet_label(item: dict[str, Any]) -> str:
    """A facet item's whole label (CKAN cuts labels after 22 characters)."""
    return item.get("display_name") or item.get("name") or ""


# --- full text (plugin thueringen_fulltext) ------------------------------------------

def thueringen_fulltext_status(resource_id: str) -> dict[str, Any] | None:
    """The status of one document; None for data files and for users who may not see it."""
    try:
        status = toolkit.get_action("thueringen_fulltext_status")({}, {"id": resource_id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        return None
    return status if status.get("document") else None


# --- search (plugin thueringen_search) -----------------------------------------------

def thueringen_highlights(package_id: str, q: str | None) -> list[str]:
    """Snippets of one dataset's document text for the query `q` (HTML: escaped
    text, matches in <mark>); empty without a query, and for a dataset the
    current user may not see (the snippet query itself knows no permissions)."""
    try:
        toolkit.check_access("package_show", {}, {"id": package_id})
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return []
    return query.highlights([package_id], q).get(package_id, [])


_HELPERS: dict[str, dict[str, Callable]] = {
    "thueringen": {
        "thueringen_vocabulary_choices": thueringen_vocabulary_choices,
        "thueringen_vocabulary_label": thueringen_vocabulary_label,
        "thueringen_format_label": thueringen_format_label,
        "thueringen_format_code": thueringen_format_code,
        "thueringen_harvest_report": thueringen_harvest_report,
    },
    "thueringen_transparency": {
        "thueringen_facet_label": thueringen_facet_label,
        "thueringen_legal_basis_law_choices": thueringen_legal_basis_law_choices,
        "thueringen_document_type_label": thueringen_document_type_label,
        "humanize_entity_type": humanize_entity_type,
    },
    "thueringen_fulltext": {"thueringen_fulltext_status": thueringen_fulltext_status},
    "thueringen_search": {"thueringen_highlights": thueringen_highlights, **search_templating.HELPERS},
}


def get_helpers(plugin: str) -> dict[str, Callable]:
    """The template helpers of the plugin named `plugin` (its name in ckan.plugins)."""
    return dict(_HELPERS[plugin])
