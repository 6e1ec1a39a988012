"""Harvest reports per source: status and the last jobs with their counts,
errors and warnings (German messages). The action `thueringen_harvest_report`
(logic/action.py) returns them; the harvest source pages (public page and admin
page) show them.

The report is public for everyone who may see the source: it describes public
metadata (the records a public source offers and why some were not taken), and
the transparency rules want status, last runs and errors of every source on
view. Private or deleted sources stay hidden from those who may not see them."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckanext.harvest.model import HarvestJob, HarvestSource

from ckanext.thueringen.harvesters.report import job_report

DEFAULT_LIMIT = 5
MAX_LIMIT = 50
COUNTS = ("added", "updated", "unchanged", "withdrawn", "failed", "not_processed")


def find_source(source_id: str) -> HarvestSource:
    """The harvest source by the id or name of its package."""
    package = model.Package.get(source_id)   # id or name
    source = HarvestSource.get(package.id) if package and package.type == "harvest" else None
    if source is None:
        raise toolkit.ObjectNotFound(toolkit._("Harvest source not found"))
    return source


def _time(value) -> str | None:
    return value.isoformat() if value else None


def _job(job: HarvestJob) -> dict[str, Any]:
    return {"id": job.id, "status": job.status, "created": _time(job.created),
            "started": _time(job.gather_started), "finished": _time(job.finished), **job_report(job.id)}


def source_report(source_id: str, job_id: str | None = None, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The source (id, name, title, active, status of the last job, job count) and
    the last `limit` jobs, newest first; with `job_id` only that job of the source."""
    source = find_source(source_id)
    jobs = model.Session.query(HarvestJob).filter(HarvestJob.source_id == source.id)
    if job_id:
        jobs = jobs.filter(HarvestJob.id == job_id).all()
        if not jobs:
            raise toolkit.ObjectNotFound(toolkit._("Harvest job not found"))
    else:
        jobs = jobs.order_by(HarvestJob.created.desc()).limit(limit).all()
    package = model.Package.get(source.id)
    job_count = model.Session.query(HarvestJob).filter(HarvestJob.source_id == source.id).count()
    last = (model.Session.query(HarvestJob).filter(HarvestJob.source_id == source.id)
            .order_by(HarvestJob.created.desc()).first())
    return {"source": {"id": source.id, "name": package.name, "title": source.title, "url": source.url,
                       "type": source.type, "active": bool(source.active), "job_count": job_count,
                       "status": last.status if last else None},
            "jobs": [_job(job) for job in jobs]}
