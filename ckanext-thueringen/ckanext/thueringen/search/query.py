"""The portal's dataset search over the German fields (docs/search.md).

package_search keeps building the Solr request; the portal only chooses the
query parser and the fields (before_dataset_search) and, after the search,
asks Solr once more for highlighted snippets of the page's results, because
CKAN does not pass highlighting parameters to Solr nor its answer back."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as toolkit
import pysolr
from ckan.lib.search.common import SearchQueryError, make_connection
from ckan.lib.search.query import solr_literal

from ckanext.thueringen.search import filters
from ckanext.thueringen.search.snippets import MARK_END, MARK_START, render_snippets

log = logging.getLogger(__name__)

HIGHLIGHT_FIELDS = ("fulltext", "notes_de")
# The full-text plugin caps a dataset's text at 2 MB; snippets may come from anywhere in it.
HIGHLIGHT_MAX_CHARS = 2_500_000
# A page of the web search has 20 results; API callers asking for up to 1,000
# rows get snippets for the first ones only, so that one search stays cheap.
HIGHLIGHT_MAX_RESULTS = 100


def is_free_text(q: Any) -> bool:
    """Whether `q` is words typed by a user, not empty, "*:*" or a fielded
    Solr query ("name:foo"), which CKAN hands to Solr's standard parser."""
    return isinstance(q, str) and bool(q.strip()) and ":" not in q and q.strip() not in ('""', "''")


def german_search_params(data_dict: dict[str, Any], query_fields: str) -> dict[str, Any]:
    """package_search's parameters with the German edismax query, unless the
    caller chose its own parser or fields. Filters, facets, sort and paging are
    left as they are."""
    if not is_free_text(data_dict.get("q")) or data_dict.get("defType") or data_dict.get("qf"):
        return data_dict
    return {**data_dict, "defType": "edismax", "qf": query_fields}


def time_filter_params(data_dict: dict[str, Any]) -> dict[str, Any]:
    """package_search's parameters with the time filters among its `extras`
    (search/filters.py) added as Solr filter queries. A date that is none is
    refused with a German message (HTTP 400 on the page and in the API)."""
    extras = data_dict.get("extras") or {}
    try:
        queries = filters.filter_queries(extras)
    except (filters.DateError, filters.BBoxError) as error:
        raise SearchQueryError(str(error)) from error
    if not queries:
        return data_dict
    return {**data_dict, "fq_list": [*(data_dict.get("fq_list") or []), *queries]}


HOME_ENDPOINT = "home.index"
# The search CKAN 2.12's home view runs on every visit (4 "popular" datasets
# and the default facets), recognised by its sort.
_STOCK_HOME_SORT = "view_recent desc"


def stock_home_params(data_dict: dict[str, Any]) -> dict[str, Any]:
    """The portal's home page shows neither the popular datasets nor the facets
    of CKAN's home view (its figures come from home.py, cached): that search
    asks Solr for the count only."""
    if data_dict.get("sort") != _STOCK_HOME_SORT:
        return data_dict
    return {**data_dict, "rows": 0, "facet": "false", "facet.field": []}


def highlight_params(ids: list[str], q: str, snippets: int, fragment_size: int, site_id: str) -> dict[str, Any]:
    """Solr parameters of the snippet query for the datasets `ids`: any word of
    `q` (mm=1) in the document text or description, matches between markers."""
    return {
        "q": q,
        "defType": "edismax",
        "qf": " ".join(HIGHLIGHT_FIELDS),
        "mm": "1",
        "q.op": "OR",
        "fq": [f"id:({' OR '.join(solr_literal(i) for i in ids)})",
               f"+site_id:{solr_literal(site_id)}"],
        # Solr keys its highlighting by the unique key, index_id.
        "fl": "id index_id",
        "rows": len(ids),
        "wt": "json",
        "hl": "true",
        "hl.method": "unified",
        "hl.fl": " ".join(HIGHLIGHT_FIELDS),
        "hl.snippets": snippets,
        "hl.fragsize": fragment_size,
        # Text extracted from PDFs seldom has sentence ends the sentence break
        # iterator finds, so sentence-sized passages can run to a page; a word
        # break iterator with fragsize as the target (not the minimum) keeps
        # snippets near `thueringen.search.snippet_size` characters.
        "hl.bs.type": "WORD",
        "hl.fragsizeIsMinimum": "false",
        "hl.fragAlignRatio": "0.33",
        "hl.tag.pre": MARK_START,
        "hl.tag.post": MARK_END,
        "hl.defaultSummary": "false",
        "hl.maxAnalyzedChars": HIGHLIGHT_MAX_CHARS,
    }


def snippets_from_response(highlighting: dict[str, dict[str, list[str]]], ids: Iterable[str],
                           id_by_index_id: dict[str, str], snippets: int) -> dict[str, list[str]]:
    """Per dataset id the rendered snippets, document text first."""
    by_dataset: dict[str, list[str]] = {}
    for index_id, fields in highlighting.items():
        raw = [snippet for field in HIGHLIGHT_FIELDS for snippet in fields.get(field, [])]
        dataset_id = id_by_index_id.get(index_id)
        if dataset_id:
            by_dataset[dataset_id] = render_snippets(raw)[:snippets]
    return {dataset_id: by_dataset.get(dataset_id, []) for dataset_id in ids}


def highlights(ids: list[str], q: Any) -> dict[str, list[str]]:
    """Snippets of the datasets `ids` for the query `q`; empty lists when `q`
    is not free text or Solr fails (the search result stays usable)."""
    ids = [i for i in ids if i]
    if not ids or not is_free_text(q):
        return {i: [] for i in ids}
    snippets = toolkit.config.get("thueringen.search.snippets")
    params = highlight_params(ids, q, snippets, toolkit.config.get("thueringen.search.snippet_size"),
                              toolkit.config.get("ckan.site_id"))
    try:
        response = make_connection(decode_dates=False).search(**params)
    except pysolr.SolrError as error:
        log.warning("Snippet query failed for %r: %s", q, error)
        return {i: [] for i in ids}
    id_by_index_id = {doc["index_id"]: doc["id"] for doc in response.docs}
    return snippets_from_response(response.highlighting or {}, ids, id_by_index_id, snippets)


def add_highlights(search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
    """Each result dict of package_search gets `thueringen_highlights`."""
    results = [r for r in search_results.get("results", []) if isinstance(r, dict) and r.get("id")]
    if not results:
        return search_results
    found = highlights([r["id"] for r in results[:HIGHLIGHT_MAX_RESULTS]], search_params.get("q"))
    for result in results:
        result["thueringen_highlights"] = found.get(result["id"], [])
    return search_results
