"""The DCAT-AP.de endpoints of the running portal: syntaxes, content negotiation,
Hydra paging and access control (private datasets and drafts never leak)."""
from __future__ import annotations

import datetime
import time
import uuid

import pytest
import requests
from ckan.tests import factories
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, RDF

from conftest import ActionApi

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SYNTAXES = {"rdf": ("application/rdf+xml", "xml"), "ttl": ("text/turtle", "turtle"),
            "jsonld": ("application/ld+json", "json-ld")}
# hydra:next is followed at most this often: a catalogue that pages on forever fails the test
MAX_PAGES = 100


def _dataset(title: str, **fields) -> dict:
    return {"name": f"ep-{uuid.uuid4().hex[:10]}", "title": title,
            "notes": f"{title}: Beschreibung", "license_id": "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
            "resources": [{"url": "https://example.org/daten.csv", "format": "CSV"}], **fields}


@pytest.fixture(scope="module")
def world(stack):
    """Two organisations, each with a member holding an API token, and in the
    first one a public, a private and a draft dataset."""
    admin = factories.SysadminWithToken()
    admin_api = ActionApi(stack["api_url"], admin["token"])
    org_a = admin_api("organization_create", name=f"kreis-a-{uuid.uuid4().hex[:6]}", title="Landkreis A")
    org_b = admin_api("organization_create", name=f"kreis-b-{uuid.uuid4().hex[:6]}", title="Landkreis B")
    outsider = factories.UserWithToken()
    admin_api("organization_member_create", id=org_b["id"], username=outsider["name"], role="editor")
    public = admin_api("package_create", owner_org=org_a["id"], **_dataset("Öffentliche Haushaltsdaten"))
    private = admin_api("package_create", owner_org=org_a["id"], private=True,
                        **_dataset("Interne Personalplanung"))
    draft = admin_api("package_create", owner_org=org_a["id"], state="draft", **_dataset("Entwurf Bebauungsplan"))
    return {"public": public, "private": private, "draft": draft, "outsider_token": outsider["token"],
            "web": stack["web_url"]}


def _get(url: str, token: str | None = None, **headers) -> requests.Response:
    if token:
        headers["Authorization"] = token
    return requests.get(url, headers=headers, timeout=120)


def _graph(response: requests.Response, rdf_format: str) -> Graph:
    assert response.status_code == 200, response.text[:500]
    return Graph().parse(data=response.content, format=rdf_format)


def _catalog_titles(world, token: str | None = None, q: str | None = None) -> set[str]:
    """Dataset titles in the catalogue, all pages, or those matching the search q."""
    titles, url = set(), f"{world['web']}/catalog.ttl" + (f"?q={q}" if q else "")
    for _ in range(MAX_PAGES):
        graph = _graph(_get(url, token), "turtle")
        titles |= {str(t) for d in graph.subjects(RDF.type, DCAT.Dataset) for t in graph.objects(d, DCTERMS.title)}
        url = next((str(n) for n in graph.objects(None, HYDRA.next)), None)
        if url is None:
            return titles
    raise AssertionError(f"the catalogue has more than {MAX_PAGES} pages (or pages in a circle)")


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_catalogue_in_each_syntax(world, syntax):
    media_type, rdf_format = SYNTAXES[syntax]
    response = _get(f"{world['web']}/catalog.{syntax}")
    assert response.headers["Content-Type"].startswith(media_type)
    graph = _graph(response, rdf_format)
    assert any(graph.subjects(RDF.type, DCAT.Catalog))


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_dataset_in_each_syntax(world, syntax):
    media_type, rdf_format = SYNTAXES[syntax]
    graph = _graph(_get(f"{world['web']}/dataset/{world['public']['name']}.{syntax}"), rdf_format)
    titles = {str(t) for t in graph.objects(None, DCTERMS.title)}
    assert "Öffentliche Haushaltsdaten" in titles


def test_content_negotiation(world):
    catalog = _get(f"{world['web']}/", Accept="text/turtle")
    assert catalog.headers["Content-Type"].startswith("text/turtle")
    assert any(_graph(catalog, "turtle").subjects(RDF.type, DCAT.Catalog))
    dataset = _get(f"{world['web']}/dataset/{world['public']['name']}", Accept="application/ld+json")
    assert dataset.headers["Content-Type"].startswith("application/ld+json")
    assert any(_graph(dataset, "json-ld").subjects(RDF.type, DCAT.Dataset))


def test_catalogue_pages_with_hydra(world, sysadmin_api):
    # More than one page of 100 (ckanext.dcat.datasets_per_page).
    org = sysadmin_api("organization_create", name=f"viele-{uuid.uuid4().hex[:6]}", title="Viele Daten")
    for number in range(101):
        sysadmin_api("package_create", owner_org=org["id"], **_dataset(f"Messreihe {number}"))
    first = _graph(_get(f"{world['web']}/catalog.ttl"), "turtle")
    next_page = next(first.objects(None, HYDRA.next), None)
    assert next_page is not None
    assert int(next(first.objects(None, HYDRA.totalItems))) >= 101
    second = _graph(_get(str(next_page)), "turtle")
    assert any(second.subjects(RDF.type, DCAT.Dataset))


def test_private_dataset_is_invisible_to_anonymous_users(world, anonymous_api):
    private = world["private"]
    assert _get(f"{world['web']}/dataset/{private['id']}.ttl").status_code in (403, 404)
    assert anonymous_api.raw("package_show", id=private["id"]).status_code in (403, 404)
    assert anonymous_api("package_search", q=f"name:{private['name']}")["count"] == 0
    assert "Interne Personalplanung" not in _catalog_titles(world, q=f"name:{private['name']}")


def test_private_dataset_is_invisible_to_members_of_other_organisations(world, stack):
    private, token = world["private"], world["outsider_token"]
    outsider_api = ActionApi(stack["api_url"], token)
    assert _get(f"{world['web']}/dataset/{private['id']}.ttl", token).status_code in (403, 404)
    assert outsider_api.raw("package_show", id=private["id"]).status_code in (403, 404)
    assert outsider_api("package_search", q=f"name:{private['name']}", include_private=True)["count"] == 0
    assert "Interne Personalplanung" not in _catalog_titles(world, token, q=f"name:{private['name']}")


def test_draft_is_invisible_to_anonymous_users_and_other_organisations(world, anonymous_api):
    draft = world["draft"]
    for token in (None, world["outsider_token"]):
        assert _get(f"{world['web']}/dataset/{draft['id']}.ttl", token).status_code in (403, 404)
        assert "Entwurf Bebauungsplan" not in _catalog_titles(world, token, q=f"name:{draft['name']}")
    assert anonymous_api("package_search", q=f"name:{draft['name']}")["count"] == 0


def test_public_dataset_is_in_the_catalogue(world):
    # The same search that finds nothing for the private dataset and the draft.
    assert "Öffentliche Haushaltsdaten" in _catalog_titles(world, q=f"name:{world['public']['name']}")


@pytest.mark.parametrize("path", ["/", "/dataset/{name}"])
def test_content_negotiation_gives_rdf_xml(world, path):
    response = _get(world["web"] + path.format(name=world["public"]["name"]), Accept="application/rdf+xml")
    assert response.headers["Content-Type"].startswith("application/rdf+xml")
    graph = _graph(response, "xml")
    if path == "/":
        assert any(graph.subjects(RDF.type, DCAT.Catalog))
    else:
        assert "Öffentliche Haushaltsdaten" in {str(t) for t in graph.objects(None, DCTERMS.title)}


def test_catalogue_modified_since_leaves_out_older_datasets(world, sysadmin_api):
    org = sysadmin_api("organization_create", name=f"seit-{uuid.uuid4().hex[:6]}", title="Seit wann")
    older = sysadmin_api("package_create", owner_org=org["id"], **_dataset("Ältere Messreihe"))
    time.sleep(1.5)
    since = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    time.sleep(1.5)
    newer = sysadmin_api("package_create", owner_org=org["id"], **_dataset("Neuere Messreihe"))
    query = f"name:({older['name']} OR {newer['name']})"

    def titles(**params) -> set[str]:
        graph = _graph(requests.get(f"{world['web']}/catalog.ttl", params={"q": query, **params}, timeout=120),
                       "turtle")
        return {str(t) for d in graph.subjects(RDF.type, DCAT.Dataset) for t in graph.objects(d, DCTERMS.title)}

    assert titles() == {"Ältere Messreihe", "Neuere Messreihe"}
    assert titles(modified_since=since) == {"Neuere Messreihe"}
    # the same instant in another time zone: converted to UTC
    local = datetime.datetime.fromisoformat(since).astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    assert titles(modified_since=local.isoformat()) == {"Neuere Messreihe"}
    response = requests.get(f"{world['web']}/catalog.ttl", params={"modified_since": "vorgestern"}, timeout=60)
    assert response.status_code == 400 and "ist kein Datum" in response.text
