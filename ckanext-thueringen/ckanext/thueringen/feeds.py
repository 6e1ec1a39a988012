"""What the portal's two search feeds share: the parameters a feed keeps, its
page number, its paging links (RFC 5005: first, previous, next, last) and its
German description.

The feed of the dataset search (`/feeds/custom.atom`, search/feed.py) and the
feed of the transparency search (`/transparenz/feed.atom`,
transparency/feeds.py) differ only in which filters they take and which
datasets they show; everything else is here. `last_page` and `navigation` are
pure, with unit tests in tests/unit/test_feeds.py; `page_number` answers 400,
`describe` reads authorities' titles and `render` writes the answer (tested
through the stack in tests/test_search_ui.py and test_transparency_obligations.py).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as toolkit
from ckan.views.feed import output_feed

from ckanext.thueringen import display

_ = toolkit._

Params = list[tuple[str, str]]


def page_number(raw: str | None) -> int:
    """The feed page asked for (1 without `page`); 400 for anything but a whole number from 1."""
    try:
        page = int(raw) if raw is not None else 1
    except ValueError:
        page = 0
    if page < 1:
        toolkit.abort(400, _("The page must be a whole number from 1"))
    return page


def last_page(count: int, limit: int) -> int:
    """The number of the last page of `count` results, `limit` per page (1 when there are none)."""
    return max(1, math.ceil(count / limit))


def navigation(url_of: Callable[[Params], str], params: Params, page: int, last: int) -> dict[str, str | None]:
    """The paging links of page `page` of `last`: `url_of(params)` is the
    address of the feed with those parameters; the first page has no `page`
    parameter, so its address is the feed's own. Past the end, `previous`
    leads back to the last page."""
    def at(number: int) -> str:
        return url_of(params + [("page", str(number))]) if number > 1 else url_of(params)

    return {
        "first": at(1),
        "last": at(last),
        "previous": at(min(page - 1, last)) if page > 1 else None,
        "next": at(page + 1) if page < last else None,
        "self": at(page),
    }


def describe(params: Iterable[tuple[str, str]], language: str,
             organization_title: Callable[[str], str]) -> str:
    """The search in words, for the feed's title: the words searched for, then
    each filter's value as the facets label it (authorities by title)."""
    parts = []
    for key, value in params:
        if key == "q":
            parts.append(_("search for “{q}”").format(q=value))
        elif key == "organization":
            parts.append(_("authority: {name}").format(name=organization_title(value)))
        elif key != "sort" and not key.startswith("ext_"):
            parts.append(display.label(key, value, language) or value)
    return ", ".join(parts)


def organization_title(name: str) -> str:
    """An authority's title as the visitor may see it; its name if there is none
    (h.get_organization: the organisation alone, helpers.get_organization)."""
    return toolkit.h.get_organization(name).get("title") or name


def render(result: dict[str, Any], params: Params, page: int, limit: int, url_of: Callable[[Params], str],
           search_page: str, title: str, description: str):
    """The Atom answer (CKAN's output_feed) of page `page` of a search's
    `result`: the title with the search in words, paging links, the link to
    the search page with the same parameters."""
    links = navigation(url_of, params, page, last_page(result["count"], limit))
    words = describe(params, toolkit.h.lang() or "de", organization_title)
    query_string = urlencode(params)
    return output_feed(
        result["results"],
        feed_title=f"{title} ({words}) – {toolkit.config.get('ckan.site_title')}" if words
        else f"{title} – {toolkit.config.get('ckan.site_title')}",
        feed_description=description,
        feed_link=f"{search_page}?{query_string}" if query_string else search_page,
        feed_guid=links["first"], feed_url=links["self"],
        navigation_urls={rel: url for rel, url in links.items() if rel != "self"})
