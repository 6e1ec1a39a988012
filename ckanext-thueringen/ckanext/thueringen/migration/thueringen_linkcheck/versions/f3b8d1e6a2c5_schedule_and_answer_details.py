"""Link checks: the schedule of URLs not checked yet, the host, and how the answer came.

A row now exists from the moment a URL appears (checked_at NULL until its first
check): the table is also the checker's queue, due by next_check_at. `host`
keeps one host's URLs together for the politeness limit.

Revision ID: f3b8d1e6a2c5
Revises: e1a7c2d9b4f0
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "f3b8d1e6a2c5"
down_revision = "e1a7c2d9b4f0"
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("thueringen_link_check", "checked_at", nullable=True)
    op.add_column("thueringen_link_check", sa.Column("host", sa.UnicodeText, nullable=False, server_default=""))
    op.add_column("thueringen_link_check", sa.Column("final_url", sa.UnicodeText))
    op.add_column("thueringen_link_check", sa.Column("method", sa.UnicodeText))
    op.add_column("thueringen_link_check", sa.Column("redirects", sa.Integer, nullable=False, server_default="0"))
    op.add_column("thueringen_link_check", sa.Column("first_seen_at", sa.DateTime))


def downgrade():
    op.execute("DELETE FROM thueringen_link_check WHERE checked_at IS NULL")
    for column in ("first_seen_at", "redirects", "method", "final_url", "host"):
        op.drop_column("thueringen_link_check", column)
    op.alter_column("thueringen_link_check", "checked_at", nullable=False)
