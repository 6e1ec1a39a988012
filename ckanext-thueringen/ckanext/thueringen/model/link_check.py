"""`thueringen_link_check`: the last answer of every access and download URL.

One row per URL (not per resource: a URL shared by many distributions is
checked once), from the moment the URL appears: the table is also the
checker's queue (due by next_check_at; checked_at NULL until the first
check). Created by the migrations of the plugin thueringen_linkcheck
(migration/thueringen_linkcheck); written by the link checker and read
through `ckanext.thueringen.linkcheck.results`.
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
    # None: not checked yet (the URL waits for its first check, next_check_at)
    sa.Column("checked_at", sa.DateTime),
    sa.Column("next_check_at", sa.DateTime),
    # the host name (lower case, no port): one host's URLs, for the politeness limit
    sa.Column("host", sa.UnicodeText, nullable=False, server_default=""),
    # where the redirects ended, the method of the last request (HEAD or GET), hops followed
    sa.Column("final_url", sa.UnicodeText),
    sa.Column("method", sa.UnicodeText),
    sa.Column("redirects", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_seen_at", sa.DateTime),
    # as created by migration/thueringen_linkcheck (the migration is what runs)
    sa.Index("thueringen_link_check_next_check_at_idx", "next_check_at"),
)
