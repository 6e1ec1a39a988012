"""The gather: a source's records as harvest objects, queued for import page by page.

For each page: the source's defaults, the hash, the duplicate identifiers inside
the source, one HarvestObject per record; a record unchanged since its last
import is "not modified" at once and never queued. After the last page, the
records that vanished get a withdrawal object (under `delete_threshold`).
See docs/harvesting.md ("Pipeline", "Withdrawals and the guard").
"""
from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from .batches import queue_in_batches
from .config import ConfigError, SourceConfig, parse_source_config
from .fetch import FetchError, display_url
from .limits import Limits, fit_to_limits
from .objects import (
    ACTION,
    CONTENT_HASH,
    GATHERING,
    IMPORT_HASH,
    WARNINGS,
    WITHDRAW,
    WITHDRAWN,
    gather_error,
    mark_complete,
)
from .pages import PageMemory
from .rdf_guard import ParseError
from .records import (
    OLDEST,
    RECORD_WARNING_KINDS,
    GatherFailure,
    Page,
    Record,
    dataset_value,
    duplicate_key,
    modified_time,
    record_findings,
    record_hash,
    unmapped_warning,
    with_defaults,
)
from .state import STORED_RECORDS, last_imports, last_imports_in_place, owner_org, prune_history

if TYPE_CHECKING:
    from .base import PortalHarvester


@dataclass
class _Kept:
    """The record kept so far under a duplicate key (duplicates inside one source)."""
    guid: str
    modified: datetime | None
    object_id: str = ""


class Gather:
    """One gather of a harvest job (`PortalHarvester.gather_stage`)."""

    def __init__(self, harvester: PortalHarvester, job):
        self.harvester = harvester
        self.job = job
        self.source = job.source
        self.where = display_url(self.source.url)
        self.settings: SourceConfig | None = None
        self.failed = False
        self.records_read = 0
        self.kept: dict[str, _Kept] = {}  # duplicate key -> record: keys only, never the records
        self.page_objects: set[str] = set()  # the objects of the page being taken, until it is released
        self.owner_org: str | None = None
        self.limits = Limits.from_config(toolkit.config)

    def fail(self, message: str) -> None:
        self.failed = True
        gather_error(self.job, message)

    def run(self) -> None:
        try:
            settings = parse_source_config(self.source.config, self.harvester.config_options)
        except ConfigError as exc:
            self.fail(f"Die Konfiguration der Quelle {self.where} ist ungültig: {exc}")
            return
        self.settings = settings
        prune_history(self.source.id, settings.keep_jobs)
        self.owner_org = owner_org(self.source.id)
        memory = self.harvester.page_memory = PageMemory(self.source.id, self.job.id, settings, self.owner_org)
        with tempfile.TemporaryDirectory(prefix="harvest-") as workdir:
            try:
                for page in self.harvester.gather_pages(self.source.url, settings, Path(workdir)):
                    for message in getattr(page, "refused", ()):
                        gather_error(self.job, f"Warnung: {message}")
                    if not isinstance(page, Page):
                        self.take(page, settings)
                    elif page.settled is not None:
                        self.take_settled(page)
                    else:
                        memory.remember(page, self.take(page.records, settings))
                listing = self.harvester.current_guids(self.source.url, settings, Path(workdir))
            except (GatherFailure, FetchError, ParseError) as exc:
                self.fail(f"{str(exc).rstrip('.')}. Die Ernte ist unvollständig; es wurde nichts zurückgezogen.")
                return
            finally:
                self.harvester.page_memory = None
        memory.forget_other_pages()
        self.withdraw_vanished(settings, listing)

    def take(self, records: list[Record], settings: SourceConfig) -> list[list]:
        """Write one HarvestObject per record of a page; commit once per page.
        Returns what PageMemory keeps of each record."""
        self.records_read += len(records)
        last = last_imports_in_place(self.source.id, [record.guid for record in records])
        self.page_objects = set()
        page_ids = []
        remembered = []
        for record in records:
            dataset, fitted = fit_to_limits(with_defaults(record.dataset, settings, self.owner_org), self.limits)
            kept = self.keep_newest(record, dataset)
            digest = record_hash(dataset)
            remembered.append([record.guid, digest, duplicate_key(dataset, record.guid),
                               dataset_value(dataset, "modified"), kept is not None])
            if kept is None:
                continue
            findings = [*record_findings(record, dataset), *fitted]
            content = {"dataset": dataset, "page": record.page, "unmapped": [vars(item) for item in findings]}
            # The id is made here, not by the database default at a flush, so the
            # page's objects go to the database in one flush at the commit below.
            obj = HarvestObject(id=str(uuid.uuid4()), guid=record.guid, job=self.job,
                                content=json.dumps(content, ensure_ascii=False),
                                state=GATHERING, extras=[HarvestObjectExtra(key=CONTENT_HASH, value=digest)])
            # a warning per record for what changed or lost a value; the rest
            # (missing, derived, cleaned) the report sums up by field (FindingsSummary)
            noted = [item for item in findings if item.kind in RECORD_WARNING_KINDS]
            if noted:
                warnings = [unmapped_warning(item) for item in noted]
                obj.extras.append(HarvestObjectExtra(key=WARNINGS, value=json.dumps(warnings, ensure_ascii=False)))
            previous_hash, package_id = last.get(record.guid, (None, None))
            unchanged = previous_hash == digest
            if unchanged:
                obj.package_id = package_id
                mark_complete(obj, "not modified")
            model.Session.add(obj)
            kept.object_id = obj.id
            self.page_objects.add(obj.id)
            if not unchanged:
                page_ids.append(obj.id)
        model.Session.commit()
        self.release([object_id for object_id in page_ids if object_id in self.page_objects])
        return remembered

    def take_settled(self, page: Page) -> None:
        """A page that PageMemory found as it was: each of its records is stored as
        read then, so each gets a "not modified" object, without its content —
        through the same duplicate check as a read page."""
        self.records_read += len(page.settled)
        last = last_imports(self.source.id, [guid for guid, *_ in page.settled])
        self.page_objects = set()
        now = datetime.utcnow()
        for guid, digest, key, modified, _kept in page.settled:
            record = Record(guid=guid, dataset={}, page=page.url)
            kept = self.keep_newest(record, {"identifier": key, "modified": modified})
            if kept is None:
                continue
            obj = HarvestObject(id=str(uuid.uuid4()), guid=guid, job=self.job, package_id=last[guid][1],
                                extras=[HarvestObjectExtra(key=CONTENT_HASH, value=digest)])
            mark_complete(obj, "not modified", now)
            model.Session.add(obj)
            kept.object_id = obj.id
        model.Session.commit()

    def release(self, object_ids: list[str]) -> None:
        """Queue the records of a page to be stored as soon as the page is written,
        so that the import runs while the gather reads the next pages
        (`batches.queue_in_batches`)."""
        self.page_objects = set()
        if object_ids:
            queue_in_batches(object_ids, self.settings.import_batch if self.settings else 1)

    def finish(self) -> list[str]:
        """The objects still GATHERING when the gather ends (the withdrawals, made
        once every page is read) become WAITING; ckanext-harvest queues the ids
        returned, one import each."""
        waiting = [object_id for (object_id,) in model.Session.query(HarvestObject.id).filter(
            HarvestObject.harvest_job_id == self.job.id, HarvestObject.state == GATHERING)]
        if waiting:
            model.Session.query(HarvestObject).filter(HarvestObject.id.in_(waiting)) \
                .update({"state": "WAITING"}, synchronize_session=False)
            model.Session.commit()
        return waiting

    def keep_newest(self, record: Record, dataset: dict) -> _Kept | None:
        """Duplicate identifiers inside the source: the newest record stays (the
        first one of equally new ones), each other one is reported. The entry
        for `record`, or None when it is not kept.

        A newer record whose older duplicate was on an earlier page, queued
        already (or "not modified"), does not undo that: both are stored, and
        the import's duplicate rule (the same as across sources) withdraws the
        older one and links it to the newer. Dropping the older one's object
        instead would make its dataset look vanished, and the next harvest
        would store it again — a write on every unchanged harvest."""
        key = duplicate_key(dataset, record.guid)
        modified = modified_time(dataset_value(dataset, "modified"))
        earlier = self.kept.get(key)
        if earlier is not None and (modified or OLDEST) <= (earlier.modified or OLDEST):
            self.report_duplicate(key, kept=earlier.guid, dropped=record.guid)
            return None
        if earlier is not None and earlier.object_id in self.page_objects:
            self.report_duplicate(key, kept=record.guid, dropped=earlier.guid)
            self.drop(earlier.object_id)
        elif earlier is not None:
            gather_error(self.job, f"Warnung: Die Kennung „{key}“ kommt in der Quelle {self.where} mehrfach "
                                   f"vor. Übernommen wurde der zuletzt geänderte Datensatz {record.guid}; "
                                   f"{earlier.guid} wird als sein Duplikat zurückgezogen.")
        self.kept[key] = _Kept(record.guid, modified)
        return self.kept[key]

    def report_duplicate(self, key: str, kept: str, dropped: str) -> None:
        gather_error(self.job, f"Warnung: Die Kennung „{key}“ kommt in der Quelle {self.where} mehrfach vor. "
                               f"Übernommen wurde der zuletzt geänderte Datensatz {kept}; {dropped} wurde "
                               "nicht übernommen.")

    def drop(self, object_id: str) -> None:
        """Forget the object of a record on the page being taken that turned out
        to be an older duplicate (not queued yet)."""
        model.Session.flush()   # the object may still be pending in this page's session
        model.Session.query(HarvestObjectExtra).filter(HarvestObjectExtra.harvest_object_id == object_id) \
            .delete(synchronize_session=False)
        model.Session.query(HarvestObject).filter(HarvestObject.id == object_id).delete(synchronize_session=False)
        self.page_objects.discard(object_id)

    def withdraw_vanished(self, settings: SourceConfig, listing: set[str] | None) -> None:
        """Withdrawal objects for the records this source had and no longer has
        (`listing`: all it has now; None: what this gather read), unless the
        source gives less than `delete_threshold` of what it had."""
        params = {"import_key": IMPORT_HASH, "source_id": self.source.id, "job_id": self.job.id,
                  "withdrawn": WITHDRAWN}
        stored = model.Session.execute(sa.text(f"SELECT count(*) FROM ({STORED_RECORDS}) stored"), params).scalar()
        if listing is None:
            count = self.records_read
            vanished = model.Session.execute(sa.text(f"""
                SELECT guid, package_id FROM ({STORED_RECORDS}) stored
                WHERE NOT EXISTS (SELECT 1 FROM harvest_object o
                                  WHERE o.harvest_job_id = :job_id AND o.guid = stored.guid)"""), params).all()
        else:
            count = len(listing)
            vanished = [row for row in model.Session.execute(sa.text(STORED_RECORDS), params)
                        if row[0] not in listing]
        if not vanished:
            return
        if count < settings.delete_threshold * stored:
            gather_error(self.job, (
                f"Warnung: Die Quelle {self.where} lieferte {count} Datensätze, zuletzt waren es "
                f"{stored}. Das ist weniger als {settings.delete_threshold * 100:g} % des letzten Stands; "
                f"vermutlich ist die Quelle gestört. Die {len(vanished)} fehlenden Datensätze wurden deshalb "
                "nicht zurückgezogen (Schwelle „delete_threshold“ in der Konfiguration der Quelle)."))
            return
        for guid, package_id in vanished:
            obj = HarvestObject(guid=guid, job=self.job, package_id=package_id, state=GATHERING,
                                extras=[HarvestObjectExtra(key=ACTION, value=WITHDRAW)])
            model.Session.add(obj)
        model.Session.commit()
