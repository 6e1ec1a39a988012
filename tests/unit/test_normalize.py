"""ckanext.thueringen.normalize: raw values as German publishers send them.

Pure tests (no stack): run with
    .venv/bin/python -m pytest tests/unit/test_normalize.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import copy
import json

import pytest

from ckanext.thueringen import normalize, vocabularies

LIC = "http://dcat-ap.de/def/licenses/"
EU = "http://publications.europa.eu/resource/authority/"
FT = EU + "file-type/"
IANA = "https://www.iana.org/assignments/media-types/"
GEO = "http://dcat-ap.de/def/politicalGeocoding/"


def check(rule, raw, expected):
    assert rule(raw) == expected, f"{rule.__name__}({raw!r})"


# --- uri ----------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("  https://www.thueringen.de/daten.csv \n", "https://www.thueringen.de/daten.csv"),
    ("www.thueringen.de/opendata", "https://www.thueringen.de/opendata"),
    ("//geoportal.thueringen.de/wms", "https://geoportal.thueringen.de/wms"),
    ("HTTP://Example.org/A", "http://Example.org/A"),
    ("https://example.org/Haushalt 2024.pdf", "https://example.org/Haushalt%202024.pdf"),
    ("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"),
    ("mailto:poststelle@tmwwdg.thueringen.de", "mailto:poststelle@tmwwdg.thueringen.de"),
])
def test_uri_canonical(raw, expected):
    check(normalize.uri, raw, expected)


@pytest.mark.parametrize("raw", ["", None, "TODO:", "siehe Webseite", "http://", "C:\\Daten\\haushalt.csv",
                                 "daten/haushalt.csv"])
def test_uri_rejects_what_is_not_absolute(raw):
    assert normalize.uri(raw) is None


# --- licences -----------------------------------------------------------------

@pytest.mark.parametrize("raw, code", [
    # the current list, in every scheme/host/slash form the catalogues use
    ("http://dcat-ap.de/def/licenses/dl-by-de/2.0", "dl-by-de/2.0"),
    ("https://www.dcat-ap.de/def/licenses/cc-zero", "cc-zero"),          # Rostock
    ("https://dcat-ap.de/def/licenses/odbl/", "odbl"),
    # DCAT-AP.de 1.0 URIs (licenses-1_0.ttl), as Bremen still sends them
    ("http://dcat-ap.de/def/licenses/cc-by-nc-de/4_0", "cc-by-nc/4.0"),
    ("http://dcat-ap.de/def/licenses/dl-by-de/2_0", "dl-by-de/2.0"),
    ("http://dcat-ap.de/def/licenses/cc-nc/3_0", "cc-by-nc-de/3.0"),
    ("http://dcat-ap.de/def/licenses/gpl/30", "gpl/3.0"),
    ("http://dcat-ap.de/def/licenses/od-bl", "odbl"),
    ("https://www.dcat-ap.de/def/licenses/official-work", "officialWork"),
    # OGD / GovData / CKAN licence ids, SPDX ids
    ("dl-de-by-2.0", "dl-by-de/2.0"),
    ("dl-de-zero-2.0", "dl-zero-de/2.0"),
    ("cc-by-4.0", "cc-by/4.0"),
    ("CC-BY-4.0", "cc-by/4.0"),
    ("cc-by", "cc-by"),
    ("cc-zero", "cc-zero"),
    ("CC0-1.0", "cc-zero"),
    ("odc-odbl", "odbl"),
    ("other-closed", "other-closed"),
    ("app_freeware", "other-freeware"),
    (" cc-by-sa-4.0 ", "cc-by-sa/4.0"),
    # the licence text's own address
    ("https://creativecommons.org/licenses/by/4.0/", "cc-by/4.0"),
    ("https://www.govdata.de/dl-de/by-2-0", "dl-by-de/2.0"),
    # the title
    ("Datenlizenz Deutschland – Namensnennung – Version 2.0", "dl-by-de/2.0"),
])
def test_licence(raw, code):
    check(normalize.licence, raw, LIC + code)


@pytest.mark.parametrize("raw", ["notspecified", "uk-ogl", "Nutzungsbedingungen der Stadt Musterstadt",
                                 "http://dcat-ap.de/def/licenses/foo", ""])
def test_licence_unknown(raw):
    assert normalize.licence(raw) is None


# --- themes, file types, media types -------------------------------------------

@pytest.mark.parametrize("raw", [EU + "data-theme/ECON",
                                 "https://publications.europa.eu/resource/authority/data-theme/ECON",
                                 "ECON", "econ", "Wirtschaft und Finanzen"])
def test_theme(raw):
    check(normalize.theme, raw, EU + "data-theme/ECON")


def test_theme_unknown():
    assert normalize.theme("Wirtschaftsförderung") is None  # a keyword, not a theme


def test_theme_from_an_old_ogd_category():
    # GovData's OGD categories map to EU themes (schemas/vocabularies/eu-data-theme-aliases.ttl).
    assert normalize.theme("wirtschaft_arbeit") == EU + "data-theme/ECON"


@pytest.mark.parametrize("raw, code", [
    ("CSV", "CSV"), ("csv", "CSV"), (".csv", "CSV"), ("text/csv", "CSV"),
    ("text/csv; charset=utf-8", "CSV"), (IANA + "text/csv", "CSV"),
    (FT + "CSV", "CSV"), ("https://publications.europa.eu/resource/authority/file-type/CSV", "CSV"),
    ("json", "JSON"), ("JSON", "JSON"), (".json", "JSON"), ("application/json", "JSON"),
    ("GeoJSON", "GEOJSON"), ("application/geo+json", "GEOJSON"),
    (IANA + "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    ("xlsx", "XLSX"), ("PDF", "PDF"), ("shp", "SHP"),
    (FT + "WMS", "WMS_SRVC"),  # Rostock's non-existent code
])
def test_file_type(raw, code):
    check(normalize.file_type, raw, FT + code)


@pytest.mark.parametrize("raw", ["Tabelle", "Datei", "text/x-unbekannt", "application/octet-stream", ""])
def test_file_type_unknown(raw):
    assert normalize.file_type(raw) is None


@pytest.mark.parametrize("raw, name", [
    ("text/csv", "text/csv"),
    ("text/csv; charset=utf-8", "text/csv"),
    ("Application/JSON", "application/json"),
    ("https://www.iana.org/assignments/media-types/application/gml+xml", "application/gml+xml"),
    ("http://www.iana.org/assignments/media-types/text/csv", "text/csv"),
    ("https://iana.org/assignments/media-types/application/geo+json/", "application/geo+json"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_media_type(raw, name):
    check(normalize.media_type, raw, IANA + name)


@pytest.mark.parametrize("raw", ["csv", "CSV-Datei", "excel/xlsx", "text/", "https://www.iana.org/", ""])
def test_media_type_invalid(raw):
    assert normalize.media_type(raw) is None


# --- the EU and DCAT-AP.de lists ---------------------------------------------------

@pytest.mark.parametrize("rule, raw, expected", [
    (normalize.language, EU + "language/DEU", EU + "language/DEU"),
    (normalize.language, "https://publications.europa.eu/resource/authority/language/DEU", EU + "language/DEU"),
    (normalize.language, EU + "language/GER", EU + "language/DEU"),            # Bremen
    (normalize.language, "de", EU + "language/DEU"),
    (normalize.language, "ger", EU + "language/DEU"),
    (normalize.language, "en", EU + "language/ENG"),
    (normalize.frequency, EU + "frequency/ANNUAL", EU + "frequency/ANNUAL"),
    (normalize.frequency, "jährlich", EU + "frequency/ANNUAL"),
    (normalize.frequency, EU + "frequency/IRREGULAR", EU + "frequency/IRREG"),  # Bremen
    (normalize.access_right, "public", EU + "access-right/PUBLIC"),               # Rostock
    (normalize.access_right, "öffentlich", EU + "access-right/PUBLIC"),
    (normalize.availability, "https://www.dcat-ap.de/def/plannedAvailability/stable",   # Rostock
     EU + "planned-availability/STABLE"),
    (normalize.availability, "http://data.europa.eu/r5r/availability/available", EU + "planned-availability/AVAILABLE"),
    (normalize.availability, "stabil", EU + "planned-availability/STABLE"),
    (normalize.distribution_status, "http://purl.org/adms/status/Completed",          # Rostock
     EU + "distribution-status/COMPLETED"),
    (normalize.hvd_category, "Georaum", "http://data.europa.eu/bna/c_ac64a52d"),
    (normalize.hvd_category, "http://data.europa.eu/bna/c_e1da4e07", "http://data.europa.eu/bna/c_e1da4e07"),
    (normalize.publisher_type, "http://purl.org/adms/publishertype/LocalAuthority",
     "http://purl.org/adms/publishertype/LocalAuthority"),
    (normalize.geocoding_level, "https://www.dcat-ap.de/def/politicalGeocoding/Level/administrativeDistrict",
     GEO + "Level/administrativeDistrict"),
    (normalize.geocoding_level, "Bundesland", GEO + "Level/state"),
])
def test_vocabulary_rules(rule, raw, expected):
    check(rule, raw, expected)


@pytest.mark.parametrize("rule, raw", [
    (normalize.language, "TODO:"),                       # Bremen
    (normalize.language, "Elbisch"),
    (normalize.frequency, "manchmal"),
    (normalize.access_right, "frei"),
    (normalize.availability, "http://dcat-ap.de/def/plannedAvailability/sometimes"),
    (normalize.distribution_status, "fertig?"),
    (normalize.hvd_category, "Haushalt"),
    (normalize.publisher_type, "Amt"),
    (normalize.geocoding_level, "Ortsteil"),
])
def test_vocabulary_rules_unknown(rule, raw):
    assert rule(raw) is None


# --- political geocoding -----------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (GEO + "districtKey/16053", GEO + "districtKey/16053"),
    ("https://www.dcat-ap.de/def/politicalGeocoding/districtKey/16053", GEO + "districtKey/16053"),
    ("16053", GEO + "districtKey/16053"),
    ("16", GEO + "stateKey/16"),
    ("160530000000", GEO + "regionalKey/160530000000"),
    ("16053000", GEO + "regionalKey/160530000000"),                        # the 8-digit AGS
    (GEO + "municipalityKey/16053000", GEO + "regionalKey/160530000000"),  # a 1.0 form
    ("Thüringen", GEO + "stateKey/16"),
])
def test_region(raw, expected):
    check(normalize.region, raw, expected)


@pytest.mark.parametrize("raw", [
    "https://www.dcat-ap.de/def/politicalGeocoding/regionalKey/130030000000",  # Rostock: not Thüringen
    "13", "04011", "Atlantis",
])
def test_region_outside_thueringen(raw):
    assert normalize.region(raw) is None


@pytest.mark.parametrize("raw, expected", [
    ("16053", GEO + "districtKey/16053"),
    ("http://sws.geonames.org/2895044/", "http://sws.geonames.org/2895044/"),  # not political geocoding: kept
    # Another state's area (Rostock, Mecklenburg-Vorpommern): valid, canonical form.
    ("https://www.dcat-ap.de/def/politicalGeocoding/regionalKey/130030000000",
     GEO + "regionalKey/130030000000"),
    (GEO + "stateKey/13", GEO + "stateKey/13"),
])
def test_spatial(raw, expected):
    check(normalize.spatial, raw, expected)


@pytest.mark.parametrize("raw", [GEO + "stateKey/thueringen", GEO + "noSuchKey/abc", "Jena und Umgebung"])
def test_spatial_unmapped(raw):
    assert normalize.spatial(raw) is None


# --- dcat-ap.de namespaces and URIs ---------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("http://dcat-ap.de/def/dcatde/", normalize.DCATDE_NAMESPACE),
    ("http://dcat-ap.de/def/dcatde/1.0/", normalize.DCATDE_NAMESPACE),
    ("http://dcat-ap.de/def/dcatde/1.0.1/", normalize.DCATDE_NAMESPACE),
    ("https://www.dcat-ap.de/def/dcatde/1.1/", normalize.DCATDE_NAMESPACE),   # Rostock
    ("http://dcat-ap.de/def/dcatde/2.0/", normalize.DCATDE_NAMESPACE),
    ("https://dcat-ap.de/def/dcatde/2.0", normalize.DCATDE_NAMESPACE),
    ("http://dcat-ap.de/def/dcatde", normalize.DCATDE_NAMESPACE),
    ("https://www.dcat-ap.de/def/dcatde/1.1/politicalGeocodingURI",
     normalize.DCATDE_NAMESPACE + "politicalGeocodingURI"),
    ("http://dcat-ap.de/def/dcatde/1.0/contributorID", normalize.DCATDE_NAMESPACE + "contributorID"),
])
def test_dcatde_namespace(raw, expected):
    check(normalize.dcatde_namespace, raw, expected)


@pytest.mark.parametrize("raw", ["http://dcat-ap.de/def/licenses/cc-by", "http://example.org/def/dcatde/1.1/",
                                 "http://dcat-ap.de/def/dcatdefoo", "http://purl.org/dc/terms/title"])
def test_dcatde_namespace_leaves_other_uris_unchanged(raw):
    # the RDF profile passes every predicate and object of a graph through it
    assert normalize.dcatde_namespace(f" {raw} ") == raw


def test_dcatde_namespace_empty():
    assert normalize.dcatde_namespace("") is None and normalize.dcatde_namespace(None) is None


def test_conformance_and_contributor():
    assert normalize.conformance("https://www.dcat-ap.de/def/dcatde/1.1/") == "http://dcat-ap.de/def/dcatde/"
    assert normalize.conformance("https://www.w3.org/TR/vocab-dcat-3/") == "https://www.w3.org/TR/vocab-dcat-3/"
    assert normalize.contributor("https://www.dcat-ap.de/def/contributors/openDataHRO") == \
        "http://dcat-ap.de/def/contributors/openDataHRO"
    assert normalize.contributor("transparenzportalBremen") is None


# --- dates --------------------------------------------------------------------------

VALID_DATES = {  # raw -> ISO 8601 at the raw value's precision
    "2024": "2024",
    "2024-05": "2024-05",
    "2024-05-31": "2024-05-31",
    "2024-05-31Z": "2024-05-31Z",
    "2024-05-31T14:30:00": "2024-05-31T14:30:00",
    "2024-05-31T14:30": "2024-05-31T14:30:00",
    "2024-05-31T14:30:00Z": "2024-05-31T14:30:00Z",
    "2024-05-31T14:30:00+02:00": "2024-05-31T14:30:00+02:00",
    "2024-05-31T14:30:00+0200": "2024-05-31T14:30:00+02:00",
    "2017-08-01T10:46:45.590516": "2017-08-01T10:46:45.590516",          # Rostock
    "2024-05-31 14:30:00": "2024-05-31T14:30:00",
    "2021-01-28 GMT 01:51:03.34919300": "2021-01-28T01:51:03.34919300Z",  # Bremen
    "31.12.2024": "2024-12-31",
    "1.1.2024": "2024-01-01",
    "31.12.2024 14:30": "2024-12-31T14:30:00",
    "31.12.2024, 14:30 Uhr": "2024-12-31T14:30:00",
    "12/2024": "2024-12",
    "5.2024": "2024-05",
    " 2024-02-29 ": "2024-02-29",
}


@pytest.mark.parametrize("raw, expected", VALID_DATES.items())
def test_date(raw, expected):
    check(normalize.date, raw, expected)


@pytest.mark.parametrize("raw", ["31.02.2024", "2024-13-01", "2023-02-29", "2024-05-31T25:00:00", "01/02/2024",
                                 "2024-05-31T14:30:00+15:00", "gestern", "Q1 2024", "24", "13/2024", ""])
def test_date_invalid(raw):
    assert normalize.date(raw) is None


# --- e-mail -------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["poststelle@thueringen.de", "mailto:poststelle@thueringen.de",
                                 "MAILTO:poststelle@thueringen.de", " poststelle@thueringen.de ",
                                 "https://www.transparenz.bremen.de/de/poststelle@thueringen.de"])
def test_email(raw):
    check(normalize.email, raw, "mailto:poststelle@thueringen.de")


@pytest.mark.parametrize("raw", ["poststelle", "poststelle@", "@thueringen.de", "post stelle@thueringen.de",
                                 "poststelle@thueringen", "mailto:", "https://www.thueringen.de/kontakt", ""])
def test_email_invalid(raw):
    assert normalize.email(raw) is None


# --- whole datasets -------------------------------------------------------------------

def raw_dataset():
    return {
        "name": "haushalt-2024",
        "license_id": "dl-de-by-2.0",
        "theme": json.dumps(["ECON", "https://publications.europa.eu/resource/authority/data-theme/GOVE"]),
        "language": "de",
        "frequency": "jährlich",
        "access_rights": "public",
        "hvd_category": ["Statistik"],
        "political_geocoding_level_uri": "https://www.dcat-ap.de/def/politicalGeocoding/Level/state",
        "contributor_id": "https://www.dcat-ap.de/def/contributors/openDataHRO",
        "issued": "31.12.2023",
        "modified": "31.02.2024",
        "conforms_to": ["https://www.dcat-ap.de/def/dcatde/1.1/"],
        "spatial_coverage": [{"uri": "16", "text": "Thüringen"}, {"uri": "http://sws.geonames.org/2822542/"}],
        "temporal_coverage": json.dumps([{"start": "1.1.2024", "end": "2024-12-31"}]),
        "contact": [{"name": "Poststelle", "email": "poststelle@thueringen.de"}],
        "publisher": [{"name": "TLS", "uri": "www.statistik.thueringen.de", "email": "kein-kontakt"}],
        "resources": [
            {"format": "CSV", "mimetype": "text/csv; charset=utf-8", "license": "cc-by-4.0",
             "download_url": " https://www.statistik.thueringen.de/haushalt.csv", "status": "", "language": ""},
            {"format": "Tabellenblatt", "license": "Nutzungsbedingungen der Stadt Musterstadt", "issued": "2024-13-01",
             "availability": "https://www.dcat-ap.de/def/plannedAvailability/stable"},
        ],
    }


def test_normalize_dataset_maps_every_field():
    value = normalize.normalize_dataset(raw_dataset()).value
    assert value["license_id"] == "dl-by-de/2.0" and value["license_uri"] == LIC + "dl-by-de/2.0"
    assert value["theme"] == [EU + "data-theme/ECON", EU + "data-theme/GOVE"]
    assert value["language"] == [EU + "language/DEU"]  # one string in a list field gives a list
    assert value["frequency"] == EU + "frequency/ANNUAL"
    assert value["access_rights"] == EU + "access-right/PUBLIC"
    assert value["hvd_category"] == ["http://data.europa.eu/bna/c_e1da4e07"]
    assert value["political_geocoding_level_uri"] == GEO + "Level/state"
    assert value["contributor_id"] == ["http://dcat-ap.de/def/contributors/openDataHRO"]
    assert value["issued"] == "2023-12-31"
    assert value["conforms_to"] == ["http://dcat-ap.de/def/dcatde/"]
    assert value["spatial_coverage"] == [{"uri": GEO + "stateKey/16", "text": "Thüringen"},
                                         {"uri": "http://sws.geonames.org/2822542/"}]
    assert value["temporal_coverage"] == [{"start": "2024-01-01", "end": "2024-12-31"}]
    # Stored bare, as CKAN and ckanext-dcat keep contact addresses.
    assert value["contact"] == [{"name": "Poststelle", "email": "poststelle@thueringen.de"}]
    assert value["publisher"][0]["uri"] == "https://www.statistik.thueringen.de"
    first = value["resources"][0]
    assert first["format"] == "CSV" and first["format_uri"] == FT + "CSV"
    assert first["mimetype"] == IANA + "text/csv"
    assert first["license"] == LIC + "cc-by/4.0"
    assert first["download_url"] == "https://www.statistik.thueringen.de/haushalt.csv"
    assert first["status"] == "" and first["language"] == ""  # empty values stay as they are
    assert value["resources"][1]["availability"] == EU + "planned-availability/STABLE"


def test_normalize_dataset_keeps_and_flags_what_it_cannot_map():
    result = normalize.normalize_dataset(raw_dataset())
    flagged = {u.field: u for u in result.unmapped}
    assert sorted(flagged) == ["modified", "publisher[0].email", "resources[1].format",
                               "resources[1].issued", "resources[1].license"]
    # an impossible date or e-mail address is dropped (the portal would refuse the whole record for it) ...
    assert "modified" not in result.value and "issued" not in result.value["resources"][1]
    assert "email" not in result.value["publisher"][0]
    assert flagged["modified"].kind == flagged["resources[1].issued"].kind == "dropped"
    assert flagged["publisher[0].email"].kind == "dropped"
    # ... the rest kept exactly as sent ...
    assert result.value["resources"][1]["license"] == "Nutzungsbedingungen der Stadt Musterstadt"
    assert result.value["resources"][1]["format"] == "Tabellenblatt"
    # ... and explained in German
    assert flagged["resources[1].license"].value == "Nutzungsbedingungen der Stadt Musterstadt"
    assert flagged["resources[1].license"].message == (
        "Lizenz 'Nutzungsbedingungen der Stadt Musterstadt' steht nicht in der DCAT-AP.de-Lizenzliste; sie wird "
        "als eigenes Lizenzdokument (dct:LicenseDocument mit dem Text als Bezeichnung) exportiert")
    assert {u.kind for f, u in flagged.items() if not f.endswith(("modified", "issued", "email"))} == {"unmapped"}
    assert "kein gültiges Datum" in flagged["modified"].message
    assert "kein gültiges Datum" in flagged["resources[1].issued"].message
    assert "E-Mail-Adresse" in flagged["publisher[0].email"].message
    assert "EU-Dateitypliste" in flagged["resources[1].format"].message


def test_normalize_dataset_leaves_its_input_untouched():
    data = raw_dataset()
    before = copy.deepcopy(data)
    normalize.normalize_dataset(data)
    assert data == before


def test_normalize_dataset_unknown_list_values_stay_in_place_but_themes_become_keywords():
    result = normalize.normalize_dataset({"theme": ["ECON", "Wirtschaftsförderung"], "language": '["de", "TODO:"]'})
    assert result.value["theme"] == [EU + "data-theme/ECON"]
    assert result.value["tags"] == [{"name": "Wirtschaftsförderung"}]
    assert result.value["language"] == [EU + "language/DEU", "TODO:"]
    assert [(u.field, u.value, u.kind) for u in result.unmapped] == [("theme", "Wirtschaftsförderung", "unmapped"),
                                                                      ("language", "TODO:", "unmapped")]
    assert "nicht zugeordnet" in result.unmapped[0].message


def test_normalize_dataset_wrong_shapes_are_flagged():
    result = normalize.normalize_dataset({"frequency": {"uri": "ANNUAL"}, "contact": ["poststelle@thueringen.de"]})
    assert result.value["frequency"] == {"uri": "ANNUAL"}
    assert {u.field for u in result.unmapped} == {"frequency", "contact[0]"}


def test_missing_vocabulary_is_reported_not_hidden(monkeypatch):
    real = vocabularies.vocabulary

    def without_frequencies(name):
        if name == "frequencies":
            raise KeyError(name)
        return real(name)

    monkeypatch.setattr(vocabularies, "vocabulary", without_frequencies)
    result = normalize.normalize_dataset({"frequency": "jährlich", "license_id": "cc-by"})
    assert result.value == {"frequency": "jährlich", "license_id": "cc-by", "license_uri": LIC + "cc-by"}
    [unmapped] = result.unmapped
    assert unmapped.field == "frequency"
    assert "Vokabular 'frequencies'" in unmapped.message and "nicht vorhanden" in unmapped.message


@pytest.mark.parametrize("raw, expected", [
    ("https://www.dcat-ap.de/def/hashAlgorithms/sha/256", "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"),
    ("http://dcat-ap.de/def/hashAlgorithms/md/5", "http://spdx.org/rdf/terms#checksumAlgorithm_md5"),
    ("SHA-1", "http://spdx.org/rdf/terms#checksumAlgorithm_sha1"),
    ("http://spdx.org/rdf/terms#checksumAlgorithm_sha512", "http://spdx.org/rdf/terms#checksumAlgorithm_sha512"),
])
def test_hash_algorithm(raw, expected):
    assert normalize.hash_algorithm(raw) == expected


def test_unknown_hash_algorithm_is_flagged_and_kept():
    result = normalize.normalize_dataset({"resources": [{"hash_algorithm": "crc32"}]})
    assert result.value["resources"][0]["hash_algorithm"] == "crc32"
    assert [u.field for u in result.unmapped] == ["resources[0].hash_algorithm"]
