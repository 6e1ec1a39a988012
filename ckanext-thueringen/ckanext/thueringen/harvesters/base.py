"""What every harvester of the portal does, whatever protocol it speaks.

A harvester (`harvesters/dcat.py` for DCAT-AP.de) only lists a source's records,
page by page (`PortalHarvester.gather_pages`); this module does the rest of the
pipeline fetch -> parse -> normalise -> validate -> store:

gather (gather consumer)
    For each page: apply the source's defaults to each record, hash it, drop
    duplicate identifiers inside the source (the newest record stays; an older
    one on an earlier page, queued already, is withdrawn as its duplicate at
    the import), and write one HarvestObject per record at once (content:
    JSON of the normalised dataset and its unmapped values). A record whose
    hash equals the one of its last import is marked "not modified" right
    there and never queued: a re-harvest of an unchanged source writes no
    dataset and touches no Solr document. The page's other records are queued
    for import at once (`_Gather.release`), so the import runs while the
    gather reads on. After the last page, records that vanished from the source
    get a withdrawal object — unless the gather failed or the source gave less
    than `delete_threshold` of the records it had: then only a warning.
import (fetch consumer; the gather consumer too once it has read every page,
        see import_released)
    package_create / package_update (validated by the scheming schema) of
    the dataset with a fixed id per (source, record), so a retried import
    never makes a second dataset; `import_batch` records (default 50) in one
    transaction, queued as one object (`_Gather.release`, `_import_batch`),
    their Solr documents sent alongside and their full-text jobs queued after
    the commit;
    duplicates of other sources (same dct:identifier, else the same URI) are
    settled: the newer dct:modified wins, then the higher source `priority`,
    then the dataset that is already public; the loser is withdrawn (state deleted) with `duplicate_of` naming
    the winner. Withdrawals are `package_delete` (a soft delete).

Bookkeeping lives in ckanext-harvest's tables, not in the datasets:

- HarvestObjectExtra `content_hash` (every record object): SHA-256 of the
  normalised record; `import_hash` (written in the same transaction as the
  dataset): the hash that was stored, or `withdrawn`. The latest `import_hash`
  of a (source, record) is what the next gather compares with.
- HarvestObjectExtra `warnings`: JSON list of German notes (unmapped values,
  a withdrawal as duplicate). They are not errors: the record was stored.
- HarvestObjectError / HarvestGatherError: German messages that say what
  failed, where (source URL, record URI) and why. Job-level warnings (the
  withdrawal guard, dropped duplicates) are gather errors starting with
  "Warnung:".

Old jobs are pruned to the last `keep_jobs` per source at each gather; the
objects that hold the current state of a record are kept.
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import itertools
import json
import logging
import queue
import re
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import ckan.logic as logic
import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from ckan.lib.munge import munge_title_to_name
from ckan.lib.search import common as search_common
from ckan.lib.search import index as search_index
from ckan.model.package import PACKAGE_NAME_MAX_LENGTH
from ckanext.harvest import queue as harvest_queue
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import (HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError,
                                   HarvestObjectExtra, HarvestSource)

from ckanext.thueringen import derived, normalize
from ckanext.thueringen.fulltext import jobs as fulltext_jobs
from ckanext.thueringen.harvest_queue import BATCH_OF, BATCHED, importing
from ckanext.thueringen.normalize import Unmapped
from ckanext.thueringen.logic.validators import HARVESTED

from . import fetch as fetching
from .fetch import FetchError, display_url, one_line
from .limits import Limits, fit_to_limits
from .rdf_guard import ParseError

log = logging.getLogger(__name__)

# Bumped when the way records are prepared changes, so that the next harvest
# stores every record again instead of finding it "not modified".
HASH_VERSION = "1"
CONTENT_HASH = "content_hash"
IMPORT_HASH = "import_hash"
WARNINGS = "warnings"
ACTION = "action"
WITHDRAW = "withdraw"
WITHDRAWN = "withdrawn"
RECORD_WARNING_KINDS = (normalize.UNMAPPED, normalize.DROPPED)   # findings that are also warnings on their record
DUPLICATE_OF = "duplicate_of"   # extra of an object stored but withheld as the duplicate of this dataset
GATHERING = "GATHERING"   # the state of an object until its gather has ended
PACKAGE_NAMESPACE = uuid.UUID("6f1d3c1e-4b1a-4d0c-9a53-7468fc72696e")
OLDEST = datetime.min.replace(tzinfo=timezone.utc)
# dataset types the portal's harvesters store (open data; transparency publications)
HARVESTED_TYPES = ("dataset", "publication")


# --- the source's configuration -------------------------------------------------

class ConfigError(ValueError):
    """An invalid source configuration; the message is German, one sentence per problem."""


@dataclass(frozen=True)
class SourceConfig:
    """The harvest source's config JSON, checked and normalised.

    contributor_id, spatial_uri, political_geocoding_level_uri, publisher:
        applied to each record that lacks them;
    priority: decides between equally new duplicates of different sources;
    max_bytes, timeout: limits of each download (bytes; seconds for the whole page);
    delete_threshold: vanished records are withdrawn only when the source still
        gives at least this share of the records it had;
    max_pages: the most pages one gather reads; keep_jobs: jobs kept per source;
    import_batch: records stored per transaction by the import (1: one at a time);
    rdf_format: the media type to read pages as, whatever the server says;
    options: the checked values of a harvester's own keys (`PortalHarvester.config_options`).
    """

    contributor_id: tuple[str, ...] = ()
    spatial_uri: str | None = None
    political_geocoding_level_uri: str | None = None
    publisher: dict[str, str] | None = None
    priority: int = 0
    max_bytes: int = fetching.DEFAULT_MAX_BYTES
    timeout: float = fetching.DEFAULT_TOTAL_TIMEOUT
    delete_threshold: float = 0.5
    max_pages: int = 500
    keep_jobs: int = 10
    import_batch: int = 50
    rdf_format: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def fetch_limits(self) -> dict[str, float]:
        return {"max_bytes": self.max_bytes, "total_timeout": self.timeout,
                "connect_timeout": min(fetching.DEFAULT_CONNECT_TIMEOUT, self.timeout),
                "read_timeout": min(fetching.DEFAULT_READ_TIMEOUT, self.timeout)}


RDF_FORMATS = ("application/rdf+xml", "text/turtle", "application/ld+json", "application/n-triples")
_PUBLISHER_FIELDS = {"name": None, "uri": normalize.uri, "url": normalize.uri,
                     "email": normalize.email_address, "type": normalize.publisher_type}


_COMMON_KEYS = tuple(name for name in SourceConfig.__dataclass_fields__ if name != "options")


def parse_source_config(text: str | None, options: dict[str, Any] | None = None, *,
                        ignore_unknown: bool = False) -> SourceConfig:
    """The SourceConfig of a config JSON text; raises ConfigError with every problem found.

    options: a harvester's own keys, name -> check (a function that returns the
    value to use or raises ConfigError); ignore_unknown: skip keys that are
    neither common nor in `options` (to read the priority of any source)."""
    options = options or {}
    if not text or not text.strip():
        return SourceConfig(options=_option_defaults(options))
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"Die Konfiguration ist kein gültiges JSON ({exc}).") from None
    if not isinstance(raw, dict):
        raise ConfigError("Die Konfiguration muss ein JSON-Objekt sein, z. B. {\"priority\": 10}.")
    problems: list[str] = []
    values: dict[str, Any] = {}
    own: dict[str, Any] = _option_defaults(options)
    unknown = sorted(set(raw) - set(_COMMON_KEYS) - set(options))
    if unknown and not ignore_unknown:
        problems.append(f"Unbekannte Angabe(n) {', '.join(unknown)}; erlaubt sind "
                        f"{', '.join([*_COMMON_KEYS, *options])}.")
    for name, value in raw.items():
        check = _CHECKS.get(name) if name in _COMMON_KEYS else options.get(name)
        if check is not None and value is not None:
            try:
                (values if name in _COMMON_KEYS else own)[name] = check(value)
            except ConfigError as exc:
                problems.append(f"„{name}“: {exc}")
    if problems:
        raise ConfigError(" ".join(problems))
    return SourceConfig(**values, options=own)


def _option_defaults(options: dict[str, Any]) -> dict[str, Any]:
    """A harvester's own keys with their defaults: a check may carry `default`."""
    return {name: getattr(check, "default", None) for name, check in options.items()}


def _number(kind: type, low: float, high: float | None = None, what: str = ""):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
            raise ConfigError(f"erwartet {what}, nicht {json.dumps(value, ensure_ascii=False)}.")
        if value < low or (high is not None and value > high):
            bounds = f"zwischen {low:g} und {high:g}" if high is not None else f"mindestens {low:g}"
            raise ConfigError(f"{value:g} liegt nicht im erlaubten Bereich ({bounds}).")
        return kind(value)
    return check


def _vocabulary_uri(function, what: str):
    def check(value):
        found = function(value) if isinstance(value, str) else None
        if not found:
            raise ConfigError(f"{json.dumps(value, ensure_ascii=False)} ist {what}.")
        return found
    return check


def _contributors(value) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    check = _vocabulary_uri(normalize.contributor, "keine gültige URI einer Datenbereitsteller-ID")
    return tuple(check(item) for item in values)


def _publisher(value) -> dict[str, str]:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not value["name"].strip():
        raise ConfigError("erwartet ein Objekt mit mindestens „name“, z. B. {\"name\": \"Stadt Jena\", "
                          "\"uri\": \"https://www.jena.de\"}.")
    unknown = sorted(set(value) - set(_PUBLISHER_FIELDS))
    if unknown:
        raise ConfigError(f"unbekannte Angabe(n) {', '.join(unknown)}; erlaubt sind "
                          f"{', '.join(_PUBLISHER_FIELDS)}.")
    publisher = {}
    for key, function in _PUBLISHER_FIELDS.items():
        if value.get(key) in (None, ""):
            continue
        publisher[key] = function(value[key]) if function else str(value[key]).strip()
        if not publisher[key]:
            raise ConfigError(f"„{key}“ {json.dumps(value[key], ensure_ascii=False)} ist ungültig.")
    return publisher


def _rdf_format(value) -> str:
    if value not in RDF_FORMATS:
        raise ConfigError(f"erwartet einen dieser Medientypen: {', '.join(RDF_FORMATS)}.")
    return value


_CHECKS = {
    "contributor_id": _contributors,
    "spatial_uri": _vocabulary_uri(normalize.spatial, "kein Gebiet der politischen Geokodierung und keine "
                                                      "gültige URI"),
    "political_geocoding_level_uri": _vocabulary_uri(normalize.geocoding_level, "keine Ebene der Liste "
                                                     "politicalGeocoding/Level (z. B. …/Level/municipality)"),
    "publisher": _publisher,
    "priority": _number(int, -1000, 1000, "eine ganze Zahl"),
    "max_bytes": _number(int, 1024, what="eine Zahl von Bytes"),
    "timeout": _number(float, 1, 3600, "eine Zahl von Sekunden"),
    "delete_threshold": _number(float, 0, 1, "einen Anteil zwischen 0 und 1, z. B. 0.5"),
    "max_pages": _number(int, 1, 100_000, "eine ganze Zahl"),
    "import_batch": _number(int, 1, 500, "eine ganze Zahl"),
    "keep_jobs": _number(int, 1, 1000, "eine ganze Zahl"),
    "rdf_format": _rdf_format,
}


# --- records ----------------------------------------------------------------------

@dataclass
class Record:
    """One dataset as a source gives it: `guid` names it in the source (its URI)."""

    guid: str
    dataset: dict
    unmapped: list[Unmapped] = field(default_factory=list)
    page: str = ""   # the URL of the page it was read from


@dataclass
class Page:
    """A page as a paged harvester hands it to the gather: its records, or — when
    the gather's PageMemory found the page as it was last time — `settled`, the
    records remembered then (no parsing). `sha256` and `next_page` let the gather
    remember the page for the next time."""
    url: str
    sha256: str
    next_page: str | None
    records: list[Record] = field(default_factory=list)
    settled: list[list] | None = None   # [guid, hash, duplicate key, dct:modified, kept] per record
    refused: list[str] = field(default_factory=list)   # German: records of the page that were not taken


class GatherFailure(Exception):
    """The source could not be read completely; the message is German and names the source."""


def dataset_value(dataset: dict, key: str) -> Any:
    """A field of a dataset dict, at the top (scheming) or among the extras."""
    if dataset.get(key) not in (None, ""):
        return dataset[key]
    extras = dataset.get("extras")
    if isinstance(extras, dict):
        return extras.get(key)
    for extra in extras or []:
        if isinstance(extra, dict) and extra.get("key") == key:
            return extra.get("value")
    return None


def duplicate_key(dataset: dict, guid: str | None = None) -> str:
    """What makes two datasets the same: dct:identifier, else the dataset's URI."""
    return str(dataset_value(dataset, "identifier") or dataset_value(dataset, "uri") or guid or "").strip()


def modified_time(value: Any) -> datetime | None:
    """dct:modified as an aware datetime (a year or month counts from its start); None if unknown."""
    text = normalize.date(value) if value else None
    if not text:
        return None
    text = text.replace("Z", "+00:00")
    if len(text) == 4:
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def record_hash(dataset: dict) -> str:
    """SHA-256 of the normalised record, from a stable JSON dump."""
    dump = json.dumps({"version": HASH_VERSION, "dataset": dataset}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"), default=str)
    return hashlib.sha256(dump.encode("utf-8")).hexdigest()


def package_id_for(source_id: str, guid: str) -> str:
    """The dataset id of a record of a source: fixed, so an import that is repeated
    (after a crash, say) updates the same dataset and Solr document."""
    return str(uuid.uuid5(PACKAGE_NAMESPACE, f"{source_id}\n{guid}"))


def with_defaults(dataset: dict, settings: SourceConfig, owner_org: str | None) -> dict:
    """A copy of `dataset` with the source's defaults where the record has no value."""
    result = copy.deepcopy(dataset)
    if owner_org:
        result["owner_org"] = owner_org
    if settings.contributor_id and not result.get("contributor_id"):
        result["contributor_id"] = list(settings.contributor_id)
    if settings.spatial_uri and not any(isinstance(item, dict) and any(item.values())
                                        for item in result.get("spatial_coverage") or []):
        result["spatial_coverage"] = [{"uri": settings.spatial_uri}]
    if settings.political_geocoding_level_uri and not result.get("political_geocoding_level_uri"):
        result["political_geocoding_level_uri"] = settings.political_geocoding_level_uri
    if settings.publisher and not result.get("publisher"):
        result["publisher"] = [dict(settings.publisher)]
    return result


def unmapped_warning(item: Unmapped) -> str:
    """The German warning of a finding of the normaliser (or of derived.py)."""
    if item.kind == normalize.UNMAPPED and "übernommen" not in item.message:
        return f"Feld {item.field}: {item.message}; der Wert wurde unverändert übernommen."
    return f"Feld {item.field}: {item.message.rstrip('.')}."


def record_findings(record: Record, dataset: dict) -> list[Unmapped]:
    """What the report says of a record: what the normaliser could not map or
    had to clean, what DCAT-AP.de makes mandatory and the source does not
    give, and what the export derives for it."""
    findings = [*record.unmapped, *normalize.missing_mandatory(dataset)]
    findings += [Unmapped(**vars(item)) for item in derived.derived_values(dataset)]
    return findings


# --- the harvester ------------------------------------------------------------------

class PortalHarvester(HarvesterBase):
    """Base of the portal's harvesters (see the module's doc). A subclass gives
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
        run = _Gather(self, harvest_job)
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
        members = _batch_members(harvest_object)   # none for withdrawals and for import_batch 1
        return _import_batch(self, harvest_object, members) if members else self.import_one(harvest_object)

    def import_one(self, harvest_object) -> bool:
        """Store (or withdraw) one record in a transaction of its own."""
        # read now: after a failed flush the session refuses every read until its rollback
        object_id, what = harvest_object.id, record_label(harvest_object)
        try:
            for attempt in (1, 2):
                try:
                    with solr_commit_deferred():
                        if _extra(harvest_object, ACTION) == WITHDRAW:
                            return _Import(self, harvest_object).withdraw()
                        return _Import(self, harvest_object).store()
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
            _object_error(harvest_object, f"{what} wurde nicht übernommen: der Suchindex (Solr) hat ihn nicht "
                                          f"angenommen oder ist nicht erreichbar ({one_line(exc)}). Ein schon "
                                          "gespeicherter Stand bleibt unverändert; die nächste Ernte versucht "
                                          "es wieder.")
            return False
        except Exception as exc:  # noqa: BLE001 - one record must not end the fetch consumer
            model.Session.rollback()   # first: the session is unusable until then (PendingRollbackError)
            log.exception("import of harvest object %s failed", object_id)
            _object_error(harvest_object, f"{what} wurde nicht übernommen: interner Fehler beim Speichern "
                                          f"({one_line(exc)}). Ein schon gespeicherter Stand bleibt unverändert.")
            return False


@contextlib.contextmanager
def solr_commit_deferred() -> Iterator[None]:
    """Index the record without a Solr commit of its own.

    With `ckan.search.solr_commit = true` (right for an editor's single save:
    the dataset is searchable when the page reloads) CKAN sends every indexed
    dataset with commit=true: a hard commit that opens a new searcher, one per
    record, which the import waits for. Solr's own
    autoSoftCommit (1 s, config/solr/configsets/ckan/conf/solrconfig.xml) makes the
    record searchable a second later and autoCommit (15 s) makes it durable. A
    consumer imports one object at a time, in one thread (the gather consumer
    only after its gather has read every page), so switching the setting for
    the duration of one import affects nothing else.
    """
    key = "ckan.search.solr_commit"
    before = toolkit.config.get(key)
    toolkit.config[key] = False
    try:
        yield
    finally:
        toolkit.config[key] = before


def _action_context(harvester: HarvesterBase) -> dict[str, Any]:
    user = harvester._get_user_name()
    # auth_user_obj given: CKAN would look the user up again in each action it runs
    return {"model": model, "session": model.Session, "user": user, "auth_user_obj": model.User.by_name(user),
            "ignore_auth": True, HARVESTED: True}


def _extra(obj: HarvestObject, key: str) -> str | None:
    return next((extra.value for extra in obj.extras if extra.key == key), None)


def _object_error(obj: HarvestObject, message: str) -> None:
    HarvestObjectError.create(message, obj, "Import")


def _gather_error(job, message: str) -> None:
    HarvestGatherError.create(message, job)


# --- gather -------------------------------------------------------------------------

@dataclass
class _Kept:
    """The record kept so far under a duplicate key (duplicates inside one source)."""
    guid: str
    modified: datetime | None
    object_id: str = ""


class _Gather:
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
        _gather_error(self.job, message)

    def run(self) -> None:
        try:
            settings = parse_source_config(self.source.config, self.harvester.config_options)
        except ConfigError as exc:
            self.fail(f"Die Konfiguration der Quelle {self.where} ist ungültig: {exc}")
            return
        self.settings = settings
        prune_history(self.source.id, settings.keep_jobs)
        self.owner_org = _owner_org(self.source.id)
        memory = self.harvester.page_memory = PageMemory(self.source.id, self.job.id, settings, self.owner_org)
        with tempfile.TemporaryDirectory(prefix="harvest-") as workdir:
            try:
                for page in self.harvester.gather_pages(self.source.url, settings, Path(workdir)):
                    for message in getattr(page, "refused", ()):
                        _gather_error(self.job, f"Warnung: {message}")
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
        last = _last_imports(self.source.id, [record.guid for record in records])
        in_place = _packages_in_place({package_id for _, package_id in last.values()})
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
            unchanged = previous_hash == digest and package_id in in_place
            if unchanged:
                now = datetime.utcnow()
                obj.package_id = package_id
                obj.state, obj.report_status = "COMPLETE", "not modified"
                obj.fetch_started = obj.fetch_finished = obj.import_started = obj.import_finished = now
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
        last = _last_imports(self.source.id, [guid for guid, *_ in page.settled])
        self.page_objects = set()
        now = datetime.utcnow()
        for guid, digest, key, modified, _kept in page.settled:
            record = Record(guid=guid, dataset={}, page=page.url)
            kept = self.keep_newest(record, {"identifier": key, "modified": modified})
            if kept is None:
                continue
            obj = HarvestObject(id=str(uuid.uuid4()), guid=guid, job=self.job, package_id=last[guid][1],
                                state="COMPLETE", report_status="not modified", fetch_started=now,
                                fetch_finished=now, import_started=now, import_finished=now,
                                extras=[HarvestObjectExtra(key=CONTENT_HASH, value=digest)])
            model.Session.add(obj)
            kept.object_id = obj.id
        model.Session.commit()

    def release(self, object_ids: list[str]) -> None:
        """Queue the records of a page to be stored as soon as the page is written,
        so that the import runs while the gather reads the next pages.

        They go in batches of `import_batch`, in the order read: only the first
        object of a batch (its leader) becomes WAITING and is put on the fetch
        queue here; the others are BATCHED, with the leader's id in the extra
        `batch_of`, and the leader's import stores them all in one transaction
        (`_import_batch`). BATCHED is neither WAITING (which the scheduler's
        `harvest_jobs_run` queues again when it does not find it in Redis) nor
        COMPLETE or ERROR (so that the job does not end before they are
        stored); the job cannot end before the gather has either
        (`gather_finished`). Committed before the leaders are queued, so the
        fetch consumer finds what it is sent."""
        self.page_objects = set()
        if not object_ids:
            return
        size = self.settings.import_batch if self.settings else 1
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
            _gather_error(self.job, f"Warnung: Die Kennung „{key}“ kommt in der Quelle {self.where} mehrfach "
                                    f"vor. Übernommen wurde der zuletzt geänderte Datensatz {record.guid}; "
                                    f"{earlier.guid} wird als sein Duplikat zurückgezogen.")
        self.kept[key] = _Kept(record.guid, modified)
        return self.kept[key]

    def report_duplicate(self, key: str, kept: str, dropped: str) -> None:
        _gather_error(self.job, f"Warnung: Die Kennung „{key}“ kommt in der Quelle {self.where} mehrfach vor. "
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
        stored = model.Session.execute(sa.text(f"SELECT count(*) FROM ({_STORED}) stored"), params).scalar()
        if listing is None:
            count = self.records_read
            vanished = model.Session.execute(sa.text(f"""
                SELECT guid, package_id FROM ({_STORED}) stored
                WHERE NOT EXISTS (SELECT 1 FROM harvest_object o
                                  WHERE o.harvest_job_id = :job_id AND o.guid = stored.guid)"""), params).all()
        else:
            count = len(listing)
            vanished = [row for row in model.Session.execute(sa.text(_STORED), params) if row[0] not in listing]
        if not vanished:
            return
        if count < settings.delete_threshold * stored:
            _gather_error(self.job, (
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


class PageMemory:
    """What the last gather read on each page of a source (table
    `thueringen_harvest_page`, one row per page address): the page's fingerprint,
    its next page and its records as prepared then (guid, hash, duplicate key,
    dct:modified, kept). A page whose bytes hash the same under the same
    preparation, without dropped duplicates, and whose every record's last
    import stored that very hash (and left the dataset in place) is *settled*:
    the gather takes the remembered records as "not modified" without parsing
    the page. An unchanged re-harvest is then downloads and hashes, not RDF
    parsing, ckanext-dcat's profile and the normaliser for every record.

    The fingerprint covers everything that turns a page's bytes into records:
    the source's settings and organisation (its defaults) and
    `preparation_version()` (the portal's code and vocabularies, ckanext-dcat,
    rdflib); any change there makes the next gather read every page again."""

    def __init__(self, source_id: str, job_id: str, settings: SourceConfig, owner_org: str | None):
        self.source_id, self.job_id = source_id, job_id
        settings_json = json.dumps(dataclasses.asdict(settings), sort_keys=True, default=str)
        self.salt = hashlib.sha256("\n".join([HASH_VERSION, preparation_version(), settings_json,
                                              owner_org or ""]).encode()).hexdigest()
        self.read_urls: list[str] = []

    def fingerprint(self, page_sha256: str) -> str:
        return hashlib.sha256(f"{self.salt}:{page_sha256}".encode()).hexdigest()

    def settled(self, url: str, page_sha256: str) -> tuple[list[list], str | None] | None:
        """(the remembered records, the next page) of a settled page, else None."""
        self.read_urls.append(url)
        row = model.Session.execute(sa.text(
            "SELECT fingerprint, next_page, records FROM thueringen_harvest_page "
            "WHERE source_id = :source_id AND url = :url"), {"source_id": self.source_id, "url": url}).first()
        if row is None or row.fingerprint != self.fingerprint(page_sha256):
            return None
        records = row.records
        if not all(kept for *_, kept in records):
            return None   # its duplicates are decided anew, with the page's content
        last = _last_imports(self.source_id, [guid for guid, *_ in records])
        in_place = _packages_in_place({package_id for _, package_id in last.values()})
        for guid, digest, *_ in records:
            stored_hash, package_id = last.get(guid, (None, None))
            if stored_hash != digest or package_id not in in_place:
                return None
        return records, row.next_page

    def remember(self, page: Page, records: list[list]) -> None:
        """Keep what a read page held, for the next gather."""
        model.Session.execute(sa.text("""
            INSERT INTO thueringen_harvest_page (source_id, url, fingerprint, next_page, records, job_id, read_at)
            VALUES (:source_id, :url, :fingerprint, :next_page, CAST(:records AS jsonb), :job_id, now())
            ON CONFLICT (source_id, url) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
                next_page = EXCLUDED.next_page, records = EXCLUDED.records, job_id = EXCLUDED.job_id,
                read_at = EXCLUDED.read_at
        """), {"source_id": self.source_id, "url": page.url, "fingerprint": self.fingerprint(page.sha256),
               "next_page": page.next_page, "records": json.dumps(records, ensure_ascii=False, default=str),
               "job_id": self.job_id})
        model.Session.commit()

    @staticmethod
    def forget_source(source_id: str) -> int:
        """Drop every row of a source (its jobs and objects were cleared: no last
        import is left to settle a page against); how many. Commits."""
        deleted = model.Session.execute(sa.text("DELETE FROM thueringen_harvest_page WHERE source_id = :source_id"),
                                        {"source_id": source_id}).rowcount
        model.Session.commit()
        return deleted

    def forget_other_pages(self) -> None:
        """After a complete gather: drop the rows of pages the source no longer has."""
        if not self.read_urls:
            return
        model.Session.execute(sa.text("DELETE FROM thueringen_harvest_page WHERE source_id = :source_id "
                                      "AND NOT (url = ANY(:urls))"),
                              {"source_id": self.source_id, "urls": self.read_urls})
        model.Session.commit()


_PREPARATION_VERSION: str | None = None


def preparation_version() -> str:
    """A digest of what turns a page into records: the portal's Python code and
    schemas/vocabularies, and the versions of ckanext-dcat and rdflib. Computed
    once per process."""
    global _PREPARATION_VERSION
    if _PREPARATION_VERSION is None:
        from importlib.metadata import version

        import ckanext.thueringen as portal
        from ckanext.thueringen.vocabularies import SCHEMA_DIR

        digest = hashlib.sha256(f"ckanext-dcat {version('ckanext-dcat')} rdflib {version('rdflib')}".encode())
        folders = [(Path(portal.__file__).parent, "*.py"), (SCHEMA_DIR, "*")]
        for folder, pattern in folders:
            for path in sorted(folder.rglob(pattern)):
                if path.is_file() and "__pycache__" not in path.parts:
                    digest.update(path.relative_to(folder).as_posix().encode())
                    digest.update(path.read_bytes())
        _PREPARATION_VERSION = digest.hexdigest()
    return _PREPARATION_VERSION


def _owner_org(source_id: str) -> str | None:
    source_dataset = model.Package.get(source_id)
    return source_dataset.owner_org if source_dataset else None


_LAST_IMPORTS = """
    SELECT DISTINCT ON (o.guid) o.guid, o.package_id, e.value
    FROM harvest_object o
    JOIN harvest_object_extra e ON e.harvest_object_id = o.id AND e.key = :import_key
    WHERE o.harvest_source_id = :source_id {condition}
    ORDER BY o.guid, o.import_started DESC NULLS LAST, o.gathered DESC
"""


# Every record of the source whose last import (before this job) stored it rather
# than withdrew it: guid, package_id.
_STORED = ("SELECT guid, package_id FROM ("
           + _LAST_IMPORTS.format(condition="AND o.harvest_job_id <> :job_id")
           + ") last_imports WHERE value <> :withdrawn")


def stored_guids(source_id: str) -> set[str]:
    """The records of a source whose last import stored them (not withdrawn):
    for harvesters whose sources list only part of what they have (feeds)."""
    rows = model.Session.execute(sa.text(_STORED), {"import_key": IMPORT_HASH, "source_id": source_id,
                                                    "job_id": "", "withdrawn": WITHDRAWN})
    return {guid for guid, _package_id in rows}


def _last_imports(source_id: str, guids: list[str]) -> dict[str, tuple[str, str]]:
    """guid -> (hash of its last import, dataset id), for the records of a page."""
    if not guids:
        return {}
    rows = model.Session.execute(sa.text(_LAST_IMPORTS.format(condition="AND o.guid = ANY(:guids)")),
                                 {"import_key": IMPORT_HASH, "source_id": source_id, "guids": list(guids)})
    return {guid: (value, package_id) for guid, package_id, value in rows}


def _packages_in_place(package_ids: set[str]) -> set[str]:
    """The datasets among `package_ids` that are as their last import left them:
    public, or withdrawn as the duplicate of a public dataset."""
    if not package_ids:
        return set()
    Package = model.Package
    rows = model.Session.query(Package.id, Package.state, Package.extras["duplicate_of"].astext) \
        .filter(Package.id.in_(package_ids)).all()
    winners = {winner for _, state, winner in rows if state == "deleted" and winner}
    public = {package_id for (package_id,) in model.Session.query(Package.id)
              .filter(Package.id.in_(winners), Package.state == "active")} if winners else set()
    return {package_id for package_id, state, winner in rows
            if state == "active" or (state == "deleted" and winner in public)}


# --- import ---------------------------------------------------------------------------

@dataclass
class _Candidate:
    """A dataset that claims a duplicate key."""
    package_id: str
    modified: datetime | None
    priority: int
    public: bool
    duplicate_of: str | None = None

    def rank(self):
        return (self.modified or OLDEST, self.priority, self.public)


@dataclass
class _Plan:
    """What the import of one record writes."""
    dataset: dict
    content: dict
    page: str
    digest: str
    package_id: str
    existing: Any            # the dataset stored before (model.Package), or None
    key: str                 # the duplicate key
    own: _Candidate
    rivals: list[_Candidate]  # datasets of other sources with the same key
    winner: _Candidate


class _Import:
    def __init__(self, harvester: PortalHarvester, obj: HarvestObject, context: dict | None = None,
                 stored_packages: set[str] | None = None, claimants: dict[str, list[_Candidate]] | None = None,
                 reserved_names: set[str] | None = None):
        self.harvester = harvester
        self.obj = obj
        self.source = obj.source
        self.context = context or _action_context(harvester)
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
            _object_error(obj, plan)
            return False
        try:
            self.write(plan)
        except toolkit.ValidationError as exc:
            model.Session.rollback()
            unmapped = [Unmapped(**item) for item in plan.content.get("unmapped") or []]
            _object_error(obj, describe_validation_error(obj.guid, plan.page, exc.error_dict, plan.dataset, unmapped))
            return False
        _settle(plan.winner, [plan.own, *plan.rivals], self.context, skip=plan.own)
        if plan.winner is not plan.own:
            _add_warning(obj, f"Dublette von {_dataset_label(plan.winner.package_id)}, Quelle "
                              f"{_source_label(plan.winner.package_id)}: Datensatz {obj.guid} hat dieselbe Kennung "
                              f"„{plan.key}“; der andere ist neuer oder kommt aus einer Quelle mit höherer "
                              "Priorität. Dieser wurde gespeichert, aber nicht veröffentlicht.",
                         duplicate_of=plan.winner.package_id)
        return True

    def plan(self) -> _Plan | str | None:
        """What to write for the record; None when it is stored already (a retry
        after a crash), a German message when it cannot be stored. Writes nothing."""
        obj = self.obj
        if _extra(obj, IMPORT_HASH):
            return None
        content = json.loads(obj.content or "{}")
        dataset, page = content.get("dataset"), content.get("page") or self.source.url
        if not isinstance(dataset, dict):
            return f"Datensatz {obj.guid} aus {display_url(page)}: der gelesene Inhalt fehlt."
        settings = _settings_or_default(self.source)
        package_id = package_id_for(self.source.id, obj.guid)
        existing = model.Package.get(package_id) \
            if self.stored_packages is None or package_id in self.stored_packages else None
        key = duplicate_key(dataset, obj.guid)
        own = _Candidate(package_id, modified_time(dataset_value(dataset, "modified")), settings.priority,
                         existing is not None and existing.state == "active")
        if self.claimants is None:
            rivals = _rivals(key, package_id)
        else:
            rivals = [rival for rival in self.claimants.get(key, []) if rival.package_id != package_id]
        winner = _winner([own, *rivals])
        if winner is own:
            dataset.pop("duplicate_of", None)
            dataset["state"] = "active"
        else:
            dataset["duplicate_of"] = winner.package_id
            dataset["state"] = "deleted"
        return _Plan(dataset, content, page, _extra(obj, CONTENT_HASH) or record_hash(dataset), package_id,
                     existing, key, own, rivals, winner)

    def write(self, plan: _Plan) -> None:
        """package_create/_update (with this import's context), with the harvest
        object's bookkeeping in the same transaction; raises ValidationError."""
        obj, dataset, existing = self.obj, plan.dataset, plan.existing
        dataset["id"] = plan.package_id
        if existing is not None:
            dataset["name"] = existing.name
            _keep_resource_ids(dataset, existing)
            # package_update keeps a dataset's type; a record that became (or stopped being)
            # a publication changes it here, undone with the rest if validation fails.
            if (dataset.get("type") or "dataset") in HARVESTED_TYPES:
                existing.type = dataset.get("type") or "dataset"
        else:
            dataset["name"] = new_dataset_name(dataset.get("title") or obj.guid, plan.package_id,
                                               self.reserved_names)
            self.reserved_names.add(dataset["name"])
        if existing is not None:   # no object refers to a dataset that does not exist (foreign key)
            model.Session.query(HarvestObject).filter(HarvestObject.package_id == plan.package_id,
                                                      HarvestObject.id != obj.id) \
                .update({"current": False}, synchronize_session=False)
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
        if _extra(obj, IMPORT_HASH):
            return True
        package = model.Package.get(obj.package_id) if obj.package_id else None
        if package is not None:
            model.Session.query(HarvestObject).filter(HarvestObject.package_id == package.id,
                                                      HarvestObject.id != obj.id) \
                .update({"current": False}, synchronize_session=False)
        obj.current = False
        obj.extras.append(HarvestObjectExtra(key=IMPORT_HASH, value=WITHDRAWN))
        model.Session.add(obj)
        if package is not None and package.state == "active":
            toolkit.get_action("package_delete")(dict(self.context), {"id": package.id})
        else:
            model.Session.commit()
        if package is not None:
            key = duplicate_key(package.extras or {}, obj.guid)
            rivals = _rivals(key, package.id)
            if rivals:
                _settle(_winner(rivals), rivals, self.context)
        return True


# --- the gather consumer stores batches too ------------------------------------------

def import_released(harvester: PortalHarvester, job) -> int:
    """Once the gather has read every page, store the job's queued batches in
    the gather consumer as well, until none is left or another job waits for
    its gather; how many batches were stored here.

    ckanext-harvest's gather consumer idles after a gather while the fetch
    consumer stores the batches one after the other, on one core, waiting on
    PostgreSQL and Solr part of the time. With both consumers storing, a job
    uses the second core. They work from opposite ends (the fetch consumer
    from the front of the queue, this from the last page back); a batch is
    stored by whichever process holds its lock (`harvest_queue.importing`),
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


# --- import in batches ---------------------------------------------------------------

def _batch_members(leader: HarvestObject) -> list[HarvestObject]:
    """The objects a leader stores with itself (see _Gather.release), in gather order."""
    member_ids = model.Session.query(HarvestObjectExtra.harvest_object_id) \
        .filter(HarvestObjectExtra.key == BATCH_OF, HarvestObjectExtra.value == leader.id)
    return model.Session.query(HarvestObject) \
        .filter(HarvestObject.id.in_(member_ids.scalar_subquery()), HarvestObject.state == BATCHED) \
        .options(selectinload(HarvestObject.extras)) \
        .order_by(HarvestObject.gathered, HarvestObject.id).all()


def _import_batch(harvester: PortalHarvester, leader: HarvestObject, members: list[HarvestObject]) -> bool:
    """Store a leader's batch in one transaction; the leader's result.

    Per record the work is CKAN's own (package_create/_update: scheming
    validation, save, IPackageController hooks), with `defer_commit` and
    `return_id_only`: the commit, the index document and the activity come at
    the end of the batch, where each dataset is dictized once for both (CKAN's
    activity plugin would dictize it a second time). One commit per batch
    instead of six per record (ckanext-harvest's fetch consumer saves an object
    at each step).

    Stored one at a time afterwards, each in a transaction of its own: records
    with a duplicate in another source (settling writes that source's dataset),
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
    """The batch part of _import_batch: the ids of the objects stored and committed."""
    context = {**_action_context(harvester), "defer_commit": True, "return_id_only": True}
    keys = [_duplicate_key_of(obj) for obj in objects]
    _lock_duplicate_keys(keys)
    claimants = _claimants(keys)
    # the batch's stored datasets in one query (held here: the session keeps them only weakly)
    stored = model.Session.query(model.Package).filter(model.Package.id.in_(
        [package_id_for(obj.harvest_source_id, obj.guid) for obj in objects])).all()
    stored_ids = {package.id for package in stored}
    written: list[tuple[HarvestObject, _Plan, Any]] = []
    reserved_names: set[str] = set()
    for obj in objects:
        job = _Import(harvester, obj, context, stored_ids, claimants, reserved_names)
        plan = job.plan()
        if not isinstance(plan, _Plan) or plan.rivals:
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
            obj.fetch_started = obj.fetch_finished = obj.import_started = obj.import_finished = now
            obj.state = "COMPLETE"
            obj.report_status = "updated" if plan.existing is not None else "added"
    index_and_record_activities(context, indexed)
    model.repo.commit()
    return {obj.id for obj, _, _ in written}


def index_and_record_activities(context: dict, stored: list[tuple[str, str | None]]) -> None:
    """After deferred package_create/_update calls: each dataset's Solr document
    (without a commit) and, where its `activity` is "new" or "changed", its
    activity — both from one dictization (`package_show` with CKAN's default and
    the custom schema, as CKAN's own index notification makes it).

    The documents go to Solr from a thread of its own (`_IndexSender`) while the
    next dataset is dictized: Solr analyses a document in its own process, so
    the import need not wait for each. Returns when Solr has accepted them all;
    raises CKAN's SearchIndexError if it did not, before the caller commits."""
    with _IndexSender.sending() as sender:
        for package_id, activity in stored:
            shown = logic.package_show_default_and_custom_schemas(context, package_id)
            if activity:
                _record_activity(context, package_id, activity, shown[1])
            logic.index_update_package_dicts(shown, defer_commit=True)
        sender.finish()


class _IndexSender:
    """Stands in for the Solr connection of CKAN's `index_package` (which makes a
    new connection for every document and waits for Solr's answer): takes the
    documents and sends them from a thread, those that queued up meanwhile in
    one request. Installed only while a batch indexes (`sending`): a consumer
    imports one batch at a time, in one thread, so no other index call sees it."""

    def __init__(self) -> None:
        self.connection = search_common.make_connection()
        self.url = self.connection.url   # index_package names it when the connection fails
        self.queued: queue.SimpleQueue = queue.SimpleQueue()
        self.failure: Exception | None = None
        self.thread = threading.Thread(target=self._send, name="solr-index-sender", daemon=True)
        self.thread.start()

    @classmethod
    @contextlib.contextmanager
    def sending(cls) -> Iterator["_IndexSender"]:
        sender = cls()
        original = search_index.make_connection
        search_index.make_connection = lambda *args, **kwargs: sender
        try:
            yield sender
        finally:
            search_index.make_connection = original
            sender.stop()

    def add(self, docs: list[dict], commit: bool = False, **_ignored) -> None:
        """What index_package calls; the commit stays deferred (solr_commit_deferred)."""
        self.queued.put(list(docs))

    def _send(self) -> None:
        while True:
            docs = self.queued.get()
            if docs is None:
                return
            ending = False
            while not ending:
                try:
                    more = self.queued.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    ending = True
                else:
                    docs += more
            if self.failure is None:
                try:
                    self.connection.add(docs=docs, commit=False)
                except Exception as exc:  # noqa: BLE001 - handed to the importing thread by finish()
                    self.failure = exc
            if ending:
                return

    def stop(self) -> None:
        if self.thread.is_alive():
            self.queued.put(None)
            self.thread.join()

    def finish(self) -> None:
        """Wait until Solr has answered for every document; raise its refusal."""
        self.stop()
        if self.failure is not None:
            raise search_common.SearchIndexError(f"Solr returned an error: {one_line(self.failure, 1000)}")


def _duplicate_key_of(obj: HarvestObject) -> str:
    dataset = json.loads(obj.content or "{}").get("dataset")
    return duplicate_key(dataset, obj.guid) if isinstance(dataset, dict) else ""


@contextlib.contextmanager
def activity_recorded_by_batch() -> Iterator[None]:
    """Keep CKAN's activity plugin from recording a package_create itself: its
    subscriber dictizes the new dataset once more, which the batch has done for
    the index already (`_record_activity` records the same activity from that).
    A deferred package_update records no activity in CKAN (no `changed_entities`),
    so that subscriber needs no change. A consumer imports one batch at a time,
    in one thread, so this affects nothing else."""
    if not plugins.plugin_loaded("activity"):
        yield
        return
    from ckanext.activity import subscriptions

    signal = toolkit.signals.action_succeeded
    signal.disconnect(subscriptions.package_changed, sender="package_create")
    try:
        yield
    finally:
        signal.connect(subscriptions.package_changed, sender="package_create")


def _record_activity(context: dict, package_id: str, activity_type: str, package_dict: dict) -> None:
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
    obj.report_status = _report_status(obj)
    obj.save()


def _report_status(obj: HarvestObject) -> str:
    """ckanext-harvest's report status of an object after its import."""
    if obj.state == "ERROR":
        return "errored"
    if obj.current is False:
        return "deleted"
    imports = model.Session.query(HarvestObject.id).filter(HarvestObject.package_id == obj.package_id).limit(2)
    return "updated" if imports.count() == 2 else "added"


def _settings_or_default(source: HarvestSource) -> SourceConfig:
    """The common settings of any source (its priority, say), whatever harvester it has."""
    try:
        return parse_source_config(source.config, ignore_unknown=True)
    except ConfigError:
        return SourceConfig()


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


def _keep_resource_ids(dataset: dict, existing) -> None:
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


def _winner(candidates: list[_Candidate]) -> _Candidate:
    """Newest dct:modified, then highest priority, then already public; then the smallest id."""
    ordered = sorted(candidates, key=lambda c: c.package_id)
    return max(ordered, key=_Candidate.rank)


def _lock_duplicate_keys(keys: list[str]) -> None:
    """Hold the duplicate keys until the transaction ends: imports running at once
    (several fetch consumers) that store records with the same key take turns,
    so the later one finds the earlier one's dataset as a rival instead of both
    finding none and both staying public. Sorted, so that two batches that share
    keys cannot wait for each other."""
    for key in sorted(set(filter(None, keys))):
        model.Session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def _rivals(key: str, package_id: str) -> list[_Candidate]:
    """Other datasets with the same duplicate key whose source still has them
    (the key is locked first, see _lock_duplicate_keys)."""
    if not key:
        return []
    _lock_duplicate_keys([key])
    return [rival for rival in _claimants([key]).get(key, []) if rival.package_id != package_id]


def _claimants(keys: list[str]) -> dict[str, list[_Candidate]]:
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
    rows = model.Session.execute(sa.text("""
        SELECT DISTINCT ON (o.package_id) o.package_id, o.harvest_source_id, e.value
        FROM harvest_object o
        JOIN harvest_object_extra e ON e.harvest_object_id = o.id AND e.key = :import_key
        WHERE o.package_id = ANY(:ids)
        ORDER BY o.package_id, o.import_started DESC NULLS LAST, o.gathered DESC
    """), {"import_key": IMPORT_HASH, "ids": [p.id for p in packages]})
    live = {package_id: source_id for package_id, source_id, value in rows if value != WITHDRAWN}
    priorities: dict[str, int] = {}
    claimants: dict[str, list[_Candidate]] = {}
    for package in packages:
        source_id = live.get(package.id)
        if source_id is None:
            continue   # not from a portal harvester, or withdrawn from its source
        if source_id not in priorities:
            source = HarvestSource.get(source_id)
            priorities[source_id] = _settings_or_default(source).priority if source else 0
        extras = package.extras or {}
        claimants.setdefault(duplicate_key(extras), []).append(_Candidate(
            package.id, modified_time(extras.get("modified")), priorities[source_id], package.state == "active",
            extras.get("duplicate_of") or None))
    return claimants


def _settle(winner: _Candidate, candidates: list[_Candidate], context: dict, skip: _Candidate | None = None) -> None:
    """Make `winner` public and every other candidate withdrawn with duplicate_of =
    winner, writing only what differs; `skip` is stored already."""
    changes = []
    if winner is not skip and (not winner.public or winner.duplicate_of):
        changes.append((winner.package_id, {"state": "active", "duplicate_of": ""}, True))
    for loser in candidates:
        if loser is not winner and loser is not skip and (loser.public or loser.duplicate_of != winner.package_id):
            changes.append((loser.package_id, {"state": "deleted", "duplicate_of": winner.package_id}, False))
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
    model.Session.query(HarvestObject).filter(HarvestObject.package_id == package_id) \
        .update({"current": False}, synchronize_session=False)
    if public:
        last = model.Session.execute(sa.text("""
            SELECT o.id FROM harvest_object o
            JOIN harvest_object_extra e ON e.harvest_object_id = o.id AND e.key = :import_key
            WHERE o.package_id = :package_id
            ORDER BY o.import_started DESC NULLS LAST, o.gathered DESC LIMIT 1
        """), {"import_key": IMPORT_HASH, "package_id": package_id}).scalar()
        if last:
            model.Session.query(HarvestObject).filter(HarvestObject.id == last) \
                .update({"current": True}, synchronize_session=False)
    model.Session.commit()


def _add_warning(obj: HarvestObject, message: str, duplicate_of: str | None = None) -> None:
    if duplicate_of:
        obj.extras.append(HarvestObjectExtra(key=DUPLICATE_OF, value=duplicate_of))
    current = next((extra for extra in obj.extras if extra.key == WARNINGS), None)
    if current is None:
        obj.extras.append(HarvestObjectExtra(key=WARNINGS, value=json.dumps([message], ensure_ascii=False)))
    else:
        current.value = json.dumps([*json.loads(current.value), message], ensure_ascii=False)
    model.Session.add(obj)
    model.Session.commit()


def _dataset_label(package_id: str) -> str:
    package = model.Package.get(package_id)
    if package is None:
        return package_id
    return f"„{package.title}“ ({package.name})"


def _source_label(package_id: str) -> str:
    """The harvest source whose last import stored the dataset."""
    source = model.Session.query(HarvestSource) \
        .join(HarvestObject, HarvestObject.harvest_source_id == HarvestSource.id) \
        .filter(HarvestObject.package_id == package_id).order_by(HarvestObject.gathered.desc()).first()
    return f"„{source.title}“" if source is not None else "unbekannt"


# --- readable validation errors -------------------------------------------------------

_MESSAGES_DE = {
    "Missing value": "Angabe fehlt",
    "Date format incorrect": "kein gültiges Datum (erlaubt: JJJJ, JJJJ-MM, JJJJ-MM-TT, JJJJ-MM-TTThh:mm:ss)",
    "Please enter a complete web address starting with http:// or https://":
        "keine vollständige Web-Adresse (sie muss mit http:// oder https:// beginnen)",
    "Not a complete web address (http:// or https://)": "keine vollständige Web-Adresse (http:// oder https://)",
    "Invalid integer": "keine ganze Zahl",
    "Must be a natural number": "keine natürliche Zahl",
    "That URL is already in use.": "die Adresse ist schon vergeben",
    "Organization does not exist": "die Organisation gibt es nicht",
}


def _labels(dataset_type: str = "dataset") -> tuple[dict[str, str], dict[str, str]]:
    """German labels of the dataset and resource fields of the type's scheming schema."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    schema = scheming_get_dataset_schema(dataset_type) or scheming_get_dataset_schema("dataset") or {}

    def label(item) -> str:
        text = item.get("label", item["field_name"])
        return text.get("de") or text.get("en") or item["field_name"] if isinstance(text, dict) else str(text)

    return ({f["field_name"]: label(f) for f in schema.get("dataset_fields", [])},
            {f["field_name"]: label(f) for f in schema.get("resource_fields", [])})


def _german(message: str) -> str:
    """CKAN's message in German (the consumers run without a request, so CKAN's
    own messages come in English)."""
    return next((german for english, german in _MESSAGES_DE.items() if message.startswith(english)),
                message.rstrip("."))


def _problems(errors: Any, path: str, labels: dict[str, str], values: Any) -> Iterator[tuple[str, str, Any, str]]:
    """(field path, label, value, message) for every message in a CKAN error dict."""
    if isinstance(errors, dict):
        for key, inner in errors.items():
            sub = values.get(key) if isinstance(values, dict) else None
            yield from _problems(inner, f"{path}{'.' if path else ''}{key}", labels, sub)
    elif isinstance(errors, list):
        for index, inner in enumerate(errors):
            if isinstance(inner, str):
                yield path, labels.get(path.rsplit(".", 1)[-1].split("[")[0], ""), values, inner
            elif inner:
                sub = values[index] if isinstance(values, list) and index < len(values) else None
                yield from _problems(inner, f"{path}[{index}]", labels, sub)
    elif errors:
        yield path, labels.get(path, ""), values, str(errors)


def record_label(obj: HarvestObject) -> str:
    """"Datensatz <URI> („Titel“) aus <page>", from the object's content, for messages."""
    try:
        content = json.loads(obj.content or "{}")
    except ValueError:
        content = {}
    dataset = content.get("dataset") if isinstance(content.get("dataset"), dict) else {}
    title = dataset.get("title")
    page = content.get("page") or (obj.source.url if obj.source else "")
    return f"Datensatz {obj.guid}" + (f" („{title}“)" if title else "") + (f" aus {display_url(page)}" if page else "")


def describe_validation_error(guid: str, page: str, error_dict: dict, dataset: dict,
                              unmapped: list[Unmapped]) -> str:
    """One German message for a failed package_create/_update: what (the record),
    where (its URI and the source page) and why (each field with its value)."""
    dataset_labels, resource_labels = _labels(dataset.get("type") or "dataset")
    explained = {item.field: item.message for item in unmapped}
    reasons = []
    for key, errors in error_dict.items():
        labels = resource_labels if key == "resources" else dataset_labels
        for path, label, value, message in _problems({key: errors}, "", labels, dataset):
            named = f"„{label}“ ({path})" if label else path
            if path in explained:   # the normaliser's message names the value
                reasons.append(f"Feld {named}: {explained[path]}")
            elif value in (None, "", [], {}) or isinstance(value, (dict, list)):
                reasons.append(f"Feld {named}: {_german(message)}")
            else:
                reasons.append(f"Feld {named} „{value}“: {_german(message)}")
    title = dataset.get("title")
    what = f"Datensatz {guid}" + (f" („{title}“)" if title else "")
    return (f"{what} aus {display_url(page)} wurde nicht übernommen: " + "; ".join(reasons) +
            ". Ein schon gespeicherter Stand bleibt unverändert.")


# --- history ----------------------------------------------------------------------------

_PRUNE = [
    """CREATE TEMP TABLE pruned_objects ON COMMIT DROP AS
       SELECT o.id FROM harvest_object o
       WHERE o.harvest_source_id = :source_id
         AND o.harvest_job_id IN (
             SELECT j.id FROM harvest_job j WHERE j.source_id = :source_id AND j.status = 'Finished'
               AND j.id NOT IN (SELECT id FROM harvest_job WHERE source_id = :source_id
                                ORDER BY created DESC LIMIT :keep))
         AND o.current IS NOT TRUE
         AND o.id NOT IN (
             SELECT DISTINCT ON (last.guid) last.id FROM harvest_object last
             JOIN harvest_object_extra e ON e.harvest_object_id = last.id AND e.key = :import_key
             WHERE last.harvest_source_id = :source_id
             ORDER BY last.guid, last.import_started DESC NULLS LAST, last.gathered DESC)""",
    "DELETE FROM harvest_object_error WHERE harvest_object_id IN (SELECT id FROM pruned_objects)",
    "DELETE FROM harvest_object_extra WHERE harvest_object_id IN (SELECT id FROM pruned_objects)",
    "DELETE FROM harvest_object WHERE id IN (SELECT id FROM pruned_objects)",
    """CREATE TEMP TABLE pruned_jobs ON COMMIT DROP AS
       SELECT j.id FROM harvest_job j WHERE j.source_id = :source_id AND j.status = 'Finished'
         AND j.id NOT IN (SELECT id FROM harvest_job WHERE source_id = :source_id ORDER BY created DESC LIMIT :keep)
         AND NOT EXISTS (SELECT 1 FROM harvest_object o WHERE o.harvest_job_id = j.id)""",
    "DELETE FROM harvest_gather_error WHERE harvest_job_id IN (SELECT id FROM pruned_jobs)",
    "DELETE FROM harvest_job WHERE id IN (SELECT id FROM pruned_jobs)",
]


def prune_history(source_id: str, keep: int) -> None:
    """Delete the objects (with their errors and extras) of a source's finished jobs
    older than the last `keep` jobs, and those jobs once they are empty. Kept: the
    objects that are current, and each record's last import (what the next gather
    compares with)."""
    try:
        for statement in _PRUNE:
            model.Session.execute(sa.text(statement),
                                  {"source_id": source_id, "keep": keep, "import_key": IMPORT_HASH})
        model.Session.commit()
    except sa.exc.SQLAlchemyError:
        model.Session.rollback()
        log.exception("pruning the harvest history of source %s failed", source_id)


# --- the report ---------------------------------------------------------------------------

def job_report(job_id: str) -> dict[str, Any]:
    """A job's counts, errors and warnings: `counts` (added, updated, unchanged,
    withdrawn, failed, not_processed), `errors` (per record), `job_errors` (gather
    errors, warnings among them) and `warnings` (per record, the record was stored).

    not_processed: records the job ended without (aborted, timed out, or a
    consumer killed in their import). ckanext-harvest sets them to ERROR like a
    failed record, but a record that failed always has its error message here."""
    objects = model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job_id).all()
    statuses = {"added": "added", "updated": "updated", "not modified": "unchanged", "deleted": "withdrawn",
                "errored": "failed"}
    counts = dict.fromkeys([*statuses.values(), "not_processed"], 0)
    errors, warnings, duplicates = [], [], []
    findings = FindingsSummary()
    for obj in objects:
        if obj.state != "ERROR" or _extra(obj, IMPORT_HASH):
            findings.add_object(obj)
        if _extra(obj, DUPLICATE_OF):
            duplicates.append({"guid": obj.guid, "duplicate_of": _extra(obj, DUPLICATE_OF)})
        if obj.state == "ERROR" and not obj.errors and not _extra(obj, IMPORT_HASH):
            counts["not_processed"] += 1
            continue
        status = "errored" if obj.state == "ERROR" else obj.report_status
        if status is None and obj.state == "COMPLETE" and _extra(obj, IMPORT_HASH):
            # ckanext-harvest saves COMPLETE and the report status in two commits: a
            # consumer killed between them leaves an imported object without one
            # (bookkeeping objects, such as the CKAN harvester's marker, have no import)
            status = _report_status(obj)
        if status in statuses:
            counts[statuses[status]] += 1
        errors += [{"guid": obj.guid, "message": error.message} for error in obj.errors]
        if obj.state != "ERROR":   # a failed record's error says what was wrong
            warnings += [{"guid": obj.guid, "message": text} for text in json.loads(_extra(obj, WARNINGS) or "[]")]
    job_errors = [error.message for error in model.Session.query(HarvestGatherError)
                  .filter(HarvestGatherError.harvest_job_id == job_id).order_by(HarvestGatherError.created)]
    return {"counts": counts, "errors": errors, "job_errors": job_errors, "warnings": warnings,
            "duplicates": duplicates, "findings": findings.summary()}


FINDING_KINDS = {
    "unmapped": "nicht zugeordnet",
    "cleaned": "bereinigt",
    "dropped": "verworfen",
    "missing": "fehlt in der Quelle",
    "derived": "abgeleitet",
}
FINDING_EXAMPLES = 3


class FindingsSummary:
    """A job's findings (normaliser, missing values, derived values) by kind and
    field ("resources[2].format" counts as "resources[].format"), with counts
    and a few example values, for the report."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], dict[str, Any]] = {}

    def add_object(self, obj: HarvestObject) -> None:
        try:
            items = json.loads(obj.content or "{}").get("unmapped") or []
        except ValueError:
            return
        for item in items:
            if isinstance(item, dict):
                self.add(item.get("kind") or "unmapped", str(item.get("field", "")), str(item.get("value", "")),
                         str(item.get("message", "")))

    def add(self, kind: str, field_name: str, value: str, message: str) -> None:
        where = re.sub(r"\[\d+\]", "[]", field_name)
        group = self.groups.setdefault((kind, where), {
            "kind": kind, "kind_label": FINDING_KINDS.get(kind, kind), "field": where, "count": 0,
            "examples": [], "message": message})
        group["count"] += 1
        if value and value not in group["examples"] and len(group["examples"]) < FINDING_EXAMPLES:
            group["examples"].append(value[:200])

    def summary(self) -> list[dict[str, Any]]:
        order = list(FINDING_KINDS)
        return sorted(self.groups.values(), key=lambda g: (order.index(g["kind"]) if g["kind"] in order
                                                            else len(order), -g["count"], g["field"]))
