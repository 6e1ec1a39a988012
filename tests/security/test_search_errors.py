"""The DCAT catalogue and the search pages: a bad query, page or date gets a
German 4xx with its real status, never a 500 or an error page with 200; a
search of several words gets a catalogue with correctly encoded Hydra URIs."""
from __future__ import annotations

from urllib.parse import quote_plus

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from security.world import World, dataset_dict

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SYNTAXES = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}
BAD_QUERIES = ["{!lucene}title:x", "{!func}1", "_query_:\"{!dismax}x\"", "_val_:\"recip(1,2,3,4)\"",
               "title:(", "title:[* TO"]


@pytest.fixture(scope="module")
def two_words(world: World) -> str:
    """A search of two words that finds a public dataset."""
    words = f"Zweiwort{world.suffix} Suche"
    world.admin("package_create", owner_org=world.org_a["id"], **dataset_dict(f"{words} im Katalog"))
    return words


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_a_search_of_several_words_pages_with_encoded_uris(world: World, two_words, syntax):
    response = world.roles["anonymous"].get(f"/catalog.{syntax}", q=two_words)
    assert response.status_code == 200, response.text[:300]
    graph = Graph().parse(data=response.content, format=SYNTAXES[syntax])
    current = str(next(graph.subjects(RDF.type, HYDRA.PagedCollection)))
    assert current.endswith(f"/catalog.{syntax}?q={quote_plus(two_words)}&page=1"), current
    assert int(next(graph.objects(URIRef(current), HYDRA.totalItems))) >= 1


@pytest.mark.parametrize("query", BAD_QUERIES)
@pytest.mark.parametrize("path", ["/catalog.ttl", "/catalog.rdf", "/catalog.jsonld"])
def test_bad_catalogue_queries_get_a_german_400(world: World, path, query):
    response = world.roles["anonymous"].get(path, q=query)
    assert response.status_code == 400, response.text[:300]
    assert "Die Suchanfrage ist ungültig" in response.text


@pytest.mark.parametrize("role", ["anonymous", "member"])
@pytest.mark.parametrize("query", BAD_QUERIES)
@pytest.mark.parametrize("path", ["/dataset/", "/transparenz", "/organization/{org}"])
def test_search_pages_show_search_errors_with_400(world: World, path, query, role):
    response = world.roles[role].get(path.format(org=world.org_a["name"]), q=query)
    assert response.status_code == 400, response.text[:300]
    assert 'lang="de"' in response.text


@pytest.mark.parametrize("params", [{"page": "1000000000"}, {"page": "0"}, {"page": "-3"}, {"page": "zwei"},
                                    {"page": "10001"}])
def test_catalogue_pages_are_bounded(world: World, params):
    response = world.roles["anonymous"].get("/catalog.ttl", **params)
    assert response.status_code == 400
    assert "Die Seite muss eine ganze Zahl von 1 bis 10000 sein" in response.text


@pytest.mark.parametrize("path", ["/dataset/", "/transparenz"])
def test_search_page_numbers_beyond_solr_get_400(world: World, path):
    assert world.roles["anonymous"].get(path, page="1000000000").status_code == 400


@pytest.mark.parametrize("since", ["99999999999", "gestern", "2024-13-45", "0000-01-01"])
def test_catalogue_dates_are_checked(world: World, since):
    response = world.roles["anonymous"].get("/catalog.ttl", modified_since=since)
    assert response.status_code == 400
    assert "ist kein Datum" in response.text


@pytest.mark.parametrize("since", ["2024-01-01", "2024-01-01T00:00:00+02:00", "2024-01-01T00:00:00Z"])
def test_catalogue_dates_in_iso_forms_are_read(world: World, since):
    assert world.roles["anonymous"].get("/catalog.ttl", modified_since=since).status_code == 200


@pytest.mark.parametrize("path", ["/catalog.xyz", "/catalog.html", "/catalog.ttl2"])
def test_unknown_catalogue_formats_are_not_found(world: World, path):
    response = world.roles["anonymous"].get(path)
    assert response.status_code == 404
    assert 'lang="de"' in response.text


def test_the_catalogue_actions_refuse_bad_queries_and_formats(world: World):
    anonymous = world.roles["anonymous"].api
    for params in ({"q": "{!lucene}x"}, {"q": "title:("}, {"format": "xyz"}, {"page": "1000000000"},
                   {"modified_since": "99999999999"}):
        response = anonymous.raw("dcat_catalog_search", **params)
        assert response.status_code == 409, (params, response.text[:300])
        assert response.json()["success"] is False
    assert world.roles["anonymous"].get("/dcat.json", page="1000000000").status_code < 500
    assert world.roles["anonymous"].get("/dcat.json", modified_since="99999999999").status_code < 500


def test_error_pages_answer_with_their_status(world: World):
    anonymous = world.roles["anonymous"]
    assert anonymous.get("/dataset/diesen-datensatz-gibt-es-nicht").status_code == 404
    assert anonymous.get("/nicht/vorhanden").status_code == 404
    assert anonymous.get(f"/dataset/{world.private['name']}").status_code in (403, 404)
    assert anonymous.get("/dataset/", page="zwei").status_code == 400
