"""Stored datasets to CKAN's API form of formats and licences (normalize.ckan_form):
`license_id` a short id with the URI in `license_uri`, each resource's `format`
a short name with the URI in `format_uri`.

Datasets stored before the portal kept these forms hold the URIs in
`license_id` and `format`. The migration rewrites only those columns and
extras, in batches (one transaction and one Solr commit per batch), and
reindexes what it changed; a dataset already in the new form is left as it
is, so running it again changes nothing.
"""
from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass

import ckan.model as model
from ckan.lib import search

from ckanext.thueringen import normalize

log = logging.getLogger(__name__)


@dataclass
class Counts:
    seen: int = 0
    changed: int = 0


def _present(record: dict) -> dict:
    return {key: value for key, value in record.items() if value is not None}


def _stored(package: model.Package) -> dict:
    """The package's licence and formats as the API shows them (no key for no value)."""
    extras = package.extras or {}
    return _present({
        "license_id": package.license_id, "license_uri": extras.get("license_uri"),
        "resources": [_present({"format": resource.format, "format_uri": (resource.extras or {}).get("format_uri")})
                      for resource in package.resources]})


def _migrate(package: model.Package) -> bool:
    """Rewrite one package in the session; True when something changed."""
    before = _stored(package)
    after = normalize.to_ckan_form(copy.deepcopy(before))
    if after == before:
        return False
    package.license_id = after.get("license_id")
    extras = dict(package.extras or {})
    if after.get("license_uri"):
        extras["license_uri"] = after["license_uri"]
    else:
        extras.pop("license_uri", None)
    package.extras = extras
    for resource, wanted in zip(package.resources, after["resources"]):
        resource.format = wanted.get("format")
        resource_extras = dict(resource.extras or {})
        if wanted.get("format_uri"):
            resource_extras["format_uri"] = wanted["format_uri"]
        else:
            resource_extras.pop("format_uri", None)
        resource.extras = resource_extras
    return True


def migrate(batch_size: int = 200, dry_run: bool = False,
            progress: Callable[[Counts], None] | None = None) -> Counts:
    """Migrate every dataset that is not deleted (datasets and publications,
    also private ones and drafts); `dry_run` only counts."""
    counts = Counts()
    session = model.Session
    ids = [row[0] for row in session.query(model.Package.id)
           .filter(model.Package.state != model.State.DELETED).order_by(model.Package.id)]
    for start in range(0, len(ids), batch_size):
        changed = []
        for package in session.query(model.Package).filter(model.Package.id.in_(ids[start:start + batch_size])):
            counts.seen += 1
            if _migrate(package):
                changed.append(package.id)
        counts.changed += len(changed)
        if dry_run or not changed:
            session.rollback()
        else:
            session.commit()
            search.rebuild(package_ids=changed, defer_commit=True, quiet=True)
            search.commit()
        if progress:
            progress(counts)
    return counts
