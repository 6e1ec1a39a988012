"""Transparency publications on the real stack: the API with the publication schema,
the transparency area /transparenz, the general search, the publication page, the
DCAT-AP.de export (SHACL) and harvesting DCAT records that are transparency documents.

Over HTTP against the stack's CKAN (gunicorn, PostgreSQL, Solr, Redis, consumers);
the export is also made in-process with ckanext-dcat's serializer on the same database.
"""
from __future__ import annotations

import json
import re
import uuid

import pytest
import requests
from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFSerializer
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ckanext.thueringen import conformance, rdf
from harvest_fixtures import CREATED_SOURCES, harvest, new_org, new_source
from publication_samples import DL_BY, complete_publication

DOC = "https://opendata.thueringen.de/def/document-type/"
PDF = "http://publications.europa.eu/resource/authority/file-type/PDF"

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture(scope="module")
def authority(api) -> dict:
    return api("organization_create", name=f"tmwat-{uuid.uuid4().hex[:6]}",
               title="Thüringer Ministerium für Wirtschaft (Test)")


@pytest.fixture(scope="module")
def stored(api, authority) -> dict:
    marker = uuid.uuid4().hex[:8]
    created = api("package_create", **complete_publication(authority["id"], marker))
    return {"marker": marker, **api("package_show", id=created["id"])}


# --- API and schema -----------------------------------------------------------------

def test_publication_is_created_with_every_field_normalised(stored):
    assert stored["type"] == "publication"
    assert stored["document_type"] == DOC + "vertraege-daseinsvorsorge"
    assert stored["legal_basis_law"] == "ThürTG"
    assert stored["document_date"] == "2024-03-01"
    assert stored["contract_value"] == "1250000.00"
    assert stored["contract_parties"] == ["Stadt Weimar", "Stadtwerke Weimar GmbH"]
    assert (stored["file_reference"], stored["decision_date"], stored["publication_date"]) == \
        ("32-0815/2024", "2024-02-20", "2024-03-15")
    assert (stored["contract_start"], stored["contract_end"]) == ("2024-04-01", "2044-03-31")
    assert stored["temporal_coverage"][0]["start"].startswith("2024-01-01")
    assert stored["resources"][0]["format"] == "PDF" and stored["resources"][0]["format_uri"] == PDF


@pytest.mark.parametrize("field, value, message", [
    ("document_type", "Kochrezept", "Unbekannte Dokumentart „Kochrezept“"),
    ("document_date", "31.02.2024", "kein gültiges Datum"),
    ("publication_date", "gestern", "kein gültiges Datum"),
    ("contract_value", "ungefähr viel", "kein eindeutiger Betrag in Euro"),
    ("contract_end", "2020-01-01", "nicht vor seinem Beginn"),
    ("legal_basis_law", "StVO", "Unbekanntes Gesetz „StVO“"),
])
def test_bad_values_get_german_validation_errors(api, authority, field, value, message):
    publication = complete_publication(authority["id"], uuid.uuid4().hex[:8], **{field: value})
    response = api.raw("package_create", **publication)
    body = response.json()
    assert response.status_code == 409 and not body["success"]
    assert any(message in text for text in body["error"][field]), body["error"]


def test_document_type_is_required(api, authority):
    publication = complete_publication(authority["id"], uuid.uuid4().hex[:8])
    del publication["document_type"]
    body = api.raw("package_create", **publication).json()
    assert "document_type" in body["error"]


def test_a_bad_update_keeps_the_stored_publication(api, stored):
    response = api.raw("package_patch", id=stored["id"], document_type="Kochrezept")
    assert response.status_code == 409
    assert api("package_show", id=stored["id"])["document_type"] == DOC + "vertraege-daseinsvorsorge"


def test_publication_form_is_german_and_stores_what_a_person_types(stack):
    """The form at /publication/new: German labels, the document types as choices,
    German errors, and a publication made with it."""
    import re

    user = factories.SysadminWithToken()
    org = factories.Organization(title="Landratsamt Sömmerda (Test)")
    session = requests.Session()
    session.headers["Authorization"] = user["token"]
    web = stack["web_url"]
    html = session.get(f"{web}/publication/new", timeout=30).text
    for label in ("Dokumentart", "Rechtsgrundlage", "Gesetz", "Aktenzeichen", "Datum des Dokuments",
                  "Beschlussdatum", "Vertragswert (EUR)", "Herausgebende Behörde", "Gutachten und Studien"):
        assert label in html, label
    assert f'value="{DOC}gutachten-studien"' in html

    def post(**fields):
        page = session.get(f"{web}/publication/new", timeout=30).text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
        return session.post(f"{web}/publication/new", timeout=30, data={
            "_csrf_token": token, "title": "Gutachten Radverkehr", "notes": "Ein Gutachten.",
            "owner_org": org["id"], "save": "continue", **fields})

    name = f"gutachten-{uuid.uuid4().hex[:8]}"
    refused = post(name=name, document_type=f"{DOC}gutachten-studien", document_date="32.13.2024")
    assert "kein gültiges Datum" in refused.text
    post(name=name, document_type=f"{DOC}gutachten-studien", document_date="05.06.2024",
         legal_basis="§ 6 Abs. 3 Nr. 13 ThürTG", contract_value="12.500,50")
    stored = session.get(f"{web}/api/3/action/package_show", params={"id": name}, timeout=30).json()["result"]
    assert (stored["type"], stored["document_type"], stored["document_date"], stored["legal_basis_law"],
            stored["contract_value"]) == ("publication", f"{DOC}gutachten-studien", "2024-06-05", "ThürTG",
                                          "12500.50")


# --- transparency area and search -----------------------------------------------------

def test_transparency_area_lists_publications_with_german_facets(stack, stored):
    page = requests.get(f"{stack['web_url']}/transparenz", params={"q": stored["marker"]}, timeout=60)
    assert page.status_code == 200
    html = page.text
    assert stored["title"] in html
    for heading in ("Dokumentarten", "Behörden", "Jahre", "Gesetze"):
        assert heading in html, heading
    assert "Wesentliche Vertragsinhalte der Daseinsvorsorge" in html   # the facet item's label
    assert "Thüringer Transparenzgesetz (ThürTG)" in html
    assert 'href="/transparenz"' in html   # main navigation
    assert f"1 Veröffentlichung zu „{stored['marker']}“ gefunden" in html
    assert '<span class="item-label">Wesentliche Vertragsinhalte der Daseinsvorsorge</span>' in html  # whole
    # CKAN's htmx update of the results and facets (a click on a facet) keeps the whole labels.
    update = requests.get(f"{stack['web_url']}/transparenz", params={"q": stored["marker"]},
                          headers={"HX-Request": "true"}, timeout=60).text
    assert '<span class="item-label">Wesentliche Vertragsinhalte der Daseinsvorsorge</span>' in update


@pytest.mark.parametrize("facet, value, found", [
    ("vocab_document_type", DOC + "vertraege-daseinsvorsorge", True),
    ("vocab_document_type", DOC + "gutachten-studien", False),
    ("vocab_publication_year", "2024", True),
    ("vocab_publication_year", "2019", False),
    ("vocab_legal_basis_law", "ThürTG", True),
])
def test_transparency_facets_filter(stack, stored, facet, value, found):
    html = requests.get(f"{stack['web_url']}/transparenz", params={"q": stored["marker"], facet: value},
                        timeout=60).text
    assert (stored["title"] in html) is found


def test_publications_appear_in_the_general_search_beside_datasets(stack, api, stored, authority):
    dataset = api("package_create", name=f"daten-{stored['marker']}", title=f"Wasserdaten {stored['marker']}",
                  notes="Messwerte.", owner_org=authority["id"], license_id=DL_BY)
    html = requests.get(f"{stack['web_url']}/dataset", params={"q": stored["marker"]}, timeout=60).text
    assert stored["title"] in html and dataset["title"] in html
    # The transparency area shows publications only; the API is left as CKAN makes it.
    html = requests.get(f"{stack['web_url']}/transparenz", params={"q": stored["marker"]}, timeout=60).text
    assert dataset["title"] not in html
    found = api("package_search", q=stored["marker"], fq="dataset_type:publication")
    assert [r["id"] for r in found["results"]] == [stored["id"]]


def test_publication_page_has_german_labels_and_document_downloads(stack, stored):
    html = requests.get(f"{stack['web_url']}/publication/{stored['name']}", timeout=60).text
    for label in ("Dokumentart", "Aktenzeichen", "32-0815/2024", "Vertragspartner", "Stadtwerke Weimar GmbH",
                  "Berichtszeitraum", "Thüringer Ministerium für Wirtschaft (Test)", "Dokumente", "Herunterladen"):
        assert label in html, label
    assert "Wesentliche Vertragsinhalte der Daseinsvorsorge" in html
    assert f'href="https://example.org/{stored["marker"]}/vertrag.pdf"' in html


def test_metadata_table_lists_only_fields_with_a_value(stack, api, authority):
    """A harvested record fills a few of the ~45 fields; empty rows would bury them."""
    marker = uuid.uuid4().hex[:8]
    sparse = api("package_create", type="publication", name=f"bericht-{marker}", title=f"Bericht {marker}",
                 notes="Ein Tätigkeitsbericht.", owner_org=authority["id"], document_type="Tätigkeitsbericht",
                 file_reference=f"AZ-{marker}")
    html = requests.get(f"{stack['web_url']}/publication/{sparse['name']}", timeout=60).text
    labels = re.findall(r'<th scope="row" class="dataset-label">([^<]+)</th>', html)
    assert "Dokumentart" in labels and "Aktenzeichen" in labels and f"AZ-{marker}" in html
    for empty in ("Vertragspartner", "Vertragswert (EUR)", "Beschlussdatum", "Berichtszeitraum", "Webseite"):
        assert empty not in labels, empty


def test_publication_page_shows_extraction_status_and_matching_passages_once_they_exist(stack, stored):
    """The page uses the full-text helpers (the stack runs the full-text plugin)."""
    from ckan.lib.helpers import helper_functions

    assert {"thueringen_fulltext_status", "thueringen_highlights"} <= set(helper_functions)
    html = requests.get(f"{stack['web_url']}/publication/{stored['name']}", params={"q": "Wasserversorgung"},
                        timeout=60).text
    assert "<th scope=\"col\">Volltext</th>" in html
    assert any(status in html for status in ("Text wird ausgelesen", "Volltext durchsuchbar",
                                               "Text konnte nicht ausgelesen werden"))
    assert "<mark>Wasserversorgung</mark>" in html


# --- DCAT-AP.de -----------------------------------------------------------------------

def test_rdf_export_has_the_document_type_uri(stack, stored):
    response = requests.get(f"{stack['web_url']}/dataset/{stored['name']}.ttl", timeout=60)
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    concept = URIRef(DOC + "vertraege-daseinsvorsorge")
    dataset = next(graph.subjects(DCTERMS.type, concept))
    assert str(graph.value(dataset, DCTERMS.title)) == stored["title"]
    assert {lit.language for lit in graph.objects(concept, SKOS.prefLabel)} == {"de", "en"}
    # ... and the catalogue GovData harvests has it too.
    catalogue = requests.get(f"{stack['web_url']}/catalog.ttl", params={"q": stored["marker"]}, timeout=60)
    graph = Graph().parse(data=catalogue.text, format="turtle")
    assert str(graph.value(next(graph.subjects(DCTERMS.type, concept)), DCTERMS.title)) == stored["title"]


def test_complete_publication_export_has_no_shacl_violation_and_reads_back(stored):
    dataset = helpers.call_action("package_show", id=stored["id"])
    serializer = RDFSerializer(profiles=["dcatap_de"])
    serializer.graph_from_dataset(dataset)
    report = conformance.validate(serializer.g)
    assert report.violations == [], "\n".join(map(str, report.violations))

    parsed = rdf.parse_datasets(serializer.g.serialize(format="turtle"), "turtle").datasets[0].dataset
    for field in ("type", "document_type", "legal_basis", "legal_basis_law", "file_reference", "document_date",
                  "decision_date", "publication_date", "contract_parties", "contract_value", "contract_start",
                  "contract_end", "title"):
        assert parsed.get(field) == dataset[field], field


def test_document_type_vocabulary_is_served_as_skos_at_its_namespace(stack):
    web = stack["web_url"]
    turtle = requests.get(f"{web}/def/document-type", timeout=30)
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    concepts = set(graph.subjects(SKOS.topConceptOf, URIRef(DOC.rstrip("/"))))
    assert len(concepts) == 16 and URIRef(DOC + "gutachten-studien") in concepts
    as_json = requests.get(f"{web}/def/document-type/gutachten-studien", headers={"Accept": "application/ld+json"},
                           timeout=30)
    assert as_json.headers["Content-Type"].startswith("application/ld+json")
    assert (URIRef(DOC + "gutachten-studien"), SKOS.prefLabel, None) in Graph().parse(data=as_json.text,
                                                                                      format="json-ld")
    assert requests.get(f"{web}/def/document-type/kochrezepte", timeout=30).status_code == 404
    # a browser gets a page: labels, the provision, the way to the publications of each type
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = requests.get(f"{web}/def/document-type", headers=browser, timeout=30)
    assert page.headers["Content-Type"].startswith("text/html") and "Accept" in page.headers["Vary"]
    assert "Gutachten und Studien" in page.text and "ThürTG § 6 Abs. 3 Nr. 1" in page.text
    assert "vocab_document_type=" in page.text
    one = requests.get(f"{web}/def/document-type/gutachten-studien", headers=browser, timeout=30)
    assert "<h1>Gutachten und Studien</h1>" in one.text
    assert requests.get(f"{web}/def/document-type?format=ttl", headers=browser,
                        timeout=30).headers["Content-Type"].startswith("text/turtle")


# --- harvesting (2a) ------------------------------------------------------------------

CATALOGUE = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
<{base}/catalog> a dcat:Catalog ; dct:title "Testkatalog" ;
    dcat:dataset <{base}/gutachten>, <{base}/daten> .
<{base}/gutachten> a dcat:Dataset ; dct:title "Gutachten Talsperre {marker}" ;
    dct:description "Gutachten zur Sanierung." ; dct:identifier "gutachten-{marker}" ;
    dct:type "Gutachten" ; dct:issued "2024-05-02"^^xsd:date ;
    dcat:distribution <{base}/gutachten/pdf> .
<{base}/gutachten/pdf> a dcat:Distribution ; dcat:accessURL <https://example.org/gutachten.pdf> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/PDF> ;
    dct:license <http://dcat-ap.de/def/licenses/dl-by-de/2.0> .
<{base}/daten> a dcat:Dataset ; dct:title "Pegeldaten {marker}" ; dct:description "Messwerte." ;
    dct:identifier "pegel-{marker}" ;
    dcat:distribution <{base}/daten/csv> .
<{base}/daten/csv> a dcat:Distribution ; dcat:accessURL <https://example.org/pegel.csv> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
    dct:license <http://dcat-ap.de/def/licenses/dl-by-de/2.0> .
"""


def _types_by_title(api, org_id: str) -> dict[str, tuple[str, str | None]]:
    found = api("package_search", fq=f"owner_org:{org_id} +dataset_type:(dataset OR publication)", rows=50)
    return {r["title"].rsplit(" ", 1)[0]: (r["type"], r.get("document_type")) for r in found["results"]}


def test_harvested_dcat_records_that_are_transparency_documents_become_publications(api, served):
    folder, base_url = served
    urls = []
    for _ in range(2):   # one catalogue per source: the same records in both would be duplicates
        marker = uuid.uuid4().hex[:8]
        (folder / f"{marker}.ttl").write_text(CATALOGUE.format(base=f"https://daten.example.org/{marker}",
                                                               marker=marker), encoding="utf-8")
        urls.append(f"{base_url}/{marker}.ttl")
    by_type = new_org(api, "stadt-gera")
    by_config = new_org(api, "landratsamt-greiz")
    try:
        plain = new_source(api, by_type["id"], "katalog-gera", urls[0])
        configured = new_source(api, by_config["id"], "veroeffentlichungen-greiz", urls[1],
                                dataset_type="publication", document_type="Tätigkeitsbericht")
        jobs = harvest(api, plain["id"], configured["id"])
        for job in jobs.values():
            assert job["report"]["errors"] == [] and job["report"]["counts"]["added"] == 2, job["report"]
        # By dct:type: the record naming "Gutachten" is a publication, the other stays a dataset.
        assert _types_by_title(api, by_type["id"]) == {
            "Gutachten Talsperre": ("publication", DOC + "gutachten-studien"),
            "Pegeldaten": ("dataset", None)}
        # By the source's config: every record is one; the configured type where the record names none.
        assert _types_by_title(api, by_config["id"]) == {
            "Gutachten Talsperre": ("publication", DOC + "gutachten-studien"),
            "Pegeldaten": ("publication", DOC + "taetigkeitsberichte")}
    finally:
        for source_id in CREATED_SOURCES:
            api("harvest_source_clear", id=source_id)
        CREATED_SOURCES.clear()


def test_a_stored_dataset_becomes_a_publication_when_its_source_says_so(api, served):
    """package_update keeps a dataset's type; the harvester changes it when a record
    is reclassified, and keeps the dataset's id and name."""
    folder, base_url = served
    marker = uuid.uuid4().hex[:8]
    (folder / f"{marker}.ttl").write_text(CATALOGUE.format(base=f"https://daten.example.org/{marker}",
                                                           marker=marker), encoding="utf-8")
    org = new_org(api, "stadt-suhl")
    try:
        source = new_source(api, org["id"], "katalog-suhl", f"{base_url}/{marker}.ttl")
        harvest(api, source["id"])
        before = api("package_search", fq=f"owner_org:{org['id']} +dataset_type:dataset", q="Pegeldaten")["results"]
        assert len(before) == 1
        api("harvest_source_update", id=source["id"], name=source["name"], title=source["title"], url=source["url"],
            source_type="dcat_ap_de", owner_org=org["id"], frequency="MANUAL",
            config=json.dumps({"dataset_type": "publication"}))
        job = harvest(api, source["id"])[source["id"]]
        assert job["report"]["errors"] == [] and job["report"]["counts"]["updated"] == 1, job["report"]
        after = api("package_show", id=before[0]["id"])
        assert (after["type"], after["name"], after["document_type"]) == ("publication", before[0]["name"],
                                                                           DOC + "sonstige")
        assert api("package_search", fq=f"owner_org:{org['id']} +dataset_type:dataset")["count"] == 0
    finally:
        for source_id in CREATED_SOURCES:
            api("harvest_source_clear", id=source_id)
        CREATED_SOURCES.clear()


def test_source_config_with_a_wrong_dataset_type_gets_a_german_error(api, authority):
    response = api.raw("harvest_source_create", name=f"falsch-{uuid.uuid4().hex[:6]}", title="Falsch",
                       url="https://example.org/catalog.ttl", source_type="dcat_ap_de", owner_org=authority["id"],
                       frequency="MANUAL", config=json.dumps({"dataset_type": "dokument"}))
    assert response.status_code == 409
    assert "erwartet „dataset“ oder „publication“" in json.dumps(response.json()["error"], ensure_ascii=False)
