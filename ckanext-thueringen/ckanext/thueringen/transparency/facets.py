"""The transparency area's search: its facets, publications in the general
search, and the labels of document types and laws in facet lists."""
from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.thueringen import vocabularies
from ckanext.thueringen.transparency import publications

_ = toolkit._

# Solr facet field -> (vocabulary whose labels the items get, what an item holds of a concept).
FACET_VOCABULARIES = {"vocab_document_type": ("document_types", "uri"),
                      "vocab_legal_basis_law": ("legal_basis_laws", "code")}


def facet_titles() -> OrderedDict[str, str]:
    """The facets of the transparency area, in their order on the page."""
    return OrderedDict([
        ("vocab_document_type", _("Document types")),
        ("organization", _("Authorities")),
        ("vocab_publication_year", _("Years")),
        ("vocab_legal_basis_law", _("Laws")),
        ("res_format", _("Formats")),
        ("tags", _("Keywords")),
    ])


_GENERAL_SEARCH_TYPE = re.compile(r"\+dataset_type:dataset(?![\w-])")


def include_publications(search_params: dict[str, Any], endpoint: str | None) -> dict[str, Any]:
    """CKAN's general search page (/dataset) shows the type `dataset` only; there,
    publications are shown too. The API and other pages are left alone."""
    if endpoint == "dataset.search" and search_params.get("fq"):
        search_params["fq"] = _GENERAL_SEARCH_TYPE.sub(
            f"+dataset_type:(dataset OR {publications.PUBLICATION_TYPE})", search_params["fq"])
    return search_params


def label_facets(search_results: dict[str, Any], language: str) -> dict[str, Any]:
    """Facet items of document types and laws get their labels in `language`."""
    facets = search_results.get("search_facets") or {}
    for field, (vocabulary_name, held) in FACET_VOCABULARIES.items():
        concepts = {getattr(concept, held): concept for concept in vocabularies.vocabulary(vocabulary_name)}
        for item in (facets.get(field) or {}).get("items", []):
            if item["name"] in concepts:
                item["display_name"] = concepts[item["name"]].label(language)
    return search_results
