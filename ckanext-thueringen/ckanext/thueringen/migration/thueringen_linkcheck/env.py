"""Alembic environment of the plugin thueringen_linkcheck (see ../environment.py)."""
from alembic import context

from ckanext.thueringen.migration.environment import run

run(context, __file__)
