"""Reading a source page by page along its "next" links, for every paged harvester.

`follow_pages` downloads each page with `fetch.fetch` (the source's size cap and
timeouts), hands the file to the harvester's `read` and follows the next page
that `read` names. It ends the gather as failed (GatherFailure, German) when the
pages run in a loop (an address or a content seen before) or exceed `max_pages`,
so that a broken source can neither keep a gather busy forever nor make it look
complete.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

from .config import SourceConfig
from .fetch import RDF_MEDIA_TYPES, Fetched, display_url, fetch
from .records import GatherFailure

T = TypeVar("T")


def follow_pages(source_url: str, settings: SourceConfig, workdir: Path,
                 read: Callable[[Fetched], tuple[T, str | None]], *, what: str = "Katalog",
                 link: str = "hydra:nextPage", accept: tuple[str, ...] = RDF_MEDIA_TYPES,
                 genitive: str | None = None) -> Iterator[tuple[str, T]]:
    """(page URL, what `read` made of it) for each page; `read(fetched)` returns that
    and the next page's address (relative or absolute) or None. The page's file is
    deleted after `read`. `what` (a masculine or neuter noun; `genitive`, default
    what + "s") and `link` name the source and its paging in messages."""
    of_source = f"des {genitive or what + 's'} {display_url(source_url)}"
    url: str | None = source_url
    visited: set[str] = set()
    digests: set[str] = set()
    number = 0
    while url:
        number += 1
        if number > settings.max_pages:
            raise GatherFailure(f"Der {what} {display_url(source_url)} hat mehr als {settings.max_pages} "
                                "Seiten (Angabe „max_pages“); weitere Seiten wurden nicht gelesen.")
        visited.add(page_key(url))
        fetched = fetch(url, workdir, accept=accept, **settings.fetch_limits)
        try:
            if fetched.sha256 in digests:
                raise GatherFailure(f"Seite {number} {of_source} "
                                    f"({display_url(fetched.url)}) ist gleich einer früheren Seite; die "
                                    f"Seitenfolge ({link}) dreht sich im Kreis.")
            digests.add(fetched.sha256)
            result, next_page = read(fetched)
        finally:
            fetched.path.unlink(missing_ok=True)
        yield fetched.url, result
        url = urljoin(fetched.url, next_page) if next_page else None
        if url and page_key(url) in visited:
            raise GatherFailure(f"Seite {number} {of_source} verweist mit "
                                f"{link} auf die schon gelesene Seite {display_url(url)}; die "
                                "Seitenfolge dreht sich im Kreis.")


def page_key(url: str) -> str:
    """A page address as the loop check compares it (no fragment, lower-case scheme and host)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))
