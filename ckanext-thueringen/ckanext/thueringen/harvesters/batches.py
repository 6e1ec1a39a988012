"""Import in batches: `import_batch` records per transaction, queued as one object.

The gather queues a page's records in batches (`queue_in_batches`); the
batch's first object (its leader) goes on the fetch queue and its import
stores the others with it (`import_batch`). Once the gather has read every
page, the gather consumer stores queued batches too (`import_released`). See
docs/harvesting.md ("Import in batches").
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import ckan.logic as logic
import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from ckanext.harvest import queue as harvest_queue
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra
from sqlalchemy.orm import selectinload

from ckanext.thueringen.fulltext import jobs as fulltext_jobs

from . import duplicates
from .ckan_overrides import IndexSender, activity_recorded_by_batch, solr_commit_deferred
from .importing import ImportPlan, RecordImport, action_context
from .objects import mark_complete, report_status
from .queue import BATCH_OF, BATCHED, importing
from .records import package_id_for

if TYPE_CHECKING:
    from .base import PortalHarvester

log = logging.getLogger(__name__)


def queue_in_batches(object_ids: list[str], size: int) -> None:
    """Queue gathered objects for import in batches of `size`, in the order read.

    Only the first object of a batch (its leader) becomes WAITING and is put on
    the fetch queue; the others are BATCHED, with the leader's id in the extra
    `batch_of`, and the leader's import stores them all in one transaction
    (`import_batch`). BATCHED is neither WAITING (which the scheduler's
    `harvest_jobs_run` queues again when it does not find it in Redis) nor
    COMPLETE or ERROR (so that the job does not end before they are stored);
    the job cannot end before the gather has either (`gather_finished`).
    Committed before the leaders are queued, so the fetch consumer finds what
    it is sent."""
    leaders, members = [], []
    for start in range(0, len(object_ids), size):
        leader, *rest = object_ids[start:start + size]
        leaders.append(leader)
        members += [(member, leader) for member in rest]
    for start in range(0, len(members), 1000):   # bounded statements, also for a page of 50,000 records
        chunk = members[start:start + 1000]
        model.Session.execute(HarvestObjectExtra.__table__.insert(), [
            {"id": str(uuid.uuid4()), "harvest_object_id": member, "key": BATCH_OF, "value": leader}
            for member, leader in chunk])
        model.Session.query(HarvestObject).filter(HarvestObject.id.in_([member for member, _ in chunk])) \
            .update({"state": BATCHED}, synchronize_session=False)
    model.Session.query(HarvestObject).filter(HarvestObject.id.in_(leaders)) \
        .update({"state": "WAITING"}, synchronize_session=False)
    model.Session.commit()
    publisher = harvest_queue.get_fetch_publisher()
    try:
        for leader in leaders:
            publisher.send({"harvest_object_id": leader})
    finally:
        publisher.close()


def import_released(harvester: PortalHarvester, job) -> int:
    """Once the gather has read every page, store the job's queued batches in
    the gather consumer as well, until none is left or another job waits for
    its gather; how many batches were stored here.

    ckanext-harvest's gather consumer idles after a gather while the fetch
    consumer stores the batches one after the other, on one core, waiting on
    PostgreSQL and Solr part of the time. With both consumers storing, a job
    uses the second core. They work from opposite ends (the fetch consumer
    from the front of the queue, this from the last page back); a batch is
    stored by whichever process holds its lock (`queue.importing`),
    and the fetch consumer drops the message of a batch stored here. A gather
    waiting in the queue comes first: this stops before the next batch, and
    the fetch consumer stores the rest. Off with
    `thueringen.harvest.gather_imports = false`."""
    if not toolkit.asbool(toolkit.config.get("thueringen.harvest.gather_imports")):
        return 0
    stored = 0
    try:
        while _job_running(job.id) and not _gather_waiting(job.id):
            if not _import_one_released(harvester, job.id):
                break
            stored += 1
    except Exception:  # noqa: BLE001 - the fetch consumer stores what is left; the gather must end
        log.exception("job %s: storing queued batches in the gather consumer stopped", job.id)
        model.Session.rollback()
    if stored:
        log.info("job %s: %d batch(es) stored by the gather consumer", job.id, stored)
    return stored


def _import_one_released(harvester: PortalHarvester, job_id: str) -> bool:
    """Store one queued batch of the job (the last queued one that no other
    process is storing); False when there is none."""
    waiting = [object_id for (object_id,) in model.Session.query(HarvestObject.id).filter(
        HarvestObject.harvest_job_id == job_id, HarvestObject.state == "WAITING")
        .order_by(HarvestObject.gathered.desc(), HarvestObject.id.desc()).limit(5)]
    for object_id in waiting:
        with importing(object_id) as ours:
            if not ours:
                continue
            # read again under the lock: the fetch consumer may have stored it meanwhile
            obj = model.Session.get(HarvestObject, object_id, populate_existing=True)
            if obj is None or obj.state != "WAITING":
                continue
            harvest_queue.fetch_and_import_stages(harvester, obj)
            return True
    return False


def _job_running(job_id: str) -> bool:
    """False once the job has ended (aborted, or ended by its timeout)."""
    return model.Session.query(HarvestJob.status).filter(HarvestJob.id == job_id).scalar() == "Running"


def _gather_waiting(job_id: str) -> bool:
    """Whether another job is queued for its gather (running, its gather not begun)."""
    return model.Session.query(HarvestJob.id).filter(
        HarvestJob.status == "Running", HarvestJob.gather_started.is_(None), HarvestJob.id != job_id,
    ).first() is not None


def batch_members(leader: HarvestObject) -> list[HarvestObject]:
    """The objects a leader stores with itself (see queue_in_batches), in gather order."""
    member_ids = model.Session.query(HarvestObjectExtra.harvest_object_id) \
        .filter(HarvestObjectExtra.key == BATCH_OF, HarvestObjectExtra.value == leader.id)
    return model.Session.query(HarvestObject) \
        .filter(HarvestObject.id.in_(member_ids.scalar_subquery()), HarvestObject.state == BATCHED) \
        .options(selectinload(HarvestObject.extras)) \
        .order_by(HarvestObject.gathered, HarvestObject.id).all()


def import_batch(harvester: PortalHarvester, leader: HarvestObject, members: list[HarvestObject]) -> bool:
    """Store a leader's batch in one transaction; the leader's result.

    Per record the work is CKAN's own (package_create/_update: scheming
    validation, save, IPackageController hooks), with `defer_commit` and
    `return_id_only`: the commit, the index document and the activity come at
    the end of the batch, where each dataset is dictized once for both (CKAN's
    activity plugin would dictize it a second time). One commit per batch
    instead of six per record (ckanext-harvest's fetch consumer saves an object
    at each step).

    Stored one at a time afterwards, each in a transaction of its own: records
    with a duplicate in another source (publishing the winner writes that source's dataset),
    records stored already or unreadable, and every record of a batch that
    failed (a record CKAN finds invalid, an error of the database or Solr) —
    so that a bad record gets its own error in the report and the others of its
    batch are stored. A crash rolls the whole batch back; its records stay
    unimported (BATCHED) and the next job stores them.
    """
    objects = [leader, *members]
    leader_id = leader.id   # read now: after a failed flush the session refuses every read until its rollback
    try:
        # the full-text jobs of the batch's documents go to Redis once it has committed
        with solr_commit_deferred(), activity_recorded_by_batch(), fulltext_jobs.held_back() as send_jobs:
            stored = _store_together(harvester, objects)
            send_jobs()
    except toolkit.ValidationError:
        model.Session.rollback()   # package_create rolled back already; the record's error comes below
        stored = set()
    except Exception:  # noqa: BLE001 - a batch that fails is stored record by record
        model.Session.rollback()   # first: the session is unusable until then (PendingRollbackError)
        log.warning("batch of harvest object %s failed; storing its records one at a time", leader_id,
                    exc_info=True)
        stored = set()
    result = True
    for obj in objects:
        if obj.id in stored:
            continue
        if obj is leader:
            result = harvester.import_one(obj)
        else:
            _import_member(harvester, obj)
    return result


def _store_together(harvester: PortalHarvester, objects: list[HarvestObject]) -> set[str]:
    """The batch part of import_batch: the ids of the objects stored and committed."""
    context = {**action_context(harvester), "defer_commit": True, "return_id_only": True}
    keys = [duplicates.duplicate_key_of(obj) for obj in objects]
    duplicates.lock_duplicate_keys(keys)
    claimants = duplicates.claimants(keys)
    # the batch's stored datasets in one query (held here: the session keeps them only weakly)
    stored = model.Session.query(model.Package).filter(model.Package.id.in_(
        [package_id_for(obj.harvest_source_id, obj.guid) for obj in objects])).all()
    stored_ids = {package.id for package in stored}
    written: list[tuple[HarvestObject, ImportPlan, Any]] = []
    reserved_names: set[str] = set()
    for obj in objects:
        job = RecordImport(harvester, obj, context, stored_ids, claimants, reserved_names)
        plan = job.plan()
        if not isinstance(plan, ImportPlan) or plan.rivals:
            continue
        modified_before = plan.existing.metadata_modified if plan.existing is not None else None
        job.write(plan)
        written.append((obj, plan, modified_before))
    model.Session.flush()
    now = datetime.utcnow()
    indexed = []
    for obj, plan, modified_before in written:
        if plan.existing is None:
            activity = "new"
        elif model.Package.get(plan.package_id).metadata_modified != modified_before:
            activity = "changed"
        else:
            activity = None
        indexed.append((plan.package_id, activity))
        if obj is not objects[0]:   # the leader's bookkeeping is ckanext-harvest's
            mark_complete(obj, "updated" if plan.existing is not None else "added", now)
    index_and_record_activities(context, indexed)
    model.repo.commit()
    return {obj.id for obj, _, _ in written}


def index_and_record_activities(context: dict, stored: list[tuple[str, str | None]]) -> None:
    """After deferred package_create/_update calls: each dataset's Solr document
    (without a commit) and, where its `activity` is "new" or "changed", its
    activity — both from one dictization (`package_show` with CKAN's default and
    the custom schema, as CKAN's own index notification makes it).

    The documents go to Solr from a thread of its own (`ckan_overrides.IndexSender`) while the
    next dataset is dictized: Solr analyses a document in its own process, so
    the import need not wait for each. Returns when Solr has accepted them all;
    raises CKAN's SearchIndexError if it did not, before the caller commits."""
    with IndexSender.sending() as sender:
        for package_id, activity in stored:
            shown = logic.package_show_default_and_custom_schemas(context, package_id)
            if activity:
                record_activity(context, package_id, activity, shown[1])
            logic.index_update_package_dicts(shown, defer_commit=True)
        sender.finish()



def record_activity(context: dict, package_id: str, activity_type: str, package_dict: dict) -> None:
    """The "new package"/"changed package" activity CKAN's activity plugin
    records, with `package_dict` (package_show with the custom schema) as its data."""
    if not plugins.plugin_loaded("activity"):
        return
    from ckan.lib.plugins import get_permission_labels

    user = context.get("auth_user_obj") or model.User.by_name(context["user"])
    toolkit.get_action("activity_create")({**context, "ignore_auth": True}, {
        "user_id": user.id, "object_id": package_id, "activity_type": f"{activity_type} package",
        "data": {"package": package_dict, "actor": user.name},
        "permission_labels": get_permission_labels().get_dataset_labels(model.Package.get(package_id)),
    })


def _import_member(harvester: PortalHarvester, obj: HarvestObject) -> None:
    """For a member of a batch stored on its own, what ckanext-harvest's fetch
    consumer does for a queued object (queue.fetch_and_import_stages). Under
    the member's own lock too: requeue_orphans looks at members as well."""
    with importing(obj.id) as ours:
        if ours:
            _import_member_held(harvester, obj)


def _import_member_held(harvester: PortalHarvester, obj: HarvestObject) -> None:
    obj.fetch_started = obj.fetch_finished = obj.import_started = datetime.utcnow()
    obj.state = "IMPORT"
    obj.save()
    stored = harvester.import_one(obj)
    obj.import_finished = datetime.utcnow()
    obj.state = "COMPLETE" if stored else "ERROR"
    obj.report_status = report_status(obj)
    obj.save()
