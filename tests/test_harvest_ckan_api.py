"""Harvesting a real CKAN through its Action API (harvesters/ckan_client.py).

The test stack's `source-ckan` (a plain CKAN 2.12 of this install, config/source.ini)
plays a municipal portal: the module fills it through its HTTP API, with the
sysadmin token scripts/stack.py made, with an organisation, groups named by OGD
categories and datasets in plain CKAN style, with ckanext-dcat's extras and in
the OGD style of German CKAN portals. The client reads it, maps every dataset,
and the datasets are stored in the portal in-process (package_create, scheming
validation, PostgreSQL and Solr of the test stack) and exported as DCAT-AP.de.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFSerializer
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS

from ckanext.thueringen import conformance
from ckanext.thueringen.harvesters.ckan_client import CkanApiClient
from conftest import run_stack
from source_ckan import FT, GEO, LIC, THEME


def ours(pairs, source) -> dict[str, tuple[dict, object]]:
    """The client's (source_dataset, mapped) pairs of this module's organisation, by short name."""
    return {item["name"].rsplit("-", 1)[0]: (item, mapped) for item, mapped in pairs
            if (item.get("organization") or {}).get("name") == source["org"]}


def test_client_reads_every_public_dataset(source, tmp_path):
    client = CkanApiClient(source["url"], rows=3, workdir=tmp_path)
    pages = list(client.pages())
    read = ours((pair for page in pages for pair in page.items), source)
    assert set(read) == set(source["datasets"]) - {"intern"}       # the private one is never read
    assert len(pages) >= 3 and all(len(page.items) <= 3 for page in pages)
    made = source["datasets"]["haushaltsplan-2024"]
    assert read["haushaltsplan-2024"][1].value["uri"] == f"{source['url']}/dataset/{made['id']}"
    assert client.newest_modified is not None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("with_plugins")
def test_mapped_datasets_are_stored_and_keep_their_values(source, tmp_path):
    read = ours(CkanApiClient(source["url"], workdir=tmp_path).datasets(), source)
    sysadmin = factories.Sysadmin()
    owner = factories.Organization()["id"]
    stored = {}
    for short, (_item, mapped) in read.items():
        dataset = {**mapped.value, "name": f"ckan-{uuid.uuid4().hex[:12]}", "owner_org": owner}
        created = helpers.call_action("package_create", context={"user": sysadmin["name"]}, **dataset)
        stored[short] = helpers.call_action("package_show", id=created["id"])
    assert set(stored) == set(read)

    plain = stored["haushaltsplan-2024"]
    assert plain["license_id"] == "dl-by-de/2.0" and plain["license_uri"] == LIC + "dl-by-de/2.0"
    assert plain["theme"] == [THEME + "ECON"]
    assert plain["contact"] == [{"name": "Team Open Data", "email": "opendata@musterhausen.de"}]
    assert plain["creator"] == [{"name": "Fachdienst Finanzen", "email": "finanzen@musterhausen.de"}]
    assert plain["url"] == "https://www.musterhausen.de/haushalt" and plain["version"] == "2024.1"
    assert {t["name"] for t in plain["tags"]} == {"Haushalt", "Finanzen"}
    made = source["datasets"]["haushaltsplan-2024"]
    assert plain["issued"] == made["metadata_created"] and plain["identifier"] == made["id"]
    csv, pdf = plain["resources"]
    assert (csv["format"], csv["size"], csv["hash"]) == ("CSV", 48213, made["resources"][0]["hash"][7:])
    assert csv["hash_algorithm"].endswith("checksumAlgorithm_sha256")
    assert csv["uri"] == f"{source['url']}/dataset/{made['id']}/resource/{made['resources'][0]['id']}"
    assert pdf["format_uri"] == FT + "PDF" and pdf["url"].endswith("haushalt-2024.pdf")

    trees = stored["baumkataster"]
    assert trees["license_uri"] == LIC + "cc-by" and trees["theme"] == [THEME + "ENVI"]
    assert [r["format"] for r in trees["resources"]] == ["GEOJSON", "WMS_SRVC"]
    assert [r["format_uri"] for r in trees["resources"]] == [FT + "GEOJSON", FT + "WMS_SRVC"]

    stops = stored["haltestellen"]
    assert stops["license_id"] == "cc-zero" and stops["theme"] == [THEME + "TRAN"]
    assert (stops["issued"], stops["modified"]) == ("2019-04-01", "2024-06-28T09:30:00")
    assert stops["identifier"].startswith("mh-haltestellen-")
    assert stops["contact"] == [{"name": "Verkehrsbetriebe Musterhausen", "email": "daten@vb-musterhausen.de"}]
    assert stops["spatial_coverage"][0]["uri"] == GEO + "districtKey/16053"
    assert stops["temporal_coverage"] == [{"start": "2024-01-01", "end": "2024-12-31"}]
    assert stops["resources"][0]["license"] == LIC + "cc-zero"

    kita = stored["kita-standorte"]
    assert kita["license_id"] == "dl-zero-de/2.0"
    assert kita["theme"] == [THEME + "EDUC", THEME + "TECH"]
    assert kita["contact"] == [{"name": "Jugendamt, Kita-Planung", "email": "jugendamt@musterhausen.de"}]
    assert kita["publisher"][0]["name"] == "Stadt Musterhausen"
    assert kita["creator"][0]["name"] == "Amt für Statistik"
    assert (kita["issued"], kita["modified"]) == ("2014-02-11T00:00:00", "2016-08-31T00:00:00")
    assert kita["political_geocoding_level_uri"] == GEO + "Level/municipality"
    assert kita["spatial_coverage"][0]["uri"] == GEO + "districtKey/16053"
    assert kita["resources"][0]["license_attribution_by_text"] == "Stadt Musterhausen"

    parking = stored["parkplaetze"]
    assert set(parking["theme"]) == {THEME + "TRAN", THEME + "GOVE"}
    assert parking["contact"] == [{"name": "Bürgerservice", "email": "buergerservice@musterhausen.de"}]

    council = stored["sitzungskalender"]           # kept as sent (the group as a keyword), and flagged
    assert council["license_id"] == "musterhausen-nutzungsbedingungen" and not council.get("theme")
    assert "sonstiges" in {tag["name"] for tag in council["tags"]}
    flags = {u.field for u in read["sitzungskalender"][1].unmapped}
    assert {"license_id", "theme", "resources[0].format"} <= flags
    for name in ("haushaltsplan-2024", "kita-standorte"):
        assert not [u for u in read[name][1].unmapped if u.kind == "unmapped"], name

    serializer = RDFSerializer(profiles=["dcatap_de"])
    for dataset in stored.values():
        serializer.graph_from_dataset(dataset)
    report = conformance.validate(serializer.g)
    assert report.violations == [], "\n".join(map(str, report.violations))
    # the licence known only by its name travels as a licence document with that name
    [distribution] = serializer.g.objects(URIRef(council["uri"]), DCAT.distribution)
    licence = serializer.g.value(distribution, DCTERMS.license)
    assert (licence, RDF.type, DCTERMS.LicenseDocument) in serializer.g
    assert str(serializer.g.value(licence, RDFS.label)) == "musterhausen-nutzungsbedingungen"


def test_incremental_run_returns_only_what_changed_after(source, tmp_path):
    api = source["api"]
    full = CkanApiClient(source["url"], workdir=tmp_path)
    list(full.pages())
    since = datetime.now(UTC)
    for short in ("haushaltsplan-2024", "kita-standorte"):
        made = source["datasets"][short]
        api("package_patch", id=made["id"], notes=made["notes"] + " Aktualisiert.")
    client = CkanApiClient(source["url"], workdir=tmp_path)
    changed = list(client.datasets(since=since))
    assert sorted(item["name"].rsplit("-", 1)[0] for item, _ in changed) == ["haushaltsplan-2024", "kita-standorte"]
    assert all(mapped.value["notes"].endswith("Aktualisiert.") for _, mapped in changed)
    assert client.newest_modified > full.newest_modified
    assert list(CkanApiClient(source["url"], workdir=tmp_path).datasets(since=datetime.now(UTC))) == []


def test_a_deleted_source_dataset_disappears_from_list_ids(source, tmp_path):
    client = CkanApiClient(source["url"], workdir=tmp_path)
    made = source["datasets"]
    before = client.list_ids()
    assert {made[s]["id"] for s in made if s != "intern"} <= set(before)
    assert made["intern"]["id"] not in before
    source["api"]("package_delete", id=made["altdaten"]["id"])
    after = client.list_ids()
    assert made["altdaten"]["id"] not in after
    assert set(after) == set(before) - {made["altdaten"]["id"]}
    assert after == sorted(after)


def test_status_lists_the_source_ckan(stack):
    result = run_stack("status", check=False)
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith("source-ckan"))
    assert f"127.0.0.1:{stack['ports']['source_ckan']}" in line and "running" in line
