"""The filled source CKAN of the test stack (`source-ckan`, a plain CKAN 2.12 of
this install, config/source.ini): a municipal portal for the CKAN API harvester's
tests, filled through its HTTP API with the sysadmin token scripts/stack.py made.
Registered by `pytest_plugins` in tests/conftest.py."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from conftest import ActionApi

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
