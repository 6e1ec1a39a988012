"""Metadata quality on the real stack: CKAN (gunicorn) notes each saved
dataset in Redis, the stack's `quality-worker` scores it from its DCAT-AP.de
export and stores it; the dataset page, the API, the search facet and sorting,
and the authority's quality page show it. Private datasets stay private."""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from ckan import model

from ckanext.thueringen.linkcheck import results as linkcheck
from conftest import ActionApi, wait_until
from harvest_fixtures import harvest, new_org, new_source, rdf_catalogue, rdf_dataset

JOB_TIMEOUT = 120
CSV = "http://publications.europa.eu/resource/authority/file-type/CSV"


def _dataset(org_id: str, **overrides) -> dict:
    name = f"qualitaet-{uuid.uuid4().hex[:10]}"
    dataset = {
        "name": name, "title": f"Haushaltsplan {name}", "owner_org": org_id,
        "notes": "Der beschlossene Haushaltsplan.",
        "license_id": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
        "theme": ["http://publications.europa.eu/resource/authority/data-theme/ECON"],
        "contact": [{"name": "Kämmerei", "email": "kaemmerei@jena.example"}],
        "tag_string": "Haushalt",
        "resources": [{"url": f"http://127.0.0.1:9/{name}.csv", "name": "Haushalt (CSV)", "format": CSV}],
    }
    dataset.update(overrides)
    return dataset


@pytest.fixture
def organization(sysadmin_api):
    suffix = uuid.uuid4().hex[:8]
    return sysadmin_api("organization_create", name=f"qualitaet-{suffix}", title=f"Qualitätsamt {suffix}")


def _scored(api: ActionApi, dataset_id: str, after: str | None = None):
    def check():
        found = api("thueringen_quality_show", id=dataset_id)
        if found.get("score") is None or (after and found["scored_at"] <= after):
            return None
        return found
    return wait_until(check, JOB_TIMEOUT, what=f"score of {dataset_id} by the quality worker")


def test_an_edit_is_rescored_by_the_worker_and_shown_on_page_api_and_search(sysadmin_api, anonymous_api,
                                                                           organization, stack):
    created = sysadmin_api("package_create", **_dataset(organization["id"]))
    first = _scored(anonymous_api, created["id"])
    assert first["score"] > 0 and first["band"] in ("excellent", "good", "sufficient", "bad")
    missing = {a["metric"] for a in first["advice"]}
    assert "temporal" in missing and "keyword" not in missing
    assert "quality" not in anonymous_api("package_show", id=created["id"])
    assert anonymous_api("package_show", id=created["id"], include_quality=True)["quality"]["score"] == \
        first["score"]

    # an edit that adds the time period gains exactly the 20 points of dct:temporal
    sysadmin_api("package_patch", id=created["id"],
                 temporal_coverage=[{"start": "2024-01-01", "end": "2024-12-31"}])
    second = _scored(anonymous_api, created["id"], after=first["scored_at"])
    assert second["score"] == first["score"] + 20
    assert "temporal" not in {a["metric"] for a in second["advice"]}

    # the search: facet, filter and sorting by score
    def indexed():
        found = anonymous_api("package_search", fq=f"quality_band:{second['band']} owner_org:{organization['id']}",
                              **{"facet.field": '["quality_band"]'})
        return found if found["count"] == 1 else None
    found = wait_until(indexed, 30, what="the rating in Solr")
    assert found["results"][0]["id"] == created["id"]
    assert {i["name"] for i in found["search_facets"]["quality_band"]["items"]} == {second["band"]}

    page = requests.get(f"{stack['web_url']}/dataset/{created['name']}", timeout=30)
    assert page.status_code == 200
    assert "Metadatenqualität" in page.text
    assert f"{second['score']} von 405 Punkten" in page.text
    for advice in second["advice"]:
        assert html.escape(advice["text"]) in page.text
        assert f"<code>{advice['property']}</code>" in page.text


def test_sorting_by_score_and_the_authority_page_with_csv(sysadmin_api, anonymous_api, organization, stack):
    good = sysadmin_api("package_create", **_dataset(organization["id"]))
    poor = sysadmin_api("package_create", **_dataset(organization["id"], tag_string="", theme=[], contact=[]))
    good_score = _scored(anonymous_api, good["id"])["score"]
    poor_score = _scored(anonymous_api, poor["id"])["score"]
    assert poor_score == good_score - 30 - 30 - 20  # keyword, theme, contact point

    def sorted_search(order):
        found = anonymous_api("package_search", fq=f"owner_org:{organization['id']} quality_score:[* TO *]",
                              sort=f"quality_score {order}")
        return [d["id"] for d in found["results"]] if found["count"] == 2 else None
    assert wait_until(lambda: sorted_search("asc"), 30, what="both indexed") == [poor["id"], good["id"]]
    assert sorted_search("desc") == [good["id"], poor["id"]]
    # the search page's own order "Beste Metadatenqualität"
    page = requests.get(f"{stack['web_url']}/dataset/", timeout=30, params={
        "organization": organization["name"], "sort": "quality_score desc, metadata_modified desc"}).text
    assert "Beste Metadatenqualität" in page
    assert page.index(f'/dataset/{good["name"]}"') < page.index(f'/dataset/{poor["name"]}"')

    summary = anonymous_api("thueringen_quality_summary", organization=organization["name"])
    assert summary["datasets"] == 2
    assert summary["average"] == (good_score + poor_score) / 2
    assert summary["top_advice"][0]["metric"] in {"access_url_answers", "download_url_answers", "keyword"}
    assert summary["trend"][-1]["day"] == dt.datetime.now(dt.UTC).date().isoformat()

    page = requests.get(f"{stack['web_url']}/organization/{organization['name']}/qualitaet", timeout=30)
    assert page.status_code == 200
    assert "Was am meisten Punkte bringt" in page.text
    assert "Schlagworte (tag_string)" in page.text
    response = requests.get(f"{stack['web_url']}/organization/{organization['name']}/qualitaet.csv", timeout=30)
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == [poor["name"], good["name"]]

    ranking = requests.get(f"{stack['web_url']}/qualitaet", timeout=30)
    assert ranking.status_code == 200 and organization["title"] in ranking.text


def test_broken_links_from_the_link_checker_show_on_the_authority_page(sysadmin_api, anonymous_api,
                                                                       organization, stack):
    created = sysadmin_api("package_create", **_dataset(organization["id"]))
    first = _scored(anonymous_api, created["id"])
    url = created["resources"][0]["url"]
    linkcheck.record(linkcheck.LinkCheck(url, 404, "text/html", None, None, dt.datetime.now()), None)
    model.Session.commit()
    summary = anonymous_api("thueringen_quality_summary", organization=organization["id"])
    assert [link["url"] for link in summary["broken_links"]] == [url]
    page = requests.get(f"{stack['web_url']}/organization/{organization['name']}/qualitaet", timeout=30)
    assert url in page.text
    # the URL answers now: exported as the access URL (the resource has no download URL), it earns
    # its 50 points once rescored
    linkcheck.record(linkcheck.LinkCheck(url, 200, "text/csv", 10, None, dt.datetime.now()), None)
    model.Session.commit()
    sysadmin_api("package_patch", id=created["id"], notes="Geändert.")
    second = _scored(anonymous_api, created["id"], after=first["scored_at"])
    assert second["score"] == first["score"] + 50
    assert "download_url_answers" in {a["metric"] for a in second["advice"]}


def test_private_datasets_score_is_for_members_only(sysadmin_api, anonymous_api, organization, stack):
    from ckan.tests import factories

    private = sysadmin_api("package_create", **_dataset(organization["id"], private=True))
    public = sysadmin_api("package_create", **_dataset(organization["id"]))
    _scored(sysadmin_api, private["id"])
    _scored(sysadmin_api, public["id"])

    response = anonymous_api.raw("thueringen_quality_show", id=private["id"])
    assert response.status_code == 403
    outsider = factories.UserWithToken()
    assert anonymous_api.raw("thueringen_quality_show", token=outsider["token"], id=private["id"]).status_code == 403
    assert anonymous_api.raw("package_show", id=private["id"], include_quality=True).status_code == 403
    assert anonymous_api.raw("thueringen_quality_show", id="gibt-es-nicht").status_code == 404
    assert anonymous_api.raw("thueringen_quality_show").status_code == 409

    assert anonymous_api("thueringen_quality_summary", organization=organization["id"])["datasets"] == 1
    member = factories.UserWithToken()
    sysadmin_api("organization_member_create", id=organization["id"], username=member["name"], role="member")
    member_api = ActionApi(stack["api_url"], member["token"])
    assert member_api("thueringen_quality_show", id=private["id"])["score"] is not None
    assert member_api("thueringen_quality_summary", organization=organization["id"])["datasets"] == 2
    csv_rows = requests.get(f"{stack['web_url']}/organization/{organization['name']}/qualitaet.csv", timeout=30)
    assert private["name"] not in csv_rows.text and public["name"] in csv_rows.text
    assert private["name"] not in requests.get(f"{stack['web_url']}/organization/{organization['name']}/qualitaet",
                                               timeout=30).text


def test_a_harvest_import_is_scored_by_the_worker(sysadmin_api, anonymous_api, served):
    folder, base = served
    name = f"qualitaet-{uuid.uuid4().hex[:6]}"
    (folder / f"{name}.rdf").write_bytes(rdf_catalogue(*(
        rdf_dataset(f"https://{name}.example/{i}", f"Qualitätsprobe {i}") for i in range(3))))
    org = new_org(sysadmin_api, "qualitaetsprobenamt")
    source = new_source(sysadmin_api, org["id"], name, f"{base}/{name}.rdf")
    harvest(sysadmin_api, source["id"])
    found = anonymous_api("package_search", fq=f"owner_org:{org['id']}", rows=10)
    assert found["count"] == 3
    scores = [_scored(anonymous_api, dataset["id"]) for dataset in found["results"]]
    # theme, format CSV, licence: the same record three times, the same score
    assert len({s["score"] for s in scores}) == 1
    assert {"keyword", "temporal", "spatial"} <= {a["metric"] for a in scores[0]["advice"]}
    summary = anonymous_api("thueringen_quality_summary", organization=org["id"])
    assert summary["datasets"] == 3 and summary["top_advice"]


def test_rescore_command_scores_now_and_refuses_unknown_datasets(sysadmin_api, anonymous_api, organization, stack):
    created = sysadmin_api("package_create", **_dataset(organization["id"]))
    first = _scored(anonymous_api, created["id"])
    ckan = [str(Path(sys.executable).parent / "ckan"), "-c", stack["ckan_ini"], "thueringen", "quality", "rescore"]
    done = subprocess.run([*ckan, created["name"], "--now"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "1 Datensatz/Datensätze bewertet" in done.stdout
    assert anonymous_api("thueringen_quality_show", id=created["id"])["scored_at"] > first["scored_at"]
    refused = subprocess.run([*ckan, "gibt-es-nicht"], capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "gibt es nicht" in refused.stderr



def test_a_worker_reindexing_a_dataset_never_undoes_a_save_made_meanwhile(sysadmin_api, organization, stack):
    """A worker reads the dataset, then (slowed down here) sends it to Solr; a
    save comes in between. Solr ends with the saved version, not the worker's."""
    import time

    from ckan.lib.search.common import make_connection

    from conftest import wait_until_scored

    created = sysadmin_api("package_create", **_dataset(organization["id"], title="Vor dem Speichern"))
    wait_until_scored([created["id"]])
    # a process as the workers are (CKAN's app from the stack's ini), indexing through
    # search.reindex with the step to Solr delayed by 4 s
    worker = subprocess.Popen([sys.executable, str(Path(__file__).parent / "slow_reindex.py"), stack["ckan_ini"],
                               created["id"], "4"], stdout=subprocess.PIPE, text=True)
    assert worker.stdout.readline().strip() == "read"
    sysadmin_api("package_patch", id=created["id"], title="Nach dem Speichern")
    assert worker.wait(60) == 0

    time.sleep(2)   # Solr's soft commit
    docs = make_connection().search(q=f'id:"{created["id"]}"', fl="title").docs
    assert docs[0]["title"] == "Nach dem Speichern"
