"""The link checker: due URLs from the queue, checked politely, answers stored.

`Checker.run_due()` takes due URLs in bounded batches (store.claim), checks
them on `threads` threads with at most one request per host at a time and a
pause between a host's requests (dispatch.Dispatcher), and records every
answer as it comes (results.record) with its next check spread over the
interval (schedule.next_check_at). Memory is bounded by the batch, whatever
the size of the catalogue. `Checker.work()` is the worker's loop: run_due,
discover every `discover_minutes`, sleep `poll_seconds` when nothing is due.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ckan.plugins.toolkit as toolkit
from ckan import model

from ckanext.thueringen.linkcheck import results, schedule, store
from ckanext.thueringen.linkcheck import urls as link_urls
from ckanext.thueringen.linkcheck.dispatch import Dispatcher
from ckanext.thueringen.linkcheck.probe import Probe, utcnow
from ckanext.thueringen.linkcheck.results import LinkCheck

log = logging.getLogger(__name__)
COMMIT_EVERY = 50


@dataclass(frozen=True)
class Settings:
    timeout: float = 10.0
    total_timeout: float = 30.0
    pause: float = 1.0
    threads: int = 8
    interval_days: float = 7.0
    batch_size: int = 500
    per_host: int = 20
    poll_seconds: float = 30.0
    discover_minutes: float = 60.0
    lease: dt.timedelta = dt.timedelta(minutes=60)
    max_bytes: int = 4096
    user_agent: str = "Thueringen-Open-Data-Portal-Linkcheck/1.0"
    only: str = ""

    @classmethod
    def from_config(cls) -> Settings:
        config = toolkit.config
        only = (config.get("thueringen.linkcheck.only_urls") or "").strip()
        if only:
            re.compile(only)   # a typo is an error at start, not a silent "check nothing"
        return cls(timeout=float(config.get("thueringen.linkcheck.timeout")),
                   total_timeout=float(config.get("thueringen.linkcheck.total_timeout")),
                   pause=float(config.get("thueringen.linkcheck.host_pause_seconds")),
                   threads=int(config.get("thueringen.linkcheck.threads")),
                   interval_days=float(config.get("thueringen.linkcheck.interval_days")),
                   batch_size=int(config.get("thueringen.linkcheck.batch_size")),
                   per_host=int(config.get("thueringen.linkcheck.per_host_batch")),
                   poll_seconds=float(config.get("thueringen.linkcheck.poll_seconds")),
                   discover_minutes=float(config.get("thueringen.linkcheck.discover_minutes")),
                   lease=dt.timedelta(minutes=int(config.get("thueringen.linkcheck.lease_minutes"))),
                   max_bytes=int(config.get("thueringen.linkcheck.max_bytes")),
                   user_agent=user_agent(), only=only)


def user_agent() -> str:
    """The configured User-Agent, or one that names the portal and its address."""
    configured = (toolkit.config.get("thueringen.linkcheck.user_agent") or "").strip()
    if configured:
        return configured
    site = (toolkit.config.get("ckan.site_url") or "").strip()
    return f"Thueringen-Open-Data-Portal-Linkcheck/1.0 (Open-Data-Portal Thueringen; +{site})"


class Checker:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.probe = Probe(timeout=settings.timeout, user_agent=settings.user_agent, max_bytes=settings.max_bytes,
                           total_timeout=settings.total_timeout)
        self.dispatcher = Dispatcher(settings.threads, settings.pause)
        self._last_discovery: float | None = None

    def check(self, urls: Iterable[str], stop: threading.Event | None = None) -> Iterator[LinkCheck]:
        """Check `urls` (each once) politely, record each answer, yield it. Commits."""
        wanted = list(dict.fromkeys(u for u in (link_urls.normalized(u) for u in urls) if u))
        answers: list[tuple[LinkCheck, dt.datetime]] = []
        try:
            for url, outcome in self.dispatcher.run(((link_urls.host_key(u), u) for u in wanted), self.probe.check):
                check = outcome if isinstance(outcome, LinkCheck) else self._failure(url, outcome)
                answers.append((check, schedule.next_check_at(url, check.checked_at, self.settings.interval_days)))
                if len(answers) >= COMMIT_EVERY:
                    self._store(answers)
                yield check
                if stop is not None and stop.is_set():
                    break
        finally:
            self._store(answers)

    @staticmethod
    def _store(answers: list) -> None:
        """Record and commit the answers so far, in one statement (one round trip)."""
        if answers:
            results.record_many(answers)
            answers.clear()
        model.Session.commit()

    @staticmethod
    def _failure(url: str, exc: BaseException) -> LinkCheck:
        log.error("Linkprüfung von %s fehlgeschlagen", url, exc_info=exc)
        return LinkCheck(url, None, None, None, "Die Prüfung dieser Adresse schlug im Portal fehl; sie wird "
                         "beim nächsten Durchlauf wiederholt.", utcnow())

    def run_batch(self, stop: threading.Event | None = None) -> int:
        """Check one batch of due URLs; how many were checked (0: none due)."""
        claimed = store.claim(self.settings.batch_size, self.settings.per_host, self.settings.lease,
                              self.settings.only)
        checked = {check.url for check in self.check([url for url, _host in claimed], stop)}
        left = [url for url, _host in claimed if url not in checked]
        if left:
            store.release(left)
        return len(checked)

    def run_due(self, stop: threading.Event | None = None, max_batches: int | None = None) -> int:
        """Check due URLs until none is due (or `max_batches`); how many were checked."""
        total = batches = 0
        while (max_batches is None or batches < max_batches) and not (stop and stop.is_set()):
            checked = self.run_batch(stop)
            if not checked:
                break
            total += checked
            batches += 1
        return total

    def discover_if_due(self) -> None:
        now = time.monotonic()
        if self._last_discovery is not None and now - self._last_discovery < self.settings.discover_minutes * 60:
            return
        self._last_discovery = now
        try:
            added, dropped = store.discover()
        except Exception:  # noqa: BLE001 - the next round tries again; checking goes on
            model.Session.rollback()
            log.exception("Linkprüfung: Adressen des Portals nicht gelesen")
            return
        if added or dropped:
            log.info("Linkprüfung: %d neue Adresse(n), %d nicht mehr verwendete entfernt", added, dropped)

    def work(self, stop: threading.Event) -> None:
        """The worker's loop, until `stop` is set."""
        while not stop.is_set():
            self.discover_if_due()
            try:
                checked = self.run_batch(stop)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the service
                model.Session.rollback()
                log.exception("Linkprüfung: Durchlauf fehlgeschlagen")
                checked = 0
            finally:
                model.Session.remove()
            if checked:
                log.info("Linkprüfung: %d Adresse(n) geprüft", checked)
            else:
                stop.wait(self.settings.poll_seconds)
