"""The portal's FragDenStaat harvester (source type `fragdenstaat`): answered information requests.

Lists the requests of one jurisdiction (Thüringen) that FragDenStaat shows as
resolved and (partially) successful, one resolution after the other:

    <site>/api/v1/request/?jurisdiction=<id>&status=resolved&resolution=successful&limit=50&offset=0

following `meta.next` (`paging.follow_pages`: the source's size cap and
timeouts, loop and page-limit checks), reads each request's detail
(`resource_uri`: law, messages, attachments) and maps it with
`fragdenstaat_mapping.map_request`. The gather is complete each time, so a
request that FragDenStaat no longer lists as successful (made private,
re-classified) is withdrawn — under the `delete_threshold` guard.
Change detection is the record hash: an unchanged request writes nothing.
Everything after the gather is `base.PortalHarvester`'s.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import ckan.plugins as plugins
from ckanext.harvest.interfaces import IHarvester

from .base import PortalHarvester
from .config import ConfigError, SourceConfig, parse_source_config
from .fetch import JSON_MEDIA_TYPES, Fetched, display_url, fetch
from .fragdenstaat_mapping import SUCCESSFUL, is_publishable, map_request, request_api_url, site_base_url
from .paging import follow_pages
from .publication_source import OPTIONS as SOURCE_OPTIONS
from .records import GatherFailure, Record

PAGE_SIZE = 50   # froide's max_limit


def _jurisdiction(value: Any) -> int | str:
    """A jurisdiction's number, or its slug (e.g. "thueringen"), which the gather
    looks up in /api/v1/jurisdiction/: numbers are the site's database ids and
    differ between froide installations, slugs are what people know."""
    if isinstance(value, str) and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"erwartet die Nummer der Jurisdiktion bei FragDenStaat (eine ganze Zahl) oder ihr "
                          f"Kürzel wie \"thueringen\" (siehe /api/v1/jurisdiction/), nicht "
                          f"{json.dumps(value, ensure_ascii=False)}.")
    return value


def _resolutions(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not values or any(item not in SUCCESSFUL for item in values):
        raise ConfigError(f"erwartet eine Liste aus {', '.join(SUCCESSFUL)}, nicht "
                          f"{json.dumps(value, ensure_ascii=False)}.")
    return tuple(dict.fromkeys(values))


_resolutions.default = SUCCESSFUL


def read_json(fetched: Fetched) -> Any:
    """The JSON of a downloaded API answer; GatherFailure (German) for anything else."""
    try:
        with open(fetched.path, "rb") as handle:
            return json.load(handle)
    except (ValueError, UnicodeDecodeError) as exc:
        raise GatherFailure(f"Die FragDenStaat-API {display_url(fetched.url)} liefert kein gültiges JSON "
                            f"({exc}).") from exc


class FragDenStaatHarvester(PortalHarvester, plugins.SingletonPlugin):
    """ckanext-harvest plugin for froide's request API (FragDenStaat)."""

    plugins.implements(IHarvester)

    config_options = {"jurisdiction": _jurisdiction, "resolutions": _resolutions,
                      "document_type": SOURCE_OPTIONS["document_type"]}

    def info(self) -> dict[str, str]:
        return {
            "name": "fragdenstaat",
            "title": "FragDenStaat (beantwortete Informationsanträge)",
            "description": "Erntet die erfolgreich oder teilweise erfolgreich beantworteten Anfragen einer "
                           "Jurisdiktion bei FragDenStaat (froide-API) als Veröffentlichungen mit ihren "
                           "freigegebenen Anhängen.",
        }

    def validate_config(self, config: str | None) -> str | None:
        settings = parse_source_config(config, self.config_options)
        if settings.options.get("jurisdiction") is None:
            raise ConfigError("„jurisdiction“ fehlt: die Nummer oder das Kürzel der Jurisdiktion bei FragDenStaat, "
                              "deren Anfragen geerntet werden (siehe /api/v1/jurisdiction/).")
        if settings.rdf_format:
            raise ConfigError("„rdf_format“ gilt nur für DCAT-Kataloge; die FragDenStaat-API antwortet mit JSON.")
        return config

    def gather_pages(self, source_url: str, settings: SourceConfig, workdir: Path) -> Iterator[list[Record]]:
        options = settings.options
        if options.get("jurisdiction") is None:
            raise GatherFailure("Die Konfiguration der Quelle nennt keine „jurisdiction“ (Nummer der Jurisdiktion "
                                "bei FragDenStaat)")
        site = site_base_url(source_url)
        resolutions = options.get("resolutions") or SUCCESSFUL
        jurisdiction = options["jurisdiction"]
        if isinstance(jurisdiction, str):
            jurisdiction = self._jurisdiction_id(site, jurisdiction, settings, workdir)

        def read(fetched):
            body = read_json(fetched)
            meta = body.get("meta") if isinstance(body, dict) else None
            objects = body.get("objects") if isinstance(body, dict) else None
            if not isinstance(meta, dict) or not isinstance(objects, list):
                raise GatherFailure(f"Die FragDenStaat-API {display_url(fetched.url)} liefert keine Liste der Form "
                                    "{meta, objects}; ist das die Adresse einer froide-Installation?")
            return objects, meta.get("next")

        for resolution in resolutions:
            query = urlencode({"jurisdiction": jurisdiction, "status": "resolved",
                               "resolution": resolution, "limit": PAGE_SIZE, "offset": 0})
            for page_url, requests in follow_pages(f"{site}/api/v1/request/?{query}", settings, workdir, read,
                                                   what="Anfragen-Endpunkt", genitive="Anfragen-Endpunkts",
                                                   link="meta.next", accept=JSON_MEDIA_TYPES):
                records = []
                for request in requests:
                    if not isinstance(request, dict) or not is_publishable(request, resolutions):
                        continue   # the API filters already; a request that slipped through is no publication
                    detail = self._detail(site, request, settings, workdir)
                    mapped = map_request(detail, site, options.get("document_type"))
                    records.append(Record(guid=request_api_url(site, request), dataset=mapped.value,
                                          unmapped=mapped.unmapped, page=page_url))
                yield records

    @staticmethod
    def _jurisdiction_id(site: str, slug: str, settings: SourceConfig, workdir: Path) -> int:
        """The number of the jurisdiction with this slug, from the paged /api/v1/jurisdiction/."""
        def read(fetched):
            body = read_json(fetched)
            if not isinstance(body, dict) or not isinstance(body.get("objects"), list):
                raise GatherFailure(f"Die FragDenStaat-API {display_url(fetched.url)} liefert keine Liste der "
                                    "Jurisdiktionen.")
            return body["objects"], (body.get("meta") or {}).get("next")

        for _, jurisdictions in follow_pages(f"{site}/api/v1/jurisdiction/?limit={PAGE_SIZE}", settings, workdir,
                                             read, what="Jurisdiktionen-Endpunkt",
                                             genitive="Jurisdiktionen-Endpunkts", link="meta.next",
                                             accept=JSON_MEDIA_TYPES):
            for item in jurisdictions:
                if isinstance(item, dict) and item.get("slug") == slug and isinstance(item.get("id"), int):
                    return item["id"]
        raise GatherFailure(f"FragDenStaat ({display_url(site)}) kennt keine Jurisdiktion mit dem Kürzel "
                            f"„{slug}“ (siehe /api/v1/jurisdiction/).")

    @staticmethod
    def _detail(site: str, request: dict, settings: SourceConfig, workdir: Path) -> dict:
        fetched = fetch(request_api_url(site, request), workdir, accept=JSON_MEDIA_TYPES, **settings.fetch_limits)
        try:
            detail = read_json(fetched)
        finally:
            fetched.path.unlink(missing_ok=True)
        if not isinstance(detail, dict) or detail.get("id") != request.get("id"):
            raise GatherFailure(f"Die FragDenStaat-API {display_url(fetched.url)} liefert nicht die Anfrage "
                                f"{request.get('id')}.")
        return detail
