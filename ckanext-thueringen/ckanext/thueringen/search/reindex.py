"""Indexing a dataset again from a background worker without undoing a save.

A worker (quality scores, full texts) indexes a dataset again long after it was
saved. CKAN indexes a save just before the save's transaction commits. Without
care a worker could read the dataset before a concurrent save commits and send
that older copy to Solr after the save's own copy: the index would show the
dataset as it was before the save until the next change. So the worker holds a
share lock on the dataset's row from its read until Solr has its copy; a save
that comes meanwhile waits for it and then sends the newer copy, last.
"""
from __future__ import annotations

import ckan.model as model
from ckan import logic


def reindex(package_id: str, *, defer_commit: bool = False) -> None:
    """Send the dataset as stored now to Solr, and end the session's
    transaction. (CKAN's `search.rebuild` with one id ignores `defer_commit`.)"""
    try:
        model.Session.query(model.Package.id).filter(model.Package.id == package_id) \
            .with_for_update(read=True).all()
        logic.index_update_package({"ignore_auth": True}, package_id, defer_commit)
    except BaseException:
        model.Session.rollback()
        raise
    model.Session.commit()
