"""The portal's feed harvester (source type `feed`): authorities' "Veröffentlichungen" feeds.

Reads an Atom 1.0 or RSS 2.0 feed (RSS 1.0 and Dublin Core too), page by page
along RFC 5005's `rel="next"` (`paging.follow_pages`: download with the source's
size cap and timeouts), maps each entry to a `publication` with
`feed_mapping.parse_feed` and hands the entries on as records. Everything after
that — defaults, hashing (a re-harvest of an unchanged feed writes nothing),
duplicates, storing, withdrawing, the report — is `base.PortalHarvester`'s.

Withdrawals: most feeds list only the latest entries, so an entry that drops off
the end has not been withdrawn by the authority. Unless the feed says it is
complete (`<fh:complete/>`, RFC 5005) or the source config says so
(`"complete": true`), vanished entries are therefore kept, and only entries the
feed marks as deleted (`<at:deleted-entry ref="…"/>`, RFC 6721) are withdrawn.
For complete feeds, an entry that is no longer listed is withdrawn — under
the `delete_threshold` guard in both cases.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ckan.plugins as plugins
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestGatherError

from .base import PortalHarvester
from .config import ConfigError, SourceConfig, parse_source_config
from .feed_mapping import FEED_MEDIA_TYPES, parse_feed
from .paging import follow_pages
from .publication_source import OPTIONS as SOURCE_OPTIONS
from .records import Record
from .state import stored_guids


def _complete_option(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"erwartet true oder false, nicht {json.dumps(value, ensure_ascii=False)}.")
    return value


class FeedHarvester(PortalHarvester, plugins.SingletonPlugin):
    """ckanext-harvest plugin for Atom and RSS feeds of publications."""

    plugins.implements(IHarvester)

    config_options = {"document_type": SOURCE_OPTIONS["document_type"], "complete": _complete_option}

    _job = None
    _complete = True
    _listed: set[str] = set()
    _deleted: set[str] = set()

    def info(self) -> dict[str, str]:
        return {
            "name": "feed",
            "title": "Veröffentlichungs-Feed (Atom, RSS)",
            "description": "Erntet die Veröffentlichungen einer Behörde aus ihrem Atom- oder RSS-Feed, auch über "
                           "mehrere Seiten (RFC 5005): jeder Eintrag wird eine Veröffentlichung mit ihren "
                           "Dokumenten; als gelöscht markierte Einträge werden zurückgezogen.",
        }

    def validate_config(self, config: str | None) -> str | None:
        if parse_source_config(config, self.config_options).rdf_format:
            raise ConfigError("„rdf_format“ gilt nur für DCAT-Kataloge, nicht für Feeds.")
        return config

    def gather_stage(self, harvest_job) -> list[str]:
        self._job = harvest_job
        try:
            return super().gather_stage(harvest_job)
        finally:
            self._job, self._listed, self._deleted = None, set(), set()

    def gather_pages(self, source_url: str, settings: SourceConfig, workdir: Path) -> Iterator[list[Record]]:
        self._listed, self._deleted = set(), set()
        self._complete = settings.options.get("complete")
        default_type = settings.options.get("document_type")

        def read(fetched):
            feed = parse_feed(fetched.path.read_bytes(), fetched.url, default_document_type=default_type)
            return feed, feed.next_page

        for page_url, feed in follow_pages(source_url, settings, workdir, read, what="Feed",
                                           link="rel=\"next\"", accept=FEED_MEDIA_TYPES):
            if self._complete is None:
                self._complete = feed.complete   # the first page says it for the whole feed
            for problem in feed.problems:
                self._warn(problem)
            self._deleted |= feed.deleted
            records = []
            for publication in feed.publications:
                dataset = publication.dataset
                if settings.publisher:   # the configured authority beats a feed's author
                    dataset.pop("publisher", None)
                self._listed.add(publication.guid)
                records.append(Record(guid=publication.guid, dataset=dataset, unmapped=publication.unmapped,
                                      page=page_url))
            yield records

    def current_guids(self, source_url: str, settings: SourceConfig, workdir: Path) -> set[str] | None:
        if self._complete or self._job is None:
            return None   # what the gather read is all the source has
        return (stored_guids(self._job.source.id) | self._listed) - (self._deleted - self._listed)

    def _warn(self, message: str) -> None:
        if self._job is not None:
            HarvestGatherError.create(f"Warnung: {message}", self._job)
