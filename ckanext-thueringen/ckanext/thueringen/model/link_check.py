"""`thueringen_link_check`: the last answer of every access and download URL.

One row per URL (not per resource: a URL shared by many distributions is
checked once). Created by the migration of the plugin thueringen_linkcheck
(migration/thueringen_linkcheck); written by the link checker and read through
`ckanext.thueringen.linkcheck.results`.
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta

link_check_table = sa.Table(
    "thueringen_link_check", meta.metadata,
    sa.Column("url", sa.UnicodeText, primary_key=True),
    # None: no HTTP answer (time-out, refused connection, unknown host) or never requested
    sa.Column("status_code", sa.Integer),
    sa.Column("content_type", sa.UnicodeText),
    sa.Column("size", sa.BigInteger),
    # German reason when the URL was refused (never requested) or the request failed
    sa.Column("error", sa.UnicodeText),
    sa.Column("checked_at", sa.DateTime, nullable=False),
    sa.Column("next_check_at", sa.DateTime),
    # as created by migration/thueringen_linkcheck (the migration is what runs)
    sa.Index("thueringen_link_check_next_check_at_idx", "next_check_at"),
)
