"""Blueprints: the transparency area `/transparenz` with its Atom feed, the
publication obligations of each authority (page and CSV), and the
document-type vocabulary at its namespace URI `/def/document-type` (plugin
`thueringen_transparency`)."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit
from flask import Blueprint, Response, request

from ckanext.thueringen import vocabularies
from ckanext.thueringen.transparency import feeds, obligations, publications

_ = toolkit._

transparency = Blueprint("thueringen_transparency", __name__)


def search():
    """The transparency area: CKAN's dataset search over publications."""
    from ckan.views.dataset import search as dataset_search

    return dataset_search(publications.PUBLICATION_TYPE)


_RDF_TYPES = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
              "application/n-triples": "nt"}
# ?format= for a link (a browser's Accept asks for HTML)
_FORMAT_PARAMETERS = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json",
                      "nt": "application/n-triples"}


def _asks_for_html() -> bool:
    """Whether the client names HTML and prefers it to RDF (a browser does;
    `Accept: */*` of curl and scripts gets Turtle, as before)."""
    accept = request.accept_mimetypes
    named = {value for value, quality in accept if quality > 0}
    return "text/html" in named and accept.best_match(["text/html", *_RDF_TYPES]) == "text/html"


def document_types(slug: str | None = None):
    """The document-type vocabulary at the scheme's URI and at each concept's
    URI: a page for a browser (which asks for HTML first), else SKOS (Turtle
    unless Accept asks for RDF/XML, JSON-LD or N-Triples)."""
    types = vocabularies.vocabulary("document_types")
    if slug is not None and f"{publications.DOCUMENT_TYPE_SCHEME}/{slug}" not in types:
        toolkit.abort(404, _("There is no document type \"{slug}\"").format(slug=slug))
    asked = _FORMAT_PARAMETERS.get(request.args.get("format", ""))
    if asked is None and _asks_for_html():
        language = toolkit.h.lang() or "de"
        shown = [types.get(f"{publications.DOCUMENT_TYPE_SCHEME}/{slug}")] if slug else \
            sorted(types.current(), key=lambda concept: concept.label(language).casefold())
        response = Response(toolkit.render("transparency/document_types.html", {
            "types": shown, "single": slug is not None}))
        response.headers["Vary"] = "Accept"
        return response
    media_type = asked or request.accept_mimetypes.best_match(list(_RDF_TYPES), default="text/turtle")
    path = vocabularies.VOCABULARY_DIR / vocabularies.index()["document_types"]["file"]
    if media_type == "text/turtle":
        body = path.read_bytes()
    else:
        from rdflib import Graph
        body = Graph().parse(path, format="turtle").serialize(format=_RDF_TYPES[media_type], encoding="utf-8")
    return Response(body, mimetype=media_type, headers={"Vary": "Accept"})


def _obligations(organization_id: str) -> dict:
    context = {"user": toolkit.current_user.name, "auth_user_obj": toolkit.current_user}
    try:
        return toolkit.get_action("thueringen_publication_obligations")(context, {"id": organization_id})
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, _("There is no authority \"{name}\"").format(name=organization_id))
    except toolkit.NotAuthorized:
        return toolkit.abort(403, _("You may not see this authority"))


def publication_obligations(id: str):
    """What the authority must publish and what it has published (page)."""
    result = _obligations(id)
    context = {"user": toolkit.current_user.name, "auth_user_obj": toolkit.current_user}
    group_dict = toolkit.get_action("organization_show")(context, {"id": id, "include_datasets": False})
    return toolkit.render("transparency/obligations.html", {
        "overview": result, "group_dict": group_dict, "group_type": "organization",
        "csv_url": toolkit.url_for("thueringen_transparency.publication_obligations_csv", id=group_dict["name"])})


def publication_obligations_csv(id: str):
    """The same overview as CSV."""
    result = _obligations(id)
    return Response(obligations.as_csv(result), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f"attachment; filename=veroeffentlichungspflichten-{result['organization']['name']}.csv"})


def obligations_index():
    """Every authority with a level, linking to its obligations page."""
    context = {"user": toolkit.current_user.name, "auth_user_obj": toolkit.current_user}
    organizations, page = [], 25   # CKAN lists at most 25 organizations with all fields at once
    while len(organizations) % page == 0:
        found = toolkit.get_action("organization_list")(
            context, {"all_fields": True, "include_extras": True, "limit": page, "offset": len(organizations)})
        organizations += found
        if not found:
            break
    levels = vocabularies.vocabulary("authority_levels")
    rows = [{"name": org["name"], "title": org.get("title") or org["name"],
             "level": levels.label(org["authority_level"]) if org.get("authority_level") else None}
            for org in organizations]
    return toolkit.render("transparency/obligations_index.html", {"authorities": rows})


transparency.add_url_rule("/transparenz", view_func=search, strict_slashes=False)
transparency.add_url_rule("/transparenz/feed.atom", view_func=feeds.feed)
transparency.add_url_rule("/transparenz/veroeffentlichungspflichten", view_func=obligations_index)
transparency.add_url_rule("/organization/<id>/veroeffentlichungspflichten", view_func=publication_obligations)
transparency.add_url_rule("/organization/<id>/veroeffentlichungspflichten.csv",
                          view_func=publication_obligations_csv)
transparency.add_url_rule("/def/document-type", view_func=document_types)
transparency.add_url_rule("/def/document-type/<slug>", view_func=document_types)
