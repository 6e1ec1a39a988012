"""The pure parts of the harvesting pipeline (harvesters/config.py, records.py,
duplicates.py, pages.py): source configuration, defaults, hashing,
duplicate ranking, page fingerprints. No stack needed:
    .venv/bin/python -m pytest tests/unit/test_harvest_base.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ckanext.thueringen.harvesters import pages
from ckanext.thueringen.harvesters.config import ConfigError, SourceConfig, parse_source_config
from ckanext.thueringen.harvesters.duplicates import Candidate, winner
from ckanext.thueringen.harvesters.pages import PageMemory
from ckanext.thueringen.harvesters.records import (
    duplicate_key,
    modified_time,
    package_id_for,
    record_hash,
    with_defaults,
)

JENA = "http://dcat-ap.de/def/politicalGeocoding/districtKey/16053"


def test_config_defaults_and_normalised_values():
    assert parse_source_config("") == SourceConfig()
    config = parse_source_config(json.dumps({
        "contributor_id": "https://www.dcat-ap.de/def/contributors/openDataHRO",
        "spatial_uri": "16053", "political_geocoding_level_uri": "municipality",
        "publisher": {"name": "Stadt Jena", "email": "mailto:info@jena.de", "url": "www.jena.de"},
        "priority": 10, "max_bytes": 2048, "timeout": 5, "delete_threshold": 0.25, "import_batch": 1,
    }))
    assert config.contributor_id == ("http://dcat-ap.de/def/contributors/openDataHRO",)
    assert config.spatial_uri == JENA
    assert config.political_geocoding_level_uri == "http://dcat-ap.de/def/politicalGeocoding/Level/municipality"
    assert config.publisher == {"name": "Stadt Jena", "email": "info@jena.de", "url": "https://www.jena.de"}
    assert (config.priority, config.delete_threshold, config.keep_jobs) == (10, 0.25, 10)
    assert (config.import_batch, SourceConfig().import_batch) == (1, 50)
    assert config.fetch_limits == {"max_bytes": 2048, "total_timeout": 5, "connect_timeout": 5, "read_timeout": 5}


@pytest.mark.parametrize("config, phrase", [
    ("{", "kein gültiges JSON"),
    ("[1]", "muss ein JSON-Objekt sein"),
    ('{"prioritaet": 1}', "Unbekannte Angabe(n) prioritaet"),
    ('{"priority": 1.5}', "„priority“: erwartet eine ganze Zahl"),
    ('{"priority": true}', "„priority“: erwartet eine ganze Zahl"),
    ('{"delete_threshold": 1.5}', "1.5 liegt nicht im erlaubten Bereich (zwischen 0 und 1)"),
    ('{"max_bytes": 10}', "mindestens 1024"),
    ('{"spatial_uri": "nirgendwo"}', "„spatial_uri“: \"nirgendwo\" ist kein Gebiet"),
    ('{"political_geocoding_level_uri": "Dorf"}', "keine Ebene der Liste"),
    ('{"publisher": {"uri": "https://x.de"}}', "„publisher“: erwartet ein Objekt mit mindestens „name“"),
    ('{"publisher": {"name": "X", "email": "keine"}}', "„email“ \"keine\" ist ungültig"),
    ('{"rdf_format": "text/html"}', "erwartet einen dieser Medientypen"),
    ('{"import_batch": 0}', "„import_batch“: 0 liegt nicht im erlaubten Bereich"),
    ('{"import_batch": 501}', "„import_batch“: 501 liegt nicht im erlaubten Bereich"),
])
def test_config_errors_are_german(config, phrase):
    with pytest.raises(ConfigError) as caught:
        parse_source_config(config)
    assert phrase in str(caught.value)


def test_all_problems_are_named_at_once():
    with pytest.raises(ConfigError) as caught:
        parse_source_config('{"priority": "hoch", "timeout": 0}')
    assert "„priority“" in str(caught.value) and "„timeout“" in str(caught.value)


def test_defaults_fill_only_what_a_record_lacks():
    config = SourceConfig(contributor_id=("https://example.org/c",), spatial_uri=JENA,
                          political_geocoding_level_uri="http://dcat-ap.de/def/politicalGeocoding/Level/district",
                          publisher={"name": "Stadt Jena"})
    bare = {"title": "A"}
    filled = with_defaults(bare, config, "org-1")
    assert bare == {"title": "A"}, "the record is not changed"
    assert filled == {"title": "A", "owner_org": "org-1", "contributor_id": ["https://example.org/c"],
                      "spatial_coverage": [{"uri": JENA}],
                      "political_geocoding_level_uri": "http://dcat-ap.de/def/politicalGeocoding/Level/district",
                      "publisher": [{"name": "Stadt Jena"}]}
    own = {"contributor_id": ["https://example.org/own"], "spatial_coverage": [{"text": "Saaletal"}],
           "political_geocoding_level_uri": "x", "publisher": [{"name": "Amt"}]}
    assert with_defaults(own, config, None) == own


def test_hash_is_stable_and_sees_every_change():
    record = {"title": "A", "tags": [{"name": "x"}], "resources": [{"url": "https://a"}]}
    assert record_hash(record) == record_hash(json.loads(json.dumps(record, sort_keys=True)))
    assert record_hash(record) != record_hash({**record, "title": "B"})
    assert record_hash(record) != record_hash({**record, "resources": [{"url": "https://b"}]})


def test_package_ids_are_fixed_per_source_and_record():
    assert package_id_for("s1", "https://a") == package_id_for("s1", "https://a")
    assert package_id_for("s1", "https://a") != package_id_for("s2", "https://a")


def test_duplicate_key_and_modified():
    assert duplicate_key({"identifier": " id-1 ", "uri": "https://a"}) == "id-1"
    assert duplicate_key({"uri": "https://a"}) == "https://a"
    assert duplicate_key({"extras": [{"key": "uri", "value": "https://b"}]}) == "https://b"
    assert modified_time("2024") == datetime(2024, 1, 1, tzinfo=UTC)
    assert modified_time("31.12.2024") == datetime(2024, 12, 31, tzinfo=UTC)
    assert modified_time("2024-05-01T12:00:00+02:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert modified_time("kaputt") is None and modified_time(None) is None


def test_winner_newest_then_priority_then_public():
    old = datetime(2020, 1, 1, tzinfo=UTC)
    new = datetime(2024, 1, 1, tzinfo=UTC)
    assert winner([Candidate("a", old, 99, True), Candidate("b", new, 0, False)]).package_id == "b"
    assert winner([Candidate("a", new, 1, True), Candidate("b", new, 2, False)]).package_id == "b"
    assert winner([Candidate("a", new, 1, False), Candidate("b", new, 1, True)]).package_id == "b"
    assert winner([Candidate("b", None, 1, False), Candidate("a", None, 1, False)]).package_id == "a"
    assert winner([Candidate("a", None, 5, True), Candidate("b", old, 0, False)]).package_id == "b"


def test_page_fingerprint_covers_bytes_settings_and_organisation():
    def fingerprint(settings=SourceConfig(), owner_org="org-1", page="sha-1"):
        return PageMemory("source", "job", settings, owner_org).fingerprint(page)

    assert fingerprint() == fingerprint()
    others = [fingerprint(page="sha-2"), fingerprint(owner_org="org-2"),
              fingerprint(SourceConfig(priority=1)), fingerprint(SourceConfig(spatial_uri=JENA))]
    assert len({fingerprint(), *others}) == 5


def test_preparation_version_changes_with_a_vocabulary(monkeypatch):
    monkeypatch.setattr(pages, "_PREPARATION_VERSION", None)
    before = pages.preparation_version()
    assert pages.preparation_version() == before   # computed once per process
    read_bytes = pages.Path.read_bytes

    def edited(path):
        data = read_bytes(path)
        return data + b"# edited" if path.name == "eu-data-theme.ttl" else data

    monkeypatch.setattr(pages.Path, "read_bytes", edited)
    monkeypatch.setattr(pages, "_PREPARATION_VERSION", None)
    assert pages.preparation_version() != before
