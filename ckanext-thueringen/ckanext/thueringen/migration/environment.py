"""The Alembic environment of every migration folder of the portal's plugins.

CKAN runs a plugin's migrations from `migration/<plugin name>/` (`ckan db
upgrade`). Each folder keeps its revision in a version table of its own
(`<folder name>_alembic_version`), so that CKAN's core history and other
plugins' histories do not mix; its env.py only calls `run`.
"""
from __future__ import annotations

import os
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool


def run(context, env_file: str) -> None:
    """Run the migrations of the folder of `env_file` with Alembic's `context`."""
    config = context.config
    if config.config_file_name:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    version_table = os.path.basename(os.path.dirname(os.path.abspath(env_file))) + "_alembic_version"
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                          version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()
