"""Harvesting through the real gather and fetch consumers of the test stack."""
from __future__ import annotations

import json
import shutil
import uuid

import pytest

from conftest import CORPUS, wait_until
from static_server import serve_in_thread

BREMEN = CORPUS / "bremen-catalog.rdf"
BREMEN_DATASETS = 153


@pytest.fixture
def served_catalogs(tmp_path):
    """A local HTTP server for catalogue files, like an authority's web server."""
    shutil.copyfile(BREMEN, tmp_path / "catalog.rdf")
    server = serve_in_thread(tmp_path)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_harvest_plugin_offers_the_dcat_harvester(anonymous_api):
    harvesters = {info["name"] for info in anonymous_api("harvesters_info_show")}
    assert "dcat_rdf" in harvesters


def test_a_served_dcat_catalogue_is_harvested_end_to_end(sysadmin_api, anonymous_api, served_catalogs):
    suffix = uuid.uuid4().hex[:8]
    org = sysadmin_api("organization_create", name=f"bremen-{suffix}", title="Freie Hansestadt Bremen")
    source = sysadmin_api(
        "harvest_source_create", name=f"bremen-dcat-{suffix}", title="Bremen DCAT",
        url=f"{served_catalogs}/catalog.rdf", source_type="dcat_rdf", owner_org=org["id"],
        frequency="MANUAL", config=json.dumps({"rdf_format": "application/rdf+xml"}),
    )

    # The job goes onto the Redis gather queue; the consumers do the rest.
    sysadmin_api("harvest_job_create", source_id=source["id"], run=True)

    def finished_job():
        sysadmin_api("harvest_jobs_run", source_id=source["id"])
        job = sysadmin_api("harvest_source_show_status", id=source["id"])["last_job"]
        return job if job and job["status"] == "Finished" else None

    job = wait_until(finished_job, timeout=300, interval=2, what="harvest job finished")
    assert job["stats"]["added"] == BREMEN_DATASETS
    assert job["stats"]["errored"] == 0

    found = anonymous_api("package_search", fq=f"organization:{org['name']}", rows=0)
    assert found["count"] == BREMEN_DATASETS
    hit = anonymous_api("package_search", q='title:"Vornamen"', fq=f"organization:{org['name']}")
    assert any("Vornamen" in result["title"] for result in hit["results"])
