"""ckanext-dcat's content negotiation: `/` and `/dataset/<id>` asked for RDF.

- `/` with an RDF Accept header is the catalogue, with the catalogue's checks:
  a bad query, page or date gets the same German 400 as /catalog.ttl (ckanext-dcat
  answered 409), and without an RDF Accept header it stays the home page.
- A private dataset's RDF (/dataset/<id>.ttl, or /dataset/<id> asked for Turtle)
  is not found for those who may not see it, exactly like a dataset that does
  not exist (ckanext-dcat's 403 told that it exists); members get it.
"""
from __future__ import annotations

import pytest
import requests

from security.world import World

TURTLE = {"Accept": "text/turtle"}
BAD_PARAMETERS = [({"q": "{!lucene}title:x"}, "Die Suchanfrage ist ungültig"),
                  ({"q": "title:("}, "Die Suchanfrage ist ungültig"),
                  ({"page": "0"}, "Die Seite muss eine ganze Zahl"),
                  ({"modified_since": "99999999999"}, "ist kein Datum")]


def _get(world: World, path: str, role: str = "anonymous", headers: dict | None = None, **params):
    token = world.roles[role].token
    return requests.get(world.web + path, params=params, timeout=120,
                        headers={**(headers or {}), **({"Authorization": token} if token else {})})


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json",
                                    "text/turtle;q=0.9, text/html;q=0.1"])
@pytest.mark.parametrize("params, message", BAD_PARAMETERS)
def test_the_home_page_asked_for_rdf_answers_bad_parameters_like_the_catalogue(world: World, accept, params, message):
    response = _get(world, "/", headers={"Accept": accept}, **params)
    assert response.status_code == 400, (response.status_code, response.text[:300])
    assert message in response.text
    assert response.status_code == _get(world, "/catalog.ttl", **params).status_code


def test_the_home_page_negotiates_the_catalogue_and_html(world: World):
    turtle = _get(world, "/", headers=TURTLE)
    assert turtle.status_code == 200
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    assert "dcat:Catalog" in turtle.text
    page = _get(world, "/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'lang="de"' in page.text


@pytest.mark.parametrize("role", ["anonymous", "other_editor", "non_member"])
@pytest.mark.parametrize("form", ["{name}.ttl", "{name}.rdf", "{name}.jsonld", "{name}"])
def test_a_private_datasets_rdf_is_not_found_like_a_missing_one(world: World, role, form):
    private = _get(world, "/dataset/" + form.format(name=world.private["name"]), role, TURTLE)
    missing = _get(world, "/dataset/" + form.format(name=f"gibt-es-nicht-{world.suffix}"), role, TURTLE)
    assert private.status_code == missing.status_code == 404, (private.status_code, missing.status_code)
    assert world.private["id"] not in private.text


def test_a_member_gets_the_private_datasets_rdf(world: World):
    response = _get(world, f"/dataset/{world.private['name']}.ttl", "member")
    assert response.status_code == 200
    assert world.private["name"] in response.text or world.private["id"] in response.text
