"""Guards around every request, before CKAN's views see it and after they answered.

Before: a request to the Action API whose JSON nests deeper than
`thueringen.limits.json_depth`, or that holds what the portal cannot keep
(NUL, lone surrogates, NaN, Infinity, numbers beyond a double such as 1e400,
which Python's JSON reader accepts although RFC 8259 and I-JSON do not), is
refused with 400 before CKAN parses it: CKAN 2.12's reader recurses and dies
on 50,000 nested brackets, and PostgreSQL cannot store NUL. A query string or
form with a NUL is refused on every page.

After: CKAN 2.12's search pages (/dataset, /transparenz, the pages of an
organisation or group) show a search error (Solr syntax, local parameters,
a page beyond what Solr can count) as a page with status 200; it gets 400.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

import ckan.plugins.toolkit as toolkit
from flask import Response, g, request

from ckanext.thueringen.guard import rules
from ckanext.thueringen.guard.validators import limit, value_problem_message

_ = toolkit._


def _api_error(message: str) -> Response:
    """CKAN's error body of the Action API, status 400."""
    body = {"success": False, "error": {"__type": "Bad Request", "message": message}}
    return Response(json.dumps(body), status=400, content_type="application/json;charset=utf-8")


def _refuse(message: str):
    if request.path.startswith("/api/"):
        return _api_error(message)
    return toolkit.abort(400, message)


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def json_body_problem(body: bytes, form_encoded: bool) -> str | None:
    """Why an API request body cannot be taken (German), or None."""
    text = body.decode("utf-8", "replace")
    if form_encoded:
        # CKAN also reads a JSON text sent as the name of a form field.
        text = unquote_plus(text)
    most = limit("json_depth")
    depth = rules.json_depth(text)
    if depth > most:
        return _("The request nests {depth} levels deep; at most {max} are allowed").format(depth=depth, max=most)
    if form_encoded or not text.lstrip().startswith(("{", "[")):
        return None
    try:
        parsed = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as error:
        if str(error) in ("NaN", "Infinity", "-Infinity"):
            return _("Not a finite number ({value})").format(value=error)
        return None   # CKAN answers broken JSON itself, with 400
    return value_problem_message(parsed)


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values)


def check_request():
    """Flask before_request: refuse what the views must never get."""
    if _has_nul(request.args.items(multi=True)):
        return _refuse(_("The address contains a character that cannot be processed (U+0000)"))
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    if request.mimetype == "multipart/form-data":
        # The form fields, not the uploaded files.
        if _has_nul(request.form.items(multi=True)):
            return _refuse(_("The form contains a character that cannot be stored (U+0000)"))
        return None
    if request.path.startswith("/api/"):
        body = request.get_data(cache=True)
        message = json_body_problem(body, request.mimetype == "application/x-www-form-urlencoded")
        if message:
            return _refuse(message)
    elif request.mimetype == "application/x-www-form-urlencoded" and _has_nul(request.form.items(multi=True)):
        return _refuse(_("The form contains a character that cannot be stored (U+0000)"))
    return None


def note_search_error(sender, template, context, **extra) -> None:
    """Flask signal before_render_template: CKAN's search templates get
    `query_error` when the search failed (dataset search, organisation and
    group pages)."""
    if context.get("query_error"):
        g.thueringen_search_error = True
        # CKAN 2.12's organisation and group pages leave `search_facets` unset
        # after a search error, and their facet snippet then fails (500); the
        # error page gets no facets instead. Can go when views/group.py sets it.
        context.setdefault("search_facets", {})


def search_error_status(response: Response) -> Response:
    """Flask after_request: a search page that shows a search error answers 400."""
    if response.status_code == 200 and getattr(g, "thueringen_search_error", False):
        response.status_code = 400
    return response
