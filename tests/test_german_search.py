"""German search on the real stack (docs/search.md): datasets are
created through the Action API, their document text is added to the index the
way the full-text plugin does it (the `fulltext` key of the indexed dict), and
German queries go through package_search and the search page."""
from __future__ import annotations

import uuid

import pytest
import requests
from ckan.lib.search.query import QUERY_FIELDS as CKAN_QUERY_FIELDS

from conftest import ActionApi
from search_relevance_set import index_with_fulltext


@pytest.fixture(scope="module")
def corpus(stack):
    """One organisation with the datasets every test searches in."""
    from ckan.tests import factories

    api = ActionApi(stack["api_url"], factories.SysadminWithToken()["token"])
    suffix = uuid.uuid4().hex[:6]
    org = api("organization_create", name=f"suche-{suffix}", title="Stadtverwaltung Suchdorf")

    # key: (title, description, documents' text)
    specs = {
        "haushalt": ("Haushaltspläne 2024", "Die Pläne für Ergebnis- und Finanzhaushalt.", ""),
        "bebauung": ("Bebauungsplan Nr. 12 Am Anger", "Satzungsbeschluss des Stadtrats.", ""),
        "kita": ("Betreuungsplätze in Kindertagesstätten", "Freie Plätze je Einrichtung.", ""),
        "strasse": ("Sanierung der Bahnhofstraße", "Bauabschnitte und Umleitungen.", ""),
        "schloss-sz": ("Besucherzahlen Schloß Friedenstein", "Zählung am Eingang.", ""),
        "schloss-ss": ("Sanierung Schloss Heidecksburg", "Dach und Fassade.", ""),
        "laerm": ("Lärmaktionsplan Stufe 4", "Hauptverkehrsstraßen der Stadt.", ""),
        "berichte": ("Veröffentlichungen des Ordnungsamts", "Gesammelte Dokumente.",
                     "Die Berichte des Ordnungsamts über die Kontrollen im ruhenden Verkehr "
                     "erscheinen vierteljährlich. Stand: 15.05.2023."),
        "satzungen": ("Ortsrecht der Gemeinde", "Geltendes Ortsrecht.",
                      "Inhaltsverzeichnis. Die Gemeinde hat folgende Satzungen erlassen: "
                      "Hauptsatzung, Friedhofssatzung und Gebührensatzung. "
                      "<script>alert(1)</script> Weitere Regelungen folgen."),
        "jahresbericht": ("Jahresbericht der Kämmerei", "Rückblick auf das Jahr.",
                          "Der Haushaltsplan wurde beraten. Der Haushaltsplan 2024 gilt. "
                          "Zum Haushaltsplan gab es Änderungen am Haushaltsplan."),
        "haushaltsplan": ("Haushaltsplan 2024", "Beschlossen vom Stadtrat.", ""),
    }
    datasets = {}
    for number, (key, (title, notes, _fulltext)) in enumerate(specs.items()):
        # names without the words searched for: CKAN's fields index the name too
        datasets[key] = api("package_create", name=f"ds{number}-{suffix}", title=title, notes=notes,
                            owner_org=org["id"])
    for key, (_title, _notes, fulltext) in specs.items():
        if fulltext:
            index_with_fulltext(datasets[key]["id"], fulltext)
    return {"api": api, "org": org, "datasets": datasets}


def search(corpus, q: str, **params) -> list[dict]:
    result = corpus["api"]("package_search", q=q, fq=f"organization:{corpus['org']['name']}", rows=50, **params)
    return result["results"]


def found(corpus, q: str, **params) -> set[str]:
    names = {r["name"] for r in search(corpus, q, **params)}
    return {key for key, dataset in corpus["datasets"].items() if dataset["name"] in names}


@pytest.mark.parametrize("q, expected", [
    ("Haushaltsplan", "haushalt"),          # compound, singular finds "Haushaltspläne"
    ("Plan", "bebauung"),                   # part of a compound
    ("Bebauung", "bebauung"),
    ("Kita", "kita"),                       # synonym of Kindertagesstätte
    ("Kindergarten", "kita"),
    ("Strasse", "strasse"),                 # ss finds ß, inside "Bahnhofstraße"
    ("Bahnhofstrasse", "strasse"),
    ("Schloss", "schloss-sz"),              # ss finds ß
    ("Schloß", "schloss-ss"),               # ß finds ss
    ("Laerm", "laerm"),                     # ae finds ä
    ("Lärm", "laerm"),
    ("Bericht", "berichte"),                # singular finds plural in the document text
    ("Berichte", "jahresbericht"),          # plural finds the part of "Jahresbericht"
    ("Satzung", "satzungen"),
    ("Satzungen", "bebauung"),              # ... and the part of "Satzungsbeschluss"
    ("2023", "berichte"),                   # the year finds the date 15.05.2023
])
def test_german_query_finds(corpus, q, expected):
    assert expected in found(corpus, q)


def test_unrelated_datasets_are_not_found(corpus):
    assert found(corpus, "Kita") == {"kita"}
    assert "schloss-sz" not in found(corpus, "Bahnhofstrasse")


def test_ckan_stock_search_misses_what_the_german_fields_find(corpus):
    """The same queries with CKAN's own English-analysed fields: proof that the
    German analysis, not the data, makes the difference."""
    stock = {"defType": "dismax", "qf": CKAN_QUERY_FIELDS}
    assert "bebauung" not in found(corpus, "Plan", **stock)
    assert "kita" not in found(corpus, "Kita", **stock)
    assert "laerm" not in found(corpus, "Laerm", **stock)
    # CKAN's field folds ß too (ASCIIFoldingFilter): that one both find
    assert "schloss-sz" in found(corpus, "Schloss", **stock)


def test_exact_title_match_ranks_first(corpus):
    results = search(corpus, "Haushaltsplan 2024")
    assert results[0]["name"] == corpus["datasets"]["haushaltsplan"]["name"]
    # the report that only mentions it in its text is found, but further down
    names = [r["name"] for r in results]
    assert corpus["datasets"]["jahresbericht"]["name"] in names[1:]


def test_results_carry_highlighted_snippets_with_escaped_text(corpus):
    result = next(r for r in search(corpus, "Satzung")
                  if r["name"] == corpus["datasets"]["satzungen"]["name"])
    snippets = result["thueringen_highlights"]
    assert snippets and any("<mark>Satzungen</mark>" in s for s in snippets)
    joined = " ".join(snippets)
    assert "<script>" not in joined
    assert "<mark>Hauptsatzung</mark>" in joined   # compound part highlighted in its word


def test_snippets_come_from_the_description_without_document_text(corpus):
    result = next(r for r in search(corpus, "Satzungsbeschluss")
                  if r["name"] == corpus["datasets"]["bebauung"]["name"])
    assert result["thueringen_highlights"] == ["<mark>Satzungsbeschluss</mark> des Stadtrats."]


def test_no_snippets_without_query_words(corpus):
    for result in search(corpus, ""):
        assert result.get("thueringen_highlights", []) == []


def test_helper_gives_one_datasets_snippets(corpus):
    from ckanext.thueringen.helpers import thueringen_highlights

    dataset = corpus["datasets"]["berichte"]
    snippets = thueringen_highlights(dataset["id"], "Kontrolle")
    assert snippets == ["Die Berichte des Ordnungsamts über die <mark>Kontrollen</mark> im ruhenden Verkehr "
                        "erscheinen vierteljährlich. Stand: 15.05.2023."]
    assert thueringen_highlights(dataset["id"], "") == []
    assert thueringen_highlights(dataset["id"], "Friedenstein") == []


def test_search_page_shows_snippets(corpus, stack):
    html = requests.get(f"{stack['web_url']}/dataset/",
                        params={"q": "Satzung", "organization": corpus["org"]["name"]}, timeout=30).text
    assert "<mark>Satzungen</mark>" in html
    assert "Passende Stellen in den Dokumenten:" in html
    assert "&lt;script&gt;" in html and "<script>alert(1)" not in html


def test_fielded_queries_and_filters_keep_working(corpus):
    name = corpus["datasets"]["kita"]["name"]
    assert [r["name"] for r in search(corpus, f"name:{name}")] == [name]
    assert found(corpus, "Kita", fq_list=["tags:nichtvorhanden"]) == set()


@pytest.mark.parametrize("q", ['"Haushalt', "Plan)", "AND OR", "-", "~", "\\", "Kita^", "*", "<script>"])
def test_odd_queries_are_answered_not_failed(corpus, q):
    response = corpus["api"].raw("package_search", q=q, fq=f"organization:{corpus['org']['name']}")
    assert response.status_code == 200 and response.json()["success"] is True


def test_helper_gives_no_snippets_of_a_dataset_the_user_may_not_see(corpus):
    from ckanext.thueringen.helpers import thueringen_highlights
    from ckanext.thueringen.search import query

    private = corpus["api"]("package_create", name=f"privat-{uuid.uuid4().hex[:8]}", title="Interne Akte",
                            notes="Nur für den Dienstgebrauch.", owner_org=corpus["org"]["id"], private=True)
    index_with_fulltext(private["id"], "Der Geheimvermerk bleibt intern.")
    assert query.highlights([private["id"]], "Geheimvermerk")[private["id"]]   # Solr has it ...
    assert thueringen_highlights(private["id"], "Geheimvermerk") == []       # ... anonymous gets nothing
