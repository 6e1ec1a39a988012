"""Scoring in the background, batched: the hooks only note a dataset's id.

`schedule(ids)` puts the ids into a Redis hash of pending datasets (id -> the
save's time) and queues one `drain` job on the quality queue unless one is
already waiting. The job takes all pending ids at once and scores them page
by page (`thueringen.quality.page_size`): a harvest that saves a thousand
datasets makes one job and a few SHACL runs, not a thousand. Memory stays
bounded by the page, not by the catalogue.

The hooks run inside the transaction that saves the dataset; a job may start
before it commits, so it waits for the save (as the full-text jobs do).
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable

import ckan.model as model
import ckan.plugins.toolkit as toolkit

log = logging.getLogger(__name__)
COMMIT_WAIT_SECONDS = 30


def queue_name() -> str:
    return toolkit.config.get("thueringen.quality.queue") or "quality"


def page_size() -> int:
    return int(toolkit.config.get("thueringen.quality.page_size") or 100)


def _keys() -> tuple[str, str]:
    site = toolkit.config.get("ckan.site_id") or "ckan"
    return f"{site}:thueringen_quality:pending", f"{site}:thueringen_quality:scheduled"


def _redis():
    from ckan.lib.redis import connect_to_redis

    return connect_to_redis()


def schedule(saved: Iterable[tuple[str, str | None]]) -> int:
    """Note (package id, saved at) pairs for scoring; never fails the caller's action."""
    pairs = {package_id: saved_at or "" for package_id, saved_at in saved if package_id}
    if not pairs or not toolkit.asbool(toolkit.config.get("thueringen.quality.enabled", True)):
        return 0
    pending, scheduled = _keys()
    try:
        redis = _redis()
        redis.hset(pending, mapping=pairs)
        # one waiting job is enough: it takes every id pending when it starts
        if redis.set(scheduled, "1", nx=True, ex=3600):
            toolkit.enqueue_job(drain, [], title="Qualität bewerten", queue=queue_name(),
                                rq_kwargs={"timeout": 3600, "result_ttl": 600, "failure_ttl": 7 * 24 * 3600})
    except Exception:  # noqa: BLE001 - Redis down must not stop a dataset from being saved
        log.exception("Qualität: %d Datensätze konnten nicht eingereiht werden", len(pairs))
        return 0
    return len(pairs)


def take_pending() -> dict[str, str]:
    """Every pending id (and its save time), removed from the hash in one step."""
    pending, scheduled = _keys()
    redis = _redis()
    # from here on, a new save queues a new job
    redis.delete(scheduled)
    with redis.pipeline(transaction=True) as pipe:
        pipe.hgetall(pending)
        pipe.delete(pending)
        taken, _deleted = pipe.execute()
    return {_text(k): _text(v) for k, v in taken.items()}


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def drain() -> int:
    """The job: score every pending dataset, one page at a time. Returns how many."""
    from ckanext.thueringen.quality import scoring

    pending = take_pending()
    ids = sorted(pending)
    done = 0
    for start in range(0, len(ids), page_size()):
        page = ids[start:start + page_size()]
        _wait_for_commits({package_id: pending[package_id] for package_id in page})
        done += len(scoring.rescore(page))
        model.Session.remove()
    log.info("Qualität: %d Datensätze bewertet", done)
    return done


def _wait_for_commits(saved: dict[str, str]) -> None:
    """Wait until every save of the page is visible, at most COMMIT_WAIT_SECONDS
    (a save that rolled back never becomes visible: that dataset is scored as it is)."""
    deadline = time.monotonic() + COMMIT_WAIT_SECONDS
    waiting = {k: dt.datetime.fromisoformat(v) for k, v in saved.items() if v}
    while waiting and time.monotonic() < deadline:
        model.Session.remove()
        rows = model.Session.query(model.Package.id, model.Package.metadata_modified) \
            .filter(model.Package.id.in_(list(waiting))).all()
        for package_id, modified in rows:
            if modified is not None and modified >= waiting[package_id]:
                waiting.pop(package_id)
        if waiting:
            time.sleep(0.2)
