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

import json
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS

from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFSerializer

from ckanext.thueringen import conformance
from ckanext.thueringen.harvesters.ckan_client import CkanApiClient
from conftest import ActionApi, run_stack

LIC = "http://dcat-ap.de/def/licenses/"
EU = "http://publications.europa.eu/resource/authority/"
THEME = EU + "data-theme/"
FT = EU + "file-type/"
GEO = "http://dcat-ap.de/def/politicalGeocoding/"
OGD_GROUPS = ["wirtschaft_arbeit", "umwelt_klima", "bildung_wissenschaft", "transport_verkehr", "verwaltung",
              "sonstiges"]


def ogd_contacts(*contacts: tuple[str, str, str]) -> str:
    return json.dumps([{"role": role, "name": name, "email": email} for role, name, email in contacts])


def source_datasets(org: str, suffix: str) -> list[dict]:
    """package_create payloads as a municipal CKAN portal holds its datasets."""
    return [
        {   # plain CKAN
            "name": f"haushaltsplan-2024-{suffix}", "title": "Haushaltsplan 2024",
            "notes": "Ergebnis- und Finanzhaushalt der Stadt Musterhausen nach Produkten.",
            "license_id": "dl-de-by-2.0", "author": "Fachdienst Finanzen", "author_email": "finanzen@musterhausen.de",
            "maintainer": "Team Open Data", "maintainer_email": "opendata@musterhausen.de",
            "url": "https://www.musterhausen.de/haushalt", "version": "2024.1",
            "tags": [{"name": "Haushalt"}, {"name": "Finanzen"}], "groups": [{"name": "wirtschaft_arbeit"}],
            "resources": [
                {"url": "https://www.musterhausen.de/daten/haushalt-2024.csv", "name": "Haushalt (CSV)",
                 "format": "CSV", "mimetype": "text/csv", "size": 48213,
                 "hash": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
                {"url": "https://www.musterhausen.de/daten/haushalt-2024.pdf", "name": "Haushalt (PDF)",
                 "format": "PDF"},
            ],
        },
        {   # plain CKAN, CKAN's own licence id
            "name": f"baumkataster-{suffix}", "title": "Baumkataster",
            "notes": "Alle Straßenbäume mit Art, Pflanzjahr und Standort.", "license_id": "cc-by",
            "maintainer": "Grünflächenamt", "maintainer_email": "gruen@musterhausen.de",
            "tags": [{"name": "Bäume"}, {"name": "Umwelt"}], "groups": [{"name": "umwelt_klima"}],
            "resources": [
                {"url": "https://geo.musterhausen.de/baeume.geojson", "format": "GeoJSON", "name": "Bäume"},
                {"url": "https://geo.musterhausen.de/wms?SERVICE=WMS&REQUEST=GetCapabilities", "format": "WMS",
                 "name": "Kartendienst"},
            ],
        },
        {   # ckanext-dcat's extras
            "name": f"haltestellen-{suffix}", "title": "Haltestellen des ÖPNV",
            "notes": "Lage und Ausstattung aller Haltestellen.", "license_id": "cc-zero",
            "extras": [
                {"key": "issued", "value": "2019-04-01"},
                {"key": "modified", "value": "2024-06-28T09:30:00"},
                {"key": "identifier", "value": f"mh-haltestellen-{suffix}"},
                {"key": "frequency", "value": EU + "frequency/MONTHLY"},
                {"key": "theme", "value": json.dumps([THEME + "TRAN"])},
                {"key": "language", "value": json.dumps([EU + "language/DEU"])},
                {"key": "contact_name", "value": "Verkehrsbetriebe Musterhausen"},
                {"key": "contact_email", "value": "daten@vb-musterhausen.de"},
                {"key": "spatial_uri", "value": GEO + "districtKey/16053"},
                {"key": "temporal_start", "value": "2024-01-01"},
                {"key": "temporal_end", "value": "2024-12-31"},
            ],
            "resources": [{"url": "https://www.vb-musterhausen.de/haltestellen.csv", "format": "CSV",
                           "name": "Haltestellen", "issued": "2019-04-01", "modified": "2024-06-28",
                           "license": LIC + "cc-zero"}],
        },
        {   # OGD style
            "name": f"kita-standorte-{suffix}", "title": "Standorte der Kindertageseinrichtungen",
            "notes": "Adressen, Träger und Plätze aller Kitas.", "license_id": "",
            "groups": [{"name": "bildung_wissenschaft"}],
            "tags": [{"name": "Kita"}],
            "extras": [
                {"key": "contacts", "value": ogd_contacts(
                    ("veroeffentlichende_stelle", "Stadt Musterhausen", "opendata@musterhausen.de"),
                    ("ansprechpartner", "Jugendamt, Kita-Planung", "jugendamt@musterhausen.de"),
                    ("autor", "Amt für Statistik", "statistik@musterhausen.de"))},
                {"key": "dates", "value": json.dumps([{"role": "veroeffentlicht", "date": "2014-02-11T00:00:00"},
                                                      {"role": "aktualisiert", "date": "2016-08-31T00:00:00"}])},
                {"key": "temporal_coverage_from", "value": "2014-01-01"},
                {"key": "temporal_coverage_to", "value": "2016-12-31"},
                {"key": "geographical_coverage", "value": "Jena"},
                {"key": "geographical_granularity", "value": "kommune"},
                {"key": "terms_of_use", "value": json.dumps({"license_id": "dl-de-zero-2.0",
                                                             "attribution_text": "Stadt Musterhausen"})},
                {"key": "ogd_version", "value": "v1.1"},
            ],
            "resources": [{"url": "https://www.musterhausen.de/daten/kitas.xlsx", "format": "xlsx",
                           "name": "Kitas"}],
        },
        {   # OGD style, category in the categorization extra and a group
            "name": f"parkplaetze-{suffix}", "title": "Öffentliche Parkplätze",
            "notes": "Parkplätze und Parkhäuser mit Stellplatzzahl.", "license_id": "dl-de-by-2.0",
            "groups": [{"name": "transport_verkehr"}],
            "extras": [{"key": "categorization", "value": json.dumps(["verwaltung"])},
                       {"key": "contacts", "value": ogd_contacts(("vertrieb", "Bürgerservice",
                                                                 "buergerservice@musterhausen.de"))}],
            "resources": [{"url": "https://www.musterhausen.de/daten/parken.json", "format": "JSON"}],
        },
        {   # a licence and a group the portal does not know
            "name": f"sitzungskalender-{suffix}", "title": "Sitzungskalender des Stadtrats",
            "notes": "Termine der Sitzungen des Stadtrats und seiner Ausschüsse.",
            "license_id": "musterhausen-nutzungsbedingungen", "groups": [{"name": "sonstiges"}],
            "resources": [{"url": "https://www.musterhausen.de/ratsinfo/kalender.ics", "format": "iCal"}],
        },
        {   # deleted at the source by a test below
            "name": f"altdaten-{suffix}", "title": "Altdaten", "notes": "Wird gelöscht.", "license_id": "cc-by",
        },
        {   # private: never harvested
            "name": f"intern-{suffix}", "title": "Interne Liste", "notes": "Nicht öffentlich.", "license_id": "cc-by",
            "private": True,
        },
    ]


@pytest.fixture(scope="module")
def source(stack):
    """The filled source CKAN: its URL, API and the datasets made for this module."""
    if "source_ckan_url" not in stack:
        pytest.fail("Der Test-Stack hat keinen source-ckan; mit scripts/stack.py neu starten.")
    url = stack["source_ckan_url"]
    token = (Path(stack["state"]) / "source-sysadmin-token").read_text().strip()
    api = ActionApi(f"{url}/api/3/action", token)
    suffix = uuid.uuid4().hex[:8]
    org = api("organization_create", name=f"stadt-musterhausen-{suffix}", title="Stadt Musterhausen")
    existing = set(api("group_list"))
    for group in OGD_GROUPS:
        if group not in existing:
            api("group_create", name=group, title=group.replace("_", " ").title())
    created = {}
    for payload in source_datasets(org["name"], suffix):
        dataset = api("package_create", owner_org=org["id"], **payload)
        created[payload["name"].rsplit("-", 1)[0]] = dataset
    return {"url": url, "api": api, "org": org["name"], "datasets": created}


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
    assert plain["license_id"] == LIC + "dl-by-de/2.0"
    assert plain["theme"] == [THEME + "ECON"]
    assert plain["contact"] == [{"name": "Team Open Data", "email": "opendata@musterhausen.de"}]
    assert plain["creator"] == [{"name": "Fachdienst Finanzen", "email": "finanzen@musterhausen.de"}]
    assert plain["url"] == "https://www.musterhausen.de/haushalt" and plain["version"] == "2024.1"
    assert {t["name"] for t in plain["tags"]} == {"Haushalt", "Finanzen"}
    made = source["datasets"]["haushaltsplan-2024"]
    assert plain["issued"] == made["metadata_created"] and plain["identifier"] == made["id"]
    csv, pdf = plain["resources"]
    assert (csv["format"], csv["size"], csv["hash"]) == (FT + "CSV", 48213, made["resources"][0]["hash"][7:])
    assert csv["hash_algorithm"].endswith("checksumAlgorithm_sha256")
    assert csv["uri"] == f"{source['url']}/dataset/{made['id']}/resource/{made['resources'][0]['id']}"
    assert pdf["format"] == FT + "PDF" and pdf["url"].endswith("haushalt-2024.pdf")

    trees = stored["baumkataster"]
    assert trees["license_id"] == LIC + "cc-by" and trees["theme"] == [THEME + "ENVI"]
    assert [r["format"] for r in trees["resources"]] == [FT + "GEOJSON", FT + "WMS_SRVC"]

    stops = stored["haltestellen"]
    assert stops["license_id"] == LIC + "cc-zero" and stops["theme"] == [THEME + "TRAN"]
    assert (stops["issued"], stops["modified"]) == ("2019-04-01", "2024-06-28T09:30:00")
    assert stops["identifier"].startswith("mh-haltestellen-")
    assert stops["contact"] == [{"name": "Verkehrsbetriebe Musterhausen", "email": "daten@vb-musterhausen.de"}]
    assert stops["spatial_coverage"][0]["uri"] == GEO + "districtKey/16053"
    assert stops["temporal_coverage"] == [{"start": "2024-01-01", "end": "2024-12-31"}]
    assert stops["resources"][0]["license"] == LIC + "cc-zero"

    kita = stored["kita-standorte"]
    assert kita["license_id"] == LIC + "dl-zero-de/2.0"
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
    since = datetime.now(timezone.utc)
    for short in ("haushaltsplan-2024", "kita-standorte"):
        made = source["datasets"][short]
        api("package_patch", id=made["id"], notes=made["notes"] + " Aktualisiert.")
    client = CkanApiClient(source["url"], workdir=tmp_path)
    changed = list(client.datasets(since=since))
    assert sorted(item["name"].rsplit("-", 1)[0] for item, _ in changed) == ["haushaltsplan-2024", "kita-standorte"]
    assert all(mapped.value["notes"].endswith("Aktualisiert.") for _, mapped in changed)
    assert client.newest_modified > full.newest_modified
    assert list(CkanApiClient(source["url"], workdir=tmp_path).datasets(since=datetime.now(timezone.utc))) == []


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
