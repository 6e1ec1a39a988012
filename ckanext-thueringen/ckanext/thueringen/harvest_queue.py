"""Harvest queue consumers that survive an idle queue.

ckanext-harvest 1.6.3 waits on its Redis queues with a blocking BLPOP without
a timeout, while redis-py 8 (pinned by CKAN 2.12.0) gives every connection a
5-second socket timeout: the stock `ckan harvester gather-consumer` and
`fetch-consumer` die after five idle seconds. These consumers run the stock
queue classes and callbacks unchanged, on a connection that may wait.

Two additions: each message is handled in a fresh database session (see
`consume`), and the fetch consumer drops a message for a harvest object that is
already COMPLETE or ERROR. Such duplicates come from ckanext-harvest's
`resubmit_objects` (run by every `harvest_jobs_run`), which queues again each
WAITING object it does not find in Redis — also one a consumer has just taken
off the queue. Processed after its job has finished, the duplicate would turn
the imported object into an error and falsify the finished job's report.
"""
from __future__ import annotations

import json
from typing import Callable

import redis

import ckan.model as model
import ckan.plugins.toolkit as toolkit


def _waiting_connection() -> redis.Redis:
    # socket_timeout=None lets BLPOP wait for the next job; keepalive notices a
    # Redis that went away, so the consumer ends (and `make status` says so).
    return redis.Redis.from_url(toolkit.config["ckan.redis.url"], decode_responses=True,
                                encoding="utf-8", socket_timeout=None, socket_keepalive=True)


def consume(stage: str) -> None:
    """Process the `gather` or `fetch` queue until the process is stopped."""
    from ckanext.harvest import queue

    stages: dict[str, tuple[Callable[[], str], Callable]] = {
        "gather": (queue.get_gather_routing_key, queue.gather_callback),
        "fetch": (queue.get_fetch_routing_key, queue.fetch_callback),
    }
    routing_key, callback = stages[stage]
    consumer = queue.RedisConsumer(_waiting_connection(), routing_key())
    for method, header, body in consumer.consume(queue=None):
        if stage == "fetch" and _object_done(body):
            consumer.basic_ack(method.delivery_tag)
            continue
        try:
            callback(consumer, method, header, body)
        finally:
            # ckanext-harvest's gather_callback returns without Session.remove() when a
            # gather queues nothing (every record unchanged or queued by the gather
            # itself); CKAN's session keeps objects after a commit (expire_on_commit
            # off), so the next job would read this job's source, its settings included.
            model.Session.remove()


def _object_done(body: str) -> bool:
    """True for a fetch message whose harvest object is imported or failed already."""
    from ckanext.harvest.model import HarvestObject

    try:
        object_id = json.loads(body)["harvest_object_id"]
        state = model.Session.query(HarvestObject.state).filter(HarvestObject.id == object_id).scalar()
    except Exception:  # noqa: BLE001 - the stock callback reports bad messages and database errors
        model.Session.rollback()
        return False
    finally:
        model.Session.remove()
    return state in ("COMPLETE", "ERROR")
