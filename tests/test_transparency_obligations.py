"""Publication obligations and Atom feeds of the transparency area on the real
stack: the action thueringen_publication_obligations, its page and CSV, the
feed of /transparenz searches, of an authority and of a document type, and the
links to them from the pages."""
from __future__ import annotations

import csv
import datetime
import io
import uuid
import xml.etree.ElementTree as ET

import pytest
import requests

DOC = "https://opendata.thueringen.de/def/document-type/"
LEVEL = "https://opendata.thueringen.de/def/authority-level/"
ATOM = "{http://www.w3.org/2005/Atom}"
THIS_YEAR = datetime.date.today().year


def publication(api, org: dict, title: str, document_type: str, date: str, **more) -> dict:
    return api("package_create", type="publication", name=f"p-{uuid.uuid4().hex[:10]}", title=title,
               notes=more.pop("notes", "Veröffentlichung der Gemeinde."), owner_org=org["id"],
               document_type=DOC + document_type, document_date=date, **more)


@pytest.fixture(scope="module")
def gemeinde(api):
    org = api("organization_create", name=f"gemeinde-{uuid.uuid4().hex[:6]}", title="Gemeinde Pflichtdorf",
              authority_level=LEVEL + "gemeinde")
    made = {
        "haushalt": publication(api, org, "Haushaltssatzung und Haushaltsplan", "organisations-haushalts-stellenplaene",
                                f"{THIS_YEAR}-02-01"),
        "haushalt-alt": publication(api, org, "Haushaltsplan 2019", "organisations-haushalts-stellenplaene",
                                    "2019-01-15"),
        "protokoll-alt": publication(api, org, "Niederschrift Gemeinderat 2020", "sitzungsbeschluesse", "2020-06-03"),
        "privat": publication(api, org, "Vertraulicher Vertrag Geheimwasser", "vertraege-daseinsvorsorge",
                              f"{THIS_YEAR}-03-01", private=True, notes="Geheimwasser ist nicht öffentlich."),
    }
    return {"org": org, "made": made}


def rows_by_type(result: dict) -> dict[str, dict]:
    return {row["document_type"].rsplit("/", 1)[-1]: row for row in result["obligations"]}


def test_obligations_follow_the_level_and_count_public_publications(anonymous_api, gemeinde):
    result = anonymous_api("thueringen_publication_obligations", id=gemeinde["org"]["name"])
    assert result["level"]["label"] == "Gemeinde"
    assert result["years"] == [THIS_YEAR - 1, THIS_YEAR]
    rows = rows_by_type(result)
    # a Gemeinde has no cabinet; it has council meetings
    assert "kabinettsbeschluesse" not in rows and "sitzungsbeschluesse" in rows
    budget = rows["organisations-haushalts-stellenplaene"]
    assert (budget["count"], budget["count_recent"], budget["missing"]) == (2, 1, False)
    assert budget["newest"] == f"{THIS_YEAR}-02-01"
    assert budget["norm"].startswith("ThürTG § 5 Abs. 2")
    minutes = rows["sitzungsbeschluesse"]
    assert (minutes["count"], minutes["newest"], minutes["missing"]) == (1, "2020-06-03", True)
    # the private contract counts for nobody
    assert rows["vertraege-daseinsvorsorge"]["count"] == 0
    assert "vertraege-daseinsvorsorge" in {uri.rsplit("/", 1)[-1] for uri in result["missing"]}


def test_obligations_api_errors_are_german_4xx(anonymous_api):
    missing = anonymous_api.raw("thueringen_publication_obligations", id="gibt-es-nicht")
    assert missing.status_code == 404
    empty = anonymous_api.raw("thueringen_publication_obligations", id="")
    assert empty.status_code == 409 and "Behörde" in str(empty.json()["error"])


def test_obligations_page_and_csv(stack, gemeinde):
    name = gemeinde["org"]["name"]
    page = requests.get(f"{stack['web_url']}/organization/{name}/veroeffentlichungspflichten", timeout=30)
    assert page.status_code == 200
    assert "Veröffentlichungspflichten" in page.text and "ThürTG § 6 Abs. 3 Nr. 8" in page.text
    assert "Geheimwasser" not in page.text
    table = list(csv.DictReader(io.StringIO(requests.get(
        f"{stack['web_url']}/organization/{name}/veroeffentlichungspflichten.csv", timeout=30).text)))
    budget = next(row for row in table if row["document_type"].endswith("organisations-haushalts-stellenplaene"))
    assert (budget["count"], budget["missing"]) == ("2", "nein")
    assert next(row for row in table if row["document_type"].endswith("sitzungsbeschluesse"))["missing"] == "ja"
    # linked from the authority's page and from /transparenz
    authority_page = requests.get(f"{stack['web_url']}/organization/{name}", timeout=30).text
    assert f"/organization/{name}/veroeffentlichungspflichten" in authority_page
    area = requests.get(f"{stack['web_url']}/transparenz", params={"organization": name}, timeout=30).text
    assert f"/organization/{name}/veroeffentlichungspflichten" in area
    index = requests.get(f"{stack['web_url']}/transparenz/veroeffentlichungspflichten", timeout=30)
    assert index.status_code == 200 and "Gemeinde Pflichtdorf" in index.text
    assert requests.get(f"{stack['web_url']}/organization/gibt-es-nicht/veroeffentlichungspflichten",
                        timeout=30).status_code == 404


def feed_entries(stack, **params) -> tuple[ET.Element, list[dict]]:
    response = requests.get(f"{stack['web_url']}/transparenz/feed.atom", params=params, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = [{"title": e.findtext(f"{ATOM}title"), "summary": e.findtext(f"{ATOM}summary") or "",
                "link": e.find(f"{ATOM}link").get("href")} for e in root.findall(f"{ATOM}entry")]
    return root, entries


def test_feeds_of_an_authority_a_document_type_and_a_search(stack, gemeinde):
    name = gemeinde["org"]["name"]
    root, entries = feed_entries(stack, organization=name)
    assert {e["title"] for e in entries} == {"Haushaltssatzung und Haushaltsplan", "Haushaltsplan 2019",
                                             "Niederschrift Gemeinderat 2020"}
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    assert "Gemeinde Pflichtdorf" in root.findtext(f"{ATOM}title")
    entry = next(e for e in entries if e["title"] == "Haushaltsplan 2019")
    assert "Dokumentart: Organisations-, Geschäftsverteilungs-" in entry["summary"]
    assert "Behörde: Gemeinde Pflichtdorf" in entry["summary"]
    assert entry["link"].endswith(f"/publication/{gemeinde['made']['haushalt-alt']['name']}")
    _, by_type = feed_entries(stack, organization=name, vocab_document_type=DOC + "sitzungsbeschluesse")
    assert [e["title"] for e in by_type] == ["Niederschrift Gemeinderat 2020"]
    _, searched = feed_entries(stack, organization=name, q="Haushaltspläne")
    assert {e["title"] for e in searched} == {"Haushaltssatzung und Haushaltsplan", "Haushaltsplan 2019"}


def test_pages_link_their_feeds(stack, gemeinde):
    name = gemeinde["org"]["name"]
    area = requests.get(f"{stack['web_url']}/transparenz", params={"organization": name, "q": "Haushalt"},
                        timeout=30).text
    assert 'type="application/atom+xml"' in area
    assert f"/transparenz/feed.atom?organization={name}&amp;q=Haushalt" in area
    authority_page = requests.get(f"{stack['web_url']}/organization/{name}", timeout=30).text
    assert f"/transparenz/feed.atom?organization={name}" in authority_page


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"q": "Haushalt)"}])
def test_bad_feed_requests_are_4xx_not_500(stack, params):
    response = requests.get(f"{stack['web_url']}/transparenz/feed.atom", params=params, timeout=30)
    assert response.status_code in (200, 400)
