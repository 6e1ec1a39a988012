"""`thueringen_harvest_page`: what the last gather read on each page of a harvest source.

One row per (source, page address), written and read by the harvesters' page
memory (`ckanext.thueringen.harvesters.pages.PageMemory`); created by the
migration `c3e8f5b2d104_harvest_pages`.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()

harvest_page = sa.Table(
    "thueringen_harvest_page", metadata,
    sa.Column("source_id", sa.UnicodeText, primary_key=True),
    sa.Column("url", sa.UnicodeText, primary_key=True),
    # the page's bytes and everything that turns them into records (PageMemory.fingerprint)
    sa.Column("fingerprint", sa.UnicodeText, nullable=False),
    sa.Column("next_page", sa.UnicodeText),
    # [guid, hash, duplicate key, dct:modified, kept] per record, as the gather prepared them
    sa.Column("records", JSONB, nullable=False),
    sa.Column("job_id", sa.UnicodeText, nullable=False),
    sa.Column("read_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
)
