"""The portal's DCAT-AP.de harvester (source type `dcat_ap_de`).

Reads a DCAT-AP.de catalogue in RDF/XML, Turtle, JSON-LD or N-Triples, page by
page along Hydra's `nextPage` (`paging.follow_pages`: each page is downloaded with
`fetch.fetch`, size cap and timeouts from the source's config), checked and parsed with
`rdf_guard.parse_page` (which runs the `dcatap_de` profile and the normaliser)
and handed on as records before the next page is read — unless the page is as
the last gather found it (`pages.PageMemory`): then it is not parsed at all.
Everything after that —
defaults, hashing, duplicates, storing, withdrawing, the report — is
`base.PortalHarvester`'s.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ckan.plugins as plugins
from ckanext.harvest.interfaces import IHarvester

from ckanext.thueringen import normalize

from . import publication_source
from .base import PortalHarvester
from .config import SourceConfig
from .fetch import display_url
from .paging import follow_pages
from .rdf_guard import parse_page
from .records import Page, Record


class DCATAPDEHarvester(PortalHarvester, plugins.SingletonPlugin):
    """ckanext-harvest plugin for DCAT-AP.de catalogues."""

    plugins.implements(IHarvester)

    # {"dataset_type": "publication"}: a source of transparency documents
    config_options = publication_source.OPTIONS

    def info(self) -> dict[str, str]:
        return {
            "name": "dcat_ap_de",
            "title": "DCAT-AP.de-Katalog (RDF/XML, Turtle, JSON-LD, N-Triples)",
            "description": "Erntet einen DCAT-AP.de-Katalog, auch über mehrere Seiten (Hydra), prüft und "
                           "normalisiert jeden Datensatz und zieht Datensätze zurück, die die Quelle nicht "
                           "mehr liefert.",
        }

    def gather_pages(self, source_url: str, settings: SourceConfig, workdir: Path) -> Iterator[Page]:
        memory = self.page_memory

        def read(fetched) -> tuple[Page, str | None]:
            settled = memory.settled(fetched.url, fetched.sha256) if memory is not None else None
            if settled is not None:   # as last time: not parsed (pages.PageMemory)
                records, next_page = settled
                return Page(fetched.url, fetched.sha256, next_page, settled=records), next_page
            parsed = parse_page(fetched.path, settings.rdf_format or fetched.content_type, fetched.url)
            identified = [dataset for dataset in parsed.datasets if _identifier(dataset)]
            refused = [f"Ein Datensatz auf {display_url(fetched.url)} "
                       f"(„{dataset.dataset.get('title') or 'ohne Titel'}“) "
                       "hat weder eine URI noch eine Kennung (dct:identifier); ohne sie kann das Portal ihn bei der "
                       "nächsten Ernte nicht wiedererkennen, er wird nicht übernommen."
                       for dataset in parsed.datasets if not _identifier(dataset)]
            return Page(fetched.url, fetched.sha256, parsed.next_page,
                        records=[_record(dataset, fetched.url, settings) for dataset in identified],
                        refused=refused), parsed.next_page

        for _url, page in follow_pages(source_url, settings, workdir, read):
            yield page


def _identifier(parsed) -> str | None:
    """What names a parsed dataset in its source for good: its URI, else (a blank
    node, whose name changes with every parse) its dct:identifier; None without both."""
    if normalize.uri(parsed.uri):
        return parsed.uri
    identifier = parsed.dataset.get("identifier")
    return str(identifier).strip() if isinstance(identifier, str) and identifier.strip() else None


def _record(parsed, page_url: str, settings: SourceConfig) -> Record:
    """A parsed dataset as a record, named by _identifier."""
    guid = _identifier(parsed)
    dataset = publication_source.as_configured(parsed.dataset, settings.options)
    return Record(guid=guid, dataset=dataset, unmapped=parsed.unmapped, page=page_url)

