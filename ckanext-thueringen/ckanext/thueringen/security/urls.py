"""URLs from stored data: what may be saved, and what may become a link.

A resource URL or a harvest source URL is an http(s) address (a resource may
also be an upload or have none): `javascript:`, `data:`, `file:` and every
other scheme are refused on save with a German error. Templates write stored
URLs into href/src only through `safe_url` (filter `thueringen_safe_url`,
helper `h.thueringen_safe_url`), which lets http, https and mailto through,
and relative addresses of the portal itself, and makes anything else an
inert "#": data saved before the check, or by a path that skips it, never
becomes a link that runs script.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as toolkit

SAVE_SCHEMES = frozenset({"http", "https"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# What browsers drop or ignore inside a URL before they read its scheme
# (WHATWG URL: leading/trailing C0 controls and spaces; tabs and newlines anywhere).
_IGNORED = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")

INVALID_URL = ("Bitte eine vollständige Webadresse angeben, die mit http:// oder https:// beginnt; andere "
               "Adressarten (z. B. javascript:, data:, file:) werden nicht gespeichert.")


def scheme_of(url: str) -> str | None:
    """The scheme a browser would read from `url` (lower case), or None for a relative address."""
    match = _SCHEME.match(_IGNORED.sub("", url))
    return match.group(1).lower() if match else None


def is_web_address(url: str) -> bool:
    """An absolute http(s) address with a host and nothing a browser would drop."""
    if _IGNORED.search(url):
        return False
    parts = urlsplit(url)
    return parts.scheme.lower() in SAVE_SCHEMES and bool(parts.hostname)


def safe_url(url: Any) -> str:
    """`url` if it may be a link (http, https, mailto or relative), else "#"."""
    if url is None or url is toolkit.missing:
        return ""
    text = str(url)
    scheme = scheme_of(text)
    if scheme is None:
        return text   # relative: a page of the portal (or "//host/…", which is http(s) too)
    return text if scheme in LINK_SCHEMES else "#"


def resource_url(key, data, errors, context) -> None:
    """Validator of a resource's `url`: empty, an upload, or an http(s) address."""
    value = data.get(key)
    if value in (None, "") or value is toolkit.missing:
        return
    url_type = data.get(key[:-1] + ("url_type",))
    if url_type == "upload":
        return   # the file name; CKAN serves the file under its own download URL
    value = str(value).strip()
    data[key] = value
    if not is_web_address(value):
        errors[key].append(INVALID_URL)


def check_harvest_source_url(data_dict: dict) -> None:
    """Raise ValidationError (German) unless a harvest source's url is an http(s) address."""
    url = data_dict.get("url")
    if url in (None, ""):
        return   # ckanext-harvest's own schema asks for it
    if not isinstance(url, str) or not is_web_address(url.strip()):
        raise toolkit.ValidationError({"url": [INVALID_URL]})
