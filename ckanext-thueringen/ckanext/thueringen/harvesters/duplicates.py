"""Duplicates across sources: datasets with the same dct:identifier (else the same URI).

The newer dct:modified wins, then the higher source `priority`, then the
dataset that is already public; every other one is withdrawn (state deleted)
with `duplicate_of` naming the winner. See docs/harvesting.md ("Duplicates").
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa
from ckanext.harvest.model import HarvestObject, HarvestSource

from .config import settings_or_default
from .objects import IMPORT_HASH, WITHDRAWN, unset_current
from .records import HARVESTED_TYPES, OLDEST, duplicate_key, modified_time
from .state import last_imports_query

log = logging.getLogger(__name__)


@dataclass
class Candidate:
    """A dataset that claims a duplicate key."""
    package_id: str
    modified: datetime | None
    priority: int
    public: bool
    duplicate_of: str | None = None

    def rank(self):
        return (self.modified or OLDEST, self.priority, self.public)


def winner(candidates: list[Candidate]) -> Candidate:
    """Newest dct:modified, then highest priority, then already public; then the smallest id."""
    ordered = sorted(candidates, key=lambda c: c.package_id)
    return max(ordered, key=Candidate.rank)


def duplicate_key_of(obj: HarvestObject) -> str:
    """The duplicate key of the record a harvest object holds ("" without one)."""
    dataset = json.loads(obj.content or "{}").get("dataset")
    return duplicate_key(dataset, obj.guid) if isinstance(dataset, dict) else ""


def lock_duplicate_keys(keys: list[str]) -> None:
    """Hold the duplicate keys until the transaction ends: imports running at once
    (several fetch consumers) that store records with the same key take turns,
    so the later one finds the earlier one's dataset as a rival instead of both
    finding none and both staying public. Sorted, so that two batches that share
    keys cannot wait for each other."""
    for key in sorted(set(filter(None, keys))):
        model.Session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def rivals(key: str, package_id: str) -> list[Candidate]:
    """Other datasets with the same duplicate key whose source still has them
    (the key is locked first, see lock_duplicate_keys)."""
    if not key:
        return []
    lock_duplicate_keys([key])
    return [rival for rival in claimants([key]).get(key, []) if rival.package_id != package_id]


def claimants(keys: list[str]) -> dict[str, list[Candidate]]:
    """duplicate key -> the datasets that claim it and whose source still has
    them, for all `keys` in two queries (the caller holds their locks)."""
    keys = sorted(set(filter(None, keys)))
    if not keys:
        return {}
    Package = model.Package
    packages = model.Session.query(Package).filter(
        Package.type.in_(HARVESTED_TYPES),
        sa.or_(Package.extras["identifier"].astext.in_(keys), Package.extras["uri"].astext.in_(keys))).all()
    wanted = set(keys)
    packages = [p for p in packages if duplicate_key(p.extras or {}) in wanted]
    if not packages:
        return {}
    rows = model.Session.execute(sa.text(
        "SELECT package_id, harvest_source_id, value FROM ("
        + last_imports_query("package_id", "o.package_id = ANY(:ids)") + ") last_imports"),
        {"import_key": IMPORT_HASH, "ids": [p.id for p in packages]})
    live = {package_id: source_id for package_id, source_id, value in rows if value != WITHDRAWN}
    priorities: dict[str, int] = {}
    found: dict[str, list[Candidate]] = {}
    for package in packages:
        source_id = live.get(package.id)
        if source_id is None:
            continue   # not from a portal harvester, or withdrawn from its source
        if source_id not in priorities:
            source = HarvestSource.get(source_id)
            priorities[source_id] = settings_or_default(source).priority if source else 0
        extras = package.extras or {}
        found.setdefault(duplicate_key(extras), []).append(Candidate(
            package.id, modified_time(extras.get("modified")), priorities[source_id], package.state == "active",
            extras.get("duplicate_of") or None))
    return found


def publish_winner(chosen: Candidate, candidates: list[Candidate], context: dict,
                   skip: Candidate | None = None) -> None:
    """Make `chosen` public and every other candidate withdrawn with duplicate_of =
    chosen, writing only what differs; `skip` is stored already."""
    changes = []
    if chosen is not skip and (not chosen.public or chosen.duplicate_of):
        changes.append((chosen.package_id, {"state": "active", "duplicate_of": ""}, True))
    for loser in candidates:
        if loser is not chosen and loser is not skip and (loser.public or loser.duplicate_of != chosen.package_id):
            changes.append((loser.package_id, {"state": "deleted", "duplicate_of": chosen.package_id}, False))
    for package_id, patch, public in changes:
        try:
            toolkit.get_action("package_patch")(dict(context), {"id": package_id, **patch})
        except (toolkit.ValidationError, toolkit.ObjectNotFound) as exc:
            model.Session.rollback()
            log.warning("duplicate %s could not be %s: %s", package_id, "restored" if public else "withdrawn",
                        getattr(exc, "error_dict", exc))
            continue
        _mark_current(package_id, public)


def _mark_current(package_id: str, public: bool) -> None:
    """ckanext-harvest's `current`: the object of the last import of a public dataset."""
    unset_current(package_id)
    if public:
        last = model.Session.execute(sa.text(
            "SELECT id FROM (" + last_imports_query("package_id", "o.package_id = :package_id") + ") last_import"),
            {"import_key": IMPORT_HASH, "package_id": package_id}).scalar()
        if last:
            model.Session.query(HarvestObject).filter(HarvestObject.id == last) \
                .update({"current": True}, synchronize_session=False)
    model.Session.commit()


def dataset_label(package_id: str) -> str:
    package = model.Package.get(package_id)
    if package is None:
        return package_id
    return f"„{package.title}“ ({package.name})"


def source_label(package_id: str) -> str:
    """The harvest source whose last import stored the dataset."""
    source = model.Session.query(HarvestSource) \
        .join(HarvestObject, HarvestObject.harvest_source_id == HarvestSource.id) \
        .filter(HarvestObject.package_id == package_id).order_by(HarvestObject.gathered.desc()).first()
    return f"„{source.title}“" if source is not None else "unbekannt"
