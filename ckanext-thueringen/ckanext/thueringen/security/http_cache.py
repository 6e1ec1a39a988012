"""HTTP caching: what an anonymous visitor gets may be kept by browsers and a
shared cache (the proxy in front of the portal); nothing that depends on who
asks ever is.

Cache-Control, decided last for every answer (after CKAN's own, which marks
API answers `public` even for a caller with a token):

- `public, max-age=<thueringen.http_cache.max_age>` only when all of these
  hold: GET or HEAD; status 200 or 304; no logged-in user and no API token in
  the request; the answer sets no cookie; and no CSRF token was made for it
  (a form, or the token that CKAN's base template puts into every page of a
  logged-in user; anonymous pages get none, see templates/base.html);
- everything else: `private, no-store`.

`Vary: Cookie` (a session cookie may log a visitor in) and the API token
header on every answer; `Vary: Accept` where ckanext-dcat negotiates the
format (`/` and `/dataset/<id>`). CKAN takes the language from the address,
never from Accept-Language.

Conditional requests (If-None-Match, If-Modified-Since) answered with 304:

- before the view runs, without rendering, for the DCAT catalogue
  (`/catalog.<format>`: the number of datasets its search finds and the newest
  `metadata_modified` among them, one Solr query of one row) and for a public
  dataset's page and RDF (its `metadata_modified` and what the page shows of
  its organisation). The catalogue answers If-Modified-Since with the full
  page only: a dataset deleted or made private leaves the newest date as it
  was, only the ETag (the count) changes;
- after the view, for every other public answer, by an ETag of its body: it
  saves the transfer, not the rendering.
"""
from __future__ import annotations

import functools
import hashlib
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import ckan
import ckan.model as model
import ckan.plugins.toolkit as toolkit
import flask
from ckan.common import current_user
from ckan.lib.search import SearchError
from werkzeug.http import http_date, is_resource_modified

from ckanext.thueringen.guard import catalog

PUBLIC_STATUSES = (200, 304)
PRIVATE = "private, no-store"
CATALOG_ENDPOINT = "thueringen_guard.read_catalog"
NEGOTIATING_ENDPOINTS = ("thueringen_guard.read_home", "dcat.read_catalog", "dcat.read_dataset")


def cache_control(*, anonymous: bool, method: str, status: int, sets_cookie: bool, has_csrf_token: bool,
                  max_age: int) -> str:
    """The Cache-Control of an answer: public only for what is the same for every anonymous visitor."""
    if anonymous and method in ("GET", "HEAD") and status in PUBLIC_STATUSES \
            and not sets_cookie and not has_csrf_token and max_age > 0:
        return f"public, max-age={max_age}"
    return PRIVATE


def entity_tag(*parts: Any) -> str:
    """A weak ETag over `parts` (weak: the same content, not the same bytes)."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode("utf-8")).hexdigest()[:32]
    return f'W/"{digest}"'


def _token_header() -> str:
    return toolkit.config.get("apitoken_header_name") or "Authorization"


def _anonymous_request() -> bool:
    """Nobody logged in, no API token (also no invalid one: the answer is the caller's own)."""
    if flask.request.headers.get(_token_header()) or flask.request.headers.get("Authorization"):
        return False
    return not current_user.is_authenticated


def _csrf_token_made() -> bool:
    return bool(flask.g.get(toolkit.config.get("WTF_CSRF_FIELD_NAME") or "_csrf_token"))


# --- validators before the view ---------------------------------------------------------

@functools.cache
def _deployment() -> str:
    """Part of every ETag: a new version of CKAN or the portal renders differently."""
    try:
        portal = version("ckanext-thueringen")
    except PackageNotFoundError:
        portal = "unknown"
    return f"{ckan.__version__}/{portal}"


def _request_key() -> tuple:
    """What, besides the data, selects the answer: address, query, language, and
    Accept where ckanext-dcat negotiates the format."""
    accept = flask.request.headers.get("Accept", "") if flask.request.endpoint in NEGOTIATING_ENDPOINTS else ""
    return (_deployment(), flask.request.path, flask.request.query_string.decode("latin-1"),
            toolkit.h.lang(), accept)


def catalog_validator() -> tuple[str, datetime | None] | None:
    """ETag and Last-Modified of the catalogue page asked for, from one Solr query of one row."""
    args = flask.request.args
    data_dict = {name: args.get(name) for name in ("modified_since", "q", "fq")}
    try:
        catalog.page_number(args.get("page"))
        found, _ = catalog.search({}, data_dict, rows=1)
    except (toolkit.ValidationError, SearchError):
        return None   # the view answers with its error
    newest = found["results"][0]["metadata_modified"] if found["results"] else None
    moment = datetime.fromisoformat(newest).replace(tzinfo=UTC) if newest else None
    return entity_tag(*_request_key(), found["count"], newest), moment


def dataset_validator() -> tuple[str, datetime | None] | None:
    """ETag and Last-Modified of a public, active dataset's page or RDF, from the database."""
    view_args = flask.request.view_args or {}
    package = model.Package.get(view_args.get("id") or view_args.get("_id") or "")
    if package is None or package.private or package.state != "active":
        return None   # the view answers (404, 403) and nothing is cached
    endpoint = flask.request.endpoint or ""
    if endpoint not in ("dcat.read_dataset", f"{package.type}.read"):
        return None
    organization = model.Group.get(package.owner_org) if package.owner_org else None
    shown = (organization.name, organization.title, organization.description, organization.image_url,
             organization.state) if organization is not None else ()
    modified = package.metadata_modified.replace(tzinfo=UTC)
    return entity_tag(*_request_key(), package.id, package.metadata_modified.isoformat(), *shown), modified


def _validator() -> tuple[str, datetime | None, bool] | None:
    """(ETag, Last-Modified, whether If-Modified-Since may be answered) before the view."""
    endpoint = flask.request.endpoint or ""
    if endpoint == CATALOG_ENDPOINT:
        found = catalog_validator()
        return (found[0], found[1], False) if found else None
    if endpoint == "dcat.read_dataset" or endpoint.endswith(".read"):
        found = dataset_validator()
        return (found[0], found[1], True) if found else None
    return None


# --- the hooks ----------------------------------------------------------------------

def install(app: flask.Flask, max_age: int) -> None:
    """Register the hooks on CKAN's Flask app."""

    @app.before_request
    def answer_unchanged():
        if flask.request.method not in ("GET", "HEAD") or not _anonymous_request():
            return None
        found = _validator()
        if found is None:
            return None
        etag, modified, by_date = found
        flask.g.thueringen_validator = (etag, modified)
        conditional_date = modified if by_date else None
        if is_resource_modified(flask.request.environ, etag=etag, last_modified=conditional_date):
            return None
        return flask.Response(status=304)

    def final_headers(sender, response: flask.Response, **extra) -> None:
        """After CKAN's after_request handlers and after the session was saved (Set-Cookie)."""
        request = flask.request
        response.vary.update(("Cookie", _token_header()))
        if request.endpoint in NEGOTIATING_ENDPOINTS:
            response.vary.add("Accept")
        control = cache_control(anonymous=_anonymous_request(), method=request.method,
                                status=response.status_code, sets_cookie="Set-Cookie" in response.headers,
                                has_csrf_token=_csrf_token_made(), max_age=max_age)
        response.headers["Cache-Control"] = control
        response.headers.pop("Pragma", None)
        if control == PRIVATE:
            response.headers.pop("ETag", None)
            return
        validator = flask.g.get("thueringen_validator")
        if validator is not None:
            response.set_etag(validator[0][3:-1], weak=True)
            if validator[1] is not None:
                response.headers["Last-Modified"] = http_date(validator[1])
        elif response.status_code == 200 and not response.direct_passthrough and not response.is_streamed \
                and "ETag" not in response.headers:
            response.add_etag()
            response.make_conditional(request)

    # Flask's request_finished comes after every after_request handler and
    # after the session cookie is written: the decision sees the final answer.
    flask.request_finished.connect(final_headers, app, weak=False)
