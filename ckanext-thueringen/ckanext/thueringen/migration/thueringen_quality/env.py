"""Alembic environment of the plugin thueringen_quality (see ../environment.py)."""
from alembic import context

from ckanext.thueringen.migration.environment import run

run(context, __file__)
