"""The import of one record: its plan (what to write) and the write.

`package_create`/`package_update` (validated by the scheming schema) of the
dataset with a fixed id per (source, record), so that a retried import never
makes a second dataset; the duplicate rule across sources; withdrawals
(`package_delete`, a soft delete). See docs/harvesting.md ("Pipeline").
"""
from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa
from ckan.lib.munge import munge_title_to_name
from ckan.model.package import PACKAGE_NAME_MAX_LENGTH
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from ckanext.thueringen.logic.validators import HARVESTED
from ckanext.thueringen.normalize import Unmapped

from . import duplicates
from .config import settings_or_default
from .duplicates import Candidate
from .fetch import display_url
from .messages import describe_validation_error
from .objects import CONTENT_HASH, IMPORT_HASH, WITHDRAWN, add_warning, extra_value, object_error, unset_current
from .records import HARVESTED_TYPES, dataset_value, duplicate_key, modified_time, package_id_for, record_hash

if TYPE_CHECKING:
    from .base import PortalHarvester


def action_context(harvester: HarvesterBase) -> dict[str, Any]:
    """The context of the actions an import runs, as the harvester's site user."""
    user = harvester._get_user_name()
    # auth_user_obj given: CKAN would look the user up again in each action it runs
    return {"model": model, "session": model.Session, "user": user, "auth_user_obj": model.User.by_name(user),
            "ignore_auth": True, HARVESTED: True}


@dataclass
class ImportPlan:
    """What the import of one record writes."""
    dataset: dict
    content: dict
    page: str
    digest: str
    package_id: str
    existing: Any            # the dataset stored before (model.Package), or None
    key: str                 # the duplicate key
    own: Candidate
    rivals: list[Candidate]  # datasets of other sources with the same key
    winner: Candidate


class RecordImport:
    """The import of one harvest object: `store` (or `withdraw`), or, in a batch,
    `plan` and `write`."""

    def __init__(self, harvester: PortalHarvester, obj: HarvestObject, context: dict | None = None,
                 stored_packages: set[str] | None = None, claimants: dict[str, list[Candidate]] | None = None,
                 reserved_names: set[str] | None = None):
        self.harvester = harvester
        self.obj = obj
        self.source = obj.source
        self.context = context or action_context(harvester)
        # the ids of the datasets that exist, when a batch has looked them up for all its
        # records at once (None: look each up); saves two queries per new dataset
        self.stored_packages = stored_packages
        # the datasets claiming each duplicate key, when a batch has looked them up for
        # all its records at once under their locks (None: look them up per record)
        self.claimants = claimants
        # the names given to new datasets of the same batch: not flushed yet, so
        # invisible to new_dataset_name's query
        self.reserved_names = reserved_names if reserved_names is not None else set()

    def store(self) -> bool:
        obj = self.obj
        plan = self.plan()
        if plan is None:
            return True
        if isinstance(plan, str):
            object_error(obj, plan)
            return False
        try:
            self.write(plan)
        except toolkit.ValidationError as exc:
            model.Session.rollback()
            unmapped = [Unmapped(**item) for item in plan.content.get("unmapped") or []]
            object_error(obj, describe_validation_error(obj.guid, plan.page, exc.error_dict, plan.dataset, unmapped))
            return False
        duplicates.publish_winner(plan.winner, [plan.own, *plan.rivals], self.context, skip=plan.own)
        if plan.winner is not plan.own:
            add_warning(obj, f"Dublette von {duplicates.dataset_label(plan.winner.package_id)}, Quelle "
                             f"{duplicates.source_label(plan.winner.package_id)}: Datensatz {obj.guid} hat dieselbe "
                             f"Kennung „{plan.key}“; der andere ist neuer oder kommt aus einer Quelle mit höherer "
                             "Priorität. Dieser wurde gespeichert, aber nicht veröffentlicht.",
                        duplicate_of=plan.winner.package_id)
        return True

    def plan(self) -> ImportPlan | str | None:
        """What to write for the record; None when it is stored already (a retry
        after a crash), a German message when it cannot be stored. Writes nothing."""
        obj = self.obj
        if extra_value(obj, IMPORT_HASH):
            return None
        content = json.loads(obj.content or "{}")
        dataset, page = content.get("dataset"), content.get("page") or self.source.url
        if not isinstance(dataset, dict):
            return f"Datensatz {obj.guid} aus {display_url(page)}: der gelesene Inhalt fehlt."
        settings = settings_or_default(self.source)
        package_id = package_id_for(self.source.id, obj.guid)
        existing = model.Package.get(package_id) \
            if self.stored_packages is None or package_id in self.stored_packages else None
        key = duplicate_key(dataset, obj.guid)
        own = Candidate(package_id, modified_time(dataset_value(dataset, "modified")), settings.priority,
                        existing is not None and existing.state == "active")
        if self.claimants is None:
            rivals = duplicates.rivals(key, package_id)
        else:
            rivals = [rival for rival in self.claimants.get(key, []) if rival.package_id != package_id]
        winner = duplicates.winner([own, *rivals])
        if winner is own:
            dataset.pop("duplicate_of", None)
            dataset["state"] = "active"
        else:
            dataset["duplicate_of"] = winner.package_id
            dataset["state"] = "deleted"
        return ImportPlan(dataset, content, page, extra_value(obj, CONTENT_HASH) or record_hash(dataset),
                          package_id, existing, key, own, rivals, winner)

    def write(self, plan: ImportPlan) -> None:
        """package_create/_update (with this import's context), with the harvest
        object's bookkeeping in the same transaction; raises ValidationError."""
        obj, dataset, existing = self.obj, plan.dataset, plan.existing
        dataset["id"] = plan.package_id
        if existing is not None:
            dataset["name"] = existing.name
            keep_resource_ids(dataset, existing)
            # package_update keeps a dataset's type; a record that became (or stopped being)
            # a publication changes it here, undone with the rest if validation fails.
            if (dataset.get("type") or "dataset") in HARVESTED_TYPES:
                existing.type = dataset.get("type") or "dataset"
        else:
            dataset["name"] = new_dataset_name(dataset.get("title") or obj.guid, plan.package_id,
                                               self.reserved_names)
            self.reserved_names.add(dataset["name"])
        if existing is not None:   # no object refers to a dataset that does not exist (foreign key)
            unset_current(plan.package_id, except_id=obj.id)
        obj.package_id = plan.package_id
        obj.current = dataset["state"] == "active"
        obj.extras.append(HarvestObjectExtra(key=IMPORT_HASH, value=plan.digest))
        model.Session.add(obj)
        model.Session.execute(sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
        model.Session.flush()
        action = "package_update" if existing is not None else "package_create"
        toolkit.get_action(action)(dict(self.context), dataset)

    def withdraw(self) -> bool:
        """The record vanished from its source: soft-delete its dataset (package_delete)."""
        obj = self.obj
        if extra_value(obj, IMPORT_HASH):
            return True
        package = model.Package.get(obj.package_id) if obj.package_id else None
        if package is not None:
            unset_current(package.id, except_id=obj.id)
        obj.current = False
        obj.extras.append(HarvestObjectExtra(key=IMPORT_HASH, value=WITHDRAWN))
        model.Session.add(obj)
        if package is not None and package.state == "active":
            toolkit.get_action("package_delete")(dict(self.context), {"id": package.id})
        else:
            model.Session.commit()
        if package is not None:
            key = duplicate_key(package.extras or {}, obj.guid)
            rivals = duplicates.rivals(key, package.id)
            if rivals:
                duplicates.publish_winner(duplicates.winner(rivals), rivals, self.context)
        return True


def new_dataset_name(title: str, package_id: str | None = None, reserved: set[str] | frozenset = frozenset()) -> str:
    """The URL name of a new dataset: its title munged as CKAN munges titles;
    when that is taken (or `reserved`, names given to other records of the same
    batch, not yet flushed), the title with a suffix made from the dataset's
    fixed id (`package_id_for`), so that two records with the same title get
    names that depend on nothing but their source and identifier, whichever is
    stored first; "-2", "-3" … only without an id or when both are taken.

    The taken names come from one `LIKE 'prefix%'` query, which the index
    `thueringen_package_name_pattern_idx` answers; ckanext-harvest's
    `_gen_new_name` asks with ILIKE, which no btree index serves, so it reads
    the whole package table for every new dataset. Names are lower case
    (CKAN's name validator), so LIKE finds what ILIKE would."""
    ideal = munge_title_to_name(title)
    # every candidate below starts with this prefix: room for a suffix of 13 characters
    prefix = ideal[:PACKAGE_NAME_MAX_LENGTH - 14]
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    taken = {name for (name,) in model.Session.query(model.Package.name)
             .filter(model.Package.name.like(pattern, escape="\\"))} | set(reserved)
    if ideal not in taken:
        return ideal
    digest = hashlib.sha256(package_id.encode()).hexdigest() if package_id else ""
    fixed = [f"-{digest[:6]}", f"-{digest[:12]}"] if digest else []
    for suffix in itertools.chain(fixed, (f"-{number}" for number in itertools.count(2))):
        candidate = ideal[:PACKAGE_NAME_MAX_LENGTH - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")


def keep_resource_ids(dataset: dict, existing) -> None:
    """Give resources the ids they had (matched by URI, then URL), so an update
    does not replace each resource."""
    by_key: dict[str, str] = {}
    for resource in existing.resources:
        for key in ((resource.extras or {}).get("uri"), resource.url):
            if key:
                by_key.setdefault(key, resource.id)
    taken: set[str] = set()
    for resource in dataset.get("resources") or []:
        for key in (resource.get("uri"), resource.get("url")):
            if key and by_key.get(key) and by_key[key] not in taken:
                resource["id"] = by_key[key]
                taken.add(resource["id"])
                break
