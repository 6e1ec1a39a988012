"""Fixtures of the security tests (tests/security/world.py says what they hold)."""
from __future__ import annotations

import pytest

from security.world import World, make_world


@pytest.fixture(scope="session")
def world(stack) -> World:
    return make_world(stack)
