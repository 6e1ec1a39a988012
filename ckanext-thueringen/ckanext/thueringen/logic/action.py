"""The portal's actions, and the ckanext-harvest actions it chains.

Registered by the plugins `thueringen` (harvest report, harvest chains) and
`thueringen_fulltext` (full-text status); their auth functions are in auth.py.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.thueringen import harvest_report
from ckanext.thueringen.fulltext import status, storage
from ckanext.thueringen.harvesters import queue as harvest_queue
from ckanext.thueringen.logic import schema


def thueringen_harvest_report(context: dict, data_dict: dict) -> dict[str, Any]:
    """Status and the last jobs of a harvest source: `id` (id or name), optional
    `job_id` (one job) and `limit` (the last N jobs, default 5, at most 50)."""
    data = schema.validated(data_dict, schema.harvest_report_schema(), context)
    toolkit.check_access("thueringen_harvest_report", context, data_dict)
    return harvest_report.source_report(data["id"], data.get("job_id"),
                                       data.get("limit", harvest_report.DEFAULT_LIMIT))


@toolkit.side_effect_free
def thueringen_fulltext_status(context: dict, data_dict: dict) -> dict[str, Any]:
    """Full-text extraction status. `id`: a resource id (one document) or a
    dataset's id or name (all its documents, under `resources`).

    Per document: status (pending, done, failed), reason (German), pages,
    chars, mime_type, content_hash, attempts, next_attempt_at, extracted_at,
    url, and `document` (False for data files such as CSV, which are not
    extracted). Never the text itself."""
    identifier = schema.validated(data_dict, schema.fulltext_status_schema(), context)["id"]
    resource, package = status.resource_and_package(identifier)  # 404 before 403: ids are not secret
    toolkit.check_access("thueringen_fulltext_status", context, data_dict)
    if resource is not None:
        return status.document_status(resource, storage.status(resource.id))
    stored = storage.statuses_of_package(package.id)
    documents = [r for r in package.resources if r.state == "active"]
    return {"package_id": package.id,
            "resources": [status.document_status(r, stored.get(r.id)) for r in documents]}


# ckanext-harvest's actions that clear a source's jobs and objects (with or
# without its datasets), then the source's rows of the page memory, which would
# otherwise stay for good: with no import left to compare with, they could
# never settle a page again.

@toolkit.chained_action
def harvest_source_clear(original_action, context, data_dict):
    return _page_memory_cleared(original_action(context, data_dict))


@toolkit.chained_action
def harvest_source_job_history_clear(original_action, context, data_dict):
    # ckanext-harvest 1.6.3 checks the auth function of harvest_source_clear here instead
    # of its own, and CKAN's auth audit then refuses every call through the API; this
    # check can go once ckanext-harvest's action checks its own auth function
    toolkit.check_access("harvest_source_job_history_clear", context, data_dict)
    return _page_memory_cleared(original_action(context, data_dict))


@toolkit.chained_action
def harvest_jobs_run(original_action, context, data_dict):
    """Before ckanext-harvest marks finished jobs: queue again what a consumer
    that died left unfinished, so that its job can finish (requeue_orphans)."""
    toolkit.check_access("harvest_jobs_run", context, data_dict)
    harvest_queue.requeue_orphans()
    return original_action(context, data_dict)


def _page_memory_cleared(result: dict) -> dict:
    from ckanext.thueringen.harvesters.pages import PageMemory

    PageMemory.forget_source(result["id"])
    return result
