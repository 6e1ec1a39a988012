"""The quality tables: the score of every dataset and one snapshot per day.

`thueringen_quality`: one row per dataset (its latest score, the points of
each metric, the advice and every SHACL finding). `thueringen_quality_daily`:
per day and authority (and '' for the whole portal) the average and the
bands, so that the trend has one value per day. Created by the migration of
the plugin thueringen_quality (migration/thueringen_quality).
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import JSONB

# owner_org of the portal-wide snapshot
PORTAL = ""

quality_table = sa.Table(
    "thueringen_quality", meta.metadata,
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
    sa.Index("thueringen_quality_owner_org_idx", "owner_org"),
)

quality_daily_table = sa.Table(
    "thueringen_quality_daily", meta.metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("owner_org", sa.UnicodeText, primary_key=True),
    sa.Column("datasets", sa.Integer, nullable=False),
    sa.Column("average", sa.Float, nullable=False),
    sa.Column("bands", JSONB, nullable=False),
    sa.Column("dimensions", JSONB, nullable=False),
)
