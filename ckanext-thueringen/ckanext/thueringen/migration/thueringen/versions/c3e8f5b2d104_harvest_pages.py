"""Remember what each page of a harvest source held.

One row per (source, page address): a fingerprint of the page's bytes and of
everything that turns them into records (source config, organisation, the
harvester's code and vocabularies), the next page's address, and the page's
records as the gather prepared them (guid, hash, duplicate key, dct:modified,
kept). A re-harvest that finds the same fingerprint and every record stored
as it was settles the page without parsing it (harvesters/pages.py `PageMemory`).

Revision ID: c3e8f5b2d104
Revises: b7d2e4a1c9f3
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "c3e8f5b2d104"
down_revision = "b7d2e4a1c9f3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "thueringen_harvest_page",
        sa.Column("source_id", sa.UnicodeText, primary_key=True),
        sa.Column("url", sa.UnicodeText, primary_key=True),
        sa.Column("fingerprint", sa.UnicodeText, nullable=False),
        sa.Column("next_page", sa.UnicodeText),
        sa.Column("records", JSONB, nullable=False),
        sa.Column("job_id", sa.UnicodeText, nullable=False),
        sa.Column("read_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("thueringen_harvest_page")
