"""Harvest queue consumers that survive an idle queue.

ckanext-harvest 1.6.3 waits on its Redis queues with a blocking BLPOP without
a timeout, while redis-py 8 (pinned by CKAN 2.12.0) gives every connection a
5-second socket timeout: the stock `ckan harvester gather-consumer` and
`fetch-consumer` die after five idle seconds. These consumers run the stock
queue classes and callbacks unchanged, on a connection that may wait.

Three additions: each message is handled in a fresh database session (see
`consume`); the fetch consumer drops a message for a harvest object that is
already COMPLETE or ERROR; and it drops one for an object that another process
is importing right now (`importing`: the portal's gather consumer stores its
job's queued batches itself once it has read every page, see
harvesters/batches.py `import_released`). Messages for finished objects come
from ckanext-harvest's `resubmit_objects` (run by every `harvest_jobs_run`),
which queues again each WAITING object it does not find in Redis — also one a
consumer has just taken off the queue — and from batches the gather consumer
stored. Processed after its job has finished, such a message would turn the
imported object into an error and falsify the finished job's report.
"""
from __future__ import annotations

import contextlib
import datetime
import json
import logging
import time
from collections.abc import Callable, Iterator

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import redis
import sqlalchemy as sa

log = logging.getLogger(__name__)

FAILURE_PAUSE_SECONDS = 1.0
BATCHED = "BATCHED"       # the state of an object stored by its batch's leader (batches.py)
BATCH_OF = "batch_of"     # extra of such an object: the id of its leader
# an object must have been in FETCH or IMPORT this long before the scheduler
# looks whether anybody still imports it
ORPHAN_GRACE_SECONDS = 30


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
        object_id = _object_id(body) if stage == "fetch" else None
        with importing(object_id) as ours:
            if object_id is not None and (not ours or _object_done(object_id)):
                consumer.basic_ack(method.delivery_tag)
                continue
            try:
                callback(consumer, method, header, body)
            except Exception:  # noqa: BLE001 - one message must not end the consumer
                _contain_failure(consumer, method, stage, object_id)
            finally:
                # ckanext-harvest's gather_callback returns without Session.remove() when a
                # gather queues nothing (every record unchanged or queued by the gather
                # itself); CKAN's session keeps objects after a commit (expire_on_commit
                # off), so the next job would read this job's source, its settings included.
                model.Session.remove()


def _contain_failure(consumer, method, stage: str, object_id: str | None) -> None:
    """After a message's callback raised (a database or Redis that went away, a
    bug): roll back, log, drop the message and go on with the next one, a second
    later so that a service that is down is not hammered. The object is not lost:
    left in FETCH or IMPORT with nobody holding its lock, the scheduler queues it
    again (`requeue_orphans`); ckanext-harvest counts its retries and sets it to
    ERROR after the fifth, so a record that always fails cannot loop."""
    try:
        model.Session.rollback()
    except Exception:  # noqa: BLE001 - the connection itself may be gone
        model.Session.remove()
    log.exception("%s consumer: message for harvest object %s failed; the consumer goes on", stage,
                  object_id or "-")
    try:
        consumer.basic_ack(method.delivery_tag)
    except Exception:  # noqa: BLE001 - Redis gone: the message's persistence key stays, nothing else to do
        log.warning("%s consumer: message not acknowledged", stage, exc_info=True)
    time.sleep(FAILURE_PAUSE_SECONDS)


@contextlib.contextmanager
def importing(object_id: str | None) -> Iterator[bool]:
    """Hold the right to import harvest object `object_id`: True when this
    process has it until the block ends, False when another process holds it.
    None (a message without an id): True, nothing held. False too when the
    database does not answer."""
    if object_id is None:
        yield True
        return
    with _session_lock(f"harvest-object:{object_id}") as held:
        yield held


@contextlib.contextmanager
def gathering(job_id: str) -> Iterator[bool]:
    """Hold the right to gather harvest job `job_id` (as `importing`): while it is
    held, `requeue_orphans` knows that the job's gather is alive."""
    with _session_lock(f"harvest-gather:{job_id}") as held:
        yield held


@contextlib.contextmanager
def _session_lock(name: str) -> Iterator[bool]:
    """A PostgreSQL session lock on a connection of its own: the harvest commits
    and rolls back the ORM session many times, and a process that dies loses the
    lock with its connection, so a crashed process never blocks the work, and a
    free lock tells that nobody is doing it."""
    key = {"key": name}
    connection = None
    try:
        connection = model.meta.engine.connect()
        held = bool(connection.execute(
            sa.text("SELECT pg_try_advisory_lock(hashtextextended(:key, 0))"), key).scalar())
        connection.commit()
    except sa.exc.DBAPIError:
        # not done now; the scheduler's harvest_jobs_run queues a WAITING object again
        log.warning("%s: lock not taken, database unavailable", name, exc_info=True)
        if connection is not None:
            connection.invalidate()
            connection.close()
        yield False
        return
    try:
        yield held
    finally:
        try:
            if held:
                connection.execute(sa.text("SELECT pg_advisory_unlock(hashtextextended(:key, 0))"), key)
                connection.commit()
        except Exception:  # noqa: BLE001 - the lock goes with the connection instead
            log.warning("lock %s not released; dropping its connection", name, exc_info=True)
            connection.invalidate()
        connection.close()


def _object_id(body: str) -> str | None:
    try:
        object_id = json.loads(body)["harvest_object_id"]
    except (TypeError, ValueError, KeyError):
        return None   # the stock callback reports the bad message
    return object_id if isinstance(object_id, str) else None


def _object_done(object_id: str) -> bool:
    """True for a harvest object that is imported or failed already."""
    from ckanext.harvest.model import HarvestObject

    try:
        state = model.Session.query(HarvestObject.state).filter(HarvestObject.id == object_id).scalar()
    except Exception:  # noqa: BLE001 - the stock callback reports bad messages and database errors
        model.Session.rollback()
        return False
    finally:
        model.Session.remove()
    return state in ("COMPLETE", "ERROR")


def requeue_orphans(grace_seconds: float = ORPHAN_GRACE_SECONDS) -> list[str]:
    """Queue again the harvest objects of running jobs that a process left
    behind when it died (killed, out of memory, a lost connection): objects in
    FETCH or IMPORT whose lock (`importing`) nobody holds. Their batch rolled
    back with the process, so storing it again stores it once; members that
    were being stored one at a time go back to BATCHED. Also the members a
    batch left behind when its leader ended without them (_members_left_behind).
    Without this the job would wait for them until `ckan.harvest.timeout` ends
    it, and their records would be missing until the next job. Returns the ids
    queued."""
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra
    from ckanext.harvest.queue import get_fetch_publisher

    cutoff = datetime.datetime.utcnow() - datetime.timedelta(seconds=grace_seconds)
    candidates = [object_id for (object_id,) in model.Session.query(HarvestObject.id)
                  .join(HarvestJob, HarvestJob.id == HarvestObject.harvest_job_id)
                  .filter(HarvestJob.status == "Running", HarvestObject.state.in_(("FETCH", "IMPORT")),
                          HarvestObject.fetch_started < cutoff)]
    candidates += _members_left_behind()
    model.Session.remove()
    end_orphaned_gathers()
    queued = []
    for object_id in candidates:
        with importing(object_id) as ours:
            if not ours:
                continue   # somebody is storing it right now
            obj = model.Session.get(HarvestObject, object_id, populate_existing=True)
            if obj is None or obj.state not in ("FETCH", "IMPORT", BATCHED):
                continue
            obj.state = "WAITING"
            members = model.Session.query(HarvestObjectExtra.harvest_object_id).filter(
                HarvestObjectExtra.key == BATCH_OF, HarvestObjectExtra.value == object_id)
            model.Session.query(HarvestObject).filter(
                HarvestObject.id.in_(members.scalar_subquery()), HarvestObject.state == "IMPORT",
            ).update({"state": BATCHED}, synchronize_session=False)
            model.Session.commit()
            queued.append(object_id)
    model.Session.remove()
    if queued:
        publisher = get_fetch_publisher()
        for object_id in queued:
            publisher.send({"harvest_object_id": object_id})
        publisher.close()
        log.warning("queued %d harvest object(s) again that a stopped process had left unfinished: %s",
                    len(queued), ", ".join(queued))
    return queued


def end_orphaned_gathers(grace_seconds: float | None = None) -> list[str]:
    """End the gathers of running jobs whose gather process died (nobody holds
    the job's `gathering` lock) and that started more than `grace_seconds`
    ago (`thueringen.harvest.gather_grace_seconds`): what it had read is stored, nothing is
    withdrawn (the source was not read to its end), and a gather error says so.
    The job then ends when its imports have, instead of waiting for
    `ckan.harvest.timeout`. Returns the ids of the jobs ended."""
    from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject
    from ckanext.harvest.queue import get_connection, get_gather_routing_key

    from .objects import GATHERING

    if grace_seconds is None:
        grace_seconds = float(toolkit.config.get("thueringen.harvest.gather_grace_seconds"))
    cutoff = datetime.datetime.utcnow() - datetime.timedelta(seconds=grace_seconds)
    candidates = [job_id for (job_id,) in model.Session.query(HarvestJob.id).filter(
        HarvestJob.status == "Running", HarvestJob.gather_finished.is_(None),
        HarvestJob.gather_started.isnot(None), HarvestJob.gather_started < cutoff)]
    model.Session.remove()
    ended = []
    for job_id in candidates:
        with gathering(job_id) as ours:
            if not ours:
                continue   # its gather is alive
            job = model.Session.get(HarvestJob, job_id, populate_existing=True)
            if job is None or job.status != "Running" or job.gather_finished is not None:
                continue
            # withdrawals are written last, once every page is read; a gather that
            # died among them must not withdraw some
            model.Session.query(HarvestObject).filter(
                HarvestObject.harvest_job_id == job_id, HarvestObject.state == GATHERING,
            ).update({"state": "ERROR"}, synchronize_session=False)
            model.Session.add(HarvestGatherError(
                job=job, message="Die Ernte wurde abgebrochen: der Prozess, der die Quelle las, wurde beendet. "
                                 "Die bis dahin gelesenen Datensätze werden gespeichert; es wurde nichts "
                                 "zurückgezogen. Die nächste Ernte liest die Quelle vollständig."))
            job.gather_finished = datetime.datetime.utcnow()
            model.Session.commit()
            ended.append(job_id)
    model.Session.remove()
    if ended:
        # its gather message, left unacknowledged by the dead consumer, must not
        # start the job again (ckanext-harvest's resubmit_jobs)
        try:
            connection = get_connection()
            for job_id in ended:
                connection.delete(f"{get_gather_routing_key()}:{job_id}")
        except Exception:  # noqa: BLE001 - gather_stage refuses an ended job anyway
            log.warning("gather message keys of ended jobs not removed", exc_info=True)
        log.warning("ended the gather of %d job(s) whose gather process had stopped: %s",
                    len(ended), ", ".join(ended))
    return ended


def _members_left_behind() -> list[str]:
    """BATCHED objects of running jobs whose leader has ended (ckanext-harvest
    sets a leader to ERROR after its fifth try, or when its job ended, without
    looking at its members): each is queued on its own, so that the job can end."""
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra

    Leader = sa.orm.aliased(HarvestObject)
    return [object_id for (object_id,) in model.Session.query(HarvestObject.id)
            .join(HarvestJob, HarvestJob.id == HarvestObject.harvest_job_id)
            .join(HarvestObjectExtra, sa.and_(HarvestObjectExtra.harvest_object_id == HarvestObject.id,
                                              HarvestObjectExtra.key == BATCH_OF))
            .join(Leader, Leader.id == HarvestObjectExtra.value)
            .filter(HarvestJob.status == "Running", HarvestObject.state == BATCHED,
                    Leader.state.in_(("COMPLETE", "ERROR")))]
