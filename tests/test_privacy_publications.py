"""A private publication and its text never appear for anyone without rights
(docs/transparency.md, "Privacy"): not in search results and their snippets,
the /transparenz page, the Atom feeds (the portal's and CKAN's), dataset and
tag autocomplete, the obligations page, API and CSV, nor in the DCAT-AP.de
catalogue. Checked for an anonymous visitor and for a logged-in user of
another authority; the authority's own member sees it where it belongs."""
from __future__ import annotations

import uuid

import pytest
import requests

from conftest import ActionApi
from search_relevance_set import index_with_fulltext

DOC = "https://opendata.thueringen.de/def/document-type/"



@pytest.fixture(scope="module")
def secret(api, stack):
    from ckan.tests import factories

    marker = f"geheim{uuid.uuid4().hex[:8]}"
    # the authority's name must not hold the marker: its public publication would match it
    org = api("organization_create", name=f"amt-{uuid.uuid4().hex[:8]}", title="Amt für Verschlusssachen",
              authority_level="https://opendata.thueringen.de/def/authority-level/land")
    member = factories.UserWithToken()
    api("organization_member_create", id=org["id"], username=member["name"], role="editor")
    outsider = factories.UserWithToken()
    dataset = api("package_create", type="publication", name=f"privat-{marker}", private=True,
                  title=f"Vermerk {marker}", notes=f"Interner Vermerk {marker}.", owner_org=org["id"],
                  document_type=DOC + "gutachten-studien", document_date="2025-01-10", tag_string=marker)
    # indexed again here with its text, by the portal's plugins (loaded as CKAN's
    # with_plugins does, which a module fixture cannot use) so that it keeps
    # its publication fields (document type, year) in the index
    import ckan.plugins

    ckan.plugins.load_all()
    try:
        index_with_fulltext(dataset["id"], f"Der Inhalt {marker}text bleibt intern.")
    finally:
        ckan.plugins.unload_all()
    public = api("package_create", type="publication", name=f"offen-{uuid.uuid4().hex[:8]}", title="Öffentliches Gutachten",
                 notes="Für alle.", owner_org=org["id"], document_type=DOC + "gutachten-studien",
                 document_date="2025-01-10")
    return {"marker": marker, "org": org, "dataset": dataset, "public": public, "stack": stack,
            "member": ActionApi(stack["api_url"], member["token"]),
            "outsider_token": outsider["token"], "member_token": member["token"]}


def visitors(secret):
    """(name, headers) of everyone without rights on the private publication."""
    return [("anonym", {}), ("fremde Behörde", {"Authorization": secret["outsider_token"]})]


def get(secret, path: str, headers: dict, **params) -> requests.Response:
    return requests.get(f"{secret['stack']['web_url']}{path}", params=params, headers=headers, timeout=60)


def test_search_results_and_snippets(secret):
    marker = secret["marker"]
    for who, headers in visitors(secret):
        for q in (marker, f"{marker}text"):
            body = get(secret, "/api/3/action/package_search", headers, q=q, include_private="true").json()
            assert body["result"]["count"] == 0, who
        for path in ("/transparenz", "/dataset/"):
            page = get(secret, path, headers, q=f"{marker}text")
            assert page.status_code == 200, (who, path)
            assert f"Vermerk {marker}" not in page.text and "bleibt intern" not in page.text, (who, path)
    # the authority's member finds it, with its snippet: the data is there
    found = secret["member"]("package_search", q=f"{marker}text", include_private=True)
    assert found["count"] == 1 and found["results"][0]["thueringen_highlights"]


def test_feeds(secret):
    marker, org = secret["marker"], secret["org"]["name"]
    paths = [("/transparenz/feed.atom", {"organization": org}), ("/transparenz/feed.atom", {"q": marker}),
             (f"/feeds/organization/{org}.atom", {}), ("/feeds/dataset.atom", {}),
             ("/feeds/custom.atom", {"q": marker}), (f"/feeds/tag/{marker}.atom", {})]
    for who, headers in [*visitors(secret), ("Mitglied", {"Authorization": secret["member_token"]})]:
        for path, params in paths:
            response = get(secret, path, headers, **params)
            assert response.status_code == 200, (who, path)
            assert f"Vermerk {marker}" not in response.text and f"privat-{marker}" not in response.text, (who, path)
    assert "Öffentliches Gutachten" in get(secret, "/transparenz/feed.atom", {}, organization=org).text


def test_autocomplete(secret):
    marker = secret["marker"]
    for who, headers in visitors(secret):
        datasets = get(secret, "/api/2/util/dataset/autocomplete", headers, incomplete=f"Vermerk {marker}").json()
        assert datasets["ResultSet"]["Result"] == [], who
        action = get(secret, "/api/3/action/package_autocomplete", headers, q=marker).json()
        assert action["result"] == [], who
        tags = get(secret, "/api/2/util/tag/autocomplete", headers, incomplete=marker).json()
        assert tags["ResultSet"]["Result"] == [], who
    assert secret["member"]("package_autocomplete", q=f"Vermerk {marker}")


def test_obligations_page_api_and_csv(secret):
    org = secret["org"]["name"]
    for who, headers in [*visitors(secret), ("Mitglied", {"Authorization": secret["member_token"]})]:
        result = get(secret, "/api/3/action/thueringen_publication_obligations", headers, id=org).json()["result"]
        studies = next(row for row in result["obligations"] if row["document_type"].endswith("gutachten-studien"))
        assert studies["count"] == 1, who          # the public one only
        for path in (f"/organization/{org}/veroeffentlichungspflichten",
                     f"/organization/{org}/veroeffentlichungspflichten.csv"):
            assert "Vermerk" not in get(secret, path, headers).text, (who, path)


def test_dcat_catalogue(secret):
    marker = secret["marker"]
    for who, headers in visitors(secret):
        for path, params in (("/catalog.ttl", {"q": marker}), ("/catalog.ttl", {}),
                             (f"/dataset/privat-{marker}.ttl", {})):
            text = get(secret, path, headers, **params).text
            assert f"Vermerk {marker}" not in text and "bleibt intern" not in text, (who, path)
