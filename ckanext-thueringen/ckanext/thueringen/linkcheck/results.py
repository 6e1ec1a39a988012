"""The stored answers of the link checker: what other parts of the portal
(the quality score, the pages) read, and how the checker records an answer."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert

from ckanext.thueringen.linkcheck.urls import host_key
from ckanext.thueringen.model.link_check import link_check_table


@dataclass(frozen=True)
class LinkCheck:
    url: str
    status_code: int | None
    content_type: str | None
    size: int | None
    error: str | None
    checked_at: dt.datetime
    # where the redirects ended, the method of the last request (HEAD/GET), hops followed
    final_url: str | None = None
    method: str | None = None
    redirects: int = 0

    @property
    def answers(self) -> bool:
        """The URL answered with a success or a redirect (2xx/3xx), as the MQA counts it."""
        return self.status_code is not None and 200 <= self.status_code < 400


def latest(urls: Iterable[str]) -> dict[str, LinkCheck]:
    """The last check of each of `urls` that was checked at least once (URLs
    that wait for their first check are left out)."""
    wanted = sorted({u for u in urls if u})
    if not wanted:
        return {}
    found: dict[str, LinkCheck] = {}
    table = link_check_table
    for start in range(0, len(wanted), 1000):
        rows = model.Session.execute(
            sa.select(table.c.url, table.c.status_code, table.c.content_type, table.c.size,
                      table.c.error, table.c.checked_at, table.c.final_url, table.c.method, table.c.redirects)
            .where(table.c.url.in_(wanted[start:start + 1000]), table.c.checked_at.isnot(None)))
        for row in rows:
            found[row.url] = LinkCheck(row.url, row.status_code, row.content_type, row.size,
                                       row.error, row.checked_at, row.final_url, row.method, row.redirects)
    return found


def record(check: LinkCheck, next_check_at: dt.datetime | None) -> None:
    """Store `check` as the last answer of its URL (the caller commits)."""
    record_many([(check, next_check_at)])


def record_many(checks: Iterable[tuple[LinkCheck, dt.datetime | None]]) -> None:
    """`record` for many answers, in one statement (each URL at most once;
    the caller commits)."""
    rows = {check.url: _row(check, next_check_at) for check, next_check_at in checks}
    if not rows:
        return
    statement = insert(link_check_table).values(list(rows.values()))
    updated = [name for name in next(iter(rows.values())) if name not in ("url", "first_seen_at")]
    model.Session.execute(statement.on_conflict_do_update(
        index_elements=[link_check_table.c.url],
        set_={name: statement.excluded[name] for name in updated}))


def _row(check: LinkCheck, next_check_at: dt.datetime | None) -> dict:
    return {"url": check.url, "status_code": check.status_code, "content_type": check.content_type,
            "size": check.size, "error": check.error, "checked_at": check.checked_at,
            "next_check_at": next_check_at, "final_url": check.final_url, "method": check.method,
            "redirects": check.redirects, "host": host_key(check.url), "first_seen_at": check.checked_at}
