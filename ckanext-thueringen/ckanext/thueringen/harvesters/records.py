"""Records as a harvester hands them to the gather, and what the pipeline derives from one.

Pure functions: a record's hash (change detection), its duplicate key, its
fixed dataset id, the source's defaults applied to it, its findings.
"""
from __future__ import annotations

import copy
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ckanext.thueringen import derived, normalize
from ckanext.thueringen.normalize import Unmapped

from .config import SourceConfig

# Bumped when the way records are prepared changes, so that the next harvest
# stores every record again instead of finding it "not modified".
HASH_VERSION = "1"
RECORD_WARNING_KINDS = (normalize.UNMAPPED, normalize.DROPPED)   # findings that are also warnings on their record
PACKAGE_NAMESPACE = uuid.UUID("6f1d3c1e-4b1a-4d0c-9a53-7468fc72696e")
OLDEST = datetime.min.replace(tzinfo=UTC)
# dataset types the portal's harvesters store (open data; transparency publications)
HARVESTED_TYPES = ("dataset", "publication")


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
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
