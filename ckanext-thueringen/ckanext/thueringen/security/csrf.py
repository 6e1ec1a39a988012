"""CSRF protection that an API token cannot switch off for others.

Upstream bug: CKAN 2.12.0's `ckan_before_request`
(ckan/config/middleware/flask_app.py) calls `csrf.exempt(view)` on
flask-wtf's CSRFProtect (1.3.0) whenever a request carries an API token, so
that token requests need no CSRF token. `exempt` adds the view to a set that
lives as long as the worker process: after one token request to a view
(/user/edit/<name>, or the Action API's view), every later cookie-only POST to
it is accepted without a CSRF token, which is cross-site request forgery for
every user.

The workaround replaces that set by one where an exemption added during a
request holds for that request only (kept in the request's WSGI environ);
exemptions declared outside a request (`@csrf.exempt` at import time) stay
for good. Token requests keep working as before.

Remove this module (and its call in security/plugin.py) once CKAN exempts
token requests per request instead of calling `csrf.exempt` from
`ckan_before_request`; tests/test_security_csrf.py shows whether it still
does (its token-first tests fail on a CKAN that still has the bug, with the
workaround removed).
"""
from __future__ import annotations

import flask

_ENVIRON_KEY = "thueringen.csrf_exempt_views"


class RequestScopedExemptions(set):
    """flask-wtf's set of exempt view names; see the module's docstring."""

    def add(self, view_location) -> None:
        if flask.has_request_context():
            flask.request.environ.setdefault(_ENVIRON_KEY, set()).add(view_location)
        else:
            super().add(view_location)

    def __contains__(self, view_location) -> bool:
        if super().__contains__(view_location):
            return True
        return flask.has_request_context() and view_location in flask.request.environ.get(_ENVIRON_KEY, ())


def scope_exemptions_to_the_request(app: flask.Flask) -> None:
    """Install the workaround on the app's CSRFProtect (flask-wtf's `_exempt_views`)."""
    protect = app.extensions.get("csrf")
    if protect is None:
        return
    views = getattr(protect, "_exempt_views", None)
    if not isinstance(views, set):
        raise RuntimeError("flask-wtf's CSRFProtect has no set _exempt_views any more; "
                           "check ckanext/thueringen/security/csrf.py against the installed version")
    if not isinstance(views, RequestScopedExemptions):
        protect._exempt_views = RequestScopedExemptions(views)
