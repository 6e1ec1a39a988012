"""Create the table of link check answers.

Revision ID: e1a7c2d9b4f0
Revises:
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "e1a7c2d9b4f0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "thueringen_link_check",
        sa.Column("url", sa.UnicodeText, primary_key=True),
        sa.Column("status_code", sa.Integer),
        sa.Column("content_type", sa.UnicodeText),
        sa.Column("size", sa.BigInteger),
        sa.Column("error", sa.UnicodeText),
        sa.Column("checked_at", sa.DateTime, nullable=False),
        sa.Column("next_check_at", sa.DateTime),
    )
    op.create_index("thueringen_link_check_next_check_at_idx", "thueringen_link_check", ["next_check_at"])


def downgrade():
    op.drop_table("thueringen_link_check")
