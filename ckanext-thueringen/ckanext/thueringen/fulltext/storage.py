"""Reading and writing the extracted texts (table `thueringen_fulltext`,
model/fulltext.py).

One row per resource (document): where it was fetched from, the hash of the
bytes the text came from (a changed hash means the text must be extracted
again), the status shown to users, and the retry bookkeeping.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import insert

from ckanext.thueringen.model.fulltext import fulltext_table

# what the status action returns; never the text itself
PUBLIC_COLUMNS = ("resource_id", "package_id", "url", "status", "reason", "pages", "chars", "mime_type",
                  "content_hash", "attempts", "next_attempt_at", "extracted_at", "updated_at", "ocr_pages")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Record:
    resource_id: str
    package_id: str
    url: str
    content_hash: str | None
    status: str
    attempts: int
    reason: str | None
    text: str | None


def get(resource_id: str) -> Record | None:
    row = model.Session.execute(
        sa.select(fulltext_table.c.resource_id, fulltext_table.c.package_id, fulltext_table.c.url,
                  fulltext_table.c.content_hash, fulltext_table.c.status, fulltext_table.c.attempts,
                  fulltext_table.c.reason, fulltext_table.c.text)
        .where(fulltext_table.c.resource_id == resource_id)).first()
    return Record(*row) if row else None


def save(resource_id: str, package_id: str, **values: Any) -> None:
    """Insert or update the row of a resource; commits."""
    values = {**values, "package_id": package_id, "updated_at": now()}
    statement = insert(fulltext_table).values(resource_id=resource_id, **values)
    model.Session.execute(statement.on_conflict_do_update(index_elements=["resource_id"], set_=values))
    model.Session.commit()


def status(resource_id: str) -> dict[str, Any] | None:
    row = model.Session.execute(
        sa.select(*(fulltext_table.c[name] for name in PUBLIC_COLUMNS))
        .where(fulltext_table.c.resource_id == resource_id)).mappings().first()
    return _public(row) if row else None


def text(resource_id: str) -> str | None:
    """The extracted text of one document (for the text view; never in the API)."""
    return model.Session.execute(
        sa.select(fulltext_table.c.text).where(fulltext_table.c.resource_id == resource_id)).scalar()


def statuses_of_package(package_id: str) -> dict[str, dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(*(fulltext_table.c[name] for name in PUBLIC_COLUMNS))
        .where(fulltext_table.c.package_id == package_id)).mappings()
    return {row["resource_id"]: _public(row) for row in rows}


def _public(row) -> dict[str, Any]:
    return {key: (value.isoformat() if isinstance(value, dt.datetime) else value) for key, value in row.items()}


def package_text(package_id: str, resource_ids: list[str], max_chars: int) -> str:
    """The texts of the package's current documents in resource order, capped at max_chars.

    Read on a connection of its own: this runs while CKAN indexes a package
    inside the transaction that saves it, and a failing read there (say, the
    table not yet created) must not abort that transaction."""
    if not resource_ids:
        return ""
    with meta.engine.connect() as connection:
        rows = dict(connection.execute(
            sa.select(fulltext_table.c.resource_id, sa.func.substr(fulltext_table.c.text, 1, max_chars))
            .where(fulltext_table.c.package_id == package_id, fulltext_table.c.text.isnot(None))).all())
    parts: list[str] = []
    size = 0
    for resource_id in resource_ids:
        text = rows.get(resource_id)
        if not text:
            continue
        parts.append(text[: max_chars - size])
        size += len(parts[-1]) + 2
        if size >= max_chars:
            break
    return "\n\n".join(parts)


def forget(package_id: str, keep: list[str] | None = None) -> int:
    """Delete the rows of a package's documents, except those in `keep`; commits."""
    statement = sa.delete(fulltext_table).where(fulltext_table.c.package_id == package_id)
    if keep:
        statement = statement.where(fulltext_table.c.resource_id.notin_(keep))
    deleted = model.Session.execute(statement).rowcount
    model.Session.commit()
    return deleted


def due_for_retry(at: dt.datetime | None = None) -> list[tuple[str, str, str]]:
    """(resource_id, package_id, url) of the failed documents whose next attempt is due."""
    rows = model.Session.execute(
        sa.select(fulltext_table.c.resource_id, fulltext_table.c.package_id, fulltext_table.c.url)
        .where(fulltext_table.c.next_attempt_at.isnot(None), fulltext_table.c.next_attempt_at <= (at or now()))
        .order_by(fulltext_table.c.next_attempt_at)).all()
    return [tuple(row) for row in rows]


def counts() -> dict[str, int]:
    rows = model.Session.execute(
        sa.select(fulltext_table.c.status, sa.func.count()).group_by(fulltext_table.c.status)).all()
    return {status: count for status, count in rows}
