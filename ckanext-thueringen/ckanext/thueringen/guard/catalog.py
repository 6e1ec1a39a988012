"""The DCAT catalogue (/catalog.rdf|ttl|jsonld|n3 and the actions behind it),
searched and paged by the portal, serialised by ckanext-dcat.

ckanext-dcat 2.4.4 builds the Hydra page URIs from the raw query values, so a
search of two words (`?q=two words`) gives an IRI with a space that the Turtle
serializer refuses (500); it lets search errors (Solr syntax, local parameters
such as {!lucene}, `_query_:`), page numbers beyond what Solr counts and
dates beyond what dateutil reads through as 500, and answers an unknown
format (`/catalog.xyz`) with 500. Here the parameters are checked with German
messages, search errors become validation errors, the page URIs are encoded,
and the view answers 400 and 404. This can go when ckanext-dcat encodes its
page URIs and catches search errors itself.
"""
from __future__ import annotations

import datetime
import math
from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as toolkit
from ckan.lib.search import SearchError
from ckan.views.home import index as home_page
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.utils import CONTENT_TYPES, catalog_uri, check_access_header
from dateutil.parser import parse as parse_date
from flask import Blueprint, make_response, request

from ckanext.thueringen.guard.validators import limit

_ = toolkit._
DEFAULT_PER_PAGE = 100
PAGE_PARAMETERS = ("modified_since", "profiles", "q", "fq")


def _invalid(field: str, message: str) -> toolkit.ValidationError:
    return toolkit.ValidationError({field: [message]})


def page_number(value: Any) -> int:
    """The page asked for: a whole number from 1 to `thueringen.limits.catalog_page`."""
    most = limit("catalog_page")
    try:
        page = int(value or 1)
    except (TypeError, ValueError):
        page = 0
    if not 1 <= page <= most:
        raise _invalid("page", _("The page must be a whole number from 1 to {max}").format(max=most))
    return page


def modified_since(value: Any) -> str | None:
    """`modified_since` as a Solr date in UTC (2024-05-01T00:00:00Z), or None."""
    if not value:
        return None
    try:
        moment = parse_date(str(value))
    except (ValueError, OverflowError, TypeError):
        raise _invalid("modified_since", _("\"{value}\" is not a date; give it as in ISO 8601, e.g. 2024-05-01")
                       .format(value=value)) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _per_page() -> int:
    return int(toolkit.config.get("ckanext.dcat.datasets_per_page") or DEFAULT_PER_PAGE)


def search(context: dict, data_dict: dict, rows: int | None = None) -> tuple[dict[str, Any], int]:
    """package_search for one page of the catalogue: the result and the page
    (`rows` instead of a page's datasets: the newest ones of the same search)."""
    page, per_page = page_number(data_dict.get("page")), rows or _per_page()
    since = modified_since(data_dict.get("modified_since"))
    fq_list = ["-dataset_type:harvest", "-dataset_type:showcase"]
    if since:
        fq_list.append(f"metadata_modified:[{since} TO NOW]")
    search_dict = {"q": data_dict.get("q") or "*:*", "fq": data_dict.get("fq") or "", "fq_list": fq_list,
                   "rows": per_page, "start": per_page * (page - 1), "sort": "metadata_modified desc"}
    try:
        return toolkit.get_action("package_search")(context, search_dict), page
    except SearchError:
        raise _invalid("q", _("The search query is not valid: Solr syntax errors, local parameters such as "
                              "{!lucene} and fields such as _query_ or _val_ are not accepted")) from None


def _page_uri(base: str, data_dict: dict, page: int) -> str:
    parameters = []
    for name in PAGE_PARAMETERS:
        value = data_dict.get(name)
        if isinstance(value, (list, tuple)):
            value = ",".join(value)
        if value:
            parameters.append((name, value))
    return f"{base}?{urlencode(parameters + [('page', page)])}"


def paging(query: dict, data_dict: dict, page: int, base: str) -> dict[str, Any]:
    """ckanext-dcat's pagination info (count, items per page, current, first,
    last, next, previous) with correctly encoded page URIs; {} without results."""
    count = query["count"]
    if not count:
        return {}
    per_page = _per_page()
    last = max(math.ceil(count / per_page), 1)
    info = {"count": count, "items_per_page": per_page, "current": _page_uri(base, data_dict, page),
            "first": _page_uri(base, data_dict, 1), "last": _page_uri(base, data_dict, last)}
    if page * per_page < count:
        info["next"] = _page_uri(base, data_dict, page + 1)
    if page > 1:
        info["previous"] = _page_uri(base, data_dict, min(page - 1, last))
    return info


def _base_uri(data_dict: dict) -> str:
    try:
        path = request.path
    except RuntimeError:   # no request: the catalogue's own address
        path = "/catalog." + (data_dict.get("format") or "rdf")
    return catalog_uri().rstrip("/") + path


def _format(data_dict: dict) -> str:
    found = data_dict.get("format") or "rdf"
    if found not in CONTENT_TYPES:
        raise _invalid("format", _("Unknown format \"{format}\"; available are {formats}").format(
            format=found, formats=", ".join(CONTENT_TYPES)))
    return found


def _profiles(data_dict: dict) -> list[str] | None:
    profiles = data_dict.get("profiles")
    return profiles.split(",") if isinstance(profiles, str) else profiles


def catalog(context: dict, data_dict: dict) -> str:
    """One page of the catalogue, serialised (for both catalogue actions)."""
    rdf_format = _format(data_dict)
    query, page = search(context, data_dict)
    serializer = RDFSerializer(profiles=_profiles(data_dict))
    return serializer.serialize_catalog({}, query["results"], _format=rdf_format,
                                        pagination_info=paging(query, data_dict, page, _base_uri(data_dict)))


# ckanext-dcat's actions, chained: the original would page and search as
# described above, so it is not called.

@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_show(original_action, context, data_dict):
    toolkit.check_access("dcat_catalog_show", context, data_dict)
    return catalog(context, data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_search(original_action, context, data_dict):
    toolkit.check_access("dcat_catalog_search", context, data_dict)
    return catalog(context, data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_datasets_list(original_action, context, data_dict):
    """/dcat.json: its page and date checked here, then ckanext-dcat's own."""
    page_number(data_dict.get("page"))
    modified_since(data_dict.get("modified_since"))
    try:
        return original_action(context, data_dict)
    except SearchError:
        raise _invalid("q", _("The search query is not valid")) from None


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_dataset_show(original_action, context, data_dict):
    """A dataset the user may not see is not found, as on CKAN's dataset page:
    ckanext-dcat's refusal (403 on /dataset/<id>.ttl) told that it exists."""
    try:
        return original_action(context, data_dict)
    except toolkit.NotAuthorized:
        raise toolkit.ObjectNotFound(_("Dataset not found")) from None


def get_actions() -> dict[str, Any]:
    return {"dcat_catalog_show": dcat_catalog_show, "dcat_catalog_search": dcat_catalog_search,
            "dcat_datasets_list": dcat_datasets_list, "dcat_dataset_show": dcat_dataset_show}


# --- the view -------------------------------------------------------------------

def _message(error: toolkit.ValidationError) -> str:
    details = error.error_dict if isinstance(error.error_dict, dict) else {"": [str(error)]}
    return " ".join(str(message) for messages in details.values()
                    for message in (messages if isinstance(messages, list) else [messages]))


def read_catalog(_format: str):
    """/catalog.<format>: 404 for an unknown format, 400 for a bad parameter."""
    if _format not in CONTENT_TYPES:
        return toolkit.abort(404, _("There is no catalogue in the format \"{format}\"").format(format=_format))
    data_dict = {name: request.args.get(name) for name in ("page", "modified_since", "q", "fq", "profiles")}
    data_dict["format"] = _format
    try:
        body = toolkit.get_action("dcat_catalog_show")({}, data_dict)
    except toolkit.ValidationError as error:
        return toolkit.abort(400, _message(error))
    response = make_response(body)
    response.headers["Content-Type"] = CONTENT_TYPES[_format]
    return response


def read_home():
    """`/`: with an RDF Accept header the catalogue, with its checks (ckanext-dcat
    answers a bad parameter there with 409), else the home page."""
    rdf_format = check_access_header()
    if rdf_format:
        return read_catalog(rdf_format)
    return home_page()


def register(blueprint: Blueprint) -> None:
    # Registered before ckanext-dcat's rules of the same paths (the plugin comes
    # first in ckan.plugins), so these views answer.
    endpoint = toolkit.config.get("ckanext.dcat.catalog_endpoint") or "/catalog.{_format}"
    blueprint.add_url_rule(endpoint.replace("{_format}", "<_format>"), view_func=read_catalog,
                           endpoint="read_catalog")
    if toolkit.asbool(toolkit.config.get("ckanext.dcat.enable_content_negotiation")):
        blueprint.add_url_rule("/", view_func=read_home, endpoint="read_home")
