"""Transparency publications: the document-type vocabulary, the value rules, the
classification of harvested records and the DCAT-AP.de mapping, without services."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

import publication_schema
from ckanext.thueringen import rdf, vocabularies
from ckanext.thueringen.harvesters import publication_source
from ckanext.thueringen.harvesters.config import ConfigError, parse_source_config
from ckanext.thueringen.transparency import facets, publication_rdf, publications

DOC = "https://opendata.thueringen.de/def/document-type/"
SLUGS = ["gesetze-rechtsverordnungen", "verwaltungsvorschriften", "kabinettsbeschluesse", "landtag-berichte",
         "sponsoring-zuwendungen", "beteiligungsberichte", "taetigkeitsberichte", "sitzungsbeschluesse",
         "umweltinformationen", "statistiken", "oeffentliche-plaene", "vertraege-daseinsvorsorge",
         "organisations-haushalts-stellenplaene", "gutachten-studien", "informationsantraege", "sonstige"]


# --- vocabulary -------------------------------------------------------------------------

def test_document_types_are_the_contract_slugs_with_german_and_english_labels():
    types = vocabularies.vocabulary("document_types")
    assert sorted(c.uri for c in types) == sorted(DOC + slug for slug in SLUGS)
    for concept in types:
        assert concept.labels.get("de") and concept.labels.get("en"), concept.uri
        assert concept.code == concept.uri.rsplit("/", 1)[1]


@pytest.mark.parametrize("value, slug", [
    ("Gutachten", "gutachten-studien"), ("gutachten", "gutachten-studien"), ("IFG-Antwort", "informationsantraege"),
    ("Vertrag", "vertraege-daseinsvorsorge"), ("Kabinettsbeschlüsse", "kabinettsbeschluesse"),
    ("statistiken", "statistiken"), (DOC + "sonstige", "sonstige"), ("http://opendata.thueringen.de/def/document-type/"
                                                                      "beteiligungsberichte/", "beteiligungsberichte"),
    ("  Haushaltsplan ", "organisations-haushalts-stellenplaene"),
])
def test_document_type_from_uri_slug_label_or_alias(value, slug):
    assert publications.document_type(value) == DOC + slug


@pytest.mark.parametrize("value", ["", None, "Baumkataster", "http://publications.europa.eu/resource/authority/"
                                                              "dataset-type/TEXT"])
def test_document_type_of_something_else_is_none(value):
    assert publications.document_type(value) is None


# --- laws, amounts, years ------------------------------------------------------------------

@pytest.mark.parametrize("text, law", [
    ("§ 6 Abs. 3 Nr. 2 ThürTG", "ThürTG"), ("§ 5 Abs. 2 Thüringer Transparenzgesetz", "ThürTG"),
    ("§ 3 ThuerUIG", "ThürUIG"), ("Antrag nach dem ThürIFG", "ThürIFG-alt"), ("§ 1 IFG", "ThürIFG-alt"),
    ("Art. 5 BayDSG", "other"), ("", None), (None, None),
])
def test_law_is_derived_from_the_legal_basis_text(text, law):
    assert publications.law_from_legal_basis(text) == law


def test_law_code_from_code_or_name():
    assert publications.legal_basis_law("thürtg") == "ThürTG"
    assert publications.legal_basis_law("Umweltinformationsgesetz") == "ThürUIG"
    assert publications.legal_basis_law("StVO") is None


@pytest.mark.parametrize("value, amount", [
    ("1.234.567,89 €", "1234567.89"), ("1234567,89", "1234567.89"), ("1,234,567.89", "1234567.89"),
    ("EUR 500", "500.00"), ("125.000", "125000.00"), ("1,234", "1234.00"), ("0,5", "0.50"), (1500, "1500.00"),
    ("99.95 Euro", "99.95"),
])
def test_euro_amounts_in_the_forms_people_write(value, amount):
    assert publications.euro_amount(value) == amount


@pytest.mark.parametrize("value", ["1,2345", "zwölf", "-5", "1.2.3", "", "1,234.567,8", "12.34.567",
                                   float("nan"), float("inf"), float("-inf"), "Infinity", "1e400"])
def test_unclear_or_wrong_amounts_are_refused(value):
    assert publications.euro_amount(value) is None


def test_year_of_a_publication_prefers_the_document_date():
    assert publications.year({"document_date": "2023-11-30", "publication_date": "2024-01-05"}) == "2023"
    assert publications.year({"publication_date": "05.01.2024"}) == "2024"
    assert publications.year({"issued": "2022-03-01T10:00:00"}) == "2022"
    assert publications.year({"title": "x"}) is None


def test_index_fields_only_for_publications():
    indexed = publications.index_fields({"type": "publication", "document_type": DOC + "gutachten-studien",
                                         "legal_basis": "§ 6 Abs. 3 Nr. 13 ThürTG", "document_date": "2024-02-01"})
    assert indexed["vocab_document_type"] == [DOC + "gutachten-studien"]
    assert indexed["vocab_legal_basis_law"] == ["ThürTG"]
    assert indexed["vocab_publication_year"] == ["2024"]
    assert "vocab_document_type" not in publications.index_fields({"type": "dataset", "title": "x"})


# --- classification (2a) ------------------------------------------------------------------

def test_as_publication_sets_type_document_type_law_and_report_period():
    result = publications.as_publication({"title": "Bericht", "legal_basis": "§ 6 Abs. 3 Nr. 7 ThürTG",
                                          "temporal_start": "2023-01-01", "temporal_end": "2023-12-31",
                                          "dcat_type": "Tätigkeitsbericht"})
    assert result["type"] == "publication"
    assert result["document_type"] == DOC + "sonstige"
    assert result["legal_basis_law"] == "ThürTG"
    assert result["temporal_coverage"] == [{"start": "2023-01-01", "end": "2023-12-31"}]
    assert "dcat_type" not in result and "temporal_start" not in result


def test_source_config_makes_every_record_a_publication_with_its_document_type():
    settings = parse_source_config('{"dataset_type": "publication", "document_type": "Gutachten"}',
                                   publication_source.OPTIONS)
    record = publication_source.as_configured({"title": "Studie"}, settings.options)
    assert record["type"] == "publication" and record["document_type"] == DOC + "gutachten-studien"
    assert publication_source.as_configured({"title": "Daten"}, {}) == {"title": "Daten"}


def test_bad_source_config_gets_german_messages():
    with pytest.raises(ConfigError, match="erwartet „dataset“ oder „publication“"):
        parse_source_config('{"dataset_type": "dokument"}', publication_source.OPTIONS)
    with pytest.raises(ConfigError, match="keine Dokumentart"):
        parse_source_config('{"document_type": "Kochrezept"}', publication_source.OPTIONS)


RECORDS = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
<https://daten.erfurt.de/gutachten-1> a dcat:Dataset ; dct:title "Gutachten Multifunktionsarena" ;
    dct:description "Wirtschaftlichkeitsgutachten." ; dct:type "Gutachten" .
<https://daten.erfurt.de/beschluss-7> a dcat:Dataset ; dct:title "Stadtratsbeschluss 7/2024" ;
    dct:description "Beschluss." ; dct:subject <https://opendata.thueringen.de/def/document-type/sitzungsbeschluesse> .
<https://daten.erfurt.de/baeume> a dcat:Dataset ; dct:title "Baumkataster" ; dct:description "Bäume." ;
    dct:type <http://publications.europa.eu/resource/authority/dataset-type/GEOSPATIAL> .
"""


def test_dcat_records_naming_a_document_type_become_publications():
    parsed = {d.uri.rsplit("/", 1)[1]: d.dataset for d in rdf.parse_datasets(RECORDS, "turtle").datasets}
    assert parsed["gutachten-1"]["type"] == "publication"
    assert parsed["gutachten-1"]["document_type"] == DOC + "gutachten-studien"
    assert "dcat_type" not in parsed["gutachten-1"]
    assert parsed["beschluss-7"]["document_type"] == DOC + "sitzungsbeschluesse"
    assert parsed["baeume"].get("type") in (None, "dataset")
    assert "document_type" not in parsed["baeume"]


# --- DCAT-AP.de both ways ------------------------------------------------------------------

PUBLICATION = {
    "type": "publication", "title": "Konzessionsvertrag Wasserversorgung", "notes": "Wesentliche Inhalte.",
    "document_type": DOC + "vertraege-daseinsvorsorge", "legal_basis": "§ 6 Abs. 3 Nr. 12 ThürTG",
    "legal_basis_law": "ThürTG", "file_reference": "32-0815/2024", "document_date": "2024-03-01",
    "decision_date": "2024-02-20", "publication_date": "2024-03-15",
    "contract_parties": ["Stadt Weimar", "Stadtwerke Weimar GmbH"], "contract_value": "1250000.00",
    "contract_start": "2024-04-01", "contract_end": "2044-03-31",
}


def _exported() -> tuple[Graph, URIRef]:
    graph = Graph()
    ref = URIRef("https://opendata.thueringen.de/dataset/konzessionsvertrag")
    graph.add((ref, RDF.type, DCAT.Dataset))
    graph.add((ref, DCTERMS.title, Literal(PUBLICATION["title"])))
    graph.add((ref, DCTERMS.description, Literal(PUBLICATION["notes"])))
    publication_rdf.write(graph, ref, PUBLICATION)
    return graph, ref


def test_publication_is_written_with_the_document_type_concept_and_its_labels():
    graph, ref = _exported()
    concept = URIRef(DOC + "vertraege-daseinsvorsorge")
    assert list(graph.objects(ref, DCTERMS.type)) == [concept]
    assert (concept, RDF.type, SKOS.Concept) in graph
    assert {(str(label), label.language) for label in graph.objects(concept, SKOS.prefLabel)} == {
        ("Wesentliche Vertragsinhalte der Daseinsvorsorge", "de"),
        ("Essential contents of public-service contracts", "en")}
    assert str(graph.value(ref, DCTERMS.created)) == "2024-03-01"
    assert str(graph.value(ref, DCTERMS.issued)) == "2024-03-15"


def test_publication_round_trip_through_dcat_ap_de():
    graph, _ref = _exported()
    parsed = rdf.parse_datasets(graph.serialize(format="turtle"), "turtle").datasets[0].dataset
    for field, value in PUBLICATION.items():
        assert parsed.get(field) == value, field


# --- the schema --------------------------------------------------------------------------

def test_publication_schema_is_built_from_the_dataset_schema():
    assert publication_schema.PUBLICATION_SCHEMA.read_text(encoding="utf-8") == publication_schema.render(), \
        "schemas/publication.yaml is out of date: python scripts/publication_schema.py"


def test_publication_schema_has_every_dataset_field_and_the_contract_fields():
    dataset = publication_schema.load(publication_schema.DATASET_SCHEMA)
    schema = publication_schema.load(publication_schema.PUBLICATION_SCHEMA)
    names = [f["field_name"] for f in schema["dataset_fields"]]
    assert set(f["field_name"] for f in dataset["dataset_fields"]) <= set(names)
    assert len(names) == len(set(names))
    for field in ("document_type", "legal_basis", "legal_basis_law", "file_reference", "document_date",
                  "decision_date", "publication_date", "contract_parties", "contract_value", "contract_start",
                  "contract_end", "temporal_coverage"):
        assert field in names
    assert schema["dataset_type"] == "publication"


# --- search ---------------------------------------------------------------------------

def test_only_the_general_search_page_includes_publications():
    fq = 'tags:"Wasser" +dataset_type:dataset'
    assert facets.include_publications({"fq": fq}, "dataset.search")["fq"] == \
        'tags:"Wasser" +dataset_type:(dataset OR publication)'
    assert facets.include_publications({"fq": fq}, "api.action")["fq"] == fq
    assert facets.include_publications({"fq": "+dataset_type:dataset-series"}, "dataset.search")["fq"] == \
        "+dataset_type:dataset-series"


def test_facet_items_of_document_types_and_laws_get_labels():
    results = {"search_facets": {
        "vocab_document_type": {"items": [{"name": DOC + "gutachten-studien", "display_name": "x"}]},
        "vocab_legal_basis_law": {"items": [{"name": "ThürUIG", "display_name": "ThürUIG"}]}}}
    labelled = facets.label_facets(results, "en")["search_facets"]
    assert labelled["vocab_document_type"]["items"][0]["display_name"] == "Expert opinions and studies"
    assert labelled["vocab_legal_basis_law"]["items"][0]["display_name"] == \
        "Thuringian Environmental Information Act (ThürUIG)"
