"""Solr 9 runs our core with CKAN 2.12's schema, and fails loudly when a core cannot load."""
from __future__ import annotations

import shutil
import subprocess

import requests

from conftest import ROOT, stack_module


def test_ckan_solr_schema_check_passes():
    from ckan.lib.search import check_solr_schema_version

    assert check_solr_schema_version() is True


def test_test_stack_uses_its_own_core_and_port(stack):
    assert stack["solr_core"] == "ckan_test"
    response = requests.get(f"{stack['solr_url']}/admin/ping", params={"wt": "json"}, timeout=10)
    assert response.json()["status"] == "OK"


def test_a_core_that_fails_to_load_stops_solr_with_solrs_reason(tmp_path):
    configsets = tmp_path / "configsets"
    shutil.copytree(ROOT / "config" / "solr" / "configsets" / "ckan", configsets / "broken")
    schema = configsets / "broken" / "conf" / "schema.xml"
    schema.write_text(schema.read_text().replace(
        '<field name="title" type="text"', '<field name="title" type="no_such_field_type"'))
    home = tmp_path / "home"
    (home / "broken").mkdir(parents=True)
    shutil.copyfile(ROOT / "config" / "solr" / "solr.xml", home / "solr.xml")
    (home / "broken" / "core.properties").write_text("name=broken\nconfigSet=broken\n")

    port = _free_port()
    command = stack_module.solr_command(home, port, "broken", "256m", tmp_path, configsets=configsets)
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)

    assert result.returncode == 78
    assert "core 'broken' failed to load" in result.stderr
    assert "no_such_field_type" in result.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
