"""The feed harvester (`feed`) and the FragDenStaat harvester (`fragdenstaat`) against the real stack.

Feeds are served from 127.0.0.1 by ckanext.thueringen's static server (the demo
feed with its generated documents, as `make run` serves it); FragDenStaat by the
local stand-in of froide's API (tests/fragdenstaat_server.py). Jobs run through
the stack's Redis queues, gather and fetch consumers, PostgreSQL and Solr; counts
and messages come from `harvesters.report.job_report`.
    .venv/bin/python -m pytest --ckan-ini=var/<profile>/ckan.ini tests/test_harvest_publications.py
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import ckan.model as model
import pytest
import requests

from conftest import wait_until
from demo_documents import write_documents
from feed_samples import ATOM
from fragdenstaat_server import FragDenStaatServer
from harvest_fixtures import counts, harvest, messages, new_org, new_source, solr_stamps
from static_server import serve_in_thread

DEMO_CATALOGS = Path(__file__).resolve().parents[1] / "config" / "demo" / "catalogs"
DEMO_FEED = "schwarzaburg-veroeffentlichungen.atom"
DOC = "https://opendata.thueringen.de/def/document-type/"


def publications(org_id: str) -> dict[str, model.Package]:
    """The publications of an organisation (also withdrawn ones), by identifier."""
    model.Session.remove()
    found = model.Session.query(model.Package).filter(model.Package.owner_org == org_id,
                                                      model.Package.type == "publication").all()
    return {p.extras["identifier"]: p for p in found}


def stamps(org_id: str) -> dict[str, tuple[str, str]]:
    return {p.id: (p.metadata_modified.isoformat(), p.state) for p in publications(org_id).values()}


def texts_indexed(api, org_id: str) -> bool:
    """No document of the organisation's publications waits for its text: the
    full-text worker re-indexes a publication when it has read a document (and
    only then marks it done), which would change Solr's stamps."""
    return not any(status["status"] == "pending"
                   for package in publications(org_id).values() if package.state == "active"
                   for status in api("thueringen_fulltext_status", id=package.id)["resources"])


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The demo catalogues with their generated documents, and a folder for test feeds."""
    documents = tmp_path_factory.mktemp("demo-documents")
    write_documents(DEMO_CATALOGS, documents)
    feeds = tmp_path_factory.mktemp("feeds")
    demo = serve_in_thread(DEMO_CATALOGS, more_directories=(documents,))
    own = serve_in_thread(feeds)
    yield (f"http://127.0.0.1:{demo.server_address[1]}", feeds, f"http://127.0.0.1:{own.server_address[1]}")
    for server in (demo, own):
        server.shutdown()
        server.server_close()


# --- the feed harvester ----------------------------------------------------------------

def test_demo_feed_is_harvested_into_typed_publications_with_documents(api, stack, served):
    demo_url, _feeds, _base = served
    org = new_org(api, "feed-demo")
    source = new_source(api, org["id"], "feed-demo", f"{demo_url}/{DEMO_FEED}", "feed", document_type="sonstige")
    job = harvest(api, source["id"])[source["id"]]
    assert counts(job) == {"added": 21, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0, "not_processed": 0}, messages(job)
    found = publications(org["id"])
    assert len(found) == 21 and all(p.state == "active" for p in found.values())
    shown = api("package_show", id=found["tag:schwarzaburg.example,2024:veroeffentlichung/haushaltssatzung-2025"].id)
    assert shown["type"] == "publication"
    assert shown["document_type"] == DOC + "organisations-haushalts-stellenplaene"
    assert shown["publication_date"] == "2025-02-14"
    assert [r["url"] for r in shown["resources"]] == [f"{demo_url}/dokumente/haushaltssatzung-2025.pdf",
                                                      f"{demo_url}/dokumente/haushaltsplan-2025-anlagen.pdf"]
    assert requests.get(shown["resources"][0]["url"], timeout=10).content.startswith(b"%PDF-")
    kinds = {p.extras.get("document_type") for p in found.values()}
    assert len(kinds) >= 12   # 13 of the 16 document types (a town has no cabinet)
    searched = api("package_search", fq=f"owner_org:{org['id']} +dataset_type:publication", rows=0)
    assert searched["count"] == 21


def test_feed_reharvest_changes_withdrawals_and_the_guard(api, stack, served):
    _demo, feeds, base = served
    single = ATOM.replace(b'<link rel="next" href="veroeffentlichungen/feed.atom?page=2"/>', b"")
    (feeds / "amt.atom").write_bytes(single)   # complete (fh:complete), 3 usable entries, 2 skipped
    org = new_org(api, "feed-amt")
    source = new_source(api, org["id"], "feed-amt", f"{base}/amt.atom", "feed", document_type="sonstige")

    first = harvest(api, source["id"])[source["id"]]
    assert counts(first) == {"added": 3, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0, "not_processed": 0}, messages(first)
    warnings = "\n".join(first["report"]["job_errors"])
    assert "Warnung: Eintrag „Eintrag ohne Kennung und ohne Link“" in warnings and "keinen Titel" in warnings
    second = harvest(api, source["id"])[source["id"]]
    assert counts(second) == {"added": 0, "updated": 0, "unchanged": 3, "withdrawn": 0, "failed": 0, "not_processed": 0}
    wait_until(lambda: texts_indexed(api, org["id"]), timeout=120, interval=1, what="the documents' texts indexed")
    before, indexed = stamps(org["id"]), solr_stamps(stack, org["id"], "publication")
    third = harvest(api, source["id"])[source["id"]]
    assert counts(third) == {"added": 0, "updated": 0, "unchanged": 3, "withdrawn": 0, "failed": 0, "not_processed": 0}
    assert stamps(org["id"]) == before and solr_stamps(stack, org["id"], "publication") == indexed   # nothing written

    changed = single.replace(b"<title>Konzessionsvertrag Stromnetz</title>",
                             b"<title>Konzessionsvertrag Stromnetz 2025</title>") \
        .replace(b"<title>Mitteilung ohne Kategorie</title>", b"")   # now without title: skipped, so vanished
    (feeds / "amt.atom").write_bytes(changed)
    fourth = harvest(api, source["id"])[source["id"]]
    assert counts(fourth) == {"added": 0, "updated": 1, "unchanged": 1, "withdrawn": 1, "failed": 0, "not_processed": 0}, messages(fourth)
    found = publications(org["id"])
    assert found["tag:example-amt.de,2024:vertrag-88"].title == "Konzessionsvertrag Stromnetz 2025"
    assert found["https://www.example-amt.de/v/ohne-kategorie"].state == "deleted"

    # the guard: an empty (complete) feed withdraws nothing and says why
    (feeds / "amt.atom").write_bytes(b'<feed xmlns="http://www.w3.org/2005/Atom" '
                                     b'xmlns:fh="http://purl.org/syndication/history/1.0"><title>leer</title>'
                                     b'<fh:complete/></feed>')
    fifth = harvest(api, source["id"])[source["id"]]
    assert counts(fifth)["withdrawn"] == 0
    assert "lieferte 0 Datensätze, zuletzt waren es 2" in messages(fifth)
    assert [p.state for p in publications(org["id"]).values()].count("active") == 2


def test_incomplete_feed_withdraws_only_tombstoned_entries(api, served):
    _demo, feeds, base = served
    # another authority's identifiers: the same ones would be duplicates of the last test's publications
    partial = ATOM.replace(b"<fh:complete/>", b"").replace(
        b'<link rel="next" href="veroeffentlichungen/feed.atom?page=2"/>', b"") \
        .replace(b"example-amt.de", b"anderes-amt.de")
    (feeds / "latest.atom").write_bytes(partial)
    org = new_org(api, "feed-latest")
    source = new_source(api, org["id"], "feed-latest", f"{base}/latest.atom", "feed")
    first = harvest(api, source["id"])[source["id"]]
    assert counts(first) == {"added": 3, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0, "not_processed": 0}, messages(first)

    # the latest entries only: the Gutachten dropped off the end, the Vertrag is tombstoned
    start = partial.index(b"<entry>")
    end = partial.index(b"</entry>", partial.index(b"</entry>") + 1) + len(b"</entry>")   # the first two entries
    newer = (partial[:start] + partial[end:]).replace(
        b'<at:deleted-entry ref="https://www.anderes-amt.de/v/alt-1" when="2024-05-30T10:00:00Z"/>',
        b'<at:deleted-entry ref="tag:anderes-amt.de,2024:vertrag-88" when="2024-06-05T10:00:00Z"/>')
    (feeds / "latest.atom").write_bytes(newer)
    second = harvest(api, source["id"])[source["id"]]
    assert counts(second)["withdrawn"] == 1, messages(second)
    found = publications(org["id"])
    assert found["https://www.anderes-amt.de/v/gutachten-2024-17"].state == "active"
    assert found["tag:anderes-amt.de,2024:vertrag-88"].state == "deleted"


def test_feed_source_config_is_checked_in_german(api):
    org = new_org(api, "feed-config")
    answer = api.raw("harvest_source_create", name=f"feed-bad-{uuid.uuid4().hex[:6]}", title="x",
                     url="https://www.example.org/feed.atom", source_type="feed", owner_org=org["id"],
                     frequency="MANUAL", config=json.dumps({"document_type": "Kochrezept", "complete": "ja"}))
    assert answer.status_code == 409
    error = " ".join(answer.json()["error"]["config"])
    assert "„document_type“: \"Kochrezept\" ist keine Dokumentart" in error, error
    assert "„complete“: erwartet true oder false" in error, error


# --- the FragDenStaat harvester -------------------------------------------------------------

@pytest.fixture(scope="module")
def fragdenstaat():
    server = FragDenStaatServer(max_limit=2).start()
    yield server
    server.shutdown()
    server.server_close()


def test_fragdenstaat_requests_become_publications_incrementally_under_the_guard(api, stack, fragdenstaat):
    org = new_org(api, "fragdenstaat")
    source = new_source(api, org["id"], "fragdenstaat", fragdenstaat.site + "/", "fragdenstaat", jurisdiction=14)
    first = harvest(api, source["id"])[source["id"]]
    assert counts(first) == {"added": 3, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0, "not_processed": 0}, messages(first)
    found = publications(org["id"])
    assert set(found) == {f"{fragdenstaat.site}/api/v1/request/{n}/" for n in (281001, 281002, 281003)}
    shown = api("package_show", id=found[f"{fragdenstaat.site}/api/v1/request/281001/"].id)
    assert shown["document_type"] == DOC + "informationsantraege"
    assert shown["legal_basis"] == "Thüringer Transparenzgesetz"
    assert [r["name"] for r in shown["resources"]] == ["Gutachten_Standsicherheit_Leibis_2023.pdf",
                                                       "Anschreiben_geschwaerzt.pdf"]
    assert shown["publication_date"] == "2024-02-27"

    wait_until(lambda: texts_indexed(api, org["id"]), timeout=120, interval=1, what="the documents' texts indexed")
    before, indexed = stamps(org["id"]), solr_stamps(stack, org["id"], "publication")
    second = harvest(api, source["id"])[source["id"]]
    assert counts(second) == {"added": 0, "updated": 0, "unchanged": 3, "withdrawn": 0, "failed": 0, "not_processed": 0}
    assert stamps(org["id"]) == before and solr_stamps(stack, org["id"], "publication") == indexed

    fragdenstaat.changes[281002] = {"title": "Messwerte der Nitratmessstellen 2021 bis 2023"}
    fragdenstaat.hidden.add(281003)
    third = harvest(api, source["id"])[source["id"]]
    assert counts(third) == {"added": 0, "updated": 1, "unchanged": 1, "withdrawn": 1, "failed": 0, "not_processed": 0}, messages(third)
    assert publications(org["id"])[f"{fragdenstaat.site}/api/v1/request/281003/"].state == "deleted"

    fragdenstaat.failing = True
    broken = harvest(api, source["id"])[source["id"]]
    assert counts(broken)["withdrawn"] == 0
    assert "HTTP 500" in messages(broken) and "es wurde nichts zurückgezogen" in messages(broken)
    fragdenstaat.failing = False

    fragdenstaat.hidden |= {281001, 281002}
    empty = harvest(api, source["id"])[source["id"]]
    assert counts(empty)["withdrawn"] == 0
    assert "lieferte 0 Datensätze, zuletzt waren es 2" in messages(empty)
    assert all(p.state == "active" for key, p in publications(org["id"]).items() if not key.endswith("281003/"))
    fragdenstaat.hidden.clear()
    fragdenstaat.changes.clear()
