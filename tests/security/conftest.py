"""Fixtures of the security tests (tests/security/world.py says what they hold)."""
from __future__ import annotations

import pytest

from security.world import World, make_world


@pytest.fixture(scope="session")
def world(stack) -> World:
    return make_world(stack)


@pytest.fixture(scope="session")
def fuzz_target(world: World) -> dict:
    """A dataset of authority B that the fuzz tests update and add resources to."""
    from security.world import dataset_dict

    return world.admin("package_create", owner_org=world.org_b["id"], **dataset_dict("Fuzz-Ziel"))
