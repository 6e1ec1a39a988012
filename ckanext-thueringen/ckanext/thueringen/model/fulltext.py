"""The table of extracted document texts, `thueringen_fulltext`: one row per
resource (document), apart from CKAN's package tables so that package_show,
the API and the activity stream never carry document text. Created by the
migration of the plugin thueringen_fulltext (migration/thueringen_fulltext);
read and written through ckanext.thueringen.fulltext.storage."""
from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects import postgresql

PENDING = "pending"
DONE = "done"
FAILED = "failed"
STATUSES = (PENDING, DONE, FAILED)

fulltext_table = sa.Table(
    "thueringen_fulltext", meta.metadata,
    sa.Column("resource_id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("url", sa.UnicodeText, nullable=False, default=""),
    sa.Column("content_hash", sa.UnicodeText),
    sa.Column("mime_type", sa.UnicodeText),
    sa.Column("status", sa.UnicodeText, nullable=False, default=PENDING),
    sa.Column("reason", sa.UnicodeText),
    sa.Column("pages", sa.Integer),
    sa.Column("chars", sa.Integer),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.DateTime),
    sa.Column("extracted_at", sa.DateTime),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("text", sa.UnicodeText),
    # the pages read by text recognition (scans), from 1
    sa.Column("ocr_pages", postgresql.ARRAY(sa.Integer)),
    # as created by migration/thueringen_fulltext (the migration is what runs)
    sa.CheckConstraint("status in ('pending', 'done', 'failed')", name="thueringen_fulltext_status_check"),
    sa.Index("thueringen_fulltext_package_id_idx", "package_id"),
    sa.Index("thueringen_fulltext_next_attempt_at_idx", "next_attempt_at"),
)
