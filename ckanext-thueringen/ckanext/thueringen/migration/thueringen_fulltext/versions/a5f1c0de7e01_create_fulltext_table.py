"""Create the table of extracted document texts.

Revision ID: a5f1c0de7e01
Revises:
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "a5f1c0de7e01"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "thueringen_fulltext",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("content_hash", sa.UnicodeText),
        sa.Column("mime_type", sa.UnicodeText),
        sa.Column("status", sa.UnicodeText, nullable=False, server_default="pending"),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("pages", sa.Integer),
        sa.Column("chars", sa.Integer),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime),
        sa.Column("extracted_at", sa.DateTime),
        sa.Column("updated_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("text", sa.UnicodeText),
        sa.CheckConstraint("status in ('pending', 'done', 'failed')", name="thueringen_fulltext_status_check"),
    )
    op.create_index("thueringen_fulltext_package_id_idx", "thueringen_fulltext", ["package_id"])
    op.create_index("thueringen_fulltext_next_attempt_at_idx", "thueringen_fulltext", ["next_attempt_at"])


def downgrade():
    op.drop_table("thueringen_fulltext")
