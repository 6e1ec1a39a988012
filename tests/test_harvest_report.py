"""Harvest reports on the real stack: the action
`thueringen_harvest_report` over HTTP and the harvest source page.

A served catalogue with one good record and one the database refuses (a
trigger, tests/db_faults.py) is harvested once with the `dcat_ap_de` harvester.
"""
from __future__ import annotations

import json
import re
import uuid

import pytest
import requests

from conftest import ActionApi
from db_faults import refused_title
from harvest_fixtures import harvest, rdf_catalogue, rdf_dataset
from static_server import serve_in_thread

GOOD = "https://bericht.example/1"
BROKEN = "https://bericht.example/2"


@pytest.fixture(scope="module")
def harvested(api, tmp_path_factory):
    """The source after one job over the good and the broken record."""
    folder = tmp_path_factory.mktemp("bericht")
    (folder / "katalog.rdf").write_bytes(rdf_catalogue(
        rdf_dataset(GOOD, "Bericht gut"),
        rdf_dataset(BROKEN, "Bericht kaputt")))
    server = serve_in_thread(folder)
    org = api("organization_create", name=f"bericht-{uuid.uuid4().hex[:6]}", title="Bericht")
    source = api("harvest_source_create", name=f"bericht-{uuid.uuid4().hex[:6]}", title="Bericht",
                 url=f"http://127.0.0.1:{server.server_address[1]}/katalog.rdf", source_type="dcat_ap_de",
                 owner_org=org["id"], frequency="MANUAL", config=json.dumps({}))
    try:
        with refused_title("Bericht kaputt"):
            job = harvest(api, source["id"], timeout=60)[source["id"]]
        yield {"source": source, "job": job}
    finally:
        api("harvest_source_clear", id=source["id"])
        server.shutdown()
        server.server_close()


def _site(api: ActionApi) -> str:
    return api.base_url.rsplit("/api/", 1)[0]


def test_action_gives_counts_and_german_messages(api, harvested):
    report = api("thueringen_harvest_report", id=harvested["source"]["name"])
    assert report["source"]["id"] == harvested["source"]["id"]
    assert report["source"]["status"] == "Finished" and report["source"]["job_count"] == 1
    (job,) = report["jobs"]
    assert job["id"] == harvested["job"]["id"] and job["started"] and job["finished"]
    assert job["counts"] == {"added": 1, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 1, "not_processed": 0}
    (error,) = job["errors"]
    assert error["guid"] == BROKEN
    # What (the record and its title), where (the catalogue), why (the field and value), in German.
    for phrase in (f"Datensatz {BROKEN} („Bericht kaputt“)", harvested["source"]["url"], "wurde nicht übernommen",
                   "interner Fehler beim Speichern", "injected failure for Bericht kaputt"):
        assert phrase in error["message"], error
    # One job by id, and the limit is checked.
    one = api("thueringen_harvest_report", id=harvested["source"]["id"], job_id=job["id"])
    assert [j["id"] for j in one["jobs"]] == [job["id"]]
    assert api.raw("thueringen_harvest_report", id=harvested["source"]["id"], limit="viele").status_code == 409


def test_anonymous_users_get_the_public_report(api, harvested):
    response = requests.post(f"{api.base_url}/thueringen_harvest_report", json={"id": harvested["source"]["id"]},
                             timeout=30)
    assert response.status_code == 200, response.text
    (job,) = response.json()["result"]["jobs"]
    assert job["counts"] == {"added": 1, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 1, "not_processed": 0}
    assert "injected failure for Bericht kaputt" in job["errors"][0]["message"]


def test_anonymous_get_of_the_public_source_page_shows_the_counts(api, harvested):
    page = requests.get(f"{_site(api)}/harvest/{harvested['source']['name']}", timeout=30)
    assert page.status_code == 200, page.text[:500]
    html = page.text
    assert "Harvest-Bericht" in html and "<caption>Letzte Harvest-Läufe, neueste zuerst</caption>" in html
    runs = html[html.index("<caption>Letzte Harvest-Läufe"):]
    runs = runs[:runs.index("</table>")]
    (row,) = re.findall(r'<tr>\s*<th scope="row">.*?</tr>', runs, re.S)
    # finished, status, then added, updated, unchanged, withdrawn, failed, not processed
    assert re.findall(r"<td>(.*?)</td>", row)[1:] == ["Beendet", "1", "0", "0", "0", "1", "0"]
    assert f"Datensatz {BROKEN} („Bericht kaputt“)" in html and "interner Fehler beim Speichern" in html


def test_a_private_source_report_is_hidden_from_anonymous_and_outsiders(api, harvested):
    org_id = harvested["source"]["owner_org"]
    private = api("harvest_source_create", name=f"geheim-{uuid.uuid4().hex[:6]}", title="Geheim",
                  url="http://127.0.0.1:9/geheim.rdf", source_type="dcat_ap_de", owner_org=org_id,
                  frequency="MANUAL", private=True, config=json.dumps({}))
    name = f"fremd-{uuid.uuid4().hex[:6]}"
    api("user_create", name=name, email=f"{name}@example.org", password=uuid.uuid4().hex)
    token = api("api_token_create", user=name, name="bericht")["token"]
    try:
        for user_token in (None, token):
            response = requests.post(f"{api.base_url}/thueringen_harvest_report", json={"id": private["id"]},
                                     headers={"Authorization": user_token} if user_token else {}, timeout=30)
            assert response.status_code == 403, response.text
            assert "Geheim" not in response.text
        assert api("thueringen_harvest_report", id=private["id"])["source"]["status"] is None
    finally:
        api("harvest_source_delete", id=private["id"], clear=True)


def test_source_page_shows_the_report_in_german(api, harvested):
    page = requests.get(f"{_site(api)}/harvest/admin/{harvested['source']['name']}",
                        headers={"Authorization": api.token}, timeout=30)
    assert page.status_code == 200, page.text[:500]
    html = page.text
    assert "Harvest-Bericht" in html and "<caption>Letzte Harvest-Läufe, neueste zuerst</caption>" in html
    for label in ("Hinzugefügt", "Aktualisiert", "Unverändert", "Zurückgezogen", "Fehlgeschlagen",
                  "Nicht bearbeitet"):
        assert f'<th scope="col">{label}</th>' in html, label
    assert '<th scope="row">' in html and "<td>Beendet</td>" in html
    assert "Fehler des letzten Laufs" in html and f"Datensatz {BROKEN} („Bericht kaputt“)" in html
    assert "interner Fehler beim Speichern" in html and "Keine Warnungen." in html


@pytest.mark.parametrize("page", ["x", "0", "-1", "1.5", "99999999999999999999"])
def test_a_bad_page_of_the_source_page_is_a_400(api, harvested, page):
    """ckanext-harvest's own list of a source's datasets answered these with a 500."""
    url = f"{_site(api)}/harvest/{harvested['source']['name']}"
    response = requests.get(url, params={"page": page}, timeout=30)
    assert response.status_code == 400, (page, response.status_code)
    assert "ganze Zahl" in response.text
    first = requests.get(url, params={"page": "1"}, timeout=30)
    assert first.status_code == 200 and "Bericht gut" in first.text
