"""The source registry (config/sources.yaml) and its checks. No CKAN stack
needed: run with `-p no:ckan -p no:ckan_fixtures`."""
from __future__ import annotations

import copy
import importlib
import json
from pathlib import Path

import pytest
import yaml

from ckanext.thueringen import registry
from ckanext.thueringen.harvesters.config import parse_source_config
from ckanext.thueringen.registry import RegistryError
from ckanext.thueringen.vocabularies import vocabulary

ROOT = Path(__file__).resolve().parents[2]
REAL_FILE = ROOT / "config" / "sources.yaml"
PG = "http://dcat-ap.de/def/politicalGeocoding/"

LAND = {"name": "freistaat", "title": "Freistaat Thüringen", "level": "land", "regional_key": "16",
        "website": "https://www.thueringen.de", "publisher_type": "RegionalAuthority"}
JENA = {"name": "stadt-jena", "title": "Stadt Jena", "level": "kreisfreie-stadt", "parent": "freistaat",
        "regional_key": "16053", "website": "https://www.jena.de", "publisher_type": "LocalAuthority",
        "contact": {"name": "Open-Data-Team", "email": "opendata@jena.de"},
        "sources": [{"name": "jena-dcat", "title": "Jena DCAT", "type": "dcat_ap_de",
                     "url": "https://opendata.jena.de/catalog.rdf", "schedule": "DAILY", "priority": 10,
                     "config": {"rdf_format": "application/rdf+xml"}}]}
GREIZ = {"name": "landkreis-greiz", "title": "Landkreis Greiz", "level": "landkreis", "parent": "freistaat",
         "regional_key": "16076", "publisher_type": "LocalAuthority"}
DEMO = {"name": "demo-bremen", "title": "Bremen (Demo)", "demo": True, "level": "land", "regional_key": "04",
        "publisher_type": "RegionalAuthority",
        "sources": [{"name": "demo-bremen-dcat", "title": "Bremen", "type": "dcat_rdf",
                     "url": "{demo_catalogs_url}/bremen-catalog.rdf"}]}


def entries() -> list[dict]:
    return copy.deepcopy([LAND, JENA, GREIZ, DEMO])


def parse(authorities: list[dict]) -> registry.Registry:
    return registry.parse(yaml.safe_dump({"authorities": authorities}, allow_unicode=True), "test.yaml")


def problems(authorities: list[dict] | str) -> list[str]:
    text = authorities if isinstance(authorities, str) else yaml.safe_dump({"authorities": authorities})
    with pytest.raises(RegistryError) as raised:
        registry.parse(text, "test.yaml")
    return [str(problem) for problem in raised.value.problems]


def assert_problem(found: list[str], expected: str) -> None:
    assert any(expected in problem for problem in found), (expected, found)


def with_change(index: int, **changes) -> list[dict]:
    changed = entries()
    for key, value in changes.items():
        if value is None:
            changed[index].pop(key, None)
        else:
            changed[index][key] = value
    return changed


def with_source_change(**changes) -> list[dict]:
    changed = entries()
    changed[1]["sources"][0].update(changes)
    return changed


# ------------------------------------------------------------- the real file

def test_the_real_registry_validates():
    loaded = registry.load(REAL_FILE)
    assert len(loaded) >= 23


def test_the_real_registry_has_the_land_its_17_landkreise_and_5_kreisfreie_staedte():
    loaded = registry.load(REAL_FILE)
    real = [a for a in loaded if not a.demo]
    land = [a for a in real if a.level == "land"]
    assert [(a.name, a.regional_key, a.publisher_type) for a in land] == \
        [("freistaat-thueringen", "16", "RegionalAuthority")]
    districts = {c.code: c.label("de") for c in vocabulary("regions")
                 if len(c.code) == 5 and not c.deprecated}
    kreise = {a.regional_key: a for a in real if a.level == "landkreis"}
    staedte = {a.regional_key: a for a in real if a.level == "kreisfreie-stadt"}
    assert len(kreise) == 17 and len(staedte) == 5
    assert set(kreise) | set(staedte) == set(districts)
    for key, authority in {**kreise, **staedte}.items():
        assert districts[key] in authority.title, (key, authority.title)
        assert authority.parent == "freistaat-thueringen"
        assert authority.publisher_type == "LocalAuthority"
        assert authority.website.startswith("https://")
        assert authority.spatial_uri == f"{PG}districtKey/{key}"


def test_the_real_registrys_demo_entries_are_served_locally():
    loaded = registry.load(REAL_FILE)
    demo = [a for a in loaded if a.demo]
    assert {a.name for a in demo} == {"demo-bremen", "demo-rostock", "demo-schwarzaburg"}
    for source in (s for a in demo for s in a.sources):
        assert source.url.startswith("{demo_catalogs_url}/")
        file = source.url.removeprefix("{demo_catalogs_url}/")
        assert (ROOT / "config" / "demo" / "catalogs" / file).is_file(), file
    assert all(not s.enabled or s.demo for s in loaded.sources() if s.type == "ckan_api")


def test_the_real_registrys_source_configs_suit_the_portals_harvester():
    harvesters = {"dcat_ap_de": ("dcat", "DCATAPDEHarvester"), "ckan_api": ("ckan", "CkanApiHarvester"),
                  "feed": ("feed", "FeedHarvester"), "fragdenstaat": ("fragdenstaat", "FragDenStaatHarvester")}
    own_keys = {name: getattr(importlib.import_module(f"ckanext.thueringen.harvesters.{module}"), plugin)
                .config_options for name, (module, plugin) in harvesters.items()}
    for source in registry.load(REAL_FILE).sources():
        settings = parse_source_config(json.dumps(source.harvest_config()), own_keys.get(source.type))
        assert settings.spatial_uri == source.spatial_uri, source.name


# --------------------------------------------------------------- what it gives

def test_an_entry_becomes_an_authority_with_vocabulary_uris():
    jena = parse(entries()).authority("stadt-jena")
    assert jena.level_uri == "https://opendata.thueringen.de/def/authority-level/kreisfreie-stadt"
    assert jena.publisher_type_uri == "http://purl.org/adms/publishertype/LocalAuthority"
    assert jena.spatial_uri == f"{PG}districtKey/16053"
    assert jena.contact == registry.Contact("Open-Data-Team", "opendata@jena.de")
    assert jena.parent == "freistaat" and not jena.demo


def test_a_source_gets_the_authoritys_area_and_its_defaults_in_the_harvest_config():
    source = parse(entries()).authority("stadt-jena").sources[0]
    assert (source.type, source.schedule, source.authority, source.enabled) == \
        ("dcat_ap_de", "DAILY", "stadt-jena", True)
    assert source.harvest_config() == {"rdf_format": "application/rdf+xml", "priority": 10,
                                       "spatial_uri": f"{PG}districtKey/16053",
                                       "political_geocoding_level_uri": f"{PG}Level/administrativeDistrict"}


def test_a_source_may_name_its_own_coverage_and_contributor():
    changed = with_source_change(spatial_uri=f"{PG}stateKey/16",
                                 contributor_id="http://dcat-ap.de/def/contributors/openDataHRO")
    config = parse(changed).authority("stadt-jena").sources[0].harvest_config()
    assert config["spatial_uri"] == f"{PG}stateKey/16"
    assert config["political_geocoding_level_uri"] == f"{PG}Level/state"
    assert config["contributor_id"] == "http://dcat-ap.de/def/contributors/openDataHRO"


def test_a_source_defaults_to_a_manual_schedule_and_no_priority():
    changed = entries()
    del changed[1]["sources"][0]["schedule"], changed[1]["sources"][0]["priority"]
    source = parse(changed).authority("stadt-jena").sources[0]
    assert source.schedule == "MANUAL" and source.priority is None
    assert "priority" not in source.harvest_config()


@pytest.mark.parametrize(("uri", "level"), [
    (f"{PG}stateKey/16", f"{PG}Level/state"),
    (f"{PG}districtKey/16053", f"{PG}Level/administrativeDistrict"),
    (f"{PG}regionalKey/160530000000", f"{PG}Level/municipality"),
    ("https://sws.geonames.org/2895044/", None),
    (None, None),
])
def test_the_geocoding_level_follows_the_coverage(uri, level):
    assert registry.geocoding_level(uri) == level


def test_a_geocoding_level_in_config_wins():
    changed = with_source_change(config={"political_geocoding_level_uri": f"{PG}Level/municipality"})
    config = parse(changed).authority("stadt-jena").sources[0].harvest_config()
    assert config["political_geocoding_level_uri"] == f"{PG}Level/municipality"


def test_demo_urls_are_filled_in_with_the_local_catalogue_server():
    source = parse(entries()).authority("demo-bremen").sources[0]
    assert source.demo
    assert source.url_for("http://127.0.0.1:8900/") == "http://127.0.0.1:8900/bremen-catalog.rdf"
    assert parse(entries()).authority("stadt-jena").sources[0].url_for(None) == \
        "https://opendata.jena.de/catalog.rdf"
    with pytest.raises(ValueError):
        source.url_for(None)


def test_parents_come_before_children_and_demo_entries_can_be_selected():
    changed = [copy.deepcopy(GREIZ), copy.deepcopy(LAND), copy.deepcopy(DEMO)]
    loaded = parse(changed)
    assert [a.name for a in loaded.ordered()][0] in ("freistaat", "demo-bremen")
    assert [a.name for a in loaded.select(demo=False)] == ["freistaat", "landkreis-greiz"]
    assert [a.name for a in loaded.select(demo=True, real=False)] == ["demo-bremen"]
    assert len(loaded.select(demo=True)) == 3
    assert [a.name for a in loaded.children("freistaat")] == ["landkreis-greiz"]


def test_a_gemeinde_sits_below_its_landkreis():
    gemeinde = {"name": "gemeinde-x", "title": "Gemeinde X", "level": "gemeinde", "parent": "landkreis-greiz",
                "regional_key": "160765001005", "publisher_type": "LocalAuthority"}
    code = next(c.code for c in vocabulary("regions") if len(c.code) == 12 and c.code.startswith("16076"))
    gemeinde["regional_key"] = code
    loaded = parse(entries() + [gemeinde])
    assert loaded.authority("gemeinde-x").spatial_uri == f"{PG}regionalKey/{code}"
    assert [a.name for a in loaded.ordered()][-1] == "gemeinde-x"


def test_a_landesbehoerde_may_sit_below_the_land():
    amt = {"name": "landesamt", "title": "Landesamt", "level": "land", "parent": "freistaat",
           "regional_key": "16", "publisher_type": "RegionalAuthority"}
    assert parse(entries() + [amt]).authority("landesamt").parent == "freistaat"


# ------------------------------------------------------------------ problems

@pytest.mark.parametrize(("authorities", "expected"), [
    (with_change(2, level="kreis"), ["authorities[2] (landkreis-greiz), level: unbekannte Verwaltungsebene "
                                     "'kreis' (erlaubt: gemeinde, kreisfreie-stadt, land, landkreis) / "
                                     "unknown level 'kreis'"]),
    (with_change(2, level="Landkreis"), ["level: unbekannte Verwaltungsebene 'Landkreis'"]),
    (with_change(2, parent="freistaat-sachsen"), ["authorities[2] (landkreis-greiz), parent: unbekannte "
                                                  "übergeordnete Stelle 'freistaat-sachsen' / unknown parent "
                                                  "'freistaat-sachsen'"]),
    (with_change(1, name="landkreis-greiz"), ["authorities[2] (landkreis-greiz), name: 'landkreis-greiz' kommt "
                                              "doppelt vor (auch bei authorities[1] (landkreis-greiz)) / "
                                              "duplicate name"]),
    (with_change(2, website="www.landkreis-greiz.de"), ["website: 'www.landkreis-greiz.de' ist keine "
                                                        "vollständige Webadresse"]),
    (with_change(2, regional_key="16099"), ["regional_key: '16099' ist kein Schlüssel in Thüringen"]),
    (with_change(2, regional_key="1607"), ["regional_key: '1607' ist kein Regionalschlüssel dieser Ebene "
                                           "(5 Ziffern) / '1607' is not a regional key of this level (5 digits)"]),
    (with_change(2, regional_key=16076), ["regional_key: muss in Anführungszeichen stehen"]),
    (with_change(2, regional_key="16056", name="stadt-eisenach"),
     ["regional_key: '16056' ist nicht mehr gültig (ersetzt durch "
      "http://dcat-ap.de/def/politicalGeocoding/districtKey/16063)"]),
    (with_change(2, regional_key=None), ["authorities[2] (landkreis-greiz), regional_key: fehlt / is missing"]),
    (with_change(2, publisher_type="Landratsamt"), ["publisher_type: unbekannte ADMS-Art 'Landratsamt'"]),
    (with_change(2, title=None), ["authorities[2] (landkreis-greiz), title: fehlt / is missing"]),
    (with_change(2, name="Landkreis Greiz"), ["name: 'Landkreis Greiz' ist kein gültiger Name"]),
    (with_change(2, homepage="https://www.landkreis-greiz.de"), ["homepage: unbekanntes Feld"]),
    (with_change(2, demo="yes please"), ["demo: muss true oder false sein"]),
    (with_change(1, contact={"email": "opendata(at)jena.de"}),
     ["contact.email: 'opendata(at)jena.de' ist keine gültige E-Mail-Adresse"]),
    (with_change(0, parent="freistaat"), ["authorities[0] (freistaat), parent: Kreis in der Hierarchie: "
                                          "freistaat -> freistaat / parent cycle: freistaat -> freistaat"]),
    (with_change(2, parent="demo-bremen"), ["parent: 'demo-bremen' ist eine Demo-Stelle"]),
    (with_change(2, regional_key="16053"), []),  # a key of another area is fine on its own ...
])
def test_a_bad_entry_is_named_with_its_field(authorities, expected):
    if not expected:
        parse(authorities)
        return
    found = problems(authorities)
    for text in expected:
        assert_problem(found, text)


def test_a_cycle_over_two_entries_is_reported_at_both():
    changed = entries()
    changed[0].update(parent="landkreis-greiz")
    found = problems(changed)
    assert_problem(found, "authorities[0] (freistaat), parent: Kreis in der Hierarchie: freistaat -> "
                          "landkreis-greiz -> freistaat")
    assert_problem(found, "authorities[2] (landkreis-greiz), parent: Kreis in der Hierarchie")


def test_a_child_outside_its_parents_area_or_above_its_level_is_refused():
    gemeinde = {"name": "gemeinde-x", "title": "Gemeinde X", "level": "gemeinde", "parent": "stadt-jena",
                "regional_key": next(c.code for c in vocabulary("regions")
                                     if len(c.code) == 12 and c.code.startswith("16076")),
                "publisher_type": "LocalAuthority"}
    assert_problem(problems(entries() + [gemeinde]),
                   f"authorities[4] (gemeinde-x), regional_key: '{gemeinde['regional_key']}' liegt nicht im "
                   f"Gebiet von 'stadt-jena' (16053)")
    changed = entries()
    changed[0].update(parent="landkreis-greiz")
    changed[2].pop("parent")
    assert_problem(problems(changed),
                   "authorities[0] (freistaat), parent: eine Stelle der Ebene 'landkreis' kann nicht über einer "
                   "der Ebene 'land' stehen / an authority of level 'landkreis' cannot be the parent of one of "
                   "level 'land'")


@pytest.mark.parametrize(("change", "expected"), [
    ({"type": "dcat"}, "authorities[1] (stadt-jena) sources[0] (jena-dcat), type: unbekannter Harvester 'dcat' "
                       "(erlaubt: dcat_ap_de, dcat_rdf, ckan_api, feed, fragdenstaat) / unknown harvester type 'dcat'"),
    ({"schedule": "HOURLY"}, "schedule: unbekannter Zeitplan 'HOURLY' (erlaubt: MANUAL, MONTHLY, WEEKLY, "
                             "BIWEEKLY, DAILY, ALWAYS) / unknown schedule 'HOURLY'"),
    ({"schedule": "daily"}, "schedule: unbekannter Zeitplan 'daily'"),
    ({"url": "opendata.jena.de/catalog.rdf"}, "url: 'opendata.jena.de/catalog.rdf' ist keine vollständige "
                                              "Webadresse (http:// oder https://) / 'opendata.jena.de/catalog.rdf' "
                                              "is not a complete web address"),
    ({"url": "ftp://opendata.jena.de/catalog.rdf"}, "url: 'ftp://opendata.jena.de/catalog.rdf' ist keine"),
    ({"url": "{demo_catalogs_url}/jena.rdf"}, "url: '{demo_catalogs_url}/jena.rdf' ist keine vollständige"),
    ({"url": None}, "sources[0] (jena-dcat), url: fehlt / is missing"),
    ({"priority": "hoch"}, "priority: muss eine ganze Zahl sein, nicht 'hoch'"),
    ({"config": {"priority": 3}}, "config.priority: als eigenes Feld 'priority' angeben, nicht in config"),
    ({"config": "rdf_format=xml"}, "config: muss eine Zuordnung (key: value) sein"),
    ({"contributor_id": "http://dcat-ap.de/def/contributors/stadtJena"},
     "contributor_id: 'http://dcat-ap.de/def/contributors/stadtJena' steht nicht in GovDatas Liste"),
    ({"spatial_uri": f"{PG}districtKey/13003"}, "spatial_uri: 'http://dcat-ap.de/def/politicalGeocoding/"
                                                "districtKey/13003' ist kein Gebiet in Thüringen"),
    ({"enabled": "no"}, "enabled: muss true oder false sein"),
    ({"harvester": "dcat_rdf"}, "harvester: unbekanntes Feld"),
    ({"name": "freistaat"}, None),  # organisations and harvest sources are separate namespaces
])
def test_a_bad_source_is_named_with_its_field(change, expected):
    changed = with_source_change(**change)
    for key, value in change.items():
        if value is None:
            del changed[1]["sources"][0][key]
    if expected is None:
        parse(changed)
        return
    assert_problem(problems(changed), expected)


@pytest.mark.parametrize(("change", "expected"), [
    ({"url": "https://www.bremen.de/catalog.rdf"},
     "authorities[3] (demo-bremen) sources[0] (demo-bremen-dcat), url: eine Demo-Quelle liegt auf dem lokalen "
     "Katalogserver: '{demo_catalogs_url}/<Datei>'"),
    ({"name": "jena-dcat"},
     "authorities[3] (demo-bremen) source jena-dcat, name: 'jena-dcat' kommt doppelt vor "
     "(auch bei authorities[1] (stadt-jena) source jena-dcat)"),
])
def test_a_bad_demo_source_is_named_with_its_field(change, expected):
    changed = entries()
    changed[3]["sources"][0].update(change)
    assert_problem(problems(changed), expected)


def test_every_problem_of_a_file_is_reported_at_once():
    changed = with_change(2, level="kreis", website="landkreis-greiz.de")
    changed[1]["sources"][0].update(type="dcat", schedule="HOURLY")
    with pytest.raises(RegistryError) as raised:
        parse(changed)
    assert len(raised.value.problems) == 4
    text = str(raised.value)
    assert text.startswith("test.yaml: 4 Fehler im Quellenverzeichnis / 4 error(s) in the source registry")
    assert text.count("\n  - ") == 4


@pytest.mark.parametrize(("text", "expected"), [
    ("authorities: [", "line 1, column 15, -: kein gültiges YAML (expected the node content, but found "
                        "'<stream end>') / not valid YAML"),
    ("- name: x", "file, authorities: die Datei braucht eine Liste 'authorities:'"),
    ("authorities: []\nsources: []", "file, sources: unbekanntes Feld"),
    ("authorities:\n  - just a string", "authorities[0], -: muss eine Zuordnung (key: value) sein"),
])
def test_a_broken_file_says_where(text, expected):
    assert_problem(problems(text), expected)


def test_a_missing_file_is_a_registry_error(tmp_path):
    with pytest.raises(RegistryError, match="nicht lesbar .* cannot be read"):
        registry.load(tmp_path / "sources.yaml")
