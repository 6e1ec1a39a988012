"""The Atom feed of a dataset search, at CKAN's own address `/feeds/custom.atom`.

The search page links it with the page's parameters (`q`, every facet filter,
also repeated, the `ext_*` filters of time and area, `sort`). The portal serves
CKAN's endpoint `feeds.custom` with this view (search/plugin.py, IMiddleware)
because CKAN 2.12's view cannot serve such a search: it keeps one value per
filter, joins the filter clauses without a space, turns `ext_*` parameters
into clauses on fields that do not exist, lets a bad time filter become a 500,
titles the feed in English, and builds its paging links wrongly (`_feed_url`
keeps only the last parameter, and the last page is a float such as
`page=2.5`). It can go when CKAN's feed builds its search like the search page
and its paging links from all parameters.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as toolkit
from ckan.lib.search import SearchError
from ckan.lib.search.common import SearchQueryError
from flask import request

from ckanext.thueringen import feeds

_ = toolkit._

ENDPOINT = "feeds.custom"
_FIELD_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")


def feed_params(args: Iterable[tuple[str, str]]) -> feeds.Params:
    """The parameters of a dataset search that its feed keeps, in order: not
    the page, nothing empty, only filters that name a field."""
    return [(key, value) for key, value in args
            if value and key != "page" and not key.startswith("_") and _FIELD_NAME.match(key)]


def search_params(params: feeds.Params, page: int, limit: int) -> dict[str, Any]:
    """package_search's parameters for page `page` of the feed, built from the
    feed's parameters as the search page builds them: each filter
    `field=value` (repeated ones too) a clause of `fq`, `ext_*` parameters in
    `extras` for the plugins, newest changes first unless `sort` says otherwise."""
    clauses, extras = [], {}
    for key, value in params:
        if key in ("q", "sort"):
            continue
        if key.startswith("ext_"):
            extras[key] = value
        else:
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            clauses.append(f'{key}:"{escaped}"')
    return {"q": next((value for key, value in params if key == "q"), ""),
            "sort": next((value for key, value in params if key == "sort"), "metadata_modified desc"),
            "fq": " ".join(clauses), "extras": extras, "rows": limit, "start": (page - 1) * limit}


def feed_url(params: feeds.Params) -> str:
    base = toolkit.url_for(ENDPOINT, _external=True)
    return f"{base}?{urlencode(params)}" if params else base


def dataset_search_feed():
    """The newest matching datasets of a search, as the search page finds them."""
    params = feed_params(request.args.items(multi=True))
    page = feeds.page_number(request.args.get("page"))
    limit = toolkit.config.get("ckan.feeds.limit")
    data_dict = search_params(params, page, limit)
    try:
        result = toolkit.get_action("package_search")(
            {"user": toolkit.current_user.name, "auth_user_obj": toolkit.current_user}, data_dict)
    except SearchQueryError as error:
        toolkit.abort(400, str(error))
    except (toolkit.ValidationError, SearchError):
        toolkit.abort(400, _("The search cannot be answered; please check its parameters"))
    return feeds.render(result, params, page, limit, feed_url, toolkit.url_for("dataset.search", _external=True),
                        _("Datasets: new and changed"),
                        _("The newest and last changed datasets of a search on the open data portal"))
