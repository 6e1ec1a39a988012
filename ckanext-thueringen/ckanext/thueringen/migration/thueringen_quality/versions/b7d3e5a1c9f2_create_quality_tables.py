"""Create the quality tables (score per dataset, snapshot per day).

Revision ID: b7d3e5a1c9f2
Revises:
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "b7d3e5a1c9f2"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "thueringen_quality",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("owner_org", sa.UnicodeText),
        sa.Column("private", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("band", sa.UnicodeText, nullable=False),
        sa.Column("dimensions", JSONB, nullable=False),
        sa.Column("metrics", JSONB, nullable=False),
        sa.Column("advice", JSONB, nullable=False),
        sa.Column("shacl", JSONB, nullable=False),
        sa.Column("violations", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("scored_at", sa.DateTime, nullable=False),
    )
    op.create_index("thueringen_quality_owner_org_idx", "thueringen_quality", ["owner_org"])
    op.create_table(
        "thueringen_quality_daily",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("owner_org", sa.UnicodeText, primary_key=True),
        sa.Column("datasets", sa.Integer, nullable=False),
        sa.Column("average", sa.Float, nullable=False),
        sa.Column("bands", JSONB, nullable=False),
        sa.Column("dimensions", JSONB, nullable=False),
    )


def downgrade():
    op.drop_table("thueringen_quality_daily")
    op.drop_table("thueringen_quality")
