"""The jobs worker of the `fulltext` queue: CKAN's worker, without a fork per job.

CKAN's `ckan jobs worker` forks a work horse for every job and loads CKAN's
whole environment again in it: about 0.5 s of CPU per job on this machine
(20 empty jobs: 10 CPU seconds, docs/benchmarks.md). With one job per
document, a harvest of 10 000 publications would spend over an hour of CPU
on that alone. Here each job runs in the worker process itself, like RQ's
SimpleWorker; what the fork protected against — a document that crashes or
exhausts the process — cannot happen here, because the extraction already
runs in its own limited child (sandbox.py). CKAN's worker class still does
the rest: queue names with the site's prefix, the database session closed
after every job, its log lines. RQ raises the Redis connection's socket
timeout above its dequeue timeout itself, so the worker survives idle
periods despite redis-py 8's 5-second default.
"""
from __future__ import annotations

from rq.worker import SimpleWorker

from ckan.lib.jobs import Worker as CkanWorker


class InProcessWorker(SimpleWorker, CkanWorker):
    """SimpleWorker's execute_job (no fork) and heartbeat; CKAN's queues,
    logging and per-job session clean-up (perform_job)."""


# RQ restarts its scheduler (the delayed retries), e.g. after Redis was
# restarted, in its maintenance run, which comes between two waits for a job:
# a wait of 30 s (worker_ttl - 15) and a maintenance run every 30 s, instead
# of every 405 s and 10 minutes.
MAINTENANCE_SECONDS = 30


def work(queues: list[str], burst: bool = False) -> None:
    worker = InProcessWorker(queues, maintenance_interval=MAINTENANCE_SECONDS,
                             worker_ttl=MAINTENANCE_SECONDS + 15)
    worker.work(burst=burst, with_scheduler=True)
