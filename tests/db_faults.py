"""A database error on demand, for tests of what the harvest does when
PostgreSQL refuses to store a record (a full disk, a broken constraint):
a trigger that refuses every dataset with a given title."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import ckan.model as model
import pytest
import sqlalchemy as sa

POISON = "Vergifteter Datensatz"


@contextlib.contextmanager
def refused_title(title: str) -> Iterator[str]:
    """While the block runs, PostgreSQL refuses to insert or update a dataset titled `title`."""
    model.Session.remove()
    model.Session.execute(sa.text("""
        CREATE OR REPLACE FUNCTION thueringen_test_refused_title() RETURNS trigger AS $$
        BEGIN
            IF NEW.title = TG_ARGV[0] THEN RAISE EXCEPTION 'injected failure for %', NEW.title; END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql;
    """))
    model.Session.execute(sa.text(
        "CREATE TRIGGER thueringen_test_refused_title BEFORE INSERT OR UPDATE ON package "
        f"FOR EACH ROW EXECUTE FUNCTION thueringen_test_refused_title('{title.replace(chr(39), chr(39) * 2)}')"))
    model.Session.commit()
    try:
        yield title
    finally:
        model.Session.remove()
        model.Session.execute(sa.text("DROP TRIGGER IF EXISTS thueringen_test_refused_title ON package; "
                                      "DROP FUNCTION IF EXISTS thueringen_test_refused_title();"))
        model.Session.commit()


@pytest.fixture
def poisoned_insert() -> Iterator[str]:
    """PostgreSQL refuses datasets titled POISON during the test."""
    with refused_title(POISON) as title:
        yield title
