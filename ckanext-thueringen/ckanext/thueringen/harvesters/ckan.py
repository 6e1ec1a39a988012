"""The portal's CKAN harvester (source type `ckan_api`).

Reads another CKAN through its Action API with `ckan_client.CkanApiClient` (keyset
paging over `package_search`, every dataset mapped by `ckan_mapping`) and hands
each page on as records (guid: the dataset's address in the source,
`{source}/dataset/{id}`, the mapped `uri`). Everything after that — defaults,
hashing, duplicates, storing, withdrawing, the report — is
`base.PortalHarvester`'s.

Its names: plugin (entry point) `thueringen_ckan`, source type `ckan_api`
(stored in every source), this module, and its client `ckan_client.py`.

Incremental runs: after the source has been read completely, the gather writes
a bookkeeping object (guid `MARKER_GUID`, state COMPLETE, no report status, so
it is neither queued nor counted) whose extra `ckan_since` holds the source's
newest `metadata_modified` (by the source's own clock), the source URL and its
config. The next gather reads only datasets changed at or after that time, if
the marker's job is Finished without any error (gather warnings aside) and URL
and config are unchanged; otherwise it reads everything. As an incremental
gather lists only what changed, `current_guids()` lists every public dataset id
of the source (`list_ids()`) for the withdrawals; the `delete_threshold`
guard applies to that list.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import ckan.model as model
import ckan.plugins as plugins
import sqlalchemy as sa
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from .base import PortalHarvester
from .ckan_client import CkanApiClient, CkanApiError
from .ckan_mapping import source_base_url
from .config import ConfigError, SourceConfig, parse_source_config
from .records import GatherFailure, Record

MARKER_GUID = "ckan_api:since"
SINCE = "ckan_since"

_LAST_SINCE = """
    SELECT e.value FROM harvest_object o
    JOIN harvest_object_extra e ON e.harvest_object_id = o.id AND e.key = :key
    JOIN harvest_job j ON j.id = o.harvest_job_id
    WHERE o.harvest_source_id = :source_id AND o.guid = :guid AND j.status = 'Finished'
      AND NOT EXISTS (SELECT 1 FROM harvest_object_error err JOIN harvest_object x ON x.id = err.harvest_object_id
                      WHERE x.harvest_job_id = j.id)
      AND NOT EXISTS (SELECT 1 FROM harvest_gather_error g
                      WHERE g.harvest_job_id = j.id AND left(g.message, 8) <> 'Warnung:')
    ORDER BY j.created DESC LIMIT 1
"""


class CkanApiHarvester(PortalHarvester, plugins.SingletonPlugin):
    """ckanext-harvest plugin for other CKAN portals (Action API, plain and OGD style)."""

    plugins.implements(IHarvester)

    _job = None
    _client: CkanApiClient | None = None
    _since: str | None = None

    def info(self) -> dict[str, str]:
        return {
            "name": "ckan_api",
            "title": "CKAN-Portal (Action API)",
            "description": "Erntet die öffentlichen Datensätze eines anderen CKAN-Portals über dessen Action-API "
                           "(auch im OGD-Stil), nach der ersten Ernte nur die geänderten, und zieht Datensätze "
                           "zurück, die das Portal nicht mehr anbietet.",
        }

    def validate_config(self, config: str | None) -> str | None:
        settings = parse_source_config(config)
        if settings.rdf_format:
            raise ConfigError("„rdf_format“ gilt nur für DCAT-Kataloge; eine CKAN-API antwortet immer mit JSON.")
        return config

    def gather_stage(self, harvest_job) -> list[str]:
        self._job, self._client, self._since = harvest_job, None, None
        try:
            return super().gather_stage(harvest_job)
        finally:
            self._job, self._client, self._since = None, None, None

    def gather_pages(self, source_url: str, settings: SourceConfig, workdir: Path) -> Iterator[list[Record]]:
        self._since = _last_since(self._job.source) if self._job is not None else None
        self._client = CkanApiClient(source_url, workdir=workdir, max_pages=settings.max_pages,
                                     **settings.fetch_limits)
        try:
            for page in self._client.pages(since=self._since):
                yield [Record(guid=mapped.value["uri"], dataset=mapped.value, unmapped=mapped.unmapped,
                              page=page.url)
                       for _source, mapped in page.items if mapped.value.get("uri")]
        except CkanApiError as exc:
            raise GatherFailure(str(exc)) from exc

    def current_guids(self, source_url: str, settings: SourceConfig, workdir: Path) -> set[str] | None:
        client = self._client or CkanApiClient(source_url, workdir=workdir, max_pages=settings.max_pages,
                                               **settings.fetch_limits)
        try:
            ids = client.list_ids()
        except CkanApiError as exc:
            raise GatherFailure(str(exc)) from exc
        if self._job is not None:
            _write_since(self._job, client.newest_modified or self._since)
        return {f"{client.base_url}/dataset/{package_id}" for package_id in ids}


def _state(source) -> dict[str, str | None]:
    return {"url": source_base_url(source.url), "config": source.config or ""}


def _last_since(source) -> str | None:
    """The `since` of an incremental gather, or None: read everything."""
    value = model.Session.execute(sa.text(_LAST_SINCE), {"key": SINCE, "source_id": source.id,
                                                         "guid": MARKER_GUID}).scalar()
    try:
        stored = json.loads(value) if value else {}
    except ValueError:
        return None
    if not isinstance(stored, dict) or {k: stored.get(k) for k in ("url", "config")} != _state(source):
        return None
    return stored.get("newest_modified") or None


def _write_since(job, newest_modified: str | None) -> None:
    if not newest_modified:
        return
    value = json.dumps({"newest_modified": newest_modified, **_state(job.source)}, ensure_ascii=False)
    obj = HarvestObject(guid=MARKER_GUID, job=job, state="COMPLETE",
                        extras=[HarvestObjectExtra(key=SINCE, value=value)])
    model.Session.add(obj)
    model.Session.commit()
