"""Setting up an instance: the sysadmin, the script token, and the actions and
harvest runs that the demo content and the source registry use.

Used by `ckan thueringen sysadmin` and `ckan thueringen demo`, which `make run`
calls on every start: everything here is idempotent.
"""
from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckan.lib import api_token
from ckanext.harvest.logic import HarvestJobExists

log = logging.getLogger(__name__)

TOKEN_NAME = "portal-scripts"


def site_context() -> dict[str, Any]:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def action(name: str, data: dict[str, Any], **context: Any) -> Any:
    """Call an action as the site user; `context` adds to the action context."""
    return toolkit.get_action(name)({**site_context(), **context}, data)


@dataclass
class SysadminResult:
    name: str
    created: bool
    password: str | None  # only when it was generated now
    token_file: Path | None


def ensure_sysadmin(name: str, email: str, password: str | None, state_dir: Path | None) -> SysadminResult:
    """Create the sysadmin (or promote the user) and keep an API token for scripts."""
    user = model.User.get(name)
    created = user is None
    generated = None
    if created:
        if not password:
            generated = password = secrets.token_urlsafe(12)
        action("user_create", {"name": name, "email": email, "password": password,
                               "fullname": "Portal-Administration"})
        user = model.User.get(name)
    if not user.sysadmin:
        user.sysadmin = True
        model.Session.commit()
    token_file = None
    if state_dir is not None:
        token_file = state_dir / "sysadmin-token"
        if not _token_valid(token_file, user.id):
            token = action("api_token_create", {"user": name, "name": TOKEN_NAME})["token"]
            token_file.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(token + "\n")
        token_file.chmod(0o600)
    return SysadminResult(name, created, generated, token_file)


def _token_valid(token_file: Path, user_id: str) -> bool:
    try:
        token = token_file.read_text().strip()
    except OSError:
        return False
    owner = api_token.get_user_from_token(token, update_access_time=False)
    return owner is not None and owner.id == user_id


# ------------------------------------------------------------------ harvests

def last_job(source_id: str) -> dict[str, Any] | None:
    return action("harvest_source_show_status", {"id": source_id}).get("last_job")


def run_harvests(source_ids: list[str], timeout: float,
                 progress: Callable[[str], None] = lambda text: None) -> dict[str, dict[str, Any]]:
    """Start one job per source and wait until every job is finished.

    A source that has a job queued or running already is not given a second
    one; its job is waited for instead. The scheduler queues a job for every
    new source that is not MANUAL on its next round, so a source registered a
    moment ago may have one by the time it is harvested here.

    `harvest_jobs_run` is what marks a job finished once its objects are
    imported; the scheduler calls it too, but only every minute.
    """
    for source_id in source_ids:
        try:
            action("harvest_job_create", {"source_id": source_id, "run": True})
        except HarvestJobExists:
            progress(f"{source_id}: a job is queued or running already; waiting for it")
    deadline = time.monotonic() + timeout
    pending = set(source_ids)
    jobs: dict[str, dict[str, Any]] = {}
    while pending and time.monotonic() < deadline:
        time.sleep(2)
        model.Session.remove()
        action("harvest_jobs_run", {})
        for source_id in list(pending):
            job = last_job(source_id)
            if job and job["status"] == "Finished":
                jobs[source_id] = job
                pending.discard(source_id)
                progress(f"{source_id}: {job['stats']}")
    if pending:
        raise TimeoutError(f"harvest jobs not finished after {timeout:.0f} s: {sorted(pending)}")
    return jobs
