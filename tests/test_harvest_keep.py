"""What a publisher offers is kept, and the export stays DCAT-AP.de.

A catalogue in the shapes real publishers send (a record without description,
a licence given only as text, a city's own theme URIs, LOC language URIs, a
data service without publisher, HTML in a description, an open end written
as 9999-12-31, keywords CKAN refuses, a record with neither URI nor
identifier) is harvested through the real stack; every identifiable record is
stored, the one that cannot be recognised again is refused with a report line,
the report names what was mapped, cleaned and derived, and the DCAT-AP.de
export of each record has no SHACL violation under the official shapes.
"""
from __future__ import annotations

import uuid

import requests
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckanext.thueringen import conformance
from harvest_fixtures import counts, harvest, messages, new_org, new_source, packages

EU = "http://publications.europa.eu/resource/authority/"
CITY = "https://opendata.musterstadt.example/id/theme/"

CATALOGUE = f"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://musterstadt.example/ds/ohne-beschreibung> a dcat:Dataset ;
    dct:title "Haltestellen" ;
    dct:publisher [ a foaf:Agent ; foaf:name "Stadt Musterstadt" ] ;
    dcat:theme <{CITY}Verkehr> , <{CITY}Politik%20und%20Wahlen> , <{CITY}Sonstiges%20Zeug> ;
    dct:language <http://id.loc.gov/vocabulary/iso639-1/de> ;
    dcat:keyword "ÖPNV" , "Bus: Linien/Netz" ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2011-11-01"^^xsd:date ; dcat:endDate "9999-12-31"^^xsd:date ] ;
    dcat:distribution <https://musterstadt.example/ds/ohne-beschreibung/csv> .

<https://musterstadt.example/ds/ohne-beschreibung/csv> a dcat:Distribution ;
    dcat:accessURL <https://musterstadt.example/daten/haltestellen.csv> ;
    dct:format "CSV" ;
    dct:license "Nutzungsbedingungen der Stadt Musterstadt" ;
    dcat:accessService <https://musterstadt.example/dienst/wfs> .

<https://musterstadt.example/dienst/wfs> a dcat:DataService ;
    dct:title "Haltestellen-WFS" ;
    dcat:endpointURL <https://musterstadt.example/wfs> .

<https://musterstadt.example/ds/lang> a dcat:Dataset ;
    dct:title "Sitzungs\\fprotokolle" ;
    dct:description "{' '.join(['Tagesordnungspunkt'] * 4000)}" .

[] a dcat:Dataset ;
    dct:title "Ohne Kennung" ;
    dct:description "Weder URI noch dct:identifier: nicht wiederzuerkennen." .

<https://musterstadt.example/ds/html> a dcat:Dataset ;
    dct:title "Bevölkerung nach Stadtteilen" ;
    dct:description "<p>Die <b>Einwohner</b> je Stadtteil.<br/>Stand: 31.12.</p>\
<ul><li>Alter</li><li>Geschlecht</li></ul>" ;
    dct:publisher [ a foaf:Agent ; foaf:name "Stadt Musterstadt statistik@musterstadt.example" ] ;
    dcat:theme <{CITY}Bev%C3%B6lkerung> ;
    dct:language <http://lexvo.org/id/iso639-3/deu> ;
    dcat:distribution [ a dcat:Distribution ;
        dcat:downloadURL <https://musterstadt.example/daten/bevoelkerung.xlsx> ;
        dct:format "MS Excel" ;
        dct:license <https://www.govdata.de/dl-de/by-2-0> ] .
"""


def exported(web_url: str, name: str) -> Graph:
    response = requests.get(f"{web_url}/dataset/{name}.ttl", timeout=60)
    assert response.status_code == 200, response.text[:500]
    return Graph().parse(data=response.text, format="turtle")


def test_records_are_kept_cleaned_and_exported_conformant(api, served, stack):
    folder, base = served
    name = f"musterstadt-{uuid.uuid4().hex[:6]}"
    (folder / f"{name}.ttl").write_text(CATALOGUE, encoding="utf-8")
    org = new_org(api, "musterstadt")
    source = new_source(api, org["id"], "musterstadt", f"{base}/{name}.ttl")
    job = harvest(api, source["id"])[source["id"]]
    assert (counts(job)["added"], counts(job)["failed"]) == (3, 0), messages(job)
    [refused] = [m for m in job["report"]["job_errors"] if "Ohne Kennung" in m]
    assert "weder eine URI noch eine Kennung" in refused and refused.startswith("Warnung:")

    stored = {p.extras["uri"]: api("package_show", id=p.id) for p in packages(org["id"])}
    plain = stored["https://musterstadt.example/ds/ohne-beschreibung"]
    assert not plain.get("notes")
    assert plain["theme"] == [EU + "data-theme/TRAN", EU + "data-theme/GOVE"]
    assert "Sonstiges Zeug" in {tag["name"] for tag in plain["tags"]}      # unmapped theme kept as keyword
    assert plain["language"] == [EU + "language/DEU"]
    assert plain["temporal_coverage"][0].get("start", "").startswith("2011-11-01")
    assert not plain["temporal_coverage"][0].get("end")                   # 9999-12-31 is an open end
    assert all(":" not in tag["name"] and "/" not in tag["name"] for tag in plain["tags"])
    html = stored["https://musterstadt.example/ds/html"]
    assert "<" not in html["notes"] and "Einwohner" in html["notes"]
    assert html["theme"] == [EU + "data-theme/SOCI"] and html["language"] == [EU + "language/DEU"]
    assert html["publisher"][0]["name"] == "Stadt Musterstadt"
    assert html["publisher"][0].get("email") == "statistik@musterstadt.example"

    long = stored["https://musterstadt.example/ds/lang"]   # what the portal refuses from an editor is fitted
    assert long["title"] == "Sitzungsprotokolle" and 0 < len(long["notes"]) <= 50_000
    findings = {(f["kind"], f["field"]) for f in job["report"]["findings"]}
    assert ("cleaned", "title") in findings and ("cleaned", "notes") in findings
    assert ("missing", "notes") in findings and ("derived", "notes") in findings
    assert ("unmapped", "theme") in findings
    assert ("derived", "resources[].access_services[].publisher") in findings
    report = api("thueringen_harvest_report", id=source["id"])["jobs"][0]
    assert report["findings"] == job["report"]["findings"]

    for dataset in stored.values():
        graph = exported(stack["web_url"], dataset["name"])
        result = conformance.validate(graph)
        assert result.violations == [], "\n".join(map(str, result.violations))
    graph = exported(stack["web_url"], plain["name"])
    dataset_ref = next(graph.subjects(RDF.type, DCAT.Dataset))
    assert str(graph.value(dataset_ref, DCTERMS.description)) == "Haltestellen"   # derived from the title
    distribution = next(graph.objects(dataset_ref, DCAT.distribution))
    licence = graph.value(distribution, DCTERMS.license)
    assert (licence, RDF.type, DCTERMS.LicenseDocument) in graph
    service = next(graph.objects(distribution, DCAT.accessService))
    assert graph.value(service, DCTERMS.publisher) is not None
    assert {str(t) for t in graph.objects(dataset_ref, DCAT.theme)} == {EU + "data-theme/TRAN",
                                                                        EU + "data-theme/GOVE"}
    assert not any(isinstance(t, URIRef) and "musterstadt" in str(t) for t in graph.objects(dataset_ref, DCAT.theme))

    again = harvest(api, source["id"])[source["id"]]
    assert counts(again)["unchanged"] == 3 and counts(again)["failed"] == 0, messages(again)
