"""Fetching one catalogue page: the first stage of the harvesting pipeline.

`fetch(url, destination_dir)` streams the response into a temporary file (it is
never held in memory) and returns a `Fetched` record, or raises `FetchError`
with a short code (`kind`) and a German sentence naming the URL and the cause.

Limits, so that a broken or hostile server costs at most `total_timeout`
seconds and `max_bytes` of disk:

- size: the body is counted as it is written (after gzip/deflate decoding);
  reading stops and the file is deleted as soon as the cap is passed, whatever
  Content-Length said (or if it said nothing);
- time: `connect_timeout` for the TCP/TLS connection, `read_timeout` for every
  wait for data, and a total deadline: a watchdog shuts the connection's socket
  down when `total_timeout` has passed, which ends any read that is waiting —
  also one that a server feeds one byte at a time in the headers or the body;
- redirects: at most `MAX_REDIRECTS`, only to http and https addresses;
- addresses: every connection (the first request and each redirect hop) asks
  the portal's outbound policy (ckanext.thueringen.security.outbound) and
  connects to the address it checked: no loopback, private, link-local or
  otherwise internal address unless the operator's allow-list opens it;
  proxies from the environment are not used, they would connect unchecked;
- content type: the media types RDF is served as are accepted (and a missing
  one); an HTML page, the usual error or login page instead of a catalogue, and
  other clearly wrong types are refused before the body is read.
"""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import http.client
import os
import re
import socket
import ssl
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import pool_classes_by_scheme as _URLLIB3_POOL_CLASSES

from ckanext.thueringen.security import outbound
from ckanext.thueringen.security.outbound import ALLOWED_SCHEMES, OutboundPolicy, OutboundRefused

from .deadline import Watchdog

MiB = 1024 * 1024
DEFAULT_MAX_BYTES = 50 * MiB
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_TOTAL_TIMEOUT = 300.0
MAX_REDIRECTS = 5
CHUNK_SIZE = 64 * 1024
USER_AGENT = "ckanext-thueringen-harvester/0.1 (Thueringen Open Data Portal)"

# What RDF is served as, most specific first (the order gives the Accept header
# its preferences). text/plain and application/octet-stream are what many
# servers send for .ttl, .nt and .jsonld files.
RDF_MEDIA_TYPES: tuple[str, ...] = (
    "application/rdf+xml",
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "text/n3",
    "application/x-turtle",
    "application/xml",
    "text/xml",
    "application/json",
    "text/plain",
    "application/octet-stream",
)
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# What JSON APIs (CKAN's Action API, froide's) are served as; an HTML answer is
# accepted so that the caller can say it is no API answer.
JSON_MEDIA_TYPES = ("application/json", "text/json", "text/javascript", "application/javascript",
                    "text/plain", "text/html", "application/xhtml+xml")
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Fetched:
    """A downloaded page. The caller owns `path` and deletes it when done."""

    path: Path
    url: str            # the final URL, after redirects
    status: int
    content_type: str   # the Content-Type header as sent ("" if none)
    size: int           # bytes written (after content decoding)
    sha256: str


class FetchError(Exception):
    """A download that failed; `message` is a German sentence for the harvest report."""

    KINDS = frozenset({"connection", "timeout", "http_status", "too_large", "content_type", "scheme",
                       "forbidden"})

    def __init__(self, kind: str, message: str):
        if kind not in self.KINDS:
            raise ValueError(f"unknown FetchError kind {kind!r}")
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message


def fetch(
    url: str,
    destination_dir: str | os.PathLike,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
    accept: Iterable[str] = RDF_MEDIA_TYPES,
    policy: OutboundPolicy | None = None,
) -> Fetched:
    """Download `url` into a new temporary file in `destination_dir`.

    `accept`: the media types taken as a catalogue, in order of preference
    (sent as the Accept header). `policy`: where requests may go; by default
    the one of CKAN's configuration (outbound.configured_policy). Raises
    FetchError.
    """
    accept = tuple(media_type.lower() for media_type in accept)
    limits = _Limits(max_bytes, connect_timeout, read_timeout, total_timeout)
    policy_token = _POLICY.set(policy or outbound.configured_policy())
    session = _session(accept)
    try:
        with total_deadline(total_timeout) as watchdog:
            return _fetch(session, url, Path(destination_dir), accept, limits, watchdog)
    finally:
        session.close()
        _POLICY.reset(policy_token)


@contextlib.contextmanager
def total_deadline(seconds: float) -> Iterator[Watchdog]:
    """Every connection a guarded session opens inside the block is shut down
    once `seconds` have passed: a server that sends one byte at a time keeps
    each read within its timeout, but not the whole exchange (`watchdog.expired`
    tells a caller why its read failed; a server cut off in its headers may
    look like a short answer, so a caller checks it after a request too)."""
    watchdog = Watchdog(seconds)
    token = _WATCHDOG.set(watchdog)
    try:
        with watchdog:
            yield watchdog
    finally:
        _WATCHDOG.reset(token)


# --- the download -------------------------------------------------------------

@dataclass(frozen=True)
class _Limits:
    max_bytes: int
    connect_timeout: float
    read_timeout: float
    total_timeout: float


def _fetch(session, original, destination_dir, accept, limits, watchdog) -> Fetched:
    url = original
    for _hop in range(MAX_REDIRECTS + 1):
        where = _where(url, original)
        if urlsplit(url).scheme.lower() not in ALLOWED_SCHEMES:
            raise FetchError("scheme", f"{where} ist keine http- oder https-Adresse; nur solche werden abgerufen.")
        response = _get(session, url, where, limits, watchdog)
        with response:
            if response.status_code in REDIRECT_STATUSES:
                url = _redirect_target(response, url, where)
                continue
            _check_response(response, where, accept, limits)
            path, size, sha256 = _save(response, destination_dir, url, where, limits, watchdog)
            return Fetched(path, url, response.status_code, response.headers.get("Content-Type", "").strip(),
                           size, sha256)
    raise FetchError("http_status", f"{display_url(original)} leitet mehr als {MAX_REDIRECTS}-mal weiter; "
                                    "der Weiterleitung wurde nicht weiter gefolgt.")


def _get(session, url, where, limits, watchdog) -> requests.Response:
    try:
        return session.get(url, stream=True, allow_redirects=False,
                           timeout=(limits.connect_timeout, limits.read_timeout))
    except Exception as exc:  # noqa: BLE001 - every failure becomes a FetchError
        raise _translate(exc, url, where, limits, watchdog) from exc


def _redirect_target(response, url, where) -> str:
    location = response.headers.get("Location", "").strip()
    if not location:
        raise FetchError("http_status", f"{where} antwortete mit HTTP {response.status_code} "
                                        "(Weiterleitung), nannte aber kein Ziel.")
    target = urljoin(url, location)
    if urlsplit(target).scheme.lower() not in ALLOWED_SCHEMES:
        raise FetchError("scheme", f"{where} leitet auf {display_url(target)} weiter; gefolgt wird nur "
                                   "zu http- und https-Adressen.")
    return target


def _check_response(response, where, accept, limits) -> None:
    status = response.status_code
    if not 200 <= status < 300:
        reason = f" ({response.reason})" if response.reason else ""
        raise FetchError("http_status", f"{where} antwortete mit HTTP {status}{reason} statt mit dem Katalog.")
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media_type in HTML_MEDIA_TYPES and media_type not in accept:
        raise FetchError("content_type", f"{where} liefert eine HTML-Seite ({media_type}) statt eines "
                                         "RDF-Katalogs – meist eine Fehler- oder Anmeldeseite.")
    if media_type and media_type not in accept:
        raise FetchError("content_type", f"{where} liefert den Inhaltstyp {media_type}; erwartet wird RDF "
                                         "(RDF/XML, Turtle, JSON-LD oder N-Triples).")
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError("too_large", f"Die Antwort von {where} ist laut Content-Length "
                                      f"{_bytes(int(declared))} groß, erlaubt sind höchstens "
                                      f"{_size(limits.max_bytes)}; sie wurde nicht abgerufen.")


def _save(response, destination_dir, url, where, limits, watchdog) -> tuple[Path, int, str]:
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(dir=destination_dir, prefix="fetch-", suffix=".download", delete=False)
    path = Path(handle.name)
    try:
        with handle:
            while True:
                try:
                    # read1: at most one wait for data per call (read() would
                    # wait until a whole chunk has come)
                    chunk = response.raw.read1(CHUNK_SIZE, decode_content=True)
                except Exception as exc:  # noqa: BLE001
                    raise _translate(exc, url, where, limits, watchdog) from exc
                if watchdog.expired:
                    raise _deadline_error(where, limits)
                if not chunk:
                    break
                size += len(chunk)
                if size > limits.max_bytes:
                    raise FetchError("too_large", f"Die Antwort von {where} ist größer als "
                                                  f"{_size(limits.max_bytes)} und wurde abgebrochen.")
                handle.write(chunk)
                digest.update(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size, digest.hexdigest()


# --- errors -------------------------------------------------------------------

def _translate(exc: BaseException, url: str, where: str, limits: _Limits, watchdog: Watchdog) -> FetchError:
    """A FetchError for what requests/urllib3 raised."""
    if watchdog.expired:
        return _deadline_error(where, limits)
    if isinstance(exc, (requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidURL, urllib3.exceptions.LocationParseError)):
        return FetchError("scheme", f"{where} ist keine gültige http- oder https-Adresse ({one_line(exc)}).")
    causes = list(exception_chain(exc))
    refused = next((cause for cause in causes if isinstance(cause, OutboundRefused)), None)
    if refused is not None:
        return FetchError("forbidden", f"{where} wird nicht abgerufen: {refused.message}")

    def has(*types) -> bool:
        return any(isinstance(cause, types) for cause in causes)

    if has(urllib3.exceptions.NameResolutionError):
        host = urlsplit(url).hostname or "?"
        return FetchError("connection", f"Keine Verbindung zu {where}: der Rechnername {host} ist unbekannt "
                                        "(DNS-Auflösung fehlgeschlagen).")
    if has(ConnectionRefusedError):
        return FetchError("connection", f"Keine Verbindung zu {where}: der Server lehnt die Verbindung ab "
                                        "(läuft dort kein Dienst?).")
    if has(ssl.SSLError, requests.exceptions.SSLError, urllib3.exceptions.SSLError):
        reason = re.sub(r"\s*\(_ssl\.c:\d+\)", "", one_line(_innermost(exc)))
        return FetchError("connection", f"Keine sichere Verbindung zu {where}: TLS-Fehler ({reason}).")
    # urllib3's NewConnectionError is a ConnectTimeoutError too (for old callers)
    if any(isinstance(c, (requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError))
           and not isinstance(c, urllib3.exceptions.NewConnectionError) for c in causes):
        return FetchError("timeout", f"{where} antwortet nicht: die Verbindung kam nicht innerhalb von "
                                     f"{_seconds(limits.connect_timeout)} zustande.")
    if has(requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError, TimeoutError):
        return FetchError("timeout", f"{where} antwortet nicht: {_seconds(limits.read_timeout)} lang kamen "
                                     "keine Daten; der Abruf wurde abgebrochen.")
    if has(urllib3.exceptions.ProtocolError, http.client.IncompleteRead):
        incomplete = next((c for c in causes if isinstance(c, urllib3.exceptions.IncompleteRead)
                           and isinstance(c.partial, int) and isinstance(c.expected, int)), None)
        reason = (f"{_bytes(incomplete.partial)} empfangen, {_bytes(incomplete.expected)} fehlten noch"
                  if incomplete is not None else one_line(_innermost(exc)))
        return FetchError("connection", f"Die Verbindung zu {where} brach ab, bevor die Antwort vollständig "
                                        f"war ({reason}).")
    if has(urllib3.exceptions.DecodeError):
        return FetchError("connection", f"Die Antwort von {where} ist fehlerhaft komprimiert "
                                        f"({one_line(_innermost(exc))}).")
    return FetchError("connection", f"Keine Verbindung zu {where}: {one_line(_innermost(exc))}.")


def _deadline_error(where: str, limits: _Limits) -> FetchError:
    return FetchError("timeout", f"Der Abruf von {where} dauerte länger als {_seconds(limits.total_timeout)} "
                                 "und wurde abgebrochen.")


def exception_chain(exc: BaseException):
    """exc and everything it wraps (causes, contexts, urllib3's `reason`, args)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen or len(seen) > 50:
            continue
        seen.add(id(current))
        yield current
        wrapped = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        todo.extend(item for item in wrapped if isinstance(item, BaseException))


def _innermost(exc: BaseException) -> BaseException:
    """The exception at the bottom of requests' and urllib3's wrappers: the one that says what happened."""
    for _ in range(20):
        wrapped = [exc.__cause__, getattr(exc, "reason", None), *exc.args]
        inner = next((item for item in wrapped if isinstance(item, BaseException)), None)
        if inner is None:
            break
        exc = inner
    return exc


def one_line(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_url(url: str) -> str:
    """The URL without user name and password."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _where(url: str, original: str) -> str:
    if url == original:
        return display_url(url)
    return f"{display_url(url)} (weitergeleitet von {display_url(original)})"


def _size(n: int) -> str:
    for unit, factor in (("GB", 1024 * MiB), ("MB", MiB), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f}".removesuffix(".0").replace(".", ",") + f" {unit}"
    return _bytes(n)


def _bytes(n: int) -> str:
    return f"{n:,}".replace(",", ".") + " Bytes"


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",") + " s"


_WATCHDOG: contextvars.ContextVar[Watchdog | None] = contextvars.ContextVar("fetch_watchdog", default=None)
_POLICY: contextvars.ContextVar[OutboundPolicy | None] = contextvars.ContextVar("fetch_policy", default=None)


class _WatchedConnectionMixin:
    """Connections that ask the outbound policy before they connect, connect to
    the address it checked, and register with the watchdog of the current
    deadline: when they are opened, and again for each request on a kept-alive
    connection (opened under an earlier deadline, or none)."""

    def _new_conn(self):
        sock = self._pinned_conn(_POLICY.get() or outbound.configured_policy())
        watchdog = _WATCHDOG.get()
        if watchdog is not None:
            watchdog.watch(sock)
        return sock

    def request(self, *args, **kwargs):
        watchdog = _WATCHDOG.get()
        if watchdog is not None and self.sock is not None:
            watchdog.watch(self.sock)
        return super().request(*args, **kwargs)


    def _pinned_conn(self, policy: OutboundPolicy):
        """urllib3's connect, once per checked address of the host (as its
        create_connection tries each address of a name), with the address in
        place of the name; `host` (Host header, TLS SNI and certificate
        check) is the name again once connected."""
        name = self._dns_host
        try:
            addresses = policy.addresses(name, self.port)
        except socket.gaierror as exc:
            raise urllib3.exceptions.NameResolutionError(self.host, self, exc) from exc
        failure = None
        try:
            for address in addresses:
                self._dns_host = address
                try:
                    return super()._new_conn()
                except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError) as exc:
                    failure = exc
            raise failure
        finally:
            self._dns_host = name


class _WatchedHTTPConnection(_WatchedConnectionMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnectionMixin, HTTPSConnection):
    pass


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOL_CLASSES = {"http": _WatchedHTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter, with connections that ask the outbound policy and
    register with the watchdog. A refusal is a requests ConnectionError (its
    cause the OutboundRefused), which every user of requests handles."""

    def send(self, request, *args, **kwargs):
        try:
            return super().send(request, *args, **kwargs)
        except OutboundRefused as exc:
            raise requests.exceptions.ConnectionError(exc.message, request=request) from exc

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOL_CLASSES

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if manager.pool_classes_by_scheme is _URLLIB3_POOL_CLASSES:  # not SOCKS, which has its own
            manager.pool_classes_by_scheme = _WATCHED_POOL_CLASSES
        return manager


def guarded_session(session: requests.Session) -> requests.Session:
    """`session` with the outbound policy on every connection (redirects
    included) and without proxies from the environment: for code that brings
    its own requests session (ckanext-dcat's stock harvester)."""
    session.trust_env = False   # no proxy from the environment: it would connect unchecked
    adapter = _WatchedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _session(accept: tuple[str, ...]) -> requests.Session:
    session = guarded_session(requests.Session())
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = _accept_header(accept)
    return session


def _accept_header(accept: tuple[str, ...]) -> str:
    """The media types with falling preference: 1.0, 0.9, … down to 0.1."""
    return ", ".join(
        media_type if i == 0 else f"{media_type};q={max(10 - i, 1) / 10:g}"
        for i, media_type in enumerate(accept)
    )
