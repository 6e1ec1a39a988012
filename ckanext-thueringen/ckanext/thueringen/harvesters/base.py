"""The base class of the portal's harvesters: what every one does, whatever protocol it speaks.

A harvester only lists a source's records, page by page (`gather_pages`); the
rest of the pipeline (fetch -> parse -> normalise -> validate -> store) is
shared: the gather (gather.py), the import (importing.py, batches.py,
duplicates.py), the bookkeeping (objects.py, state.py) and the report
(report.py). How it works: docs/harvesting.md.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.lib.search import common as search_common
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject

from ckanext.thueringen import normalize

from .batches import batch_members, import_batch, import_released
from .ckan_overrides import solr_commit_deferred
from .config import SourceConfig, parse_source_config
from .fetch import display_url, one_line
from .gather import Gather
from .importing import RecordImport
from .messages import record_label
from .objects import ACTION, WITHDRAW, extra_value, object_error
from .pages import PageMemory
from .queue import gathering
from .records import Page, Record

log = logging.getLogger(__name__)


class PortalHarvester(HarvesterBase):
    """Base of the portal's harvesters. A subclass gives
    `info()` and `gather_pages()`, and `config_options` for keys of its own."""

    # config keys of this harvester besides the common ones: name -> check
    # (returns the value or raises ConfigError; an attribute `default` is the default)
    config_options: dict[str, Any] = {}
    # what the last gather read on each page of the source, during a gather (a
    # harvester that yields `Page`s asks it before parsing a page); else None
    page_memory: PageMemory | None = None

    def gather_pages(self, source_url: str, settings: SourceConfig, workdir: Path) -> Iterator[list[Record] | Page]:
        """The source's records, one list (or Page) per page. Raises GatherFailure
        (or FetchError, ParseError) when the source cannot be read completely."""
        raise NotImplementedError

    def current_guids(self, source_url: str, settings: SourceConfig, workdir: Path) -> set[str] | None:
        """Every record the source has now, for harvesters whose gathers list only
        what changed (incremental); None (the default): each gather is complete and
        a record it did not list has vanished. Raises like gather_pages."""
        return None

    # IHarvester

    def validate_config(self, config: str | None) -> str | None:
        parse_source_config(config, self.config_options)
        return config

    def get_original_url(self, harvest_object_id: str) -> str | None:
        obj = HarvestObject.get(harvest_object_id)
        if obj is None:
            return None
        if normalize.uri(obj.guid) and obj.guid.lower().startswith(("http://", "https://")):
            return obj.guid
        return obj.source.url if obj.source else None

    def gather_stage(self, harvest_job) -> list[str]:
        with gathering(harvest_job.id) as ours:
            # A job's gather message comes again when ckanext-harvest's resubmit_jobs
            # finds it unacknowledged (its consumer died): another process gathers
            # it now, or it was ended already (`queue.end_orphaned_gathers`).
            if not ours or harvest_job.gather_finished is not None or harvest_job.status == "Finished":
                log.warning("gather of job %s: gathered by another process or ended already", harvest_job.id)
                return []
            return self._gather(harvest_job)

    def _gather(self, harvest_job) -> list[str]:
        run = Gather(self, harvest_job)
        try:
            run.run()
        except Exception as exc:  # noqa: BLE001 - an exception here would end the gather consumer
            log.exception("gather of job %s failed", harvest_job.id)
            model.Session.rollback()
            run.fail(f"Die Ernte von {display_url(harvest_job.source.url)} brach mit einem internen Fehler ab "
                     f"({one_line(exc)}); es wurde nichts zurückgezogen.")
        try:
            waiting = run.finish()
            # Every object is written and WAITING or BATCHED now: the job can end without
            # this process. ckanext-harvest sets gather_finished only once gather_stage has
            # returned, so a gather consumer that died while storing batches below would
            # leave the job Running until its timeout.
            harvest_job.gather_finished = datetime.utcnow()
            model.Session.commit()
        except Exception:  # noqa: BLE001 - ckanext-harvest deletes every object of a job whose gather raised
            model.Session.rollback()
            log.exception("gather of job %s: ending the gather failed", harvest_job.id)
            return []
        import_released(self, harvest_job)
        return waiting

    def fetch_stage(self, harvest_object) -> bool:
        return True  # the gather has read the record already

    def import_stage(self, harvest_object) -> bool | str:
        members = batch_members(harvest_object)   # none for withdrawals and for import_batch 1
        return import_batch(self, harvest_object, members) if members else self.import_one(harvest_object)

    def import_one(self, harvest_object) -> bool:
        """Store (or withdraw) one record in a transaction of its own."""
        # read now: after a failed flush the session refuses every read until its rollback
        object_id, what = harvest_object.id, record_label(harvest_object)
        try:
            for attempt in (1, 2):
                try:
                    with solr_commit_deferred():
                        if extra_value(harvest_object, ACTION) == WITHDRAW:
                            return RecordImport(self, harvest_object).withdraw()
                        return RecordImport(self, harvest_object).store()
                except sa.exc.IntegrityError as exc:
                    # another process stored a dataset with the name this one chose, between
                    # the name's look-up and the flush: the second look-up sees it
                    model.Session.rollback()
                    if attempt == 2 or "package_name_key" not in str(exc.orig):
                        raise
            raise AssertionError("unreachable")
        except (search_common.SearchIndexError, search_common.SolrConnectionError) as exc:
            model.Session.rollback()
            log.warning("import of harvest object %s: search index failed: %s", object_id, exc)
            object_error(harvest_object, f"{what} wurde nicht übernommen: der Suchindex (Solr) hat ihn nicht "
                                         f"angenommen oder ist nicht erreichbar ({one_line(exc)}). Ein schon "
                                         "gespeicherter Stand bleibt unverändert; die nächste Ernte versucht "
                                         "es wieder.")
            return False
        except Exception as exc:  # noqa: BLE001 - one record must not end the fetch consumer
            model.Session.rollback()   # first: the session is unusable until then (PendingRollbackError)
            log.exception("import of harvest object %s failed", object_id)
            object_error(harvest_object, f"{what} wurde nicht übernommen: interner Fehler beim Speichern "
                                         f"({one_line(exc)}). Ein schon gespeicherter Stand bleibt unverändert.")
            return False
