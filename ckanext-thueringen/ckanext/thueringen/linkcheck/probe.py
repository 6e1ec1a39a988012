"""One check of one URL: HEAD (or GET), redirects followed by hand, nothing downloaded.

Every request goes through the portal's guarded session (harvesters/fetch.py
`guarded_session`): each connection, redirects included, asks the outbound
policy (security/outbound.py) before it connects and connects to the address
it checked; proxies from the environment are not used. URLs that `urls.refusal`
rejects are answered without any request.

- HEAD first; GET when the server refuses HEAD (405, 501) or breaks on it
  (connection closed, malformed answer), and GET right away for OGC service
  requests. A GET reads at most `Probe.max_bytes` and then closes the connection.
- One check, redirects and a second method included, ends after
  `Probe.total_timeout` (harvesters/fetch.py `total_deadline`): a server that
  sends its answer one byte at a time keeps every read within `timeout` but
  does not hold a worker's thread for longer.
- Redirects (301, 302, 303, 307, 308) are followed up to `MAX_REDIRECTS` hops,
  each target judged like the first URL; a loop or a longer chain is an error.
- The answer kept: status code, Content-Type, Content-Length (a 206's
  Content-Range total), the final URL and the method.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from urllib.parse import urljoin

import requests

from ckanext.thueringen.harvesters.deadline import Watchdog
from ckanext.thueringen.harvesters.fetch import (
    display_url,
    exception_chain,
    guarded_session,
    one_line,
    total_deadline,
)
from ckanext.thueringen.linkcheck import urls
from ckanext.thueringen.linkcheck.results import LinkCheck
from ckanext.thueringen.security.outbound import OutboundPolicy, OutboundRefused, configured_policy

MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
HEAD_REFUSED = frozenset({405, 501})


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Probe:
    """How URLs are requested: time-out (connection and each wait for data),
    User-Agent and bytes read by a GET. Where requests may go is the outbound
    policy of CKAN's configuration, the one the connections ask."""

    timeout: float = 10.0
    user_agent: str = "Thueringen-Open-Data-Portal-Linkcheck/1.0"
    max_bytes: int = 4096
    total_timeout: float = 30.0

    def check(self, url: str) -> LinkCheck:
        """The answer of `url` (never raises for anything the URL or its server does)."""
        url = urls.normalized(url)
        reason = urls.refusal(url, self._policy())
        if reason is not None:
            return _error(url, reason)
        with total_deadline(self.total_timeout) as watchdog:
            return self._follow(url, watchdog)

    def _follow(self, url: str, watchdog: Watchdog) -> LinkCheck:
        method = "GET" if urls.is_ogc_request(url) else "HEAD"
        seen = {url}
        current, hops = url, 0
        while True:
            try:
                answer = self._request(method, current, watchdog)
            except _Broken as broken:
                if method == "HEAD" and broken.head_may_be_the_cause:
                    method = "GET"
                    continue
                return _error(url, broken.message, final_url=current, method=method, redirects=hops)
            if method == "HEAD" and answer.status in HEAD_REFUSED:
                method = "GET"
                continue
            if answer.status not in REDIRECTS:
                return LinkCheck(url, answer.status, answer.content_type, answer.size, None, utcnow(),
                                 final_url=current, method=method, redirects=hops)
            if not answer.location:
                return _error(url, f"{display_url(current)} antwortet mit HTTP {answer.status} (Weiterleitung), "
                                   "nennt aber kein Ziel.", final_url=current,
                              method=method, redirects=hops)
            target = urljoin(current, answer.location)
            if target in seen:
                return _error(url, f"Die Weiterleitungen bilden eine Schleife: {display_url(target)} wurde "
                                   "schon einmal besucht.", final_url=target, method=method, redirects=hops + 1)
            if hops + 1 > MAX_REDIRECTS:
                return _error(url, f"Die Adresse leitet mehr als {MAX_REDIRECTS}-mal weiter; der Kette wurde "
                                   "nicht weiter gefolgt.", final_url=target, method=method, redirects=hops + 1)
            refused = urls.refusal(target, self._policy())
            if refused is not None:
                return _error(url, f"Weiterleitung auf {display_url(target)} nicht gefolgt: {refused}",
                              final_url=target, method=method, redirects=hops + 1)
            seen.add(target)
            current, hops = target, hops + 1
            if method == "GET" and not urls.is_ogc_request(url) and answer.status != 303:
                method = "HEAD"   # the GET was for the server that refused HEAD, not for the next one

    @staticmethod
    def _policy() -> OutboundPolicy:
        return configured_policy()

    def _request(self, method: str, url: str, watchdog: Watchdog) -> _Answer:
        session = _session(self)
        try:
            response = session.request(method, url, allow_redirects=False, stream=True,
                                       timeout=(self.timeout, self.timeout))
        except Exception as exc:  # noqa: BLE001 - every failure is a recorded answer
            raise self._broken(exc, url, method, watchdog) from exc
        with response:
            try:
                if method == "GET":
                    response.raw.read(self.max_bytes, decode_content=False)
            except Exception as exc:  # noqa: BLE001 - the status and headers already came
                if _is_timeout(exc) or watchdog.expired:
                    raise self._broken(exc, url, method, watchdog) from exc
            if watchdog.expired:   # cut off in its headers: what came is no answer
                raise self._broken(TimeoutError(), url, method, watchdog)
            return _Answer(response.status_code, response.headers.get("Content-Type", "").strip() or None,
                           _size(response), response.headers.get("Location", "").strip())


    def _broken(self, exc: BaseException, url: str, method: str, watchdog: Watchdog) -> _Broken:
        if watchdog.expired:
            return _Broken(f"{display_url(url)} brauchte für die Antwort länger als "
                           f"{_seconds(self.total_timeout)} insgesamt (Zeitüberschreitung).", False)
        return _Broken.of(exc, url, self.timeout, method)


@dataclass(frozen=True)
class _Answer:
    status: int
    content_type: str | None
    size: int | None
    location: str


class _Broken(Exception):
    def __init__(self, message: str, head_may_be_the_cause: bool):
        super().__init__(message)
        self.message = message
        self.head_may_be_the_cause = head_may_be_the_cause

    @classmethod
    def of(cls, exc: BaseException, url: str, timeout: float, method: str) -> _Broken:
        where = display_url(url)
        causes = list(exception_chain(exc))
        refused = next((c for c in causes if isinstance(c, OutboundRefused)), None)
        if refused is not None:
            return cls(f"{where} wird nicht abgerufen: {refused.message}", False)
        if _is_timeout(exc):
            return cls(f"{where} antwortete nicht innerhalb von {_seconds(timeout)} (Zeitüberschreitung).", False)
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return cls(f"Keine Verbindung zu {where}: der Server lehnt die Verbindung ab.", False)
        name_error = any(type(c).__name__ in ("NameResolutionError", "gaierror") for c in causes)
        if name_error:
            return cls(f"Keine Verbindung zu {where}: der Rechnername ist unbekannt (DNS).", False)
        if any(type(c).__name__ in ("SSLError", "SSLCertVerificationError") for c in causes):
            return cls(f"Keine sichere Verbindung zu {where}: TLS-Fehler ({one_line(exc)}).", False)
        # the connection was made and the answer was broken: a server whose HEAD is broken
        return cls(f"Die Antwort von {where} auf {method} war fehlerhaft oder brach ab ({one_line(exc)}).",
                   method == "HEAD")


def _is_timeout(exc: BaseException) -> bool:
    return any(isinstance(c, (requests.exceptions.Timeout, TimeoutError)) or type(c).__name__ in
               ("ReadTimeoutError", "ConnectTimeoutError") for c in exception_chain(exc))


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",") + " s"


def _size(response: requests.Response) -> int | None:
    if response.status_code == 206:
        total = response.headers.get("Content-Range", "").rpartition("/")[2].strip()
        if total.isdigit():
            return int(total)
    length = response.headers.get("Content-Length", "").strip()
    return int(length) if length.isdigit() else None


def _error(url: str, message: str, *, final_url: str | None = None,
           method: str | None = None, redirects: int = 0) -> LinkCheck:
    return LinkCheck(url, None, None, None, message, utcnow(), final_url=final_url, method=method,
                     redirects=redirects)


# One guarded session per thread and probe settings: keep-alive to a host between
# its requests, and requests' sessions are not shared between threads.
_local = threading.local()


def _session(probe: Probe) -> requests.Session:
    key = (probe.user_agent, probe.timeout)
    cached = getattr(_local, "session", None)
    if cached is None or cached[0] != key:
        if cached is not None:
            cached[1].close()
        session = guarded_session(requests.Session())
        session.headers["User-Agent"] = probe.user_agent
        session.headers["Accept"] = "*/*"
        session.headers["Accept-Encoding"] = "identity"
        _local.session = (key, session)
    return _local.session[1]
