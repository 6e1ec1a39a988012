"""Real catalogues of publishers the portal was not written for, harvested
through the real stack (tests/fixtures/corpus, README there says where each
comes from).

The bar for each catalogue: harvested whole (no record failed, none left
unprocessed), an unchanged re-harvest writes nothing, the DCAT-AP.de export of
every stored record, as the portal's web server gives it, has no violation
under the official DCAT-AP.de 3.0 SHACL shapes, and both harvest consumers are the same processes afterwards. What
each run measured goes to var/<profile>/corpus-report.json, from which the
table in docs/harvesting.md is made.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

import conftest
from ckanext.thueringen import conformance
from conftest import consumer_pids
from harvest_fixtures import counts, exported, harvest, messages, new_org, new_source, packages, stamps
from static_server import serve_in_thread

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
FORMATS = {".rdf": "xml", ".ttl": "turtle", ".jsonld": "json-ld"}
# Bremen and Rostock are harvested, re-harvested and exported against the same
# bar (and more) in test_harvest_dcat.py::test_real_catalogues_and_examples.
HARVESTED_ELSEWHERE = {"bremen-catalog.rdf", "rostock-catalog.rdf"}
CATALOGUES = sorted(p.name for p in CORPUS.iterdir() if p.suffix in FORMATS and p.name not in HARVESTED_ELSEWHERE)
REPORT: dict[str, dict] = {}


@pytest.fixture(scope="module")
def corpus_server():
    server = serve_in_thread(CORPUS)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    path = conftest.STATE_DIR / "corpus-report.json"
    path.write_text(json.dumps(REPORT, indent=2, ensure_ascii=False))


def source_graph(name: str) -> Graph:
    path = CORPUS / name
    return Graph().parse(path, format=FORMATS[path.suffix])


@pytest.mark.timeout(900)   # the harvest alone may take 600 s (its own limit below)
@pytest.mark.parametrize("name", CATALOGUES)
def test_a_real_catalogue_is_harvested_whole_and_exported_clean(api, stack, corpus_server, name):
    before = consumer_pids()
    source = source_graph(name)
    offered = len(set(source.subjects(RDF.type, DCAT.Dataset)))
    org = new_org(api, f"korpus-{Path(name).stem[:20]}")
    harvest_source = new_source(api, org["id"], f"korpus-{uuid.uuid4().hex[:4]}", f"{corpus_server}/{name}")

    job = harvest(api, harvest_source["id"], timeout=600)[harvest_source["id"]]
    first = counts(job)
    assert first["failed"] == 0 and first["not_processed"] == 0, messages(job)
    stored = [p for p in packages(org["id"]) if p.state == "active"]
    # every record offered is stored, but for duplicates inside the catalogue (same
    # dct:identifier: the newest stays, the report says which) and distributions
    # that are typed dcat:Dataset as well
    duplicates_dropped = sum("mehrfach vor" in message for message in job["report"]["job_errors"])
    assert first["added"] + duplicates_dropped >= offered - sum(
        1 for s in source.subjects(RDF.type, DCAT.Dataset) if (s, RDF.type, DCAT.Distribution) in source)
    assert len(stored) == first["added"] - len(job["report"]["duplicates"])

    written = stamps(org["id"])
    again = harvest(api, harvest_source["id"], timeout=600)[harvest_source["id"]]
    assert counts(again) == {"added": 0, "updated": 0, "unchanged": first["added"], "withdrawn": 0, "failed": 0,
                             "not_processed": 0}, messages(again)
    assert stamps(org["id"]) == written

    ours = conformance.validate(exported(stack["web_url"], org["id"]))
    assert ours.violations == [], "\n".join(map(str, ours.violations[:30]))
    assert consumer_pids() == before

    theirs = conformance.validate(source)
    REPORT[name] = {
        "records_offered": offered, "stored": len(stored), "failed": first["failed"],
        "violations_in_source": len(theirs.violations), "violations_in_export": len(ours.violations),
        "warnings_in_export": len(ours.warnings),
        "unmapped": sum(f["count"] for f in job["report"]["findings"] if f["kind"] == "unmapped"),
        "findings": {f"{f['kind']} {f['field']}": f["count"] for f in job["report"]["findings"]},
    }
