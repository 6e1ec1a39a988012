"""ckanext.thueringen.harvesters.ckan_mapping: datasets of other CKANs in the portal schema.

The fixtures are package_show results as CKAN really gives them: a plain CKAN
2.12 dataset of a municipal portal, one that ckanext-dcat's harvester wrote into a
non-scheming CKAN (DCAT extras), an OGD-style dataset of a CKAN 2.2 portal
(GovData's old schema), a minimal one and broken ones. Pure tests (no stack):
    .venv/bin/python -m pytest tests/unit/test_ckan_mapping.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import copy
import json
import re

import pytest

from ckanext.thueringen import normalize
from ckanext.thueringen.harvesters.ckan_mapping import map_ckan_dataset, source_base_url, split_hash, theme_uris
from ckanext.thueringen.normalize import clean_tag

SOURCE = "https://opendata.jena.de"
LIC = "http://dcat-ap.de/def/licenses/"
EU = "http://publications.europa.eu/resource/authority/"
THEME = EU + "data-theme/"
FT = EU + "file-type/"
GEO = "http://dcat-ap.de/def/politicalGeocoding/"
SPDX = "http://spdx.org/rdf/terms#checksumAlgorithm_"

# A plain CKAN 2.12 dataset (package_show), as a municipal portal keeps it.
PLAIN = {
    "author": "Fachdienst Finanzen",
    "author_email": "finanzen@jena.de",
    "creator_user_id": "0b6c5c4d-3c55-4ad0-9f55-4f1e6b0f2d11",
    "id": "3f0c2a64-4c1e-4b8e-9d1c-6a2f1d0e7b55",
    "isopen": True,
    "license_id": "dl-de-by-2.0",
    "license_title": "Datenlizenz Deutschland Namensnennung 2.0",
    "license_url": "https://www.govdata.de/dl-de/by-2-0",
    "maintainer": "Team Open Data",
    "maintainer_email": "opendata@jena.de",
    "metadata_created": "2023-03-14T09:12:44.412318",
    "metadata_modified": "2024-11-02T16:05:09.118734",
    "name": "haushaltsplan-2024",
    "notes": "Der **Haushaltsplan 2024** der Stadt Jena: Ergebnis- und Finanzhaushalt nach Produkten.",
    "num_resources": 2,
    "num_tags": 3,
    "organization": {"id": "9a1b6d3e-6f0e-4a4c-8a39-2c1b7b7f0e01", "name": "stadt-jena", "title": "Stadt Jena",
                     "type": "organization", "description": "", "image_url": "",
                     "created": "2020-01-07T10:00:00.000000", "is_organization": True,
                     "approval_status": "approved", "state": "active"},
    "owner_org": "9a1b6d3e-6f0e-4a4c-8a39-2c1b7b7f0e01",
    "private": False,
    "state": "active",
    "title": "Haushaltsplan 2024",
    "type": "dataset",
    "url": "https://www.jena.de/haushalt",
    "version": "1.2",
    "extras": [],
    "groups": [{"description": "", "display_name": "Wirtschaft und Arbeit", "id": "b3c4",
                "image_display_url": "", "name": "wirtschaft_arbeit", "title": "Wirtschaft und Arbeit"}],
    "tags": [{"display_name": "Haushalt", "id": "t1", "name": "Haushalt", "state": "active", "vocabulary_id": None},
             {"display_name": "Finanzen", "id": "t2", "name": "Finanzen", "state": "active", "vocabulary_id": None},
             {"display_name": "intern", "id": "t3", "name": "intern", "state": "active", "vocabulary_id": "v9"}],
    "resources": [
        {"cache_last_updated": None, "cache_url": None, "created": "2023-03-14T09:13:01.000112",
         "datastore_active": False, "description": "Alle Produkte als CSV", "format": "CSV",
         "hash": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
         "id": "c1d2e3f4-0000-4000-8000-000000000001", "last_modified": "2024-11-02T16:05:00",
         "metadata_modified": "2024-11-02T16:05:09.100000", "mimetype": "text/csv", "mimetype_inner": None,
         "name": "Haushaltsplan 2024 (CSV)", "package_id": "3f0c2a64-4c1e-4b8e-9d1c-6a2f1d0e7b55", "position": 0,
         "resource_type": None, "size": 48213, "state": "active",
         "url": "https://opendata.jena.de/dataset/3f0c2a64/resource/c1d2e3f4/download/haushalt-2024.csv",
         "url_type": "upload"},
        {"created": "2023-03-14T09:14:00", "description": "", "format": "", "hash": "",
         "id": "c1d2e3f4-0000-4000-8000-000000000002", "last_modified": None, "mimetype": None,
         "name": "Haushaltsplan 2024 (PDF)", "position": 1, "size": None, "state": "active",
         "url": "https://www.jena.de/fm/1727/Haushaltsplan_2024.pdf", "url_type": None},
    ],
    "relationships_as_object": [],
    "relationships_as_subject": [],
}


def as_extras(values: dict) -> list[dict]:
    """CKAN's extras list ({"key", "value"} objects) of a dict."""
    return [{"key": key, "value": value} for key, value in values.items()]


# Written by ckanext-dcat's RDF harvester into a CKAN without scheming: DCAT as extras.
DCAT_EXTRAS = {
    "id": "8d7c6b5a-1111-4222-8333-444455556666",
    "name": "haltestellen-jena",
    "title": "Haltestellen des ÖPNV in Jena",
    "notes": "Lage und Ausstattung aller Haltestellen von Bus und Straßenbahn.",
    "license_id": "",
    "license_title": None,
    "author": None, "author_email": None, "maintainer": None, "maintainer_email": None,
    "metadata_created": "2024-01-05T08:00:00.000001",
    "metadata_modified": "2024-06-30T12:30:00.000001",
    "url": "https://www.nahverkehr-jena.de/haltestellen",
    "state": "active", "type": "dataset", "private": False,
    "tags": [{"name": "ÖPNV", "vocabulary_id": None}, {"name": "Verkehr", "vocabulary_id": None}],
    "groups": [],
    "extras": as_extras({
        "access_rights": EU + "access-right/PUBLIC",
        "conforms_to": "[\"https://www.vdv.de/vdv-schrift-452.aspx\"]",
        "contact_email": "mailto:opendata@nahverkehr-jena.de",
        "contact_name": "Jenaer Nahverkehr GmbH",
        "contact_uri": "https://www.nahverkehr-jena.de",
        "contributorID": "[\"http://dcat-ap.de/def/contributors/stadtJena\"]",
        "frequency": EU + "frequency/MONTHLY",
        "guid": "https://www.nahverkehr-jena.de/dcat/haltestellen",
        "harvest_object_id": "f0f0f0f0-0000-4000-8000-000000000000",
        "harvest_source_id": "e0e0e0e0-0000-4000-8000-000000000000",
        "harvest_source_title": "Nahverkehr Jena DCAT",
        "identifier": "jnv-haltestellen",
        "issued": "2019-04-01",
        "language": "[\"http://publications.europa.eu/resource/authority/language/DEU\"]",
        "modified": "2024-06-28T00:00:00",
        "politicalGeocodingLevelURI": GEO + "Level/municipality",
        "publisher_name": "Jenaer Nahverkehr GmbH",
        "publisher_uri": "https://www.nahverkehr-jena.de/",
        "publisher_type": "http://purl.org/adms/publishertype/Company",
        "spatial": "{\"type\": \"Polygon\", \"coordinates\": [[[11.5, 50.87], [11.65, 50.87], [11.65, 50.97], "
                   "[11.5, 50.97], [11.5, 50.87]]]}",
        "spatial_uri": GEO + "districtKey/16053",
        "temporal_end": "2024-12-31",
        "temporal_start": "2024-01-01",
        "theme": "[\"" + THEME + "TRAN\"]",
        "uri": "https://www.nahverkehr-jena.de/dcat/haltestellen",
    }),
    "resources": [
        {"id": "aa000000-0000-4000-8000-000000000001", "name": "Haltestellen (GeoJSON)",
         "url": "https://www.nahverkehr-jena.de/daten/haltestellen.geojson",
         "download_url": "https://www.nahverkehr-jena.de/daten/haltestellen.geojson",
         "access_url": "https://www.nahverkehr-jena.de/daten/",
         "format": "GeoJSON", "mimetype": "application/geo+json", "size": "1183204",
         "hash": "0cc175b9c0f1b6a831c399e269772661", "hash_algorithm": "",
         "issued": "2019-04-01", "modified": "2024-06-28",
         "license": "http://dcat-ap.de/def/licenses/cc-by/4.0",
         "language": "[\"http://publications.europa.eu/resource/authority/language/DEU\"]",
         "status": EU + "distribution-status/COMPLETED",
         "uri": "https://www.nahverkehr-jena.de/dcat/haltestellen/geojson",
         "state": "active"},
    ],
}

# OGD schema of a CKAN 2.2 portal (GovData's old metadata schema), API v3 of that time.
OGD = {
    "id": "0f1e2d3c-4b5a-4968-8776-655443322110",
    "name": "kita-standorte-erfurt",
    "title": "Standorte der Kindertageseinrichtungen",
    "notes": "Adressen, Träger und Plätze aller Kitas in Erfurt.",
    "license_id": "",
    "license_title": "",
    "license_url": "",
    "author": "", "author_email": "", "maintainer": "", "maintainer_email": "",
    "metadata_created": "2014-02-11T10:21:38.774412",
    "metadata_modified": "2016-09-01T07:00:00.000000",
    "revision_id": "5d4c3b2a-aaaa-bbbb-cccc-ddddeeeeffff",
    "revision_timestamp": "2016-09-01T07:00:00.000000",
    "tracking_summary": {"total": 12, "recent": 0},
    "url": "",
    "state": "active", "type": "dataset", "private": False,
    "tags": [{"name": "Kita", "vocabulary_id": None}, {"name": "Kinderbetreuung", "vocabulary_id": None}],
    "groups": [{"name": "bildung_wissenschaft", "title": "Bildung und Wissenschaft", "id": "g1"},
               {"name": "soziales", "title": "Soziales", "id": "g2"}],
    "extras": [
        {"key": "contacts", "state": "active", "revision_timestamp": "2014-02-11T10:21:38", "value": json.dumps([
            {"role": "veroeffentlichende_stelle", "name": "Landeshauptstadt Erfurt", "email": "opendata@erfurt.de",
             "url": "http://www.erfurt.de"},
            {"role": "ansprechpartner", "name": "Jugendamt, Kita-Planung", "email": "jugendamt@erfurt.de"},
            {"role": "autor", "name": "Amt für Statistik und Wahlen", "email": "statistik@erfurt.de"},
            {"role": "vertrieb", "name": "Bürgerservice", "email": "buergerservice@erfurt.de"},
        ])},
        {"key": "dates", "state": "active", "value": json.dumps([
            {"role": "erstellt", "date": "2013-12-01T00:00:00"},
            {"role": "veroeffentlicht", "date": "2014-02-11T00:00:00"},
            {"role": "aktualisiert", "date": "2016-08-31T00:00:00"},
        ])},
        {"key": "temporal_coverage_from", "state": "active", "value": "2014-01-01"},
        {"key": "temporal_coverage_to", "state": "active", "value": "2016-12-31"},
        {"key": "temporal_granularity", "state": "active", "value": "jahr"},
        {"key": "geographical_coverage", "state": "active", "value": "Erfurt"},
        {"key": "geographical_granularity", "state": "active", "value": "stadt"},
        {"key": "terms_of_use", "state": "active",
         "value": json.dumps({"license_id": "dl-de-by-2.0", "attribution_text": "Landeshauptstadt Erfurt"})},
        {"key": "ogd_version", "state": "active", "value": "v1.1"},
        {"key": "sector", "state": "active", "value": "oeffentlich"},
        {"key": "spatial_reference", "state": "active", "value": json.dumps({"ags": "16051000", "nuts": "DEG01"})},
        {"key": "metadata_original_portal", "state": "active", "value": "http://www.erfurt.de/opendata"},
        {"key": "alter_schluessel", "state": "deleted", "value": "entfernt"},
    ],
    "resources": [
        {"id": "r0", "url": "http://www.erfurt.de/daten/kitas.xlsx", "format": "xlsx", "name": "Kitas 2016",
         "description": "", "size": "20480.0", "hash": "", "created": "2016-09-01T06:59:00", "resource_group_id": "rg",
         "revision_id": "5d4c", "tracking_summary": {"total": 3, "recent": 0}, "position": 0},
    ],
}

MINIMAL = {"id": "11111111-2222-4333-8444-555555555555", "name": "stadtplan", "title": "Stadtplan"}


def mapped(source):
    return map_ckan_dataset(copy.deepcopy(source), SOURCE)


def flagged(result, field):
    return [item for item in result.unmapped if item.field == field]


# --- a plain CKAN 2.12 dataset ------------------------------------------------

def test_plain_dataset_core_fields():
    result = mapped(PLAIN)
    data = result.value
    assert data["title"] == "Haushaltsplan 2024"
    assert data["notes"].startswith("Der **Haushaltsplan 2024**")
    assert data["name"] == "haushaltsplan-2024"
    assert data["tag_string"] == "Haushalt,Finanzen"     # the vocabulary tag is not a keyword
    assert data["url"] == "https://www.jena.de/haushalt"
    assert data["version"] == "1.2"
    assert data["license_id"] == "dl-by-de/2.0" and data["license_uri"] == LIC + "dl-by-de/2.0"
    assert data["theme"] == [THEME + "ECON"]
    assert "owner_org" not in data and "id" not in data and "extras" not in data
    assert result.unmapped == []


def test_plain_dataset_uri_identifier_and_dates():
    data = mapped(PLAIN).value
    assert data["uri"] == f"{SOURCE}/dataset/{PLAIN['id']}"
    assert data["identifier"] == PLAIN["id"]
    assert data["issued"] == "2023-03-14T09:12:44.412318"     # metadata_created, as ckanext-dcat exports it
    assert data["modified"] == "2024-11-02T16:05:09.118734"


def test_plain_dataset_author_is_creator_and_maintainer_is_contact():
    data = mapped(PLAIN).value
    assert data["contact"] == [{"name": "Team Open Data", "email": "opendata@jena.de"}]
    assert data["creator"] == [{"name": "Fachdienst Finanzen", "email": "finanzen@jena.de"}]
    assert "publisher" not in data


def test_plain_dataset_resources():
    csv, pdf = mapped(PLAIN).value["resources"]
    assert csv == {
        "uri": f"{SOURCE}/dataset/{PLAIN['id']}/resource/c1d2e3f4-0000-4000-8000-000000000001",
        "url": PLAIN["resources"][0]["url"],
        "name": "Haushaltsplan 2024 (CSV)",
        "description": "Alle Produkte als CSV",
        "format": "CSV",
        "format_uri": FT + "CSV",
        "mimetype": "https://www.iana.org/assignments/media-types/text/csv",
        "size": 48213,
        "hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "hash_algorithm": SPDX + "sha256",
        "issued": "2023-03-14T09:13:01.000112",
        "modified": "2024-11-02T16:05:00",
    }
    assert pdf["format"] == "PDF" and pdf["format_uri"] == FT + "PDF"          # no format given: from the file ending
    assert "size" not in pdf and "hash" not in pdf and "modified" not in pdf
    assert all("id" not in r and "url_type" not in r and "package_id" not in r for r in (csv, pdf))


def test_source_url_may_be_given_with_the_api_path():
    for url in (SOURCE + "/", SOURCE + "/api/3/action", SOURCE + "/api/3/", SOURCE + "/api"):
        assert source_base_url(url) == SOURCE
        assert map_ckan_dataset(PLAIN, url).value["uri"] == f"{SOURCE}/dataset/{PLAIN['id']}"


# --- DCAT extras (ckanext-dcat) -------------------------------------------------

def test_dcat_extras():
    result = mapped(DCAT_EXTRAS)
    data = result.value
    assert data["identifier"] == "jnv-haltestellen"
    assert data["uri"] == f"{SOURCE}/dataset/{DCAT_EXTRAS['id']}"   # the source's page, not the upstream URI
    assert data["issued"] == "2019-04-01"
    assert data["modified"] == "2024-06-28T00:00:00"
    assert data["frequency"] == EU + "frequency/MONTHLY"
    assert data["theme"] == [THEME + "TRAN"]
    assert data["language"] == [EU + "language/DEU"]
    assert data["access_rights"] == EU + "access-right/PUBLIC"
    assert data["conforms_to"] == ["https://www.vdv.de/vdv-schrift-452.aspx"]
    assert data["contributor_id"] == ["http://dcat-ap.de/def/contributors/stadtJena"]
    assert data["political_geocoding_level_uri"] == GEO + "Level/municipality"
    assert data["temporal_coverage"] == [{"start": "2024-01-01", "end": "2024-12-31"}]
    assert data["tag_string"] == "ÖPNV,Verkehr"
    assert "license_id" not in data
    assert [u.field for u in result.unmapped] == ["license_id"]   # no licence at all: said so


def test_dcat_extras_agents_and_spatial():
    data = mapped(DCAT_EXTRAS).value
    assert data["contact"] == [{"name": "Jenaer Nahverkehr GmbH", "email": "opendata@nahverkehr-jena.de",
                                "uri": "https://www.nahverkehr-jena.de"}]
    assert data["publisher"] == [{"name": "Jenaer Nahverkehr GmbH", "uri": "https://www.nahverkehr-jena.de/",
                                  "type": "http://purl.org/adms/publishertype/Company"}]
    [area] = data["spatial_coverage"]
    assert area["uri"] == GEO + "districtKey/16053"
    assert json.loads(area["geom"])["type"] == "Polygon"


def test_dcat_resource_fields():
    [resource] = mapped(DCAT_EXTRAS).value["resources"]
    assert resource["uri"] == "https://www.nahverkehr-jena.de/dcat/haltestellen/geojson"
    assert resource["download_url"] == "https://www.nahverkehr-jena.de/daten/haltestellen.geojson"
    assert resource["access_url"] == "https://www.nahverkehr-jena.de/daten/"
    assert resource["format"] == "GEOJSON" and resource["format_uri"] == FT + "GEOJSON"
    assert resource["size"] == 1183204
    assert resource["hash_algorithm"] == SPDX + "md5"        # told by the length of the digest
    assert resource["license"] == LIC + "cc-by/4.0"
    assert resource["language"] == [EU + "language/DEU"]
    assert resource["status"] == EU + "distribution-status/COMPLETED"
    assert (resource["issued"], resource["modified"]) == ("2019-04-01", "2024-06-28")


def test_technical_extras_are_not_reported():
    fields = [u.field for u in mapped(DCAT_EXTRAS).unmapped]
    assert not [f for f in fields if f.startswith("extras.")]


# --- OGD / GovData-style --------------------------------------------------------

def test_ogd_contacts_by_role():
    data = mapped(OGD).value
    assert data["contact"] == [{"name": "Jugendamt, Kita-Planung", "email": "jugendamt@erfurt.de"}]
    assert data["creator"] == [{"name": "Amt für Statistik und Wahlen", "email": "statistik@erfurt.de"}]
    assert data["publisher"] == [{"name": "Landeshauptstadt Erfurt", "email": "opendata@erfurt.de",
                                  "url": "http://www.erfurt.de"}]


def test_ogd_vertrieb_is_the_contact_when_there_is_no_other():
    source = copy.deepcopy(OGD)
    contacts = json.loads(source["extras"][0]["value"])
    source["extras"][0]["value"] = json.dumps([c for c in contacts if c["role"] != "ansprechpartner"])
    assert mapped(source).value["contact"] == [{"name": "Bürgerservice", "email": "buergerservice@erfurt.de"}]


def test_ogd_dates_temporal_and_licence_from_terms_of_use():
    data = mapped(OGD).value
    assert data["issued"] == "2014-02-11T00:00:00"            # veroeffentlicht, not erstellt
    assert data["modified"] == "2016-08-31T00:00:00"          # aktualisiert, not metadata_modified
    assert data["temporal_coverage"] == [{"start": "2014-01-01", "end": "2016-12-31"}]
    assert data["license_id"] == "dl-by-de/2.0" and data["license_uri"] == LIC + "dl-by-de/2.0"
    assert data["resources"][0]["license_attribution_by_text"] == "Landeshauptstadt Erfurt"


def test_ogd_space():
    data = mapped(OGD).value
    assert data["political_geocoding_level_uri"] == GEO + "Level/municipality"     # "stadt"
    uris = [area.get("uri") for area in data["spatial_coverage"]]
    assert uris == [GEO + "regionalKey/160510000000", GEO + "districtKey/16051"]   # AGS, then "Erfurt"
    assert data["spatial_coverage"][1]["text"] == "Erfurt"


def test_ogd_categories_become_eu_themes():
    data = mapped(OGD).value
    assert data["theme"] == [THEME + "EDUC", THEME + "TECH", THEME + "SOCI"]


def test_ogd_resource_and_old_shapes():
    result = mapped(OGD)
    [resource] = result.value["resources"]
    assert resource["format"] == "XLSX" and resource["format_uri"] == FT + "XLSX"
    assert resource["size"] == 20480                  # "20480.0"
    assert resource["issued"] == "2016-09-01T06:59:00"
    reported = {u.field for u in result.unmapped}
    assert reported == {"extras.temporal_granularity"}  # no field in DCAT-AP.de; deleted extras are not read


@pytest.mark.parametrize("category, themes", [
    ("wirtschaft_arbeit", ["ECON"]), ("umwelt_klima", ["ENVI"]), ("verwaltung", ["GOVE"]),
    ("politik_wahlen", ["GOVE"]), ("gesundheit", ["HEAL"]), ("bildung_wissenschaft", ["EDUC", "TECH"]),
    ("transport_verkehr", ["TRAN"]), ("geo", ["REGI"]), ("infrastruktur_bauen_wohnen", ["REGI"]),
    ("gesetze_justiz", ["JUST"]), ("justiz", ["JUST"]), ("kultur_freizeit_sport_tourismus", ["EDUC"]),
    ("soziales", ["SOCI"]), ("bevoelkerung", ["SOCI"]), ("energie", ["ENER"]), ("landwirtschaft", ["AGRI"]),
    ("internationales", ["INTR"]), ("Öffentliche Verwaltung, Haushalt und Steuern", ["GOVE"]),
    ("Umwelt und Klima", ["ENVI"]), ("econ", ["ECON"]), (THEME + "HEAL", ["HEAL"]),
    ("sonstiges", []), ("verbraucher", []), ("oeffentlich", []),
])
def test_ogd_category_table(category, themes):
    assert theme_uris(category) == [THEME + code for code in themes]


def test_categorization_extra_and_group_titles():
    source = {**MINIMAL, "notes": "x", "license_id": "cc-by",
              "extras": [{"key": "categorization", "value": "[\"umwelt_klima\", \"geo\"]"}],
              "groups": [{"name": "gruppe-7", "title": "Gesetze und Justiz"}, "gesundheit"]}
    assert mapped(source).value["theme"] == [THEME + c for c in ("ENVI", "REGI", "JUST", "HEAL")]


# --- minimal and broken ---------------------------------------------------------

def test_minimal_dataset():
    result = mapped(MINIMAL)
    assert result.value == {
        "name": "stadtplan", "title": "Stadtplan", "notes": "Stadtplan",
        "uri": f"{SOURCE}/dataset/{MINIMAL['id']}", "identifier": MINIMAL["id"],
    }
    assert {u.field for u in result.unmapped} == {"notes", "license_id"}
    assert "Titel wurde als Beschreibung" in flagged(result, "notes")[0].message


def test_unknown_licence_is_flagged_not_dropped():
    source = {**PLAIN, "license_id": "stadt-jena-nutzungsbedingungen", "license_title": "Nutzungsbedingungen",
              "license_url": ""}
    result = mapped(source)
    assert result.value["license_id"] == "stadt-jena-nutzungsbedingungen"
    [item] = flagged(result, "license_id")
    assert item.value == "stadt-jena-nutzungsbedingungen" and "Lizenzliste" in item.message


def test_licence_from_url_or_title_when_the_id_is_unknown():
    by_url = {**PLAIN, "license_id": "dl-by", "license_url": "https://www.govdata.de/dl-de/by-2-0"}
    by_title = {**PLAIN, "license_id": "", "license_url": "", "license_title": "CC BY 4.0"}
    assert mapped(by_url).value["license_id"] == "dl-by-de/2.0"
    assert mapped(by_title).value["license_uri"] == LIC + "cc-by/4.0"


BROKEN = {
    "id": "deadbeef-0000-4000-8000-000000000000",
    "name": "baustellen",
    "title": "Baustellen",
    "notes": "Aktuelle Baustellen.",
    "license_id": "notspecified",
    "license_title": "License not specified",
    "url": "keine Angabe",
    "metadata_modified": "2024-02-30T10:00:00",
    "tags": [{"name": "Straße/Verkehr", "vocabulary_id": None}, {"name": "x", "vocabulary_id": None},
             "Umleitung, Sperrung", {"name": "???", "vocabulary_id": None}],
    "groups": [{"name": "sonstiges", "title": "Sonstiges"}],
    "extras": [
        {"key": "contacts", "value": "Herr Müller, Tel. 0361 655-0"},
        {"key": "dates", "value": "gestern"},
        {"key": "terms_of_use", "value": "Nutzung frei"},
        {"key": "spatial_reference", "value": "{ags: 16051000"},
        {"key": "issued", "value": "unbekannt"},
        {"value": "ohne Schlüssel"},
        {"key": "zustaendigkeit", "value": "Tiefbauamt"},
    ],
    "resources": [
        {"id": "r1", "url": "https://baustellen.example/liste.csv", "format": "Esri Shapefile", "size": "1,2 MB",
         "created": "vor einer Woche", "download_url": "ftp://baustellen.example/liste.csv"},
        "kein Objekt",
        {"id": "r3", "url": "https://baustellen.example/alt.csv", "state": "deleted"},
    ],
}


def test_broken_extras_are_flagged_and_the_rest_is_mapped():
    result = mapped(BROKEN)
    data = result.value
    for key in ("contacts", "dates", "terms_of_use", "spatial_reference"):
        [item] = flagged(result, f"extras.{key}")
        assert "kein gültiges JSON" in item.message
        assert item.value == next(e["value"] for e in BROKEN["extras"] if e.get("key") == key)
    assert flagged(result, "extras[5]")                   # an extra without a key
    assert flagged(result, "extras.zustaendigkeit")       # no field in the portal
    assert data["title"] == "Baustellen" and data["notes"] == "Aktuelle Baustellen."
    assert data["license_id"] == "notspecified" and flagged(result, "license_id")
    assert not data.get("theme") and flagged(result, "theme")   # no EU theme: kept as a keyword
    assert "sonstiges" in data["tag_string"].split(",")


def test_values_the_schema_would_refuse_are_flagged_and_left_out():
    result = mapped(BROKEN)
    data = result.value
    assert "url" not in data and flagged(result, "url")
    assert "issued" not in data and [u.value for u in flagged(result, "issued")] == ["unbekannt"]
    assert "modified" not in data and flagged(result, "modified")          # 30 February
    assert data["tag_string"] == "Straße Verkehr,Umleitung,Sperrung,sonstiges"   # the group without a theme
    assert {u.value for u in result.unmapped if u.field.startswith("tags")} == {"Straße/Verkehr", "x", "???"}
    [resource] = data["resources"]                # the string and the deleted resource are not
    assert resource["format"] == "SHP" and resource["format_uri"] == FT + "SHP" and not flagged(result, "resources[0].format")
    assert "size" not in resource and flagged(result, "resources[0].size")
    assert "issued" not in resource and flagged(result, "resources[0].issued")
    assert "download_url" not in resource and flagged(result, "resources[0].download_url")
    assert flagged(result, "resources[1]")


def test_mapped_values_pass_the_schema_checks():
    """What the scheming schema checks strictly (dates, http URIs, sizes, tags) is
    valid in every mapped fixture, so package_create cannot refuse the dataset for it."""
    for source in (PLAIN, DCAT_EXTRAS, OGD, MINIMAL, BROKEN):
        data = mapped(source).value
        resources = data.get("resources", [])
        for record, links in ((data, ("url", "uri")), *((r, ("uri", "access_url", "download_url"))
                                                         for r in resources)):
            for key in ("issued", "modified"):
                assert key not in record or normalize.date(record[key]) == record[key]
            for key in links:
                assert key not in record or re.fullmatch(r"https?://\S+", record[key])
            assert "size" not in record or isinstance(record["size"], int)
        for tag in filter(None, data.get("tag_string", "").split(",")):
            assert clean_tag(tag) == tag
        for period in data.get("temporal_coverage", []):
            assert all(normalize.date(v) == v for v in period.values())


def test_extras_as_a_dict_and_scheming_fields_at_the_top():
    source = {**MINIMAL, "notes": "x", "license_id": "cc-zero",
              "extras": {"frequency": "ANNUAL", "issued": "2020-01-01"},
              "contact": [{"name": "Bürgerbüro", "email": "buergerbuero@weimar.de"}],
              "theme": ["ENVI"], "spatial_coverage": [{"uri": GEO + "districtKey/16055"}]}
    data = mapped(source).value
    assert data["frequency"] == EU + "frequency/ANNUAL"
    assert data["issued"] == "2020-01-01"
    assert data["contact"] == [{"name": "Bürgerbüro", "email": "buergerbuero@weimar.de"}]
    assert data["theme"] == [THEME + "ENVI"]
    assert data["spatial_coverage"] == [{"uri": GEO + "districtKey/16055"}]


@pytest.mark.parametrize("odd", [
    {"extras": "kaputt"}, {"extras": [None, 3]}, {"tags": [None, 5, {"name": None}]},
    {"groups": [None, {}]}, {"resources": "keine"}, {"resources": [{"size": -3, "hash": None}]},
    {"title": None, "notes": None}, {"extras": [{"key": "contacts", "value": "[1, 2]"}]},
    {"extras": [{"key": "dates", "value": "{\"role\": \"aktualisiert\", \"date\": \"2020\"}"}]},
    {"extras": [{"key": "spatial", "value": {"type": "Point", "coordinates": [11, 51]}}]},
])
def test_odd_shapes_never_raise(odd):
    result = mapped({**MINIMAL, **odd})
    assert result.value["uri"] == f"{SOURCE}/dataset/{MINIMAL['id']}"


def test_not_a_dict_is_refused():
    with pytest.raises(TypeError):
        map_ckan_dataset(["no", "dataset"], SOURCE)


def test_the_source_dataset_is_not_changed():
    source = copy.deepcopy(OGD)
    map_ckan_dataset(source, SOURCE)
    assert source == OGD


@pytest.mark.parametrize("raw, expected", [
    ("sha256:ABCDEF01", ("ABCDEF01", "sha256")), ("MD5=0cc1", ("0cc1", "MD5")),
    ("0cc175b9c0f1b6a831c399e269772661", ("0cc175b9c0f1b6a831c399e269772661", "MD5")),
    ("a" * 64, ("a" * 64, "SHA-256")), ("xyz", ("xyz", "")), ("", ("", "")),
])
def test_split_hash(raw, expected):
    assert split_hash(raw) == expected


def test_split_hash_keeps_a_given_algorithm():
    assert split_hash("a" * 40, "SHA-256") == ("a" * 40, "SHA-256")
