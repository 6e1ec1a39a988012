"""The portal's DCAT-AP.de harvester (source type `dcat_ap_de`).

Reads a DCAT-AP.de catalogue in RDF/XML, Turtle, JSON-LD or N-Triples, page by
page along Hydra's `nextPage`: each page is downloaded with `fetch.fetch`
(size cap and timeouts from the source's config), checked and parsed with
`rdf_guard.parse_page` (which runs the `dcatap_de` profile and the normaliser)
and handed on as records before the next page is read. Everything after that —
defaults, hashing, duplicates, storing, withdrawing, the report — is
`base.PortalHarvester`'s.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator
from urllib.parse import urljoin, urlsplit, urlunsplit

import ckan.plugins as plugins
from ckanext.harvest.interfaces import IHarvester

from ckanext.thueringen import normalize

from .base import GatherFailure, PortalHarvester, Record, SourceConfig
from .fetch import display_url, fetch
from .rdf_guard import parse_page


class DCATAPDEHarvester(PortalHarvester, plugins.SingletonPlugin):
    """ckanext-harvest plugin for DCAT-AP.de catalogues."""

    plugins.implements(IHarvester)

    def info(self) -> dict[str, str]:
        return {
            "name": "dcat_ap_de",
            "title": "DCAT-AP.de-Katalog (RDF/XML, Turtle, JSON-LD, N-Triples)",
            "description": "Erntet einen DCAT-AP.de-Katalog, auch über mehrere Seiten (Hydra), prüft und "
                           "normalisiert jeden Datensatz und zieht Datensätze zurück, die die Quelle nicht "
                           "mehr liefert.",
        }

    def gather_pages(self, source_url: str, settings: SourceConfig, workdir: Path) -> Iterator[list[Record]]:
        url: str | None = source_url
        visited: set[str] = set()
        digests: set[str] = set()
        number = 0
        while url:
            number += 1
            if number > settings.max_pages:
                raise GatherFailure(f"Der Katalog {display_url(source_url)} hat mehr als {settings.max_pages} "
                                    "Seiten (Angabe „max_pages“); weitere Seiten wurden nicht gelesen.")
            visited.add(_page_key(url))
            fetched = fetch(url, workdir, **settings.fetch_limits)
            try:
                if fetched.sha256 in digests:
                    raise GatherFailure(f"Seite {number} des Katalogs {display_url(source_url)} "
                                        f"({display_url(fetched.url)}) ist gleich einer früheren Seite; die "
                                        "Seitenfolge (hydra:nextPage) dreht sich im Kreis.")
                digests.add(fetched.sha256)
                page = parse_page(fetched.path, settings.rdf_format or fetched.content_type, fetched.url)
            finally:
                fetched.path.unlink(missing_ok=True)
            yield [_record(parsed, fetched.url) for parsed in page.datasets]
            url = urljoin(fetched.url, page.next_page) if page.next_page else None
            if url and _page_key(url) in visited:
                raise GatherFailure(f"Seite {number} des Katalogs {display_url(source_url)} verweist mit "
                                    f"hydra:nextPage auf die schon gelesene Seite {display_url(url)}; die "
                                    "Seitenfolge dreht sich im Kreis.")


def _record(parsed, page_url: str) -> Record:
    """A parsed dataset as a record; a dataset without URI (a blank node) is named
    by its dct:identifier."""
    guid = parsed.uri if normalize.uri(parsed.uri) else (parsed.dataset.get("identifier") or parsed.uri)
    return Record(guid=guid, dataset=parsed.dataset, unmapped=parsed.unmapped, page=page_url)


def _page_key(url: str) -> str:
    """A page address as the loop check compares it (no fragment, lower-case scheme and host)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))
