"""Template helpers of the portal's plugins, all in this module.

`get_helpers(plugin)` gives the helpers a plugin registers. Each helper exists
only while its plugin is loaded: templates ask `h.get("thueringen_fulltext_status")`
or `h.get("thueringen_highlights")` whether a feature is there.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as toolkit
import dominate.tags as html_tags
from ckan.lib.pagination import Page
from ckan.lib.search import SearchError
from markupsafe import Markup

from ckanext.thueringen import display, feeds, harvest_report, vocabularies
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
    """ckanext-scheming `choices_helper`: the choices of the field's `vocabulary`,
    valued by URI, or by code where the field says `choice_value: code`."""
    return vocabularies.vocabulary(field["vocabulary"]).choices(field.get("choice_value", "uri"))


def thueringen_with_stored(options: list[dict[str, Any]], field_name: str, stored: Any) -> list[dict[str, Any]]:
    """A select's options (dicts with `value` and `text`) and, after them, each
    stored value of the field that is not among them: a value harvested from a
    publisher's system, or one the list no longer offers, stays selectable, so
    that saving the form keeps it instead of taking the first option."""
    values = stored if isinstance(stored, (list, tuple)) else [stored]
    offered = {str(option["value"]) for option in options}
    kept = [{"value": str(value),
             "text": toolkit._("{label} (stored, not in the list)").format(
                 label=display.label(field_name, value, language()))}
            for value in dict.fromkeys(v for v in values if isinstance(v, str) and v.strip())
            if value not in offered]
    return [*options, *kept]


def thueringen_vocabulary_label(vocabulary: str, uri: str, language: str = "de") -> str:
    return vocabularies.vocabulary(vocabulary).label(uri, language)


def thueringen_format_label(value: str | None) -> str:
    """A file type in words ("CSV", "Esri-Shapefile"), from its short name or EU URI."""
    return display.label("format", value, language())


def thueringen_format_code(value: str | None) -> str:
    """The lower-case code of a file type ("csv"), which CKAN's styles colour by."""
    concept = display.concept("format", value)
    return (concept.code if concept else (value or "")).lower()


# --- values in words (plugin thueringen): ckanext.thueringen.display ----------------

def thueringen_label(field: str, value: Any) -> str:
    """A stored value of `field` in words, in the user's language ("" when empty)."""
    return display.label(field, value, language())


def thueringen_labels(field: str, values: Any) -> list[str]:
    """The values of a list field in words, empty ones left out."""
    if isinstance(values, str) and values.startswith("["):
        try:
            values = json.loads(values)
        except ValueError:
            pass
    return display.labels(field, values, language())


def thueringen_date(value: Any) -> str:
    """A stored date in words: "1. November 2011"."""
    return display.date_text(value, language())


def thueringen_period(start: Any, end: Any) -> str:
    """A period in words: "seit 1. November 2011", "1. Januar 2020 bis 31. Dezember 2020"."""
    return display.period_text(start, end, language())


def thueringen_form_date(value: Any) -> str:
    """A date as the form shows it: TT.MM.JJJJ."""
    return display.form_date(value)


def thueringen_size(value: Any) -> str:
    """A byte count in words: "1,5 MB"."""
    return display.size_text(value, language())


def thueringen_description(value: Any) -> Markup:
    """A description rendered as sanitised HTML (CKAN's Markdown renderer, which
    cleans), with HTML a source sent turned into Markdown first."""
    return toolkit.h.render_markdown(display.description_markdown(value))


def thueringen_snippet(value: Any, length: int = 180) -> str:
    """A description as one line of plain text, for search results and feeds."""
    return display.snippet(value, length)


@toolkit.chained_helper
def markdown_extract(next_helper, text, extract_length: int = 190):
    """CKAN's plain-text extract of a description (search results, resource
    lists, feeds), without the tags of HTML a source sent, also HTML it escaped
    ("&lt;p&gt;…"), which CKAN's extract shows as text."""
    if not text:
        return next_helper(text, extract_length)
    return Markup.escape(display.snippet(text, extract_length or 100_000))


# What CKAN's templates read of an organisation through h.get_organization
# (title, name, logo, description, state): none of the rest.
_ORGANIZATION_ONLY = {"include_datasets": False, "include_dataset_count": False, "include_users": False,
                      "include_groups": False, "include_extras": False, "include_followers": False,
                      "include_member_count": False}


@toolkit.chained_helper
def get_organization(next_helper, org: str | None = None, include_datasets: bool = False) -> dict[str, Any]:
    """CKAN's h.get_organization (the dataset page's authority box,
    package/read_base.html) without the dataset count (a Solr query), users,
    groups, extras and followers that organization_show adds by default and
    the box does not show: 11 of a dataset page's 88 ms of CPU
    (docs/benchmarks.md, "Load")."""
    if org is None or include_datasets:
        return next_helper(org, include_datasets)
    try:
        return toolkit.get_action("organization_show")({}, {"id": org, **_ORGANIZATION_ONLY})
    except (toolkit.ObjectNotFound, toolkit.ValidationError, toolkit.NotAuthorized):
        return {}


def thueringen_pager(page: Any, **params: Any) -> Markup:
    """CKAN's pager (`page.pager(**params)`) whose arrows have a name: CKAN 2.12
    draws them as bare icons, links without a name for a screen reader."""
    def arrow(icon: str, name: str):   # CKAN's pagination builds its links with dominate
        return html_tags.span(html_tags.i(cls=f"fa-solid {icon}", aria_hidden="true"),
                              html_tags.span(name, cls="visually-hidden"))

    return page.pager(symbol_previous=arrow("fa-chevron-left", _("Previous page")),
                      symbol_next=arrow("fa-chevron-right", _("Next page")), **params)


def thueringen_licence(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The licence line of a dataset: title, the licence text's address, open or
    not; None without a licence."""
    value = pkg.get("license_id") or pkg.get("license_uri")
    if not value:
        return None
    concept = display.concept("license_id", value)
    title = concept.label(language()) if concept else (pkg.get("license_title") or value)
    url = (concept.property("homepage") if concept else None) or pkg.get("license_url") or ""
    return {"title": title, "url": url if url.startswith(("http://", "https://")) else "",
            "open": bool(concept and concept.flag("open"))}


# --- harvest reports (plugin thueringen) ---------------------------------------------

def thueringen_harvest_report(source_id: str, limit: int = harvest_report.DEFAULT_LIMIT) -> dict[str, Any] | None:
    """The report of a harvest source's page, or None for users who may not see it."""
    try:
        return toolkit.get_action("thueringen_harvest_report")({}, {"id": source_id, "limit": limit})
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return None


SOURCE_DATASETS_PER_PAGE = 20


@toolkit.chained_helper
def package_list_for_source(next_helper, source_id: str) -> Markup:
    """The datasets of a harvest source on its public page (/harvest/<name>),
    newest changes first, 20 a page. Replaces ckanext-harvest 1.6.3's helper,
    which answers a page number that is no whole number from 1 (`?page=x`,
    `?page=0`) with a 500 and draws its pager's arrows without a name; it can
    go when ckanext-harvest checks the page and its pager has names."""
    page = feeds.page_number(toolkit.request.args.get("page"))
    source = toolkit.get_action("harvest_source_show")({}, {"id": source_id})
    try:
        found = toolkit.get_action("package_search")({}, {
            "fq": f'+harvest_source_id:"{source["id"]}"', "sort": "metadata_modified desc",
            "rows": SOURCE_DATASETS_PER_PAGE, "start": (page - 1) * SOURCE_DATASETS_PER_PAGE,
            "include_private": True})
    except (SearchError, toolkit.ValidationError):
        toolkit.abort(400, _("The page must be a whole number from 1"))
    if not found["results"]:
        return toolkit.h.snippet("snippets/package_list_empty.html")
    base = toolkit.url_for("harvest.read", id=source["name"])
    pager = Page(collection=found["results"], page=page, item_count=found["count"],
                 items_per_page=SOURCE_DATASETS_PER_PAGE,
                 url=lambda q=None, page=None: f"{base}?page={page}" if page else base)
    return (toolkit.h.snippet("snippets/package_list.html", packages=found["results"])
            + thueringen_pager(pager))


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
    return display.label("document_type", uri, language())


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
        "thueringen_with_stored": thueringen_with_stored,
        "thueringen_format_label": thueringen_format_label,
        "thueringen_format_code": thueringen_format_code,
        "thueringen_harvest_report": thueringen_harvest_report,
        "package_list_for_source": package_list_for_source,
        "thueringen_label": thueringen_label,
        "thueringen_labels": thueringen_labels,
        "thueringen_date": thueringen_date,
        "thueringen_period": thueringen_period,
        "thueringen_form_date": thueringen_form_date,
        "thueringen_size": thueringen_size,
        "thueringen_description": thueringen_description,
        "thueringen_snippet": thueringen_snippet,
        "thueringen_licence": thueringen_licence,
        "markdown_extract": markdown_extract,
        "get_organization": get_organization,
        "thueringen_pager": thueringen_pager,
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
