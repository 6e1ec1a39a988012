"""The dcatap_de profile reads what DCAT-AP.de 3.0 deprecated and maps it to the successors."""
from __future__ import annotations

from ckanext.thueringen import rdf

# A record as an older DCAT-AP.de source sends it: dcatde 1.1 namespace in its
# https://www. form, every property that 3.0 deprecated, licence URI with www.
OLD_RECORD = """
@prefix dcat:   <http://www.w3.org/ns/dcat#> .
@prefix dct:    <http://purl.org/dc/terms/> .
@prefix foaf:   <http://xmlns.com/foaf/0.1/> .
@prefix dcatde: <https://www.dcat-ap.de/def/dcatde/1.1/> .

<https://daten.jena.de/dataset/baumkataster> a dcat:Dataset ;
    dct:title "Baumkataster Jena" ;
    dct:description "Alle Straßenbäume der Stadt Jena." ;
    dcatde:politicalGeocodingURI <https://www.dcat-ap.de/def/politicalGeocoding/districtKey/16053> ;
    dcatde:politicalGeocodingLevelURI <https://www.dcat-ap.de/def/politicalGeocoding/Level/administrativeDistrict> ;
    dcatde:geocodingDescription "Stadtgebiet Jena" ;
    dcatde:legalBasis "§ 6 Abs. 3 ThürTG" ;
    dcatde:contributorID <https://www.dcat-ap.de/def/contributors/openDataJena> ;
    dcatde:maintainer [ a foaf:Organization ; foaf:name "Fachdienst Umwelt" ; foaf:mbox "umwelt@jena.de" ] ;
    dcatde:originator [ a foaf:Organization ; foaf:name "Kommunalservice Jena" ] ;
    dcatde:plannedAvailability <https://www.dcat-ap.de/def/plannedAvailability/stable> ;
    dcat:distribution <https://daten.jena.de/dataset/baumkataster/csv> .

<https://daten.jena.de/dataset/baumkataster/csv> a dcat:Distribution ;
    dcat:accessURL <https://daten.jena.de/baumkataster.csv> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
    dct:license <https://www.dcat-ap.de/def/licenses/dl-by-de/2.0> ;
    dcatde:licenseAttributionByText "Stadt Jena, Fachdienst Umwelt" .
"""


def _parsed():
    page = rdf.parse_datasets(OLD_RECORD, "turtle")
    assert len(page.datasets) == 1
    return page.datasets[0]


def test_deprecated_geocoding_becomes_spatial_coverage():
    dataset = _parsed().dataset
    assert {"uri": "http://dcat-ap.de/def/politicalGeocoding/districtKey/16053"} in dataset["spatial_coverage"]
    assert {"text": "Stadtgebiet Jena"} in dataset["spatial_coverage"]
    assert dataset["political_geocoding_level_uri"] == \
        "http://dcat-ap.de/def/politicalGeocoding/Level/administrativeDistrict"


def test_legal_basis_text_is_kept_as_text():
    dataset = _parsed().dataset
    assert dataset["legal_basis"] == "§ 6 Abs. 3 ThürTG"
    assert not dataset.get("applicable_legislation")


def test_maintainer_and_originator_become_contact_and_creator():
    dataset = _parsed().dataset
    assert dataset["contact"][0]["name"] == "Fachdienst Umwelt"
    assert dataset["contact"][0]["email"] == "umwelt@jena.de"
    assert dataset["creator"][0]["name"] == "Kommunalservice Jena"


def test_planned_availability_becomes_availability_of_the_distribution():
    resource = _parsed().dataset["resources"][0]
    assert resource["availability"] == "http://publications.europa.eu/resource/authority/planned-availability/STABLE"


def test_german_additions_and_licence_in_any_namespace_form():
    parsed = _parsed()
    dataset, resource = parsed.dataset, parsed.dataset["resources"][0]
    assert dataset["contributor_id"] == ["http://dcat-ap.de/def/contributors/openDataJena"]
    assert resource["license"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert dataset["license_id"] == "dl-by-de/2.0"
    assert dataset["license_uri"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert resource["license_attribution_by_text"] == "Stadt Jena, Fachdienst Umwelt"
    assert resource["format"] == "CSV"
    assert resource["format_uri"] == "http://publications.europa.eu/resource/authority/file-type/CSV"
    assert parsed.unmapped == []
