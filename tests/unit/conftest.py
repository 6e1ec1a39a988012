"""The unit tests run with the test stack's CKAN configuration (`make test`)
or without any (`-p no:ckan`). Without it, the outbound policy
(ckanext.thueringen.security.outbound) would refuse the tests' own servers on
127.0.0.1: open loopback for them, as the test stack's allow-list does."""
from __future__ import annotations

import pytest
from ckan.common import config

ALLOW = "thueringen.outbound.allow"


@pytest.fixture(autouse=True)
def local_test_servers_allowed(monkeypatch):
    if not config.get(ALLOW, ""):
        monkeypatch.setitem(config, ALLOW, "127.0.0.1")
