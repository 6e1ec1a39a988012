"""Formats and licences in CKAN's API form ("CSV", "dl-by-de/2.0") with their
URIs beside them, and back to the URIs for the RDF export
(ckanext.thueringen.normalize.ckan_form). No CKAN stack needed."""
from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.thueringen import normalize
from ckanext.thueringen.vocabularies import vocabulary

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FT = "http://publications.europa.eu/resource/authority/file-type/"
LIC = "http://dcat-ap.de/def/licenses/"


def test_formats_and_licences_in_any_form_get_the_short_form_and_the_uri():
    assert normalize.format_fields(FT + "CSV") == ("CSV", FT + "CSV")
    assert normalize.format_fields("text/csv") == ("CSV", FT + "CSV")
    assert normalize.format_fields("Tabellenblatt") == ("Tabellenblatt", None)
    assert normalize.licence_fields(LIC + "dl-by-de/2.0") == ("dl-by-de/2.0", LIC + "dl-by-de/2.0")
    assert normalize.licence_fields("CC BY 4.0") == ("cc-by/4.0", LIC + "cc-by/4.0")
    assert normalize.licence_fields("Eigene Nutzungsbedingungen") == ("Eigene Nutzungsbedingungen", None)


def test_a_stored_dataset_in_the_old_form_is_migrated_and_exported_as_before():
    old = {"license_id": LIC + "cc-by/4.0", "resources": [{"format": FT + "CSV"}, {"format": "Tabellenblatt"},
                                                          {"format": ""}]}
    new = normalize.to_ckan_form(copy.deepcopy(old))
    assert new == {"license_id": "cc-by/4.0", "license_uri": LIC + "cc-by/4.0",
                   "resources": [{"format": "CSV", "format_uri": FT + "CSV"}, {"format": "Tabellenblatt"},
                                 {"format": ""}]}
    assert normalize.to_ckan_form(copy.deepcopy(new)) == new           # idempotent
    exported = normalize.export_form(new)
    assert exported["license_id"] == old["license_id"]
    assert [r["format"] for r in exported["resources"]] == [r["format"] for r in old["resources"]]
    assert new["resources"][0]["format"] == "CSV"                      # the stored dict is left alone


def test_a_client_that_sends_only_the_uri_gets_the_short_form():
    assert normalize.to_ckan_form({"license_uri": LIC + "cc-zero", "resources": [{"format_uri": FT + "PDF"}]}) == \
        {"license_id": "cc-zero", "license_uri": LIC + "cc-zero",
         "resources": [{"format": "PDF", "format_uri": FT + "PDF"}]}


def test_an_unknown_value_drops_a_uri_that_no_longer_fits():
    assert normalize.to_ckan_form({"license_id": "Eigene", "license_uri": LIC + "cc-zero"}) == {"license_id": "Eigene"}


@SETTINGS
@given(st.sampled_from(vocabulary("filetypes").concepts), st.sampled_from(vocabulary("licenses").concepts))
def test_every_concept_round_trips_from_uri_to_short_form_and_back(file_type, licence):
    stored = normalize.to_ckan_form({"license_id": licence.uri, "resources": [{"format": file_type.uri}]})
    assert stored["license_id"] == licence.code and "://" not in stored["license_id"]
    assert stored["resources"][0]["format"] == file_type.code
    assert vocabulary("filetypes").lookup(stored["resources"][0]["format"]).uri == file_type.uri
    exported = normalize.export_form(stored)
    assert exported["license_id"] == licence.uri and exported["resources"][0]["format"] == file_type.uri
