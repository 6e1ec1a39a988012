"""Fixtures for tests against the real stack of `make test`.

scripts/stack.py starts PostgreSQL, Redis, Solr, CKAN (gunicorn) and the
harvest consumers for the `test` profile, writes var/test/stack.json and runs
pytest with `--ckan-ini=var/test/ckan.ini`; CKAN's pytest plugin loads that
configuration in this process, so factories and actions here use the same
database and Solr core as the running server.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

import portal_stack.services

# Fixtures shared between test modules live in these modules (tests/), not in test modules.
pytest_plugins = ["harvest_fixtures", "db_faults", "source_ckan"]

ROOT = Path(__file__).resolve().parent.parent
# official examples and shapes (tests/fixtures/reference) and real catalogues (tests/fixtures/corpus)
REFERENCE = ROOT / "tests" / "fixtures" / "reference"
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
# The services of scripts/stack.py (its package scripts/portal_stack; pytest has scripts/ on its path).
stack_module = portal_stack.services

# The state folder of the stack under test (var/test, or var/test<N>), from --ckan-ini.
STATE_DIR = ROOT / "var" / "test"


def pytest_configure(config):
    global STATE_DIR
    ini = config.getoption("ckan_ini", default=None)
    if ini:
        STATE_DIR = Path(ini).resolve().parent


UNIT = ROOT / "tests" / "unit"
# Fixtures that need the running stack or CKAN's configuration (CKAN's pytest plugin).
STACK_FIXTURES = {"stack", "api", "anonymous_api", "sysadmin_api", "app", "with_plugins", "clean_db",
                  "clean_index", "ckan_config", "reset_db", "reset_index", "migrate_db_for", "with_request_context",
                  "test_request_context", "cli", "source"}


def pytest_collection_modifyitems(config, items):
    """Every test outside tests/unit needs the running stack, and so does a unit test
    that asks for one of STACK_FIXTURES: those are marked `stack`, so that
    `make test-unit` (-m "not stack") runs the rest with no service and no CKAN configuration."""
    for item in items:
        if UNIT not in Path(str(item.fspath)).parents or STACK_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.stack)


def stack_info() -> dict[str, Any]:
    """Ports, URLs and paths of the running test stack."""
    info = json.loads((STATE_DIR / "stack.json").read_text())
    info["api_url"] = f"http://127.0.0.1:{info['ports']['ckan']}/api/3/action"
    info["web_url"] = f"http://127.0.0.1:{info['ports']['ckan']}"
    info["solr_url"] = f"http://127.0.0.1:{info['ports']['solr']}/solr/{info['solr_core']}"
    return info


@pytest.fixture(scope="session")
def stack() -> dict[str, Any]:
    """Ports, URLs and paths of the running test stack."""
    return stack_info()


class ActionApi:
    """The CKAN Action API of the running server, over HTTP."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url
        self.token = token

    def raw(self, action: str, token: str | None = None, **data) -> requests.Response:
        headers = {}
        if token or self.token:
            headers["Authorization"] = token or self.token
        if data:
            return requests.post(f"{self.base_url}/{action}", json=data, headers=headers, timeout=60)
        return requests.get(f"{self.base_url}/{action}", headers=headers, timeout=60)

    def __call__(self, action: str, **data) -> Any:
        response = self.raw(action, **data)
        body = response.json()
        if not body.get("success"):
            raise AssertionError(f"{action} failed ({response.status_code}): {body.get('error')}")
        return body["result"]


def stack_sysadmin() -> ActionApi:
    """The stack's sysadmin (created by `make test`), calling the API with its token."""
    return ActionApi(stack_info()["api_url"], (STATE_DIR / "sysadmin-token").read_text().strip())


@pytest.fixture(scope="module")
def api(stack) -> ActionApi:
    """The stack's sysadmin, calling the API with its token."""
    return stack_sysadmin()


@pytest.fixture(scope="session")
def anonymous_api(stack) -> ActionApi:
    return ActionApi(stack["api_url"])


@pytest.fixture
def sysadmin_api(stack) -> ActionApi:
    """A new sysadmin made with CKAN's factories, calling the API with its token."""
    from ckan.tests import factories

    sysadmin = factories.SysadminWithToken()
    return ActionApi(stack["api_url"], sysadmin["token"])


def wait_until(condition, timeout: float, interval: float = 1.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout:.0f} s")


def scored_in_index(query: str) -> int:
    """How many datasets matching the Solr `query` the index holds with their
    quality score, i.e. after the stack's quality worker has indexed them again."""
    from ckan.lib.search.common import make_connection

    from ckanext.thueringen.quality.plugin import BAND_FIELD

    return make_connection().search(q=f"({query}) AND {BAND_FIELD}:[* TO *]", rows=0).hits


def wait_until_scored(package_ids, timeout: float = 120) -> None:
    """Wait until the quality worker has scored and indexed again every dataset.

    A test that changes a dataset behind CKAN's back (straight in the tables or
    straight into Solr) waits for this first: the worker indexes the dataset
    from the tables once more and would undo the change."""
    ids = list(package_ids)
    query = " OR ".join(f'id:"{package_id}"' for package_id in ids)
    wait_until(lambda: scored_in_index(query) == len(ids), timeout=timeout, interval=0.5,
               what=f"{len(ids)} datasets scored by the quality worker")


def consumer_pids() -> dict[str, int]:
    """The running harvest consumers' pids (from their pid files); fails when one is not running."""
    pids = {}
    for name in ("gather-consumer", "fetch-consumer"):
        pid = int((STATE_DIR / "pids" / f"{name}.pid").read_text())
        os.kill(pid, 0)
        pids[name] = pid
    return pids


def run_stack(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """scripts/stack.py for the test profile, as an operator would call it."""
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "stack.py"), "--profile", STATE_DIR.name, *args],
                          capture_output=True, text=True, check=check, cwd=ROOT, env=env)


@pytest.fixture(autouse=True)
def local_test_servers_allowed(monkeypatch):
    """Without CKAN's configuration (unit tests run with -p no:ckan), the outbound
    policy (ckanext.thueringen.security.outbound) has no allow-list and would refuse
    the tests' own servers on 127.0.0.1: open loopback for them, as the test stack's
    allow-list does. With the stack's configuration this changes nothing."""
    from ckan.common import config

    if not config.get("thueringen.outbound.allow", ""):
        monkeypatch.setitem(config, "thueringen.outbound.allow", "127.0.0.1")
