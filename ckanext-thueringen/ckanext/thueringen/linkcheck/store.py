"""The checker's queue: the rows of `thueringen_link_check`, due by next_check_at.

- `enqueue(urls)`: URLs that have no row yet get one, due now (a saved or
  harvested dataset's new addresses are checked within the worker's poll time);
  URLs already known keep their schedule.
- `discover()`: the same for every address of the portal's active datasets and
  publications, public and private (addresses saved by any other way, and the
  whole catalogue when the plugin is switched on), and drops the rows of
  addresses no dataset has any more.
- `claim(...)`: the next due URLs, at most `per_host` of one host, marked as
  taken for `lease` (a worker that dies gives them back when it runs out).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert

from ckanext.thueringen.linkcheck import urls as link_urls
from ckanext.thueringen.linkcheck.probe import utcnow
from ckanext.thueringen.model.link_check import link_check_table as table

CHUNK = 1000

# Every address of an active resource of an active dataset or publication
# (private ones included, drafts and harvest sources not), trimmed; uploads'
# `url` is the portal's own file. The JSON of resource.extras is written by CKAN.
_CURRENT_URLS = """
SELECT DISTINCT btrim(u.url) AS url
FROM resource r
JOIN package p ON p.id = r.package_id
CROSS JOIN LATERAL (VALUES
    (CASE WHEN coalesce(r.url_type, '') <> 'upload' THEN r.url END),
    (CASE WHEN r.extras LIKE '{%' THEN r.extras::jsonb ->> 'access_url' END),
    (CASE WHEN r.extras LIKE '{%' THEN r.extras::jsonb ->> 'download_url' END)
) AS u(url)
WHERE r.state = 'active' AND p.state = 'active' AND p.type <> 'harvest'
  AND u.url IS NOT NULL AND btrim(u.url) <> ''
"""


def enqueue(urls: Iterable[str], now: dt.datetime | None = None) -> int:
    """Add the URLs that have no row yet, due at `now`; returns how many were new
    (the caller commits)."""
    now = now or utcnow()
    wanted = list(dict.fromkeys(u for u in (link_urls.normalized(u) for u in urls) if u))
    added = 0
    for start in range(0, len(wanted), CHUNK):
        rows = [{"url": url, "host": link_urls.host_key(url), "next_check_at": now, "first_seen_at": now}
                for url in wanted[start:start + CHUNK]]
        result = model.Session.execute(insert(table).values(rows).on_conflict_do_nothing(
            index_elements=[table.c.url]))
        added += result.rowcount or 0
    return added


def package_urls(package: model.Package) -> list[str]:
    """The addresses of a saved package's active resources."""
    resources = [{"url": r.url, "url_type": r.url_type, **(r.extras or {})}
                 for r in package.resources if r.state == "active"]
    return link_urls.unique_urls(resources)


def discover(now: dt.datetime | None = None) -> tuple[int, int]:
    """Rows for the portal's addresses that have none, due now; rows of
    addresses no longer in the portal dropped. Returns (added, dropped); commits."""
    now = now or utcnow()
    new = model.Session.execute(sa.text(
        f"SELECT c.url FROM ({_CURRENT_URLS}) c "
        "WHERE NOT EXISTS (SELECT 1 FROM thueringen_link_check l WHERE l.url = c.url)"))
    added = 0
    for chunk in _chunks((row.url for row in new), CHUNK):
        added += enqueue(chunk, now)
    dropped = model.Session.execute(sa.text(
        f"DELETE FROM thueringen_link_check l WHERE NOT EXISTS "
        f"(SELECT 1 FROM ({_CURRENT_URLS}) c WHERE c.url = l.url)")).rowcount or 0
    model.Session.commit()
    return added, dropped


def _chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def claim(limit: int, per_host: int, lease: dt.timedelta, only: str = "",
          now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Take the next due URLs: (url, host), the longest-due first, at most
    `per_host` of one host, and move their
    next_check_at by `lease`. `only`: a regular expression (PostgreSQL's `~`)
    the URLs must match; empty: all. Commits."""
    now = now or utcnow()
    conditions = ["next_check_at <= :now"]
    params: dict = {"now": now, "limit": limit, "per_host": per_host, "until": now + lease,
                    "candidates": limit * 4}
    if only:
        conditions.append("url ~ :only")
        params["only"] = only
    rows = model.Session.execute(sa.text(f"""
        WITH candidates AS (
            SELECT url, host, next_check_at FROM thueringen_link_check
            WHERE {' AND '.join(conditions)}
            ORDER BY next_check_at LIMIT :candidates
        ), ranked AS (
            SELECT url, host, next_check_at,
                   row_number() OVER (PARTITION BY host ORDER BY next_check_at) AS n
            FROM candidates
        ), picked AS (
            SELECT url FROM ranked WHERE n <= :per_host ORDER BY next_check_at LIMIT :limit
        )
        UPDATE thueringen_link_check t SET next_check_at = :until
        FROM picked WHERE t.url = picked.url
        RETURNING t.url, t.host"""), params).all()
    model.Session.commit()
    return [(row.url, row.host) for row in rows]


def release(urls: Iterable[str], now: dt.datetime | None = None) -> None:
    """Make claimed URLs that were not checked (the worker stopped) due again. Commits."""
    wanted = list(urls)
    for start in range(0, len(wanted), CHUNK):
        model.Session.execute(sa.update(table).where(table.c.url.in_(wanted[start:start + CHUNK]))
                              .values(next_check_at=now or utcnow()))
    model.Session.commit()


def next_checks(urls: Iterable[str]) -> dict[str, dt.datetime | None]:
    """When each known URL is due (checked or not)."""
    wanted = sorted(set(urls))
    found: dict[str, dt.datetime | None] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = model.Session.execute(sa.select(table.c.url, table.c.next_check_at)
                                     .where(table.c.url.in_(wanted[start:start + CHUNK])))
        found.update({row.url: row.next_check_at for row in rows})
    return found


def counts(now: dt.datetime | None = None) -> dict[str, int]:
    """URLs known, never checked, due, and with an error or an HTTP error status."""
    now = now or utcnow()
    row = model.Session.execute(sa.select(
        sa.func.count(),
        sa.func.count().filter(table.c.checked_at.is_(None)),
        sa.func.count().filter(table.c.next_check_at <= now),
        sa.func.count().filter(sa.or_(table.c.error.isnot(None), table.c.status_code >= 400)),
    ).select_from(table)).one()
    return {"known": row[0], "unchecked": row[1], "due": row[2], "broken": row[3]}
