"""The jobs worker of the `fulltext` queue: CKAN's worker, without a fork per job.

CKAN's `ckan jobs worker` forks a work horse for every job and loads CKAN's
whole environment again in it, which costs more than extracting a small
document (docs/benchmarks.md), and there is one job per document. Here each
job runs in the worker process itself, like RQ's SimpleWorker; what the fork
protected against — a document that crashes or exhausts the process — cannot
happen here, because the extraction already runs in its own limited child
(sandbox.py). CKAN's worker class still does the rest: queue names with the
site's prefix, its log lines; the database session is closed after every job,
its connection kept in the pool. The worker runs at a lower CPU priority
(`thueringen.fulltext.worker_nice`). RQ raises the Redis connection's socket
timeout above its dequeue timeout itself, so the worker survives idle periods
despite redis-py 8's 5-second default.
"""
from __future__ import annotations

import logging
import os

import ckan.plugins.toolkit as toolkit
from ckan.lib.jobs import Worker as CkanWorker
from ckan.model import meta
from rq.worker import SimpleWorker
from rq.worker.base import BaseWorker

log = logging.getLogger(__name__)


class InProcessWorker(SimpleWorker, CkanWorker):
    """SimpleWorker's execute_job (no fork) and heartbeat; CKAN's queues and
    logging; the database session closed after each job."""

    def perform_job(self, *args, **kwargs) -> bool:
        # CKAN's perform_job also disposes of the database engine, for its work
        # horse, which exits right after the job. Here the next job runs in this
        # process: disposing would open a new PostgreSQL connection (a new server
        # process) for every document. Closing the session returns the
        # connection to the pool.
        result = BaseWorker.perform_job(self, *args, **kwargs)
        try:
            meta.Session.remove()
        except Exception:  # noqa: BLE001 - as CKAN's worker: a failing clean-up must not stop the worker
            log.exception("Volltext: Datenbanksitzung nach dem Auftrag nicht geschlossen")
        return result


# RQ restarts its scheduler (the delayed retries), e.g. after Redis was
# restarted, in its maintenance run, which comes between two waits for a job:
# a wait of 30 s (worker_ttl - 15) and a maintenance run every 30 s, instead
# of every 405 s and 10 minutes.
MAINTENANCE_SECONDS = 30


def work(queues: list[str], burst: bool = False) -> None:
    # Extraction is background work: below the web workers and the harvest in
    # the CPU's queue (the extraction child inherits it), so that a harvest that
    # queues thousands of documents is not slowed by their extraction.
    os.nice(max(0, int(toolkit.config.get("thueringen.fulltext.worker_nice"))))
    worker = InProcessWorker(queues, maintenance_interval=MAINTENANCE_SECONDS,
                             worker_ttl=MAINTENANCE_SECONDS + 15)
    worker.work(burst=burst, with_scheduler=True)
