"""The background job that turns a resource's document into searchable text.

`schedule(package)` queues one job per document on the `fulltext` queue of
CKAN's jobs (RQ on Redis); `extract_resource` downloads the document, keeps the
stored text when the bytes are unchanged, extracts in the limited child
(sandbox.py), stores the result (storage.py) and re-indexes only that package.
Failures of the server or network are retried with backoff, failures of the
document are final. The whole flow: docs/fulltext.md, "Flow".
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import urllib3

from ckanext.thueringen.fulltext import selection, source, storage
from ckanext.thueringen.fulltext.errors import ExtractionError
from ckanext.thueringen.fulltext.ocr import OcrLimits
from ckanext.thueringen.fulltext.sandbox import Limits, extract_limited

# exception_chain: the walk through requests' and urllib3's wrappers that fetch() itself uses
from ckanext.thueringen.harvesters.fetch import FetchError, exception_chain
from ckanext.thueringen.model.fulltext import DONE, FAILED, PENDING

log = logging.getLogger(__name__)
MiB = 1024 * 1024

TRANSIENT_HTTP = re.compile(r"HTTP (5\d\d|408|425|429)\b")
# how long a job that starts before its package's transaction has committed
# waits for that commit
COMMIT_WAIT_SECONDS = 30


def _int(key: str) -> int:
    return int(toolkit.config.get(key))


def queue_name() -> str:
    return toolkit.config.get("thueringen.fulltext.queue") or "fulltext"


def ocr_limits() -> OcrLimits | None:
    """The limits of the text recognition of scans; None when it is switched off."""
    if not toolkit.asbool(toolkit.config.get("thueringen.fulltext.ocr_enabled")):
        return None
    return OcrLimits(languages=toolkit.config.get("thueringen.fulltext.ocr_languages") or "deu",
                     max_pages=_int("thueringen.fulltext.ocr_max_pages"),
                     page_seconds=_int("thueringen.fulltext.ocr_page_seconds"),
                     memory_bytes=_int("thueringen.fulltext.ocr_memory_mb") * MiB,
                     dpi=_int("thueringen.fulltext.ocr_dpi"),
                     max_pixels=_int("thueringen.fulltext.ocr_max_megapixels") * 1_000_000)


def limits() -> Limits:
    return Limits(memory_bytes=_int("thueringen.fulltext.memory_mb") * MiB,
                  cpu_seconds=_int("thueringen.fulltext.cpu_seconds"),
                  wall_seconds=float(_int("thueringen.fulltext.wall_seconds")),
                  max_chars=_int("thueringen.fulltext.max_chars"),
                  ocr=ocr_limits())


def _job_timeout() -> int:
    """RQ's limit for one job: download plus extraction (with the text
    recognition of its scanned pages) plus some slack."""
    ocr = ocr_limits()
    ocr_seconds = ocr.max_pages * ocr.page_seconds if ocr else 0
    return _int("thueringen.fulltext.total_timeout") + _int("thueringen.fulltext.wall_seconds") + ocr_seconds + 60


# --- queueing -----------------------------------------------------------------

def format_code(resource: model.Resource) -> str:
    from ckanext.thueringen.helpers import thueringen_format_code

    return thueringen_format_code(resource.format)


def is_document(resource: model.Resource) -> bool:
    """An active resource with an address (or an uploaded file) that is (or may
    be) a text document; in publications also scanned images."""
    url = (resource.url or "").strip()
    package = resource.package
    scans = package is not None and package.type == selection.SCAN_PACKAGE_TYPE
    return resource.state == "active" and bool(url) and selection.is_document(format_code(resource), url,
                                                                              images=scans)


def documents_of(package: model.Package) -> list[tuple[str, str, str | None]]:
    """(resource_id, url, url_type) of a package's documents."""
    return [(resource.id, resource.url.strip(), resource.url_type or None)
            for resource in package.resources if is_document(resource)]


def schedule(package: model.Package) -> int:
    """Queue a job for each document of the package; never fails the caller's action.

    Each job also drops the rows of documents the package no longer has
    (`keep`); a package without documents (or a deleted one) gets a job that
    only does that."""
    if package.type == "harvest" or not toolkit.asbool(toolkit.config.get("thueringen.fulltext.enabled")):
        return 0
    documents = documents_of(package) if package.state != "deleted" else []
    keep = [resource_id for resource_id, _, _ in documents]
    queued = 0
    try:
        if not documents:
            forget_package(package.id)
        for resource_id, url, url_type in documents:
            enqueue(resource_id, package.id, url, keep=keep, saved_at=_saved_at(package), url_type=url_type)
            queued += 1
    except Exception:  # noqa: BLE001 - Redis down must not stop a dataset from being saved
        log.exception("Volltext: Aufträge für Datensatz %s konnten nicht eingereiht werden", package.id)
    return queued


def _saved_at(package: model.Package) -> str | None:
    return package.metadata_modified.isoformat() if package.metadata_modified else None


def enqueue(resource_id: str, package_id: str, url: str, delay_seconds: int | None = None,
            keep: list[str] | None = None, saved_at: str | None = None, url_type: str | None = None) -> None:
    title = f"Volltext {resource_id}"
    args = [resource_id, package_id, url, keep, saved_at, url_type]
    rq_kwargs = {"timeout": _job_timeout(), "result_ttl": 600, "failure_ttl": 7 * 24 * 3600}
    if delay_seconds:
        from ckan.lib.jobs import get_queue

        get_queue(queue_name()).enqueue_in(dt.timedelta(seconds=delay_seconds), extract_resource,
                                           args=args, meta={"title": title},
                                           job_timeout=rq_kwargs["timeout"], result_ttl=rq_kwargs["result_ttl"],
                                           failure_ttl=rq_kwargs["failure_ttl"])
    else:
        _enqueue(extract_resource, args, title, rq_kwargs)


def forget_package(package_id: str) -> None:
    """Queue the removal of all the package's rows (it is deleted, or has no documents)."""
    if not toolkit.asbool(toolkit.config.get("thueringen.fulltext.enabled")):
        return
    _enqueue(forget_removed, [package_id, []], f"Volltext {package_id} aufräumen", {})


# The jobs made while held_back() is on: (function, args, title, rq_kwargs).
_held: list[tuple[Callable, list, str, dict[str, Any]]] | None = None


def _enqueue(function: Callable, args: list, title: str, rq_kwargs: dict[str, Any]) -> None:
    if _held is not None:
        _held.append((function, args, title, rq_kwargs))
    else:
        toolkit.enqueue_job(function, args, title=title, queue=queue_name(), rq_kwargs=rq_kwargs)


@contextlib.contextmanager
def held_back() -> Iterator[Callable[[], int]]:
    """Hold back the jobs queued inside; yields the function that sends them.

    For a harvest batch (harvesters/batches.py), which saves many datasets in
    one transaction: its jobs go to Redis in one round trip, after the commit
    (so a worker never finds a package that is not committed yet), instead of
    two round trips per job during each package_create; a batch that rolls
    back sends none (its records are saved again one at a time, and queue
    their jobs then). Never raises: Redis down must not undo saved datasets
    (their jobs are missing then, as with a failing enqueue in schedule())."""
    global _held
    previous, held = _held, []
    _held = held

    def send() -> int:
        jobs, held[:] = list(held), []
        if not jobs:
            return 0
        from ckan.lib.jobs import get_queue
        from rq import Queue

        default_timeout = toolkit.config.get("ckan.jobs.timeout")
        try:
            get_queue(queue_name()).enqueue_many([
                Queue.prepare_data(function, args=args, meta={"title": title},
                                   timeout=rq_kwargs.get("timeout", default_timeout),
                                   result_ttl=rq_kwargs.get("result_ttl"), failure_ttl=rq_kwargs.get("failure_ttl"))
                for function, args, title, rq_kwargs in jobs])
        except Exception:  # noqa: BLE001 - see above
            log.exception("Volltext: %d Aufträge konnten nicht eingereiht werden", len(jobs))
            return 0
        return len(jobs)

    try:
        yield send
    finally:
        _held = previous


def forget_removed(package_id: str, keep: list[str]) -> int:
    """Delete the rows of documents that the package no longer has. No re-index:
    the index takes only the texts of the package's current resources anyway
    (before_dataset_index), and re-indexing a package whose deletion is not
    yet committed would put it back into Solr."""
    deleted = storage.forget(package_id, keep)
    if deleted:
        log.info("Volltext %s: %d entfernte Dokument(e) vergessen", package_id, deleted)
    return deleted


# --- the job ------------------------------------------------------------------

def extract_resource(resource_id: str, package_id: str, url: str, keep: list[str] | None = None,
                     saved_at: str | None = None, url_type: str | None = None) -> str:
    """Read (an upload from the storage, a link over HTTP), extract, store and
    index one document. Returns what happened (done, unchanged, failed, retry,
    gone) for logs and tests.

    `keep`: the package's documents when the job was queued; rows of others
    are dropped. `saved_at`: the package's metadata_modified then; the job is
    queued inside the transaction that saves the package and may start before
    it commits — it waits for that, or its re-index would find the old package
    (or none) and the text would miss the index."""
    if saved_at and not _wait_for_commit(package_id, saved_at):
        if model.Package.get(package_id) is None:  # its creation was rolled back
            storage.forget(package_id)
            return "gone"
    if keep is not None:
        storage.forget(package_id, keep)
    record = storage.get(resource_id)
    if record is None or record.url != url:
        # a new document, or a new address: its state so far says nothing
        storage.save(resource_id, package_id, url=url, status=PENDING, reason=None, attempts=0,
                     next_attempt_at=None)
        record = storage.get(resource_id)
    attempt = record.attempts + 1
    try:
        fetched = source.read(resource_id, url, url_type)
    except source.UploadMissing as exc:
        return _fail(record, exc.reason)
    except FetchError as exc:
        if is_transient(exc):
            return _retry_later(record, attempt, exc.message)
        return _fail(record, f"Das Dokument konnte nicht abgerufen werden: {exc.message}")

    if record.content_hash == fetched.sha256 and (record.text is not None or record.status == FAILED):
        # same bytes as last time: the stored text (or the document's failure) still holds
        if record.text is not None:
            storage.save(resource_id, package_id, status=DONE, attempts=0, next_attempt_at=None,
                         reason=None if record.status != DONE else record.reason)
        else:
            storage.save(resource_id, package_id, attempts=0, next_attempt_at=None)
        log.info("Volltext %s: unverändert (%s)", resource_id, fetched.sha256[:12])
        return "unchanged"

    try:
        result = extract_limited(fetched.data, limits())
    except ExtractionError as exc:
        return _fail(record, exc.reason, content_hash=fetched.sha256)
    notes = list(result.notes)
    if result.truncated:
        notes.append(f"Der Text wurde nach {len(result.text):,} Zeichen gekürzt.".replace(",", "."))
    storage.save(resource_id, package_id, reason=" ".join(notes) or None, content_hash=fetched.sha256,
                 mime_type=result.mime_type, pages=result.pages, chars=len(result.text), text=result.text,
                 ocr_pages=list(result.ocr_pages) or None, attempts=0, next_attempt_at=None,
                 extracted_at=storage.now())
    _reindex(package_id)
    # done once Solr has the text: "done" means searchable
    storage.save(resource_id, package_id, status=DONE)
    log.info("Volltext %s: %s, %s Seiten, %d Zeichen", resource_id, result.kind, result.pages, len(result.text))
    return "done"


def _wait_for_commit(package_id: str, saved_at: str) -> bool:
    """Wait (in the job: a commit takes milliseconds, a delayed job would depend
    on RQ's scheduler) until the package's save is visible; False after
    COMMIT_WAIT_SECONDS."""
    deadline = time.monotonic() + COMMIT_WAIT_SECONDS
    while not _package_saved(package_id, saved_at):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _package_saved(package_id: str, saved_at: str) -> bool:
    """True once the package's save that queued the job is committed (visible here)."""
    model.Session.remove()  # a new transaction: see what has been committed since
    modified = model.Session.query(model.Package.metadata_modified).filter(model.Package.id == package_id).scalar()
    return modified is not None and modified >= dt.datetime.fromisoformat(saved_at)


def is_transient(exc: FetchError) -> bool:
    """Worth another attempt later: the server or the network, not the address.
    An unknown host name stays unknown (placeholder and mistyped addresses)."""
    if any(isinstance(cause, urllib3.exceptions.NameResolutionError) for cause in exception_chain(exc)):
        return False
    if exc.kind in ("connection", "timeout"):
        return True
    return exc.kind == "http_status" and bool(TRANSIENT_HTTP.search(exc.message))


def _retry_later(record: storage.Record, attempt: int, message: str) -> str:
    max_attempts = _int("thueringen.fulltext.max_attempts")
    if attempt >= max_attempts:
        return _fail(record, f"Das Dokument konnte nach {attempt} Versuchen nicht abgerufen werden: {message}",
                     attempts=attempt)
    delay = min(_int("thueringen.fulltext.retry_base_seconds") * 2 ** (attempt - 1),
                _int("thueringen.fulltext.retry_max_seconds"))
    storage.save(record.resource_id, record.package_id, status=PENDING,
                 reason=f"Abruf fehlgeschlagen (Versuch {attempt} von {max_attempts}): {message}",
                 attempts=attempt, next_attempt_at=storage.now() + dt.timedelta(seconds=delay))
    enqueue(record.resource_id, record.package_id, record.url, delay_seconds=delay)
    log.info("Volltext %s: neuer Versuch in %d s (%s)", record.resource_id, delay, message)
    return "retry"


def _fail(record: storage.Record, reason: str, *, content_hash: str | None = None, attempts: int = 0) -> str:
    """A final failure: the old text no longer describes the document, so it goes."""
    storage.save(record.resource_id, record.package_id, status=FAILED, reason=reason,
                 content_hash=content_hash, text=None, pages=None, chars=None, mime_type=None, ocr_pages=None,
                 attempts=attempts, next_attempt_at=None, extracted_at=storage.now())
    log.info("Volltext %s: fehlgeschlagen – %s", record.resource_id, reason)
    if record.text is not None:
        _reindex(record.package_id)
    return "failed"


def _reindex(package_id: str) -> None:
    """Solr gets the package again (with the new text); the database row of the package stays as it is."""
    from ckanext.thueringen.search.reindex import reindex

    try:
        reindex(package_id)
    except Exception:  # noqa: BLE001 - a deleted package or Solr hiccup must not lose the stored text
        log.exception("Volltext: Datensatz %s konnte nicht neu indexiert werden", package_id)


def retry_due() -> int:
    """Queue again the documents whose retry is due (after a lost Redis schedule)."""
    due = storage.due_for_retry()
    for resource_id, package_id, url in due:
        enqueue(resource_id, package_id, url)
    return len(due)
