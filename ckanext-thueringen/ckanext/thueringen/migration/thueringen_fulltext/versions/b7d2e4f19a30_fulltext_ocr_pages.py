"""The pages of a document that were read by text recognition (OCR).

Revision ID: b7d2e4f19a30
Revises: a5f1c0de7e01
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b7d2e4f19a30"
down_revision = "a5f1c0de7e01"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("thueringen_fulltext", sa.Column("ocr_pages", postgresql.ARRAY(sa.Integer)))


def downgrade():
    op.drop_column("thueringen_fulltext", "ocr_pages")
