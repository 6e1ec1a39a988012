"""Which addresses the link checker requests, and how (pure functions).

- `refusal(url, policy)`: why a URL is never requested (German), judged from
  the text alone, before any name is resolved or socket opened: no http(s)
  scheme, no host, a malformed address, or an IP address the portal's
  outbound policy refuses. Host names that resolve to such an address are
  refused by the same policy when the connection is made (harvesters/fetch.py
  `guarded_session`), also before any connection.
- `host_key(url)`: what "one host" means for politeness: the host name in
  lower case, without port (two ports of one machine are one server).
- `is_ogc_request(url)`: an OGC service request (WMS, WFS, WCS, WMTS, CSW,
  SOS, WPS with `request=GetCapabilities` and the like), which many servers
  answer only to GET.
- `links_of(resource)`: the access and download URLs of a resource dict.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ckanext.thueringen.security.outbound import ALLOWED_SCHEMES, CONFIG_KEY, OutboundPolicy, refusal_reason

OGC_SERVICES = frozenset({"wms", "wfs", "wcs", "wmts", "csw", "sos", "wps"})
# the resource fields that hold an address, with what DCAT calls them
LINK_FIELDS: tuple[tuple[str, str], ...] = (("url", "access"), ("access_url", "access"),
                                            ("download_url", "download"))
# control characters and white space inside an address (browsers drop them, servers do not)
_BAD_CHARACTERS = re.compile(r"[\x00-\x20\x7f]")
MAX_URL_LENGTH = 4096


def normalized(url: Any) -> str:
    """The address as stored and looked up: surrounding white space removed."""
    return url.strip() if isinstance(url, str) else ""


def refusal(url: str, policy: OutboundPolicy | None = None) -> str | None:
    """Why `url` is not requested (a German sentence), or None when it may be.
    `policy`: for literal IP addresses, the allow-list of the operator."""
    if not url:
        return "Die Adresse ist leer."
    if len(url) > MAX_URL_LENGTH:
        return f"Die Adresse ist länger als {MAX_URL_LENGTH} Zeichen und wird nicht abgerufen."
    if _BAD_CHARACTERS.search(url):
        return "Die Adresse enthält Leer- oder Steuerzeichen und ist keine gültige Webadresse."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "Die Adresse ist keine gültige Webadresse (Rechnername oder Port fehlerhaft)."
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        named = f"„{scheme}:“" if scheme else "keine"
        return (f"Die Adresse hat {named} als Schema; geprüft werden nur http- und https-Adressen "
                "(andere werden nie abgerufen).")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "Die Adresse nennt keinen Rechner (Host)."
    if port == 0:
        return "Die Adresse nennt den Port 0, über den kein Server erreichbar ist."
    address = _ip(host)
    if address is None:
        if not all(label and len(label) <= 63 for label in host.split(".")) or len(host) > 253:
            return "Der Rechnername der Adresse ist ungültig."
        if _looks_numeric(host):
            # 2130706433, 0x7f.1, 0177.0.0.1: spellings of IP addresses that
            # resolvers accept and the literal check above does not see
            return "Der Rechnername der Adresse ist eine ungewöhnliche Schreibweise einer IP-Adresse."
        return None
    reason = refusal_reason(address)
    if reason is None:
        return None
    effective_port = port or (443 if scheme == "https" else 80)
    if policy is not None and any(entry.matches(host, address, effective_port) for entry in policy.allow):
        return None
    return (f"{host} ist {reason}; solche Adressen ruft das Portal nicht ab (Schutz vor "
            f"Server-Side Request Forgery). Der Betrieb kann sie in „{CONFIG_KEY}“ freigeben.")


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _looks_numeric(host: str) -> bool:
    last = host.rsplit(".", 1)[-1].lower()
    return last.isdigit() or (last.startswith("0x") and all(c in "0123456789abcdef" for c in last[2:]))


def host_key(url: str) -> str:
    """The host of `url` for politeness (lower case, no port); "" when there is none."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def is_ogc_request(url: str) -> bool:
    """An OGC web service request: a query with `service=<OGC service>` or a
    `request=Get…` operation (GetCapabilities, GetMap, GetFeature, GetRecords)."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return False
    if not query:
        return False
    params = {key.lower(): value.strip().lower() for key, value in parse_qsl(query, keep_blank_values=True)}
    service = params.get("service", "")
    request = params.get("request", "")
    return service in OGC_SERVICES or (request.startswith("get") and
                                       any(name in request for name in ("capabilities", "map", "feature",
                                                                        "records", "coverage", "tile")))


def links_of(resource: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(field, kind, url) of a resource's addresses, kind "access" or "download".
    An upload's `url` is the portal's own file, not a link: it is left out."""
    found = []
    for field, kind in LINK_FIELDS:
        if field == "url" and resource.get("url_type") == "upload":
            continue
        url = normalized(resource.get(field))
        if url:
            found.append((field, kind, url))
    return found


def unique_urls(resources: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every address of the resources, each once, in order."""
    return list(dict.fromkeys(url for resource in resources for _field, _kind, url in links_of(resource)))
