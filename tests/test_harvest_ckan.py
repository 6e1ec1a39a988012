"""The portal's CKAN harvester (`ckan_api`) against the real stack.

The test stack's `source-ckan` is filled with the datasets of
tests/test_harvest_ckan_api.py (plain CKAN, ckanext-dcat extras, OGD style) and
harvested end to end through the stack's queues, gather and fetch consumers.
"""
from __future__ import annotations

import json
import random
import uuid

import ckan.model as model
import pytest
import requests
from ckanext.harvest.model import HarvestObject

from ckanext.thueringen.harvesters.ckan import MARKER_GUID
from harvest_fixtures import by_uri, counts, harvest, messages, new_org, stamps

SOURCES: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def remove_sources(api):
    """Purge and delete the sources afterwards: ckanext-harvest allows one source per URL and config."""
    yield
    for source_id in SOURCES:
        api("harvest_source_clear", id=source_id)
        api("harvest_source_delete", id=source_id, clear=True)
    SOURCES.clear()


def new_ckan_source(api, org_id: str, name: str, url: str, **config) -> dict:
    # ckanext-harvest allows one source per URL and config, also after a delete: a config of this run
    config.setdefault("keep_jobs", random.randint(10, 1000))
    created = api("harvest_source_create", name=f"{name}-{uuid.uuid4().hex[:6]}", title=name, url=url,
                 source_type="ckan_api", owner_org=org_id, frequency="MANUAL", config=json.dumps(config))
    SOURCES.append(created["id"])
    return created


@pytest.fixture(scope="module")
def runs(api, source):
    """First harvest, unchanged re-harvest, one change and one deletion, an unreachable source."""
    org = new_org(api, "ckan-ernte")
    # the whole source CKAN: other modules' datasets may be there too; the guard stays as configured
    harvest_source = new_ckan_source(api, org["id"], "ckan-ernte", source["url"])
    first = harvest(api, harvest_source["id"])[harvest_source["id"]]
    after_first = stamps(org["id"])
    second = harvest(api, harvest_source["id"])[harvest_source["id"]]
    after_second = stamps(org["id"])
    made = source["datasets"]
    source["api"]("package_patch", id=made["baumkataster"]["id"], title="Baumkataster (neu)")
    source["api"]("package_delete", id=made["altdaten"]["id"])
    third = harvest(api, harvest_source["id"])[harvest_source["id"]]
    after_third = by_uri(org["id"])
    dead_org = new_org(api, "ckan-tot")
    dead = new_ckan_source(api, dead_org["id"], "ckan-tot", "http://127.0.0.1:9")
    failed = harvest(api, dead["id"])[dead["id"]]
    # the reachable source, now pointed at a dead address: nothing of it is lost
    api("harvest_source_update", id=harvest_source["id"], name=harvest_source["name"], title=harvest_source["title"],
        url="http://127.0.0.1:9", source_type="ckan_api", owner_org=org["id"], frequency="MANUAL",
        config=harvest_source.get("config") or "{}")
    broken = harvest(api, harvest_source["id"])[harvest_source["id"]]
    return {"org": org, "source": harvest_source, "first": first, "second": second, "third": third, "failed": failed,
            "broken": broken, "after_first": after_first, "after_second": after_second, "after_third": after_third,
            "after_broken": by_uri(org["id"])}


def uri_of(source, short: str) -> str:
    return f"{source['url']}/dataset/{source['datasets'][short]['id']}"


def test_first_harvest_imports_everything(runs, source):
    first = runs["first"]
    assert first["report"]["errors"] == [] and first["report"]["job_errors"] == [], messages(first)
    assert counts(first)["failed"] == 0
    public = {short for short, made in source["datasets"].items() if not made.get("private")}
    stored = by_uri(runs["org"]["id"])
    for short in public:
        assert runs["after_first"][stored[uri_of(source, short)].id][1] == "active", short
    assert uri_of(source, "intern") not in stored
    assert counts(first)["added"] == len(stored)
    kita = stored[uri_of(source, "kita-standorte")]
    assert kita.title == "Standorte der Kindertageseinrichtungen"
    # unmapped values are warnings, not errors (the unknown licence)
    assert any(w["guid"] == uri_of(source, "sitzungskalender") for w in first["report"]["warnings"])


def test_unchanged_reharvest_writes_nothing(runs):
    second = runs["second"]
    assert second["report"]["errors"] == [] and second["report"]["job_errors"] == [], messages(second)
    assert counts(second)["added"] == counts(second)["updated"] == counts(second)["withdrawn"] == 0
    assert runs["after_second"] == runs["after_first"]
    # incremental: only what changed since the last job is read (the newest dataset again)
    assert counts(second)["unchanged"] < len(runs["after_first"])


def test_incremental_run_updates_and_withdraws_exactly_the_changed(runs, source):
    third = runs["third"]
    assert third["report"]["errors"] == [], messages(third)
    assert counts(third)["updated"] == 1 and counts(third)["withdrawn"] == 1 and counts(third)["added"] == 0
    stored = runs["after_third"]
    assert stored[uri_of(source, "baumkataster")].title == "Baumkataster (neu)"
    assert stored[uri_of(source, "altdaten")].state == "deleted"
    before = runs["after_second"]
    changed = {stored[uri_of(source, short)].id for short in ("baumkataster", "altdaten")}
    now = {p.id: (p.metadata_modified.isoformat(), p.state) for p in stored.values()}
    assert {pid for pid in now if now[pid] != before.get(pid)} == changed


def test_unreachable_source_fails_in_german_and_loses_nothing(runs):
    for job in (runs["failed"], runs["broken"]):
        text = " ".join(job["report"]["job_errors"])
        assert "127.0.0.1:9" in text and "es wurde nichts zurückgezogen" in text, text
        assert counts(job)["withdrawn"] == 0
    assert {u: (p.state, p.title) for u, p in runs["after_broken"].items()} == \
        {u: (p.state, p.title) for u, p in runs["after_third"].items()}


def test_marker_is_neither_queued_nor_counted(runs):
    markers = model.Session.query(HarvestObject).filter(HarvestObject.guid == MARKER_GUID,
                                                        HarvestObject.harvest_job_id == runs["third"]["id"]).all()
    assert len(markers) == 1 and markers[0].state == "COMPLETE" and markers[0].report_status is None


def test_invalid_config_gets_german_errors(api):
    org = new_org(api, "ckan-konfiguration")
    response = api.raw("harvest_source_create", name=f"falsch-{uuid.uuid4().hex[:6]}", title="falsch",
                       url="http://127.0.0.1:9", source_type="ckan_api", owner_org=org["id"],
                       config=json.dumps({"rdf_format": "text/turtle"}))
    assert response.status_code == 409
    assert "„rdf_format“ gilt nur für DCAT-Kataloge" in " ".join(response.json()["error"]["config"])
    response = api.raw("harvest_source_create", name=f"falsch-{uuid.uuid4().hex[:6]}", title="falsch",
                       url="http://127.0.0.1:9", source_type="ckan_api", owner_org=org["id"],
                       config=json.dumps({"priority": "hoch"}))
    assert response.status_code == 409
    assert "„priority“: erwartet eine ganze Zahl" in " ".join(response.json()["error"]["config"])


def test_source_ckan_answers(source):
    assert requests.get(f"{source['url']}/api/3/action/status_show", timeout=10).ok
