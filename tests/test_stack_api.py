"""The Action API of the running WSGI server, with Solr behind package_search."""
from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path

import requests

import conftest
from conftest import ActionApi, run_stack


def test_status_show_names_ckan_2_12_and_the_portal_plugins(anonymous_api):
    status = anonymous_api("status_show")

    assert status["ckan_version"] == "2.12.0"
    assert status["locale_default"] == "de"
    for plugin in ("thueringen", "scheming_datasets", "dcat", "harvest", "dcat_rdf_harvester"):
        assert plugin in status["extensions"]


def test_the_server_is_gunicorn_with_several_workers(stack):
    response = requests.get(f"{stack['api_url']}/status_show", timeout=10)
    assert "gunicorn" in response.headers.get("Server", "")

    master = (conftest.STATE_DIR / "pids" / "ckan.pid").read_text().strip()
    children = (Path("/proc") / master / "task" / master / "children").read_text().split()
    assert len(children) >= 2


def test_dataset_created_over_http_with_a_token_is_found_through_solr(sysadmin_api, anonymous_api, stack):
    suffix = uuid.uuid4().hex[:8]
    org = sysadmin_api("organization_create", name=f"stadt-test-{suffix}", title="Stadt Test")
    dataset = sysadmin_api(
        "package_create", name=f"haushaltsplan-{suffix}", title=f"Haushaltsplan {suffix}",
        owner_org=org["id"], notes="Haushaltsplan der Stadt", license_id="cc-by",
        resources=[{"url": "https://example.org/haushalt.csv", "format": "CSV", "name": "Haushalt"}],
    )

    found = anonymous_api("package_search", q=f"name:haushaltsplan-{suffix}")
    assert [result["id"] for result in found["results"]] == [dataset["id"]]
    # ... and it is Solr that knows it, not only the database.
    solr = requests.get(f"{stack['solr_url']}/select",
                        params={"q": f"name:haushaltsplan-{suffix}", "fl": "id", "wt": "json"}, timeout=10)
    assert [doc["id"] for doc in solr.json()["response"]["docs"]] == [dataset["id"]]


def test_a_request_without_token_cannot_create_datasets(anonymous_api):
    response = anonymous_api.raw("package_create", name=f"x-{uuid.uuid4().hex[:8]}", title="x")
    assert response.status_code == 403


def test_the_sysadmin_token_file_is_private_and_works(stack):
    token_file = conftest.STATE_DIR / "sysadmin-token"
    mode = stat.S_IMODE(os.stat(token_file).st_mode)
    assert mode == 0o600

    api = ActionApi(stack["api_url"], token_file.read_text().strip())
    me = api("user_show", id=os.environ.get("PORTAL_ADMIN_USER", "admin"))
    assert me["sysadmin"] is True


def test_sysadmin_setup_is_idempotent(stack):
    token_file = conftest.STATE_DIR / "sysadmin-token"
    before = token_file.read_text()
    result = run_stack("ckan", "thueringen", "sysadmin")
    assert "exists" in result.stdout
    assert token_file.read_text() == before

