"""harvesters.fragdenstaat(_mapping): answered FragDenStaat requests as publications.

Against the local stand-in of froide's API (tests/fragdenstaat_server.py, fixtures
in tests/fixtures/fragdenstaat/), no CKAN stack needed:
    .venv/bin/python -m pytest tests/unit/test_fragdenstaat.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import json

import pytest

from ckanext.thueringen.harvesters.config import ConfigError, parse_source_config
from ckanext.thueringen.harvesters.fetch import FetchError
from ckanext.thueringen.harvesters.fragdenstaat import FragDenStaatHarvester
from ckanext.thueringen.harvesters.fragdenstaat_mapping import (
    INFORMATION_REQUESTS,
    is_publishable,
    map_request,
    public_attachments,
    site_base_url,
)
from ckanext.thueringen.harvesters.records import GatherFailure
from fragdenstaat_server import FragDenStaatServer

FT = "http://publications.europa.eu/resource/authority/file-type/"


@pytest.fixture
def server():
    running = FragDenStaatServer(max_limit=1).start()
    yield running
    running.shutdown()
    running.server_close()


def raw(server, request_id):
    return next(r for r in server.data["requests"] if r["id"] == request_id)


def test_request_detail_becomes_a_publication(server):
    detail = server.detail(raw(server, 281001))
    dataset = map_request(detail, server.site).value
    assert dataset["type"] == "publication"
    assert dataset["title"] == "Gutachten zur Standsicherheit der Talsperre Leibis-Lichte"
    assert dataset["notes"].startswith("Sehr geehrte Damen und Herren,\n\nbitte senden Sie mir das Gutachten")
    assert "Ergebnis: Das Ministerium hat das Gutachten vollständig übersandt." in dataset["notes"]
    assert dataset["notes"].endswith("ist erfolgreich beantwortet.")
    assert dataset["identifier"] == f"{server.site}/api/v1/request/281001/"
    assert dataset["url"] == dataset["uri"] == f"{server.site}/anfrage/gutachten-zur-talsperre-leibis/"
    assert dataset["document_type"] == INFORMATION_REQUESTS
    assert dataset["legal_basis"] == "Thüringer Transparenzgesetz"
    assert dataset["legal_basis_law"] == "ThürTG"
    assert dataset["publisher"] == [{"name": "Thüringer Ministerium für Umwelt, Energie und Naturschutz",
                                     "url": "https://umwelt.thueringen.de/",
                                     "uri": f"{server.site}/behoerde/tmuen/"}]
    assert dataset["publication_date"] == "2024-02-27"
    assert dataset["modified"] == "2024-02-28T08:00:00+01:00"
    assert dataset["tag_string"] == "Talsperre,Hochwasserschutz"
    assert "user" not in json.dumps(dataset)   # the requester is nobody's business


def test_only_public_answer_documents_become_resources(server):
    detail = server.detail(raw(server, 281001))
    names = [attachment["name"] for _message, attachment in public_attachments(detail)]
    # not: the unredacted original, the signature image (irrelevant), the pending attachment
    assert names == ["Gutachten_Standsicherheit_Leibis_2023.pdf", "Anschreiben_geschwaerzt.pdf"]
    resources = map_request(detail, server.site).value["resources"]
    assert resources[0] == {"url": f"{server.site}/files/foi/70001/Gutachten_Standsicherheit_Leibis_2023.pdf",
                            "name": "Gutachten_Standsicherheit_Leibis_2023.pdf", "format": "PDF", "format_uri": FT + "PDF",
                            "mimetype": "https://www.iana.org/assignments/media-types/application/pdf",
                            "issued": "2024-02-27T11:20:04+01:00", "size": 48213}
    spreadsheet = map_request(server.detail(raw(server, 281002)), server.site).value["resources"][0]
    assert spreadsheet["format"] == "XLSX" and spreadsheet["format_uri"] == FT + "XLSX"


def test_partially_successful_environmental_request(server):
    dataset = map_request(server.detail(raw(server, 281002)), server.site,
                          "https://opendata.thueringen.de/def/document-type/umweltinformationen").value
    assert dataset["legal_basis"] == "Thüringer Umweltinformationsgesetz"
    assert dataset["legal_basis_law"] == "ThürUIG"
    assert dataset["notes"].endswith("ist teilweise erfolgreich beantwortet.")
    assert dataset["document_type"] == "https://opendata.thueringen.de/def/document-type/umweltinformationen"


def test_what_is_publishable():
    assert is_publishable({"status": "resolved", "resolution": "successful"})
    assert is_publishable({"status": "resolved", "resolution": "partially_successful", "public": True})
    assert not is_publishable({"status": "resolved", "resolution": "refused"})
    assert not is_publishable({"status": "awaiting_response", "resolution": ""})
    assert not is_publishable({"status": "resolved", "resolution": "successful", "public": False})
    assert not is_publishable({"status": "resolved", "resolution": "partially_successful"}, ("successful",))


def test_site_base_url():
    assert site_base_url("https://fragdenstaat.de/api/v1/request/") == "https://fragdenstaat.de"
    assert site_base_url("https://fragdenstaat.de/") == "https://fragdenstaat.de"
    assert site_base_url("http://127.0.0.1:8000/froide/api/") == "http://127.0.0.1:8000/froide"


def test_gather_pages_through_the_filtered_paged_api(server, tmp_path):
    settings = parse_source_config(json.dumps({"jurisdiction": 14}), FragDenStaatHarvester.config_options)
    pages = list(FragDenStaatHarvester().gather_pages(server.site + "/", settings, tmp_path))
    guids = [record.guid for page in pages for record in page]
    # Thüringen only, resolved and (partially) successful only; one request per page (max_limit 1)
    assert guids == [f"{server.site}/api/v1/request/{n}/" for n in (281001, 281003, 281002)]
    assert len(pages) == 3
    listing = [path for path in server.requests_served if path.startswith("/api/v1/request/?")]
    assert any("resolution=successful" in p and "offset=1" in p for p in listing)
    assert all("jurisdiction=14" in p and "status=resolved" in p for p in listing)
    assert not list(tmp_path.iterdir())   # downloads are deleted once read


def test_jurisdiction_by_slug_is_looked_up_at_the_site(server, tmp_path):
    """Ids are a froide installation's database ids; the config may name the slug."""
    settings = parse_source_config(json.dumps({"jurisdiction": "thueringen"}), FragDenStaatHarvester.config_options)
    guids = [r.guid for page in FragDenStaatHarvester().gather_pages(server.site, settings, tmp_path) for r in page]
    assert guids == [f"{server.site}/api/v1/request/{n}/" for n in (281001, 281003, 281002)]
    assert any(path.startswith("/api/v1/jurisdiction/") for path in server.requests_served)
    listing = [path for path in server.requests_served if path.startswith("/api/v1/request/?")]
    assert listing and all("jurisdiction=14" in path for path in listing)


def test_unknown_jurisdiction_slug_fails_in_german(server, tmp_path):
    settings = parse_source_config(json.dumps({"jurisdiction": "atlantis"}), FragDenStaatHarvester.config_options)
    with pytest.raises(GatherFailure) as caught:
        list(FragDenStaatHarvester().gather_pages(server.site, settings, tmp_path))
    assert "keine Jurisdiktion mit dem Kürzel „atlantis“" in str(caught.value)
    assert not any(path.startswith("/api/v1/request/") for path in server.requests_served)


def test_gather_fails_in_german_when_the_api_breaks(server, tmp_path):
    settings = parse_source_config(json.dumps({"jurisdiction": 14}), FragDenStaatHarvester.config_options)
    server.failing = True
    with pytest.raises(FetchError) as caught:
        list(FragDenStaatHarvester().gather_pages(server.site, settings, tmp_path))
    assert "HTTP 500" in str(caught.value)
    server.failing = False
    server.hidden.add(281003)
    records = [r for page in FragDenStaatHarvester().gather_pages(server.site, settings, tmp_path) for r in page]
    assert len(records) == 2


@pytest.mark.parametrize("config, message", [
    ({}, "„jurisdiction“ fehlt"),
    ({"jurisdiction": "Thüringen"}, "„jurisdiction“: erwartet die Nummer der Jurisdiktion"),
    ({"jurisdiction": 0}, "oder ihr Kürzel wie \"thueringen\""),
    ({"jurisdiction": 14, "resolutions": ["refused"]}, "„resolutions“: erwartet eine Liste aus"),
    ({"jurisdiction": 14, "document_type": "Kochrezept"}, "„document_type“: \"Kochrezept\" ist keine Dokumentart"),
    ({"jurisdiction": 14, "rdf_format": "text/turtle"}, "„rdf_format“ gilt nur für DCAT-Kataloge"),
    ({"jurisdiction": 14, "wetter": 1}, "Unbekannte Angabe(n) wetter"),
])
def test_config_is_checked_with_german_messages(config, message):
    with pytest.raises(ConfigError) as caught:
        FragDenStaatHarvester().validate_config(json.dumps(config))
    assert message in str(caught.value)


def test_config_defaults():
    settings = parse_source_config('{"jurisdiction": 14, "document_type": "Gutachten"}',
                                   FragDenStaatHarvester.config_options)
    assert settings.options == {"jurisdiction": 14, "resolutions": ("successful", "partially_successful"),
                                "document_type": "https://opendata.thueringen.de/def/document-type/gutachten-studien"}


def test_gather_without_jurisdiction_fails(tmp_path):
    with pytest.raises(GatherFailure):
        list(FragDenStaatHarvester().gather_pages("http://127.0.0.1:9/", parse_source_config(None), tmp_path))
