"""The page memory: what the last gather read on each page of a source.

A page found as it was is *settled*: the gather takes its remembered records
as "not modified" without parsing it. See docs/harvesting.md ("Pages as they were").
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import ckan.model as model
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert

from ckanext.thueringen.model.harvest_page import harvest_page

from .config import SourceConfig
from .records import HASH_VERSION, Page
from .state import last_imports_in_place


class PageMemory:
    """What the last gather read on each page of a source (table
    `thueringen_harvest_page`, one row per page address): the page's fingerprint,
    its next page and its records as prepared then (guid, hash, duplicate key,
    dct:modified, kept). A page whose bytes hash the same under the same
    preparation, without dropped duplicates, and whose every record's last
    import stored that very hash (and left the dataset in place) is *settled*:
    the gather takes the remembered records as "not modified" without parsing
    the page.

    The fingerprint covers everything that turns a page's bytes into records:
    the source's settings and organisation (its defaults) and
    `preparation_version()` (the portal's code and vocabularies, ckanext-dcat,
    rdflib); any change there makes the next gather read every page again."""

    def __init__(self, source_id: str, job_id: str, settings: SourceConfig, owner_org: str | None):
        self.source_id, self.job_id = source_id, job_id
        settings_json = json.dumps(dataclasses.asdict(settings), sort_keys=True, default=str)
        self.salt = hashlib.sha256("\n".join([HASH_VERSION, preparation_version(), settings_json,
                                              owner_org or ""]).encode()).hexdigest()
        self.read_urls: list[str] = []

    def fingerprint(self, page_sha256: str) -> str:
        return hashlib.sha256(f"{self.salt}:{page_sha256}".encode()).hexdigest()

    def settled(self, url: str, page_sha256: str) -> tuple[list[list], str | None] | None:
        """(the remembered records, the next page) of a settled page, else None."""
        self.read_urls.append(url)
        row = model.Session.execute(
            sa.select(harvest_page.c.fingerprint, harvest_page.c.next_page, harvest_page.c.records)
            .where(harvest_page.c.source_id == self.source_id, harvest_page.c.url == url)).first()
        if row is None or row.fingerprint != self.fingerprint(page_sha256):
            return None
        records = row.records
        if not all(kept for *_, kept in records):
            return None   # its duplicates are decided anew, with the page's content
        unchanged = last_imports_in_place(self.source_id, [guid for guid, *_ in records])
        for guid, digest, *_ in records:
            if unchanged.get(guid, (None, None))[0] != digest:
                return None
        return records, row.next_page

    def remember(self, page: Page, records: list[list]) -> None:
        """Keep what a read page held, for the next gather."""
        values = {"fingerprint": self.fingerprint(page.sha256), "next_page": page.next_page,
                  "records": json.loads(json.dumps(records, ensure_ascii=False, default=str)),
                  "job_id": self.job_id, "read_at": sa.func.now()}
        model.Session.execute(
            insert(harvest_page).values(source_id=self.source_id, url=page.url, **values)
            .on_conflict_do_update(index_elements=[harvest_page.c.source_id, harvest_page.c.url], set_=values))
        model.Session.commit()

    @staticmethod
    def forget_source(source_id: str) -> int:
        """Drop every row of a source (its jobs and objects were cleared: no last
        import is left to settle a page against); how many. Commits."""
        deleted = model.Session.execute(
            sa.delete(harvest_page).where(harvest_page.c.source_id == source_id)).rowcount
        model.Session.commit()
        return deleted

    def forget_other_pages(self) -> None:
        """After a complete gather: drop the rows of pages the source no longer has."""
        if not self.read_urls:
            return
        read = sa.literal(self.read_urls, ARRAY(sa.UnicodeText))
        model.Session.execute(sa.delete(harvest_page).where(harvest_page.c.source_id == self.source_id,
                                                            sa.not_(harvest_page.c.url == sa.any_(read))))
        model.Session.commit()


_PREPARATION_VERSION: str | None = None


def preparation_version() -> str:
    """A digest of what turns a page into records: the portal's Python code and
    schemas/vocabularies, and the versions of ckanext-dcat and rdflib. Computed
    once per process."""
    global _PREPARATION_VERSION
    if _PREPARATION_VERSION is None:
        from importlib.metadata import version

        import ckanext.thueringen as portal
        from ckanext.thueringen.vocabularies import SCHEMA_DIR

        digest = hashlib.sha256(f"ckanext-dcat {version('ckanext-dcat')} rdflib {version('rdflib')}".encode())
        folders = [(Path(portal.__file__).parent, "*.py"), (SCHEMA_DIR, "*")]
        for folder, pattern in folders:
            for path in sorted(folder.rglob(pattern)):
                if path.is_file() and "__pycache__" not in path.parts:
                    digest.update(path.relative_to(folder).as_posix().encode())
                    digest.update(path.read_bytes())
        _PREPARATION_VERSION = digest.hexdigest()
    return _PREPARATION_VERSION
