"""The plugin `thueringen_transparency`: transparency publications in CKAN.

- validators of the publication schema (schemas/publication.yaml), on the rules
  of ckanext.thueringen.publications;
- the search index: facets document type, law and year of each publication;
- the transparency area `/transparenz`: CKAN's dataset search for the type
  `publication` with its own facets; publications also in the general /dataset
  search;
- the document-type vocabulary as SKOS at its namespace URI, /def/document-type;
- German names of the dataset type in CKAN's texts ("Veröffentlichungen").

See docs/transparency.md.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from flask import Blueprint, Response, request

from ckanext.thueringen import normalize, vocabularies
from ckanext.thueringen.transparency import facets, publications
from ckanext.thueringen.plugin import _language

_ = toolkit._

# --- validators -------------------------------------------------------------------

def _empty(value: Any) -> bool:
    return value in (None, "", []) or value is toolkit.missing


def thueringen_document_type(value: Any, context) -> Any:
    """A document type of the list, given as URI, slug, label or alias -> its URI."""
    if _empty(value):
        return value
    found = publications.document_type(value)
    if not found:
        raise toolkit.Invalid(_("Unknown document type \"{value}\"; choose one of the document types of the "
                                "list (ThürTG § 5 Abs. 2 and § 6 Abs. 3)").format(value=value))
    return found


def thueringen_date(value: Any, context) -> Any:
    """A date as ISO 8601 text, from ISO or German forms (31.12.2024)."""
    if _empty(value):
        return value
    found = normalize.date(value)
    if not found:
        raise toolkit.Invalid(_("\"{value}\" is not a valid date; enter it as 2024-12-31 or 31.12.2024").format(
            value=value))
    return found


def thueringen_euro_amount(value: Any, context) -> Any:
    """A sum of euros -> decimal text with two places ("1234567.89")."""
    if _empty(value):
        return value
    found = publications.euro_amount(value)
    if found is None:
        raise toolkit.Invalid(_("\"{value}\" is not a clear amount in euros; enter it as 1234567.89 or "
                                "1.234.567,89").format(value=value))
    return found


def thueringen_legal_basis_law(key, data, errors, context) -> None:
    """The law's code; derived from the legal basis text when not given."""
    value = data.get(key)
    if _empty(value):
        derived = publications.law_from_legal_basis(data.get(("legal_basis",)))
        data[key] = derived or ""
        return
    found = publications.legal_basis_law(value)
    if not found:
        codes = ", ".join(concept.code for concept in vocabularies.vocabulary("legal_basis_laws"))
        errors[key].append(_("Unknown law \"{value}\"; allowed are {codes}").format(value=value, codes=codes))
        return
    data[key] = found


def thueringen_not_before_contract_start(key, data, errors, context) -> None:
    """A contract does not end before it starts."""
    end, start = data.get(key), data.get(("contract_start",))
    if _empty(end) or _empty(start) or errors.get(key) or errors.get(("contract_start",)):
        return
    if str(end)[:10] < str(start)[:10]:
        errors[key].append(_("The contract cannot end before it starts ({start})").format(start=start))


def get_validators() -> dict[str, Any]:
    return {
        "thueringen_document_type": thueringen_document_type,
        "thueringen_date": thueringen_date,
        "thueringen_euro_amount": thueringen_euro_amount,
        "thueringen_legal_basis_law": thueringen_legal_basis_law,
        "thueringen_not_before_contract_start": thueringen_not_before_contract_start,
    }


# --- template helpers -------------------------------------------------------------

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
    return vocabularies.vocabulary("document_types").label(uri or "", _language())


def thueringen_facet_label(item: dict[str, Any]) -> str:
    """A facet item's whole label (CKAN cuts labels after 22 characters)."""
    return item.get("display_name") or item.get("name") or ""


def get_helpers() -> dict[str, Any]:
    return {
        "thueringen_facet_label": thueringen_facet_label,
        "thueringen_legal_basis_law_choices": thueringen_legal_basis_law_choices,
        "thueringen_document_type_label": thueringen_document_type_label,
        "humanize_entity_type": humanize_entity_type,
    }


# --- search -------------------------------------------------------------------------

def _endpoint() -> str | None:
    try:
        return request.endpoint
    except RuntimeError:   # no request: CLI, harvest consumers
        return None


# --- views --------------------------------------------------------------------------

transparency = Blueprint("thueringen_transparency", __name__)


def search():
    """The transparency area: CKAN's dataset search over publications."""
    from ckan.views.dataset import search as dataset_search

    return dataset_search(publications.PUBLICATION_TYPE)


_RDF_TYPES = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
              "application/n-triples": "nt"}


def document_types(slug: str | None = None):
    """The document-type vocabulary as SKOS (Turtle unless Accept asks for RDF/XML,
    JSON-LD or N-Triples), at the scheme's URI and at each concept's URI."""
    if slug is not None and f"{publications.DOCUMENT_TYPE_SCHEME}/{slug}" not in \
            vocabularies.vocabulary("document_types"):
        toolkit.abort(404, _("There is no document type \"{slug}\"").format(slug=slug))
    media_type = request.accept_mimetypes.best_match(list(_RDF_TYPES), default="text/turtle")
    path = vocabularies.VOCABULARY_DIR / vocabularies.index()["document_types"]["file"]
    if media_type == "text/turtle":
        body = path.read_bytes()
    else:
        from rdflib import Graph
        body = Graph().parse(path, format="turtle").serialize(format=_RDF_TYPES[media_type], encoding="utf-8")
    return Response(body, mimetype=media_type, headers={"Vary": "Accept"})


transparency.add_url_rule("/transparenz", view_func=search, strict_slashes=False)
transparency.add_url_rule("/def/document-type", view_func=document_types)
transparency.add_url_rule("/def/document-type/<slug>", view_func=document_types)


# --- the plugin ---------------------------------------------------------------------

class TransparencyPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.IValidators)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IFacets, inherit=True)
    plugins.implements(plugins.IPackageController, inherit=True)

    # IBlueprint
    def get_blueprint(self):
        return [transparency]

    # IValidators
    def get_validators(self):
        return get_validators()

    # ITemplateHelpers
    def get_helpers(self):
        return get_helpers()

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
        return facets.label_facets(search_results, _language())
