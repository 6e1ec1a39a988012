"""The client of another CKAN's Action API: the gather side of the CKAN harvester.

`CkanApiClient(url)` pages through the source's `package_search` and maps every
dataset with `ckan_mapping.map_ckan_dataset`:

- `pages(since=None)` yields one `CkanPage` at a time: its URL and a list of
  `(source_dataset, mapped)` pairs (`mapped` is a `normalize.Normalized`), so
  memory holds one page; `datasets(since=None)` yields the pairs one by one.
  `since` (a datetime or ISO text; naive means UTC): only datasets whose
  `metadata_modified` is at or after it, for incremental runs. After a complete
  run `newest_modified` holds the newest `metadata_modified` seen, by the
  source's own clock: the `since` of the next run, free of clock skew.
- `list_ids()`: the ids of every public dataset the source has now, for the
  deletion check; raises rather than return a partial list.
- each listing stops after `max_pages` requests (the source's key).

Every request is a GET through `fetch()` (size cap, connect/read timeouts, a
total deadline, http/https only) into a temporary file that is deleted once
parsed. No API token is sent and private datasets are never asked for.
Everything that goes wrong is a `CkanApiError` with a German sentence that names
the request: HTTP errors and timeouts (from fetch), an answer that is no JSON or
no CKAN API answer, `success: false`, and pages that do not add up (more results
than asked for, no ids, not sorted, a page that brings nothing new, fewer
results than the count announces).

Paging: `sort=metadata_modified asc, id asc` with
`fq=metadata_modified:[<cursor> TO *]`, where the cursor moves to the last
dataset's timestamp after each page and `start` skips only the datasets already
read at that very timestamp (keyset paging). Plain offset paging would skip a
dataset whenever another one is changed while the harvest pages (it moves to
the end and everything behind it moves up by one); here such a dataset is only
read twice. `list_ids()` pages by id (`fq=id:{<last> TO *]`) for the same
reason: an offset that slips would make a dataset look deleted. A source that
caps `rows` below what is asked is fine: paging follows `count`. Harvest
sources of a source CKAN with ckanext-harvest (`dataset_type:harvest`) are left
out.

The harvester that uses it is harvesters/ckan.py (`CkanApiHarvester`, source type
`ckan_api`); see harvesters/README.md.
"""
from __future__ import annotations

import itertools
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ckanext.thueringen.normalize import Normalized

from . import fetch as fetching
from .ckan_mapping import map_ckan_dataset, source_base_url
from .config import SourceConfig
from .fetch import FetchError, display_url

DEFAULT_ROWS = 100
ID_ROWS = 1000
DEFAULT_MAX_BYTES = 20 * fetching.MiB   # one page of 100 datasets is rarely above 2 MB
BASE_FILTER = "-dataset_type:harvest"
SORT = "metadata_modified asc, id asc"


class CkanApiError(Exception):
    """A request to the source's Action API that failed; `message` is German and
    names the request. `kind`: fetch's kinds, or "not_ckan", "api_error", "page"."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass
class CkanPage:
    url: str                          # the package_search request of this page
    items: list[tuple[dict, Normalized]] = field(default_factory=list)
    count: int = 0                    # what the source announced for this request


def solr_time(value: datetime | str) -> str:
    """A Solr date ("2024-05-01T10:11:12.345Z", UTC, milliseconds: the precision of
    Solr's index) from a datetime or ISO text; naive times are UTC, as in CKAN."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


def _solr_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class CkanApiClient:
    def __init__(self, url: str, *, rows: int = DEFAULT_ROWS, workdir: str | os.PathLike | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, connect_timeout: float = fetching.DEFAULT_CONNECT_TIMEOUT,
                 read_timeout: float = fetching.DEFAULT_READ_TIMEOUT,
                 total_timeout: float = fetching.DEFAULT_TOTAL_TIMEOUT,
                 max_pages: int = SourceConfig.max_pages):
        self.base_url = source_base_url(url)
        self.rows = rows
        self.max_pages = max_pages   # requests per listing (pages, list_ids): a source cannot page forever
        self.workdir = Path(workdir) if workdir else Path(tempfile.gettempdir())
        self.limits = {"max_bytes": int(max_bytes), "connect_timeout": connect_timeout,
                       "read_timeout": read_timeout, "total_timeout": total_timeout}
        self.newest_modified: str | None = None

    # --- one request ------------------------------------------------------------

    def action_url(self, action: str, **params: Any) -> str:
        query = urlencode({key: value for key, value in params.items() if value is not None})
        return f"{self.base_url}/api/3/action/{action}" + (f"?{query}" if query else "")

    def call(self, action: str, **params: Any) -> Any:
        """GET one action and return its `result`; raises CkanApiError."""
        url = self.action_url(action, **params)
        where = f"Die CKAN-API {display_url(self.base_url)} ({action})"
        try:
            fetched = fetching.fetch(url, self.workdir, accept=fetching.JSON_MEDIA_TYPES, **self.limits)
        except FetchError as exc:
            if exc.kind == "content_type":
                raise CkanApiError("not_ckan", f"{where} antwortet nicht mit JSON, sondern mit einem anderen "
                                               f"Inhaltstyp – das ist keine CKAN-API. ({exc.message})") from exc
            message = exc.message.replace("statt mit dem Katalog", "statt mit einer API-Antwort")
            if exc.kind == "http_status" and " HTTP 404 " in message:
                message += " Ist das die Adresse eines CKAN-Portals (ohne /api/3/action)?"
            raise CkanApiError(exc.kind, f"{where}: {message}") from exc
        try:
            media_type = fetched.content_type.split(";")[0].strip().lower()
            with open(fetched.path, "rb") as handle:
                head = handle.read(512).lstrip()
                handle.seek(0)
                if media_type in fetching.HTML_MEDIA_TYPES or head[:1] == b"<":
                    raise CkanApiError("not_ckan", f"{where} liefert eine HTML-Seite statt einer API-Antwort – "
                                                   "ist das die Adresse eines CKAN-Portals?")
                try:
                    body = json.load(handle)
                except (ValueError, UnicodeDecodeError) as exc:
                    detail = (f"{exc.msg}, Zeile {exc.lineno}, Spalte {exc.colno}"
                              if isinstance(exc, json.JSONDecodeError) else str(exc))
                    raise CkanApiError("not_ckan", f"{where} liefert kein gültiges JSON ({detail}); das ist "
                                                   "keine Antwort einer CKAN-API.") from exc
        finally:
            fetched.path.unlink(missing_ok=True)
        if not isinstance(body, dict) or "success" not in body:
            raise CkanApiError("not_ckan", f"{where} liefert JSON ohne das Feld „success“; das ist keine "
                                           "Antwort einer CKAN-API.")
        if body["success"] is not True:
            raise CkanApiError("api_error", f"{where} meldet einen Fehler: {_error_text(body.get('error'))}")
        if "result" not in body:
            raise CkanApiError("not_ckan", f"{where} meldet Erfolg, liefert aber kein „result“.")
        return body["result"]

    def _search(self, what: str, number: int, **params: Any) -> tuple[str, int, list]:
        """Page `number` (from 1) of a package_search listing: (its URL, count, results), checked."""
        if number > self.max_pages:
            raise CkanApiError("page", f"Die CKAN-API {display_url(self.base_url)} hat mehr als {self.max_pages} "
                                       f"Seiten ({what}; Angabe „max_pages“); weitere Seiten wurden nicht gelesen.")
        url = self.action_url("package_search", **params)
        result = self.call("package_search", **params)
        where = f"Die Seite {display_url(url)} ({what})"
        if not isinstance(result, dict) or not isinstance(result.get("results"), list) \
                or not isinstance(result.get("count"), int) or isinstance(result.get("count"), bool):
            raise CkanApiError("page", f"{where} hat kein Suchergebnis der Form {{count, results}}.")
        results, count = result["results"], result["count"]
        if len(results) > params["rows"]:
            raise CkanApiError("page", f"{where} enthält {len(results)} Datensätze, erbeten waren höchstens "
                                       f"{params['rows']}; die Quelle blättert nicht wie erwartet.")
        if len(results) > count - params.get("start", 0):
            raise CkanApiError("page", f"{where} enthält {len(results)} Datensätze, laut „count“ ({count}) "
                                       "dürften es weniger sein.")
        for index, item in enumerate(results):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"].strip():
                raise CkanApiError("page", f"{where}: Eintrag {index + 1} ist kein Datensatz mit „id“.")
        return url, count, results

    # --- datasets ---------------------------------------------------------------

    def pages(self, since: datetime | str | None = None) -> Iterator[CkanPage]:
        """The source's public datasets (changed at or after `since`), mapped, one page at a time."""
        cursor = solr_time(since) if since is not None else None
        at_cursor: set[str] = set()   # ids read whose timestamp is the cursor
        for number in itertools.count(1):
            fq = BASE_FILTER + (f" +metadata_modified:[{cursor} TO *]" if cursor else "")
            start = len(at_cursor)
            url, count, results = self._search("Datensätze", number, q="*:*", fq=fq, sort=SORT, rows=self.rows,
                                               start=start, facet="false")
            if not results:
                if count > start:
                    raise CkanApiError("page", f"Die Seite {display_url(url)} ist leer, obwohl die Quelle "
                                               f"{count} Datensätze ab {cursor or 'Beginn'} meldet.")
                return
            stamps = [self._stamp(url, item) for item in results]
            if stamps != sorted(stamps) or (cursor and stamps[0] < cursor):
                raise CkanApiError("page", f"Die Seite {display_url(url)} ist nicht nach metadata_modified "
                                           "sortiert; die Quelle lässt sich so nicht vollständig lesen.")
            fresh = [item for item in results if item["id"] not in at_cursor]
            if not fresh:
                raise CkanApiError("page", f"Die Seite {display_url(url)} bringt nur schon gelesene Datensätze; "
                                           "die Quelle blättert nicht wie erwartet.")
            if stamps[-1] != cursor:
                cursor, at_cursor = stamps[-1], set()
            at_cursor |= {item["id"] for item, stamp in zip(results, stamps) if stamp == cursor}
            page = CkanPage(url, [(item, map_ckan_dataset(item, self.base_url)) for item in fresh], count)
            self._remember_newest(fresh)
            yield page
            if start + len(results) >= count:
                return

    def datasets(self, since: datetime | str | None = None) -> Iterator[tuple[dict, Normalized]]:
        for page in self.pages(since):
            yield from page.items

    def _stamp(self, url: str, item: dict) -> str:
        try:
            return solr_time(item.get("metadata_modified") or "")
        except (TypeError, ValueError):
            raise CkanApiError("page", f"Die Seite {display_url(url)}: Datensatz {item['id']} hat kein gültiges "
                                       f"metadata_modified ({item.get('metadata_modified')!r}).") from None

    def _remember_newest(self, items: list[dict]) -> None:
        for item in items:
            value = str(item.get("metadata_modified"))
            if self.newest_modified is None or solr_time(value) > solr_time(self.newest_modified):
                self.newest_modified = value

    # --- ids for the deletion check ------------------------------------------------

    def list_ids(self) -> list[str]:
        """Every public dataset id of the source now, sorted; raises CkanApiError
        instead of returning a partial list."""
        ids: list[str] = []
        for number in itertools.count(1):
            fq = BASE_FILTER + (f" +id:{{{_solr_quote(ids[-1])} TO *]" if ids else "")
            url, count, results = self._search("Kennungen", number, q="*:*", fq=fq, sort="id asc", rows=ID_ROWS,
                                               start=0, fl="id", facet="false")
            page_ids = [item["id"] for item in results]
            if page_ids != sorted(set(page_ids)) or (ids and page_ids and page_ids[0] <= ids[-1]):
                raise CkanApiError("page", f"Die Seite {display_url(url)} ist nicht nach id sortiert; die "
                                           "Kennungen der Quelle lassen sich so nicht vollständig lesen.")
            if not page_ids:
                if count:
                    raise CkanApiError("page", f"Die Seite {display_url(url)} ist leer, obwohl die Quelle "
                                               f"noch {count} Datensätze meldet.")
                return ids
            ids += page_ids
            if len(page_ids) >= count:
                return ids


def _error_text(error: Any) -> str:
    """CKAN's error object ({"__type": "Validation Error", "message": …, field: [...]}) as one line."""
    if not isinstance(error, dict):
        return str(error or "ohne Angabe")
    kind = str(error.get("__type") or "Fehler")
    details = [str(error["message"])] if error.get("message") else []
    details += [f"{key}: {value}" for key, value in error.items() if key not in ("__type", "message")]
    return kind + (f" ({'; '.join(details)})" if details else "")
