"""Profiles: which stack (`run`, `test`, `test1` ... `test9`, `bench`), its ports
(overridable with ``<PROFILE>_<SERVICE>_PORT``), database, Solr core and state
folder var/<profile>; and where the repository keeps what the stack uses.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from portal_stack.messages import die

# The repository (scripts/portal_stack/ is two folders below it).
ROOT = Path(__file__).resolve().parent.parent.parent
VENV = ROOT / ".venv"
SOLR_MODULE = ROOT / "config" / "solr"
SOLR_JAR = SOLR_MODULE / "target" / "portal-solr-1.0.0.jar"
# source-ckan (test profiles): its database and Solr core, and its sysadmin.
SOURCE_CKAN_NAME = "ckan_source"
SOURCE_CKAN_ADMIN = "source-admin"


@dataclass(frozen=True)
class Profile:
    name: str
    config_name: str  # config/<config_name>.ini
    ports: dict[str, int]
    database: str
    solr_core: str
    web_workers: int
    solr_heap: str
    durable: bool  # keep Redis snapshots and fsync PostgreSQL

    @property
    def state(self) -> Path:
        return ROOT / "var" / self.name

    @property
    def logs(self) -> Path:
        return self.state / "log"

    @property
    def ckan_ini(self) -> Path:
        return self.state / "ckan.ini"

    @property
    def site_url(self) -> str:
        return f"http://localhost:{self.ports['ckan']}"

    @property
    def has_source_ckan(self) -> bool:
        """Test stacks also run `source-ckan`, a plain CKAN to harvest from."""
        return "source_ckan" in self.ports

    @property
    def source_ini(self) -> Path:
        return self.state / "ckan-source.ini"

    @property
    def source_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['source_ckan']}"


def _ports(profile: str, defaults: dict[str, int]) -> dict[str, int]:
    ports = {}
    for service, port in defaults.items():
        env = f"{profile.upper()}_{service.upper()}_PORT"
        value = os.environ.get(env, str(port))
        if not value.isdigit() or not 0 < int(value) < 65536:
            die(f"{env}={value!r} is not a TCP port")
        ports[service] = int(value)
    return ports


def profile_named(name: str) -> Profile:
    """`run`, `test`, or `test1` ... `test9`: further test stacks (ports +100 each)
    so that several people or tools can run tests on one machine at once."""
    if name == "run":
        return Profile(
            "run", "run",
            _ports("run", {"ckan": 5000, "postgres": 5433, "redis": 6380,
                           "solr": 8983, "catalogs": 8900}),
            database="ckan", solr_core="ckan", web_workers=3,
            solr_heap="1g", durable=True,
        )
    if name == "bench":
        # The benchmarks (tests/benchmarks/, `make benchmark`): a test stack on
        # ports of its own (+1000), without source-ckan, which they do not use.
        return Profile(
            "bench", "test",
            _ports("bench", {"ckan": 6001, "postgres": 6434, "redis": 7381, "solr": 9984, "catalogs": 9901}),
            database="ckan_test", solr_core="ckan_test", web_workers=2,
            solr_heap="768m", durable=False,
        )
    offset = 100 * int(name[4:] or 0)
    return Profile(
        name, "test",
        _ports(name, {"ckan": 5001 + offset, "postgres": 5434 + offset, "redis": 6381 + offset,
                      "solr": 8984 + offset, "catalogs": 8901 + offset, "source_ckan": 5051 + offset}),
        database="ckan_test", solr_core="ckan_test", web_workers=2,
        solr_heap="768m", durable=False,
    )
