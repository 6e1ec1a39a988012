"""Index what the harvest looks up per new dataset, per batch and per scheduler run.

- `package (name text_pattern_ops)`: a new dataset's URL name is its munged
  title, with "-2", "-3" … when taken (harvesters/importing.py `new_dataset_name`);
  the taken names are found with `name LIKE 'prefix%'`, which this index
  answers whatever the database's collation. ckanext-harvest's `_gen_new_name`
  asks with ILIKE, which no btree index serves: a scan of the whole package
  table for every new dataset, growing with the portal (docs/benchmarks.md).
- `harvest_object_extra (value) WHERE key = 'batch_of'`: a batch's leader
  finds its members (`_batch_members`) without scanning every object's extras.
- `harvest_object (state)`: ckanext-harvest's `harvest_jobs_run` (the
  scheduler, every minute) asks for the WAITING objects to queue them again;
  without an index that reads every harvest object with its content.

The harvest tables are ckanext-harvest's: `ckan db upgrade` migrates plugins in
the order of their names, `harvest` before `thueringen`.

Revision ID: d5f1a9c3e207
Revises: c3e8f5b2d104
Create Date: 2026-12-01
"""
from alembic import op

revision = "d5f1a9c3e207"
down_revision = "c3e8f5b2d104"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE INDEX IF NOT EXISTS thueringen_package_name_pattern_idx ON package (name text_pattern_ops)")
    op.execute("CREATE INDEX IF NOT EXISTS thueringen_harvest_batch_of_idx ON harvest_object_extra (value) "
               "WHERE key = 'batch_of'")
    op.execute("CREATE INDEX IF NOT EXISTS thueringen_harvest_object_state_idx ON harvest_object (state)")


def downgrade():
    op.execute("DROP INDEX IF EXISTS thueringen_harvest_object_state_idx")
    op.execute("DROP INDEX IF EXISTS thueringen_harvest_batch_of_idx")
    op.execute("DROP INDEX IF EXISTS thueringen_package_name_pattern_idx")
