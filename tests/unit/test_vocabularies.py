"""The controlled vocabularies in schemas/vocabularies load and say what the
official lists say. No CKAN stack needed: run with `-p no:ckan`."""
from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph

from ckanext.thueringen.vocabularies import VOCABULARY_DIR, index, names, vocabulary

EU = "http://publications.europa.eu/resource/authority/"
PG = "http://dcat-ap.de/def/politicalGeocoding/"
STATE = PG + "stateKey/16"


# ---------------------------------------------------------------- all files

@pytest.mark.parametrize("name", names())
def test_every_vocabulary_loads_with_concepts_in_its_scheme(name):
    vocab = vocabulary(name)
    assert len(vocab) > 0
    for concept in vocab:
        assert concept.uri.startswith("http"), concept.uri
        assert concept.code, concept.uri
        assert concept.label("de"), concept.uri


@pytest.mark.parametrize("name", names())
def test_every_file_parses_with_rdflib(name):
    entry = index()[name]
    for file in [entry["file"], *entry.get("extra", [])]:
        path = VOCABULARY_DIR / file
        graph = Graph().parse(path, format="xml" if path.suffix in (".rdf", ".xml") else "turtle")
        assert len(graph) > 0, file


def test_the_index_names_all_vocabularies():
    assert {"licenses", "themes", "filetypes", "frequencies", "access_rights", "languages",
            "availability", "geocoding_levels", "regions", "publisher_types",
            "hvd_categories", "distribution_status"} <= set(names())


# ---------------------------------------------------------------- licences

def test_licences_open_flag_and_lookup_by_code():
    licenses = vocabulary("licenses")
    dl_by = licenses.lookup("dl-by-de/2.0")
    assert dl_by.uri == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert dl_by.flag("open") is True


# ---------------------------------------------------------------- themes

def test_the_13_eu_data_themes_with_german_labels():
    themes = vocabulary("themes")
    real = [c for c in themes.current() if c.code != "OP_DATPRO"]
    assert len(real) == 13
    assert len(themes) == 13 + sum(1 for c in themes if c.code == "OP_DATPRO")
    assert themes.label(EU + "data-theme/ECON") == "Wirtschaft und Finanzen"
    assert themes.label(EU + "data-theme/TRAN") == "Verkehr"
    assert themes.lookup("Umwelt").code == "ENVI"


# ---------------------------------------------------------------- file types

def test_file_type_flags():
    filetypes = vocabulary("filetypes")
    csv = filetypes.by_code("CSV")
    assert csv.flag("machine_readable") and csv.flag("non_proprietary")
    pdf = filetypes.by_code("PDF")
    assert not pdf.flag("machine_readable") and pdf.flag("non_proprietary")
    xlsx = filetypes.by_code("XLSX")
    assert xlsx.flag("machine_readable") and not xlsx.flag("non_proprietary")
    assert filetypes.by_code("GEOJSON").flag("machine_readable")
    assert not filetypes.by_code("DOCX").flag("non_proprietary")


def test_file_types_added_to_the_2017_copy():
    filetypes = vocabulary("filetypes")
    wms = filetypes.lookup("WMS")
    assert wms.uri == EU + "file-type/WMS_SRVC"
    assert filetypes.lookup("OGC:WFS").uri == EU + "file-type/WFS_SRVC"
    assert filetypes.lookup(".gpkg").uri == EU + "file-type/GPKG"
    # the official concepts are still there, with their own aliases
    assert filetypes.lookup("text/csv").uri == EU + "file-type/CSV"
    assert filetypes.label(EU + "file-type/TXT", "de") == "Text (unformatiert)"
    assert filetypes.label(EU + "file-type/TXT", "en") == "Plain text"


# ---------------------------------------------------------------- frequencies

def test_frequencies():
    frequencies = vocabulary("frequencies")
    annual = frequencies.get(EU + "frequency/ANNUAL")
    assert annual.code == "ANNUAL" and annual.label("de") == "jährlich" and annual.label("en") == "annual"
    assert frequencies.label(EU + "frequency/QUARTERLY") == "vierteljährlich"
    assert frequencies.label(EU + "frequency/IRREG") == "unregelmäßig"
    for code in ("DAILY", "WEEKLY", "MONTHLY", "BIENNIAL", "UNKNOWN", "CONT", "NEVER", "OTHER",
                 "ANNUAL_2", "ANNUAL_3", "UPDATE_CONT", "HOURLY", "1MIN", "12HRS",
                 "AS_NEEDED", "NOT_PLANNED"):
        assert frequencies.by_code(code).uri == EU + "frequency/" + code
    # harvested values
    assert frequencies.lookup("http://purl.org/cld/freq/annual").code == "ANNUAL"
    assert frequencies.lookup(EU + "frequency/IRREGULAR").code == "IRREG"
    assert frequencies.lookup("jährlich").code == "ANNUAL"


# ---------------------------------------------------------------- access rights

def test_access_rights():
    rights = vocabulary("access_rights")
    assert rights.label(EU + "access-right/PUBLIC") == "öffentlich"
    assert rights.label(EU + "access-right/RESTRICTED") == "eingeschränkt"
    assert rights.label(EU + "access-right/NON_PUBLIC") == "nicht öffentlich"
    assert rights.lookup("non_public").uri == EU + "access-right/NON_PUBLIC"


# ---------------------------------------------------------------- languages

def test_languages_the_24_eu_languages_and_lookups():
    languages = vocabulary("languages")
    eu24 = {"BUL", "CES", "DAN", "DEU", "ELL", "ENG", "EST", "FIN", "FRA", "GLE", "HRV", "HUN",
            "ITA", "LAV", "LIT", "MLT", "NLD", "POL", "POR", "RON", "SLK", "SLV", "SPA", "SWE"}
    assert eu24 <= {c.code for c in languages}
    german = EU + "language/DEU"
    assert languages.lookup("de").uri == german
    assert languages.lookup("deu").uri == german
    assert languages.lookup("ger").uri == german
    assert languages.lookup("Deutsch").uri == german
    assert languages.lookup("en").uri == EU + "language/ENG"
    assert languages.lookup("fr").uri == EU + "language/FRA"
    assert languages.label(german, "en") == "German"


# ---------------------------------------------------------------- availability

def test_availability_maps_the_old_dcat_ap_de_uris():
    availability = vocabulary("availability")
    stable = EU + "planned-availability/STABLE"
    assert availability.lookup("http://dcat-ap.de/def/plannedAvailability/stable").uri == stable
    assert availability.lookup("http://dcat-ap.de/def/plannedAvailability/temporary").uri \
        == EU + "planned-availability/TEMPORARY"
    assert availability.label(stable) == "stabil"
    assert availability.label(EU + "planned-availability/EXPERIMENTAL") == "experimentell"
    assert {c.code for c in availability} == {"TEMPORARY", "EXPERIMENTAL", "AVAILABLE", "STABLE"}


# ---------------------------------------------------------------- distribution status

def test_distribution_status_maps_the_adms_status_uris():
    status = vocabulary("distribution_status")
    assert status.lookup("http://purl.org/adms/status/Completed").uri == EU + "distribution-status/COMPLETED"
    assert status.lookup("http://purl.org/adms/status/UnderDevelopment").uri == EU + "distribution-status/DEVELOP"
    assert status.lookup("http://purl.org/adms/status/Withdrawn").code == "WITHDRAWN"
    assert len(status) == 4


# ---------------------------------------------------------------- publisher types, HVD, levels

def test_publisher_types():
    types = vocabulary("publisher_types")
    assert len(types) == 11
    assert types.label("http://purl.org/adms/publishertype/LocalAuthority") == "Kommunalbehörde"
    assert types.label("http://purl.org/adms/publishertype/NationalAuthority") == "Bundesbehörde"
    assert "http://purl.org/adms/publishertype/PrivateIndividual(s)" in types


def test_hvd_categories():
    hvd = vocabulary("hvd_categories")
    assert len(hvd) == 6
    assert hvd.scheme == "http://data.europa.eu/bna/asd487ae75"
    assert hvd.label("http://data.europa.eu/bna/c_ac64a52d") == "Georaum"
    assert hvd.label("http://data.europa.eu/bna/c_b79e35eb", "en") == "Mobility"
    assert hvd.label("http://data.europa.eu/bna/c_e1da4e07") == "Statistik"


def test_geocoding_levels():
    levels = vocabulary("geocoding_levels")
    assert {c.code for c in levels} == {"international", "european", "federal", "state",
                                         "administrativeDistrict", "municipality"}
    assert levels.label(PG + "Level/municipality") == "Gemeinde"


# ---------------------------------------------------------------- regions

def test_thuringia_state_and_its_22_current_districts():
    regions = vocabulary("regions")
    state = regions.get(STATE)
    assert state.label() == "Thüringen" and state.property("level") == PG + "Level/state"
    districts = [c for c in regions.current() if c.property("parent") == STATE]
    assert len(districts) == 22
    assert all(c.property("level") == PG + "Level/administrativeDistrict" for c in districts)
    kinds = Counter("Landkreis" if any(a.startswith("Landkreis") or a.endswith("(Landkreis)")
                                       for a in c.alt_labels) else "Stadt" for c in districts)
    assert kinds == {"Landkreis": 17, "Stadt": 5}
    assert regions.label(PG + "districtKey/16053") == "Jena"
    assert regions.get(PG + "districtKey/16053").property("regional_key") == "16053"
    assert regions.label(PG + "districtKey/16077") == "Altenburger Land"
    assert regions.lookup("Landkreis Eichsfeld").uri == PG + "districtKey/16061"


def test_eisenach_district_is_deprecated_and_replaced_by_the_wartburgkreis():
    eisenach = vocabulary("regions").get(PG + "districtKey/16056")
    assert eisenach.deprecated
    assert eisenach.property("replaced_by") == PG + "districtKey/16063"


def test_municipalities_of_thuringia():
    regions = vocabulary("regions")
    municipalities = [c for c in regions.current() if c.property("level") == PG + "Level/municipality"]
    assert len(municipalities) > 600
    for c in municipalities:
        key = c.property("regional_key")
        assert len(key) == 12 and key.startswith("16")
        assert c.uri == PG + "regionalKey/" + key
        assert c.property("parent") == PG + "districtKey/" + key[:5]
        assert c.property("parent") in regions
    erfurt = regions.get(PG + "regionalKey/160510000000")
    assert erfurt.label() == "Erfurt"
    # by the 8-digit Amtlicher Gemeindeschluessel
    assert regions.lookup("16061045").label() == "Heilbad Heiligenstadt"
