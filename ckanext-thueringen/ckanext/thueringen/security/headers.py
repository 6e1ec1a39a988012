"""Security headers on every answer: pages, API, downloads, static files.

Content-Security-Policy: scripts only from the portal itself; no inline
script and no `javascript:` link runs, so a stored or reflected piece of HTML
cannot run script even if some escaping failed. The portal's own templates
have no inline script. CKAN 2.12.0's core forms still carry a few inline event
handlers (the resource form's Upload/Link/Remove buttons, the API token
list's check boxes): those exact handlers are allowed by their hashes
('unsafe-hashes' allows hashed handler attributes, nothing else), listed in
CORE_HANDLER_HASHES; tests/test_security_headers.py renders those pages and
fails when a handler is missing from the list (after a CKAN upgrade). Styles
may be inline (CKAN's templates use style attributes, and the site's custom
CSS is an inline style element); styles cannot run script.

JSONP is refused (400): it would be script served by the portal itself.

Also: X-Frame-Options and frame-ancestors (same origin: CKAN shows resource
views in frames of its own pages), X-Content-Type-Options: nosniff,
Referrer-Policy: same-origin (visitors stay anonymous to other sites,
ThürTPVO), Cross-Origin-Opener-Policy, and Strict-Transport-Security when
`thueringen.security.hsts_max_age` is set (production, behind TLS).
"""
from __future__ import annotations

import base64
import hashlib

import flask

# The inline event handlers of CKAN 2.12.0's templates, exactly as rendered
# (the browser hashes the attribute's value, white space included):
# package/snippets/resource_upload_field.html (Upload, Link, Remove, Clear
# Upload) and user/snippets/api_token_list.html, api_token_create_form.html.
_UPLOAD_FIELD = "\n              document.getElementById('{radio}').checked = true;\n" \
                "              document.getElementById('{field}').{action}();\n            "
_REMOVE_URL = "\n      document.getElementById('resource-url-none').checked = true;\n" \
              "      document.getElementById('resource-upload-button').focus();\n      {js}\n    "
CORE_HANDLERS: tuple[str, ...] = (
    _UPLOAD_FIELD.format(radio="resource-url-upload", field="field-resource-upload", action="click"),
    _UPLOAD_FIELD.format(radio="resource-url-link", field="field-resource-url", action="focus"),
    _REMOVE_URL.format(js="$('#field-resource-upload').replaceWith($('#field-resource-upload').val('').clone(true))"),
    _REMOVE_URL.format(js="$('#field-resource-url').val('')"),
    "\n                  document.getElementById('field-clear-upload').checked = true;\n"
    "                  document.getElementById('field-resource-upload').focus();\n                ",
    "$('#revoke-tokens-button').attr('disabled', !$('[name=token]:checked').length)",
)

CORE_HANDLER_HASHES: tuple[str, ...] = tuple(
    "'sha256-" + base64.b64encode(hashlib.sha256(handler.encode()).digest()).decode() + "'"
    for handler in CORE_HANDLERS)

BASE_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    # organisation logos and image views may come from other sites
    "img-src": "'self' data: https:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "frame-src": "'self'",
    "frame-ancestors": "'self'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def content_security_policy(extra: str = "") -> str:
    """The policy as a header value; `extra` ("directive value; …") adds or replaces directives."""
    policy = dict(BASE_POLICY)
    if CORE_HANDLER_HASHES:
        policy["script-src"] += " 'unsafe-hashes' " + " ".join(CORE_HANDLER_HASHES)
    for part in extra.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            policy[name.lower()] = value.strip()
    return "; ".join(f"{name} {value}".strip() for name, value in policy.items())


JSONP_REFUSED = ("Die API antwortet nicht mit JSONP (Parameter „callback“): ein solcher Aufruf wäre Skript aus "
                 "dem Portal selbst, das dessen Content-Security-Policy erlaubt. Bitte JSON abrufen (CORS).")


def install(app: flask.Flask, csp: str, hsts_max_age: int) -> None:
    """Add the headers to every answer of `app` that has not set its own, and
    refuse JSONP: CKAN 2.12.0's Action API wraps its answer in any `callback`
    given (only <, & and > escaped) and serves it as JavaScript, which
    `script-src 'self'` would run from an injected <script src> tag."""
    hsts = f"max-age={hsts_max_age}; includeSubDomains" if hsts_max_age > 0 else None

    @app.before_request
    def refuse_jsonp():
        if "callback" in flask.request.args and flask.request.path.startswith("/api/"):
            return flask.jsonify({"success": False, "error": {"__type": "Bad Request", "message": JSONP_REFUSED}}), 400
        return None

    @app.after_request
    def security_headers(response: flask.Response) -> flask.Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        for name, value in STATIC_HEADERS.items():
            headers.setdefault(name, value)
        # set only where the site is served over TLS; browsers ignore it on plain http
        if hsts:
            headers.setdefault("Strict-Transport-Security", hsts)
        return response
