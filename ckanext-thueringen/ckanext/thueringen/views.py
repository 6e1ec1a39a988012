"""Blueprints: the transparency area `/transparenz` and the document-type
vocabulary at its namespace URI `/def/document-type` (plugin
`thueringen_transparency`)."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit
from flask import Blueprint, Response, request

from ckanext.thueringen import vocabularies
from ckanext.thueringen.transparency import publications

_ = toolkit._

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
