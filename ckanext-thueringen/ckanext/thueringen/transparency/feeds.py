"""Atom feeds of the transparency area (docs/transparency.md, "Feeds").

`/transparenz/feed.atom` takes the parameters of a `/transparenz` search (the
words `q`, the facet filters, `sort`) and answers with the newest matching
publications: the feed of any search, of an authority (`organization=`) and of
a document type (`vocab_document_type=`), only publications, only the
area's filters. The dataset search's feed is search/feed.py, paging and the
title's words are shared (feeds.py); CKAN's feeds blueprint serves the rest
(`/feeds/organization/<name>.atom` and others). Rendering is CKAN's
(`output_feed`); the portal's feed class (IFeed) writes the entries in German
with a link to the publication's page. Searches run as the visitor, without
private datasets.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as toolkit
from ckan.lib.search import SearchError
from ckan.lib.search.query import solr_literal
from ckan.views.feed import CKANFeed
from flask import request

from ckanext.thueringen import feeds, vocabularies
from ckanext.thueringen.transparency import facets, publications

_ = toolkit._

FEED_ENDPOINT = "thueringen_transparency.feed"
# the orders of the search page that a feed may keep (others are not passed to Solr)
SORTS = ("metadata_modified desc", "metadata_created desc", "score desc, metadata_modified desc", "title_string asc")


def search_params(args: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The parameters of a /transparenz search that a feed of it keeps, in order."""
    fields = set(facets.facet_titles())
    return [(key, value) for key, value in args
            if value and (key == "q" or key in fields or (key == "sort" and value in SORTS))]


def feed_url(args: list[tuple[str, str]], external: bool = False) -> str:
    """The feed of the /transparenz search with the parameters `args`."""
    params = search_params(args)
    base = toolkit.url_for(FEED_ENDPOINT, _external=external)
    return f"{base}?{urlencode(params)}" if params else base


def filter_query(params: list[tuple[str, str]]) -> str:
    """Solr filter of the feed: publications, and each facet value as the
    search page filters it (all of them must hold)."""
    clauses = [f"+dataset_type:{publications.PUBLICATION_TYPE}"]
    clauses += [f"+{key}:{solr_literal(value)}" for key, value in params if key not in ("q", "sort")]
    return " ".join(clauses)


def feed():
    """The Atom feed of a /transparenz search."""
    params = search_params(list(request.args.items(multi=True)))
    page = feeds.page_number(request.args.get("page"))
    limit = toolkit.config.get("ckan.feeds.limit")
    sort = next((value for key, value in params if key == "sort"), "metadata_modified desc")
    data_dict = {"q": next((value for key, value in params if key == "q"), ""), "fq": filter_query(params),
                 "sort": sort, "rows": limit, "start": (page - 1) * limit, "include_private": False}
    try:
        result = toolkit.get_action("package_search")({"user": toolkit.current_user.name}, data_dict)
    except (toolkit.ValidationError, SearchError):
        toolkit.abort(400, _("The search cannot be answered; please check its parameters"))
    return feeds.render(result, params, page, limit, lambda kept: feed_url(kept, external=True),
                        toolkit.url_for("thueringen_transparency.search", _external=True),
                        _("Transparency: new publications"),
                        _("The newest publications of the authorities in Thuringia on the transparency portal"))


def entry_summary(pkg: dict[str, Any]) -> str:
    """A German summary of a dataset for its feed entry: document type,
    authority and date, then the description."""
    facts = []
    if pkg.get("type") == publications.PUBLICATION_TYPE and pkg.get("document_type"):
        facts.append(_("Document type: {label}").format(
            label=vocabularies.vocabulary("document_types").label(pkg["document_type"])))
    organization = pkg.get("organization") or {}
    if organization.get("title"):
        facts.append(_("Authority: {name}").format(name=organization["title"]))
    date = pkg.get("document_date") or pkg.get("publication_date")
    if date:
        facts.append(_("Date: {date}").format(date=date))
    text = " · ".join(facts)
    notes = (pkg.get("notes") or "").strip()
    return f"{text}\n\n{notes}".strip() if text else notes


class GermanFeed(CKANFeed):
    """CKAN's Atom feed, in German, whose entries link to the dataset's page
    (not to the API) and carry a German summary (IFeed of the plugin)."""

    def __init__(self, *args, **kwargs):
        kwargs["language"] = "de"
        super().__init__(*args, **kwargs)

    def add_item(self, **kwargs: Any) -> None:
        pkg = kwargs.pop("thueringen_dataset", None)
        if pkg:
            kwargs["link"] = toolkit.url_for(f"{pkg.get('type') or 'dataset'}.read", id=pkg["name"], _external=True)
            kwargs["summary"] = "".join(ch for ch in entry_summary(pkg) if ch == "\n" or ch.isprintable())
            if pkg.get("type") == publications.PUBLICATION_TYPE and pkg.get("document_type"):
                kwargs["categories"] = [*kwargs.get("categories", []),
                                        vocabularies.vocabulary("document_types").label(pkg["document_type"])]
        super().add_item(**kwargs)


def item_fields(pkg: dict[str, Any]) -> dict[str, Any]:
    return {"thueringen_dataset": pkg}


def get_helpers() -> dict[str, Any]:
    return {"thueringen_transparency_feed_url": feed_url}
