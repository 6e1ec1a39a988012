"""Index the keys that harvested datasets are matched by across sources.

Each harvested record asks for the other sources' datasets with the same
dct:identifier or, without one, the same URI (harvesters/duplicates.py `claimants`):
`package.extras ->> 'identifier'` / `->> 'uri'`. Without these expression
indexes that is a scan of every dataset's extras, per record.

Revision ID: b7d2e4a1c9f3
Revises:
Create Date: 2026-12-01
"""
from alembic import op

revision = "b7d2e4a1c9f3"
down_revision = None
branch_labels = None
depends_on = None

KEYS = ("identifier", "uri")


def upgrade():
    for key in KEYS:
        op.execute(f"CREATE INDEX IF NOT EXISTS thueringen_package_{key}_idx ON package ((extras ->> '{key}'))")


def downgrade():
    for key in KEYS:
        op.execute(f"DROP INDEX IF EXISTS thueringen_package_{key}_idx")
