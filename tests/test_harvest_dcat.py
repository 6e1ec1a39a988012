"""The portal's DCAT-AP.de harvester (`dcat_ap_de`) against the real stack.

Catalogues are served from 127.0.0.1 (the real ones by the static server of
scripts/, the faulty ones by the misbehaving server of tests/fault_server.py);
jobs run through the stack's Redis queues,
gather and fetch consumers, PostgreSQL and Solr. Counts and messages are read
with `harvesters.report.job_report` from the stack's database.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import threading
import time
import uuid

import ckan.model as model
import pytest
import requests
import sqlalchemy as sa
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, XSD

import conftest
from ckanext.thueringen import conformance
from ckanext.thueringen.harvesters.importing import new_dataset_name
from ckanext.thueringen.harvesters.report import job_report
from conftest import CORPUS, REFERENCE, run_stack, scored_in_index, wait_until
from fault_server import BILLION_LAUGHS, INVALID_XML, XXE, FaultServer, body, send
from harvest_fixtures import (
    DL_BY,
    by_uri,
    counts,
    exported,
    finished_jobs,
    harvest,
    messages,
    new_org,
    new_source,
    next_page,
    numbered_catalogue,
    packages,
    rdf_catalogue,
    rdf_dataset,
    solr_stamps,
    stamps,
)

# Routes of the misbehaving server (tests/fault_server.py) that this module's tests serve.
ROUTES: dict = {}

CATALOGS = CORPUS
EXAMPLES = REFERENCE / "dcat-ap-de" / "examples-v2.0"
BREMEN_DATASETS = 153
ROSTOCK_PAGE_1 = 100
DATASET_TYPE = "http://www.w3.org/ns/dcat#Dataset"
STATE = "http://dcat-ap.de/def/politicalGeocoding/Level/state"


# --- helpers -------------------------------------------------------------------------

def remove_dataset(text: str, uri: str) -> str:
    """An RDF/XML catalogue without the dataset `uri` (its rdf:Description block)."""
    block = re.compile(rf'\s*<rdf:Description rdf:about="{re.escape(uri)}">.*?</rdf:Description>', re.S)
    text, removed = block.subn("", text, count=1)
    assert removed == 1, uri
    return text


def retitle(text: str, uri: str, title: str) -> str:
    """The catalogue with a new dct:title for the dataset `uri`."""
    start = text.index(f'<rdf:Description rdf:about="{uri}">')
    end = text.index("</rdf:Description>", start)
    block = re.sub(r"<dct:title>.*?</dct:title>", f"<dct:title>{title}</dct:title>", text[start:end], count=1)
    return text[:start] + block + text[end:]


def dataset_uris(text: str) -> list[str]:
    return re.findall(r'<rdf:Description rdf:about="([^"]+)">(?:(?!</rdf:Description>).)*?'
                      rf'<rdf:type rdf:resource="{re.escape(DATASET_TYPE)}"/>', text, re.S)


# --- the real catalogues and the official examples --------------------------------------

# Official examples: one source each, with its priority. The same two datasets are
# in every ADVANCED file (and one of them in every SIMPLE file), so they are
# duplicates across sources; none has a dct:modified of its own, so the
# priority decides.
EXAMPLE_SOURCES = {
    "dcat_ap_de-RefImp_RDF_ADVANCED.rdf": 30,
    "dcat_ap_de-RefImp_TTL_ADVANCED.ttl": 20,
    "dcat_ap_de-RefImp_JSONLD_ADVANCED.jsonld": 10,
    "advanced.nt": 5,   # N-Triples, made from the RDF/XML file
    "dcat_ap_de-RefImp_RDF_SIMPLE.rdf": 3,
    "dcat_ap_de-RefImp_TTL_SIMPLE.ttl": 2,
    "dcat_ap_de-RefImp_JSONLD_SIMPLE.jsonld": 1,
}
BADEGEWAESSER = "https://example.com/dataset/d4ce4e6e-ab89-44cb-bf5c-33a162c234de#dataset"


def scored_in_organisation(org_id: str) -> int:
    return scored_in_index(f'owner_org:"{org_id}"')


@pytest.mark.timeout(600)   # four harvests of 11 sources, 110 s on a busy machine
def test_real_catalogues_and_examples(api, stack, served):
    folder, base = served
    bremen_text = (CATALOGS / "bremen-catalog.rdf").read_text(encoding="utf-8")
    (folder / "bremen.rdf").write_text(bremen_text, encoding="utf-8")
    # Rostock's page 1 pages on to the publisher's server: here to our own page 2 (Turtle).
    rostock_text = (CATALOGS / "rostock-catalog.rdf").read_text(encoding="utf-8").replace(
        "https://www.opendata-hro.de/catalog.rdf?page=2", f"{base}/rostock-2.ttl")
    (folder / "rostock.rdf").write_text(rostock_text, encoding="utf-8")
    page_2 = Graph().parse(data=rdf_catalogue(*(rdf_dataset(f"https://www.opendata-hro.de/dataset/seite-2-{i}",
                                                             f"Rostock Seite 2 Nr. {i}") for i in (1, 2, 3))),
                           format="xml")
    (folder / "rostock-2.ttl").write_text(page_2.serialize(format="turtle"), encoding="utf-8")
    for name in EXAMPLE_SOURCES:
        if name.startswith("dcat_ap_de-"):
            shutil.copyfile(EXAMPLES / name, folder / name)
    Graph().parse(EXAMPLES / "dcat_ap_de-RefImp_RDF_ADVANCED.rdf", format="xml") \
        .serialize(folder / "advanced.nt", format="nt", encoding="utf-8")

    bremen_org, rostock_org, examples_org = (new_org(api, name) for name in ("bremen", "rostock", "beispiele"))
    bremen = new_source(api, bremen_org["id"], "bremen", f"{base}/bremen.rdf", political_geocoding_level_uri=STATE)
    rostock = new_source(api, rostock_org["id"], "rostock", f"{base}/rostock.rdf")
    examples = {name: new_source(api, examples_org["id"], "beispiel", f"{base}/{name}", priority=priority)
                for name, priority in EXAMPLE_SOURCES.items()}
    all_sources = [bremen["id"], rostock["id"], *(s["id"] for s in examples.values())]

    # 1. Everything is imported, without errors.
    jobs = harvest(api, *all_sources)
    assert counts(jobs[bremen["id"]]) == {"added": BREMEN_DATASETS, "updated": 0, "unchanged": 0, "withdrawn": 0,
                                          "failed": 0, "not_processed": 0}
    assert counts(jobs[rostock["id"]])["added"] == ROSTOCK_PAGE_1 + 3
    for job in jobs.values():
        assert job["stats"]["errored"] == 0, messages(job)
        assert not job["report"]["errors"] and not job["report"]["job_errors"]
    assert len(packages(bremen_org["id"])) == BREMEN_DATASETS
    assert anonymous_count(api, rostock_org) == ROSTOCK_PAGE_1 + 3
    # Bremen's three distributions with language "TODO:" are stored, with a warning.
    todo = [w for w in jobs[bremen["id"]]["report"]["warnings"] if "TODO:" in w["message"]]
    assert len(todo) == 3 and all("unverändert übernommen" in w["message"] for w in todo)
    # The source's default applies where a record has none of its own.
    assert {p.extras.get("political_geocoding_level_uri") for p in packages(bremen_org["id"])} == {STATE}
    assert_example_duplicates(examples_org, examples, winner="dcat_ap_de-RefImp_RDF_ADVANCED.rdf")
    # What the normaliser cannot map (docs/dcat-ap-de.md), and the export the web
    # server gives: 0 violations under the official shapes (the corpus test's bar,
    # test_harvest_corpus.py, for these two catalogues of the corpus).
    for source, expected in ((bremen, {("resources[].language", "TODO:")}), (rostock, set())):
        unmapped = {(finding["field"], example) for finding in jobs[source["id"]]["report"]["findings"]
                    if finding["kind"] == "unmapped" for example in finding["examples"]}
        assert unmapped == expected, source["name"]
    for org in (bremen_org, rostock_org):
        violations = conformance.validate(exported(stack["web_url"], org["id"])).violations
        assert violations == [], "\n".join(map(str, violations[:30]))

    # 2. A re-harvest of the unchanged sources writes nothing: no dataset, no Solr document.
    orgs = (bremen_org["id"], rostock_org["id"], examples_org["id"])
    # the stack's quality worker scores the new datasets and indexes them once more: wait for it
    wait_until(lambda: all(scored_in_organisation(org) == len([p for p in packages(org) if p.state == "active"])
                           for org in orgs), timeout=300, interval=2, what="the new datasets scored")
    before = {org: stamps(org) for org in orgs}
    indexed = {org: solr_stamps(stack, org) for org in orgs}
    jobs = harvest(api, *all_sources)
    for job in jobs.values():
        assert set(job["stats"].items()) >= {("added", 0), ("updated", 0), ("deleted", 0), ("errored", 0)}
        assert job["stats"]["not modified"] > 0
    assert counts(jobs[bremen["id"]])["unchanged"] == BREMEN_DATASETS
    assert {org: stamps(org) for org in orgs} == before
    assert {org: solr_stamps(stack, org) for org in orgs} == indexed

    # 3. Changed and removed records at the source: exactly those are updated and withdrawn.
    uris = dataset_uris(bremen_text)
    changed, removed = uris[:3], uris[3:5]
    for uri in changed:
        bremen_text = retitle(bremen_text, uri, f"Geändert {uri[-12:]}")
    for uri in removed:
        bremen_text = remove_dataset(bremen_text, uri)
    (folder / "bremen.rdf").write_text(bremen_text, encoding="utf-8")
    page_2_text = (folder / "rostock-2.ttl").read_text(encoding="utf-8")
    (folder / "rostock-2.ttl").write_text(without_turtle_dataset(page_2_text, "seite-2-3"), encoding="utf-8")
    before = {uri: (p.metadata_modified, p.state) for uri, p in by_uri(bremen_org["id"]).items()}
    jobs = harvest(api, bremen["id"], rostock["id"])
    assert counts(jobs[bremen["id"]]) == {"added": 0, "updated": 3, "unchanged": BREMEN_DATASETS - 5,
                                          "withdrawn": 2, "failed": 0, "not_processed": 0}
    assert counts(jobs[rostock["id"]]) == {"added": 0, "updated": 0, "unchanged": ROSTOCK_PAGE_1 + 2,
                                           "withdrawn": 1, "failed": 0, "not_processed": 0}
    stored = by_uri(bremen_org["id"])
    assert {uri for uri, p in stored.items() if (p.metadata_modified, p.state) != before[uri]} \
        == set(changed) | set(removed)
    assert {uri for uri, p in stored.items() if p.state == "deleted"} == set(removed)
    assert all(stored[uri].title.startswith("Geändert") for uri in changed)
    assert by_uri(rostock_org["id"])["https://www.opendata-hro.de/dataset/seite-2-3"].state == "deleted"

    # 4. Duplicates: a newer dct:modified wins over priority; when the winner vanishes,
    # the best remaining duplicate comes back.
    ttl = folder / "dcat_ap_de-RefImp_TTL_ADVANCED.ttl"
    graph = Graph().parse(ttl, format="turtle")
    graph.add((URIRef(BADEGEWAESSER), DCTERMS.modified, Literal("2024-03-01T12:00:00", datatype=XSD.dateTime)))
    ttl.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    ttl_source = examples["dcat_ap_de-RefImp_TTL_ADVANCED.ttl"]["id"]
    job = harvest(api, ttl_source)[ttl_source]
    assert counts(job)["updated"] >= 1 and counts(job)["failed"] == 0
    assert_example_duplicates(examples_org, examples, winner="dcat_ap_de-RefImp_RDF_ADVANCED.rdf",
                              newer="dcat_ap_de-RefImp_TTL_ADVANCED.ttl")
    ttl.write_text(turtle_without(ttl.read_text(encoding="utf-8"), BADEGEWAESSER), encoding="utf-8")
    job = harvest(api, ttl_source)[ttl_source]
    assert counts(job)["withdrawn"] == 1
    assert_example_duplicates(examples_org, examples, winner="dcat_ap_de-RefImp_RDF_ADVANCED.rdf",
                              vanished="dcat_ap_de-RefImp_TTL_ADVANCED.ttl")


def anonymous_count(api, org) -> int:
    return api("package_search", fq=f"organization:{org['name']}", rows=0)["count"]


def assert_example_duplicates(org, examples: dict, winner: str, newer: str | None = None,
                              vanished: str | None = None) -> None:
    """One public dataset per identifier, from the example file `winner` (for the
    Badegewässer dataset: from `newer`, when given); every other copy is withdrawn
    and names it as `duplicate_of` — but the Badegewässer copy that vanished from
    `vanished`, which is only withdrawn."""
    file_of = {source["id"]: name for name, source in examples.items()}
    model.Session.remove()
    by_key: dict[str, list[tuple[str, model.Package]]] = {}
    for package in packages(org["id"]):
        source_id = model.Session.query(HarvestObject.harvest_source_id) \
            .filter(HarvestObject.package_id == package.id).first()[0]
        by_key.setdefault(package.extras["uri"], []).append((file_of[source_id], package))
    assert len(by_key) == 2
    for uri, copies in by_key.items():
        public = [(name, p) for name, p in copies if p.state == "active"]
        assert [name for name, _ in public] == [newer if newer and uri == BADEGEWAESSER else winner]
        public_id = public[0][1].id
        for name, package in copies:
            if package.id == public_id:
                assert not package.extras.get("duplicate_of")
            elif name == vanished and uri == BADEGEWAESSER:
                assert package.state == "deleted" and not package.extras.get("duplicate_of")
            else:
                assert package.state == "deleted" and package.extras.get("duplicate_of") == public_id, name


def without_turtle_dataset(text: str, name: str) -> str:
    graph = Graph().parse(data=text, format="turtle")
    subject = next(s for s in graph.subjects() if str(s).endswith(name))
    return turtle_without(text, str(subject))


def turtle_without(text: str, uri: str) -> str:
    """A Turtle catalogue without one dataset (its triples and its distributions')."""
    graph = Graph().parse(data=text, format="turtle")
    dataset = URIRef(uri)
    for distribution in list(graph.objects(dataset, DCAT.distribution)):
        if not any(s != dataset for s in graph.subjects(DCAT.distribution, distribution)):
            graph.remove((distribution, None, None))
    graph.remove((dataset, None, None))
    return graph.serialize(format="turtle")


# --- faults ---------------------------------------------------------------------------

def _datasets(case: str) -> list[str]:
    """The three datasets of a fault case's good catalogue."""
    return [rdf_dataset(f"https://stoerung.example/{case}/{i}", f"{case} Datensatz {i}") for i in (1, 2, 3)]


def _good(case: str) -> bytes:
    return rdf_catalogue(*_datasets(case))


def _slow(data: bytes, seconds: float):
    def handler(h):
        time.sleep(seconds)
        send(h, data)
    return handler


def _truncated(data: bytes):
    return lambda h: send(h, data[: len(data) // 2], length=None)


def _bad_values(case: str) -> bytes:
    good = _datasets(case)
    good[0] = rdf_dataset(f"https://stoerung.example/{case}/1", f"{case} Datensatz 1 neu",
                          extra="<dct:issued>31.02.2024</dct:issued>")
    good[1] = rdf_dataset(f"https://stoerung.example/{case}/2", f"{case} Datensatz 2 neu",
                          extra="<dcat:landingPage>keine Adresse</dcat:landingPage>")
    new = rdf_dataset(f"https://stoerung.example/{case}/4", f"{case} Datensatz 4",
                      licence="https://example.org/lizenz/hausgemacht")
    return rdf_catalogue(*good, new)


def _duplicates(case: str) -> bytes:
    return rdf_catalogue(
        *_datasets(case),
        rdf_dataset(f"https://stoerung.example/{case}/4", "Alte Fassung", identifier="doppelt", modified="2023-05-01"),
        rdf_dataset(f"https://stoerung.example/{case}/5", "Neue Fassung", identifier="doppelt", modified="2024-05-01"),
    )


def _paged(case: str, base: str, following: str) -> bytes:
    return rdf_catalogue(*_datasets(case), extra=next_page(f"{base}/harvest-faults/{case}.rdf", following))


# case -> (source config, the fault: a route, or "refused", and what the report must say)
FAULTS = {
    "refused": ({}, "refused", "lehnt die Verbindung ab"),
    "http500": ({}, lambda case, base: (lambda h: send(h, b"Fehler", "text/plain", status=500)),
                "antwortete mit HTTP 500"),
    "slow": ({"timeout": 1}, lambda case, base: _slow(_good(case), 3), "abgebrochen"),
    "truncated": ({}, lambda case, base: _truncated(_good(case)), "kein lesbares RDF/XML"),
    "invalid_xml": ({}, lambda case, base: body(INVALID_XML.encode()), "mismatched tag"),
    "xxe": ({}, lambda case, base: body(XXE.encode()), "externe Entität (xxe)"),
    "laughs": ({}, lambda case, base: body(BILLION_LAUGHS.encode()), "Entität (lol)"),
    "too_large": ({"max_bytes": 8192},
                  lambda case, base: body(_good(case).replace(b"</rdf:RDF>",
                                                                     b"<!--" + b"x" * 20000 + b"--></rdf:RDF>")),
                  "höchstens 8 KB"),
    "content_type": ({}, lambda case, base: body(_good(case), "application/pdf"),
                     "liefert den Inhaltstyp application/pdf"),
    "page_loop": ({}, lambda case, base: body(_paged(case, base, f"{base}/harvest-faults/{case}.rdf")),
                  "dreht sich im Kreis"),
    "page_limit": ({"max_pages": 1}, lambda case, base: body(_paged(case, base, f"{base}/harvest-faults/x.rdf")),
                   "mehr als 1 Seiten"),
    "empty": ({}, lambda case, base: body(rdf_catalogue()), "nicht zurückgezogen"),
    "bad_values": ({}, lambda case, base: body(_bad_values(case)), "kein gültiges Datum"),
    "duplicates": ({}, lambda case, base: body(_duplicates(case)), "kommt in der Quelle"),
}


@pytest.fixture(scope="module")
def fault_runs(api):
    """Each fault case: a source harvested once from a good catalogue, then again
    from the faulty one; the datasets before and after, and the second job."""
    server = FaultServer(ROUTES)
    base = server.start()
    org = new_org(api, "stoerfaelle")
    sources = {}
    for case, (config, _fault, _phrase) in FAULTS.items():
        ROUTES[f"/harvest-faults/{case}.rdf"] = body(_good(case))
        sources[case] = new_source(api, org["id"], case, f"{base}/harvest-faults/{case}.rdf", **config)
    first = harvest(api, *(s["id"] for s in sources.values()))
    before = {case: datasets_of(api, first[source["id"]]) for case, source in sources.items()}
    refused = socket.socket()
    refused.bind(("127.0.0.1", 0))   # bound, never listening: connections are refused
    for case, (_config, fault, _phrase) in FAULTS.items():
        if fault == "refused":
            source = sources[case]
            api("harvest_source_update", id=source["id"], name=source["name"], title=source["title"],
                url=f"http://127.0.0.1:{refused.getsockname()[1]}/katalog.rdf", source_type="dcat_ap_de",
                owner_org=org["id"], frequency="MANUAL", config=source["config"])
        else:
            ROUTES[f"/harvest-faults/{case}.rdf"] = fault(case, base)
    second = harvest(api, *(s["id"] for s in sources.values()))
    runs = {case: {"first": first[source["id"]], "job": second[source["id"]], "before": before[case],
                   "after": {uri: show(api, uri, before[case]) for uri in before[case]},
                   "url": sources[case]["url"]}
            for case, source in sources.items()}
    yield runs
    refused.close()
    server.stop()


def datasets_of(api, job) -> dict[str, dict]:
    """package_show of every dataset a job stored, by URI."""
    model.Session.remove()
    ids = [package_id for (package_id,) in model.Session.query(HarvestObject.package_id)
           .filter(HarvestObject.harvest_job_id == job["id"], HarvestObject.package_id.isnot(None))]
    shown = [api("package_show", id=package_id) for package_id in ids]
    return {dataset["uri"]: dataset for dataset in shown}


def show(api, uri: str, before: dict[str, dict]) -> dict:
    return api("package_show", id=before[uri]["id"])


@pytest.mark.parametrize("case", list(FAULTS))
def test_fault_is_reported_and_nothing_stored_is_lost(fault_runs, case):
    run = fault_runs[case]
    assert counts(run["first"])["added"] == 3 and counts(run["first"])["failed"] == 0, (run["first"]["report"], run["first"]["stats"])
    job = run["job"]
    text = messages(job)
    assert FAULTS[case][2] in text, text
    assert counts(job)["withdrawn"] == 0
    # Every dataset that was there before is still there, unaltered (bad values cost
    # only themselves: those records are updated without them, see below).
    if case != "bad_values":
        assert run["after"] == run["before"]
    else:
        assert set(run["after"]) == set(run["before"])
    assert "root:" not in text and "lollol" not in text


def test_fault_messages_name_the_source(fault_runs):
    for case in ("http500", "slow", "truncated", "xxe", "too_large", "content_type", "empty"):
        job = fault_runs[case]["job"]
        assert fault_runs[case]["url"] in messages(job), case
        assert job["stats"]["errored"] >= 1, case


def test_bad_values_cost_only_themselves_with_german_reasons(fault_runs):
    """An impossible date and an address that is none are dropped, each with its
    German reason; the records are stored with everything else they have."""
    run = fault_runs["bad_values"]
    report = run["job"]["report"]
    assert counts(run["job"]) == {"added": 1, "updated": 2, "unchanged": 1, "withdrawn": 0, "failed": 0, "not_processed": 0}
    warnings = {w["guid"]: w["message"] for w in report["warnings"]}
    assert "Feld issued: '31.02.2024' ist kein gültiges Datum" in warnings["https://stoerung.example/bad_values/1"]
    assert "'keine Adresse' ist keine absolute http(s)-Adresse; verworfen" in \
        warnings["https://stoerung.example/bad_values/2"]
    after = run["after"]
    assert after["https://stoerung.example/bad_values/1"]["title"] == "bad_values Datensatz 1 neu"
    assert "issued" not in after["https://stoerung.example/bad_values/1"]
    assert not after["https://stoerung.example/bad_values/2"].get("url")
    # The unknown licence is stored as sent, with a warning.
    warning = warnings["https://stoerung.example/bad_values/4"]
    assert "https://example.org/lizenz/hausgemacht" in warning and "Lizenzliste" in warning
    dropped = {(f["kind"], f["field"]) for f in report["findings"]}
    assert {("dropped", "issued"), ("dropped", "url"), ("unmapped", "license_id")} <= dropped


def test_duplicates_inside_one_source_keep_the_newest(fault_runs, api):
    run = fault_runs["duplicates"]
    assert counts(run["job"])["added"] == 1
    text = messages(run["job"])
    assert "Übernommen wurde der zuletzt geänderte Datensatz https://stoerung.example/duplicates/5" in text
    assert "https://stoerung.example/duplicates/4 wurde nicht übernommen" in text


def test_guard_keeps_everything_when_the_catalogue_is_empty(fault_runs):
    job = fault_runs["empty"]["job"]
    assert any(e.startswith("Warnung:") and "lieferte 0 Datensätze, zuletzt waren es 3" in e
               for e in job["report"]["job_errors"])
    assert all(d["state"] == "active" for d in fault_runs["empty"]["after"].values())


def test_invalid_source_config_gets_german_errors(api):
    org = new_org(api, "konfiguration")
    response = api.raw("harvest_source_create", name=f"falsch-{uuid.uuid4().hex[:6]}", title="falsch",
                       url="http://127.0.0.1:9/katalog.rdf", source_type="dcat_ap_de", owner_org=org["id"],
                       config=json.dumps({"priority": "hoch", "delete_threshold": 2, "spatial_uri": "irgendwo",
                                          "tippfehler": 1}))
    assert response.status_code == 409
    error = " ".join(response.json()["error"]["config"])
    for phrase in ("„priority“: erwartet eine ganze Zahl", "„delete_threshold“: 2 liegt nicht im erlaubten Bereich",
                   "„spatial_uri“: \"irgendwo\" ist kein Gebiet", "Unbekannte Angabe(n) tippfehler"):
        assert phrase in error, error


def test_job_timeout_is_configured():
    from ckan.plugins import toolkit

    assert int(toolkit.config.get("ckan.harvest.timeout")) > 0


def test_history_is_pruned_to_the_last_jobs(api, served):
    folder, base = served
    catalogue = folder / "verlauf.rdf"

    def serve(version: int) -> None:
        catalogue.write_bytes(rdf_catalogue(
            rdf_dataset("https://verlauf.example/1", f"Verlauf 1, Fassung {version}"),
            *(rdf_dataset(f"https://verlauf.example/{i}", f"Verlauf {i}") for i in (2, 3))))

    org = new_org(api, "verlauf")
    source = new_source(api, org["id"], "verlauf", f"{base}/verlauf.rdf", keep_jobs=2)
    jobs = []
    for version in (1, 2, 3, 3):
        serve(version)
        jobs.append(harvest(api, source["id"])[source["id"]])
    assert [counts(job)["unchanged"] for job in jobs] == [0, 2, 2, 3]

    model.Session.remove()
    left = {job["id"]: model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job["id"]).all()
            for job in jobs}
    # The last two jobs are complete; of the older ones only what holds the state of a
    # record is left: the objects of the current imports of datasets 2 and 3.
    assert [len(left[job["id"]]) for job in jobs] == [2, 0, 3, 3]
    assert all(obj.current for obj in left[jobs[0]["id"]])
    assert len(api("harvest_job_list", source_id=source["id"])) == 3


# --- batches ---------------------------------------------------------------------------------

def activities(package_id: str) -> list[tuple[str, str]]:
    """(activity type, title in the activity's copy of the dataset), oldest first."""
    from ckanext.activity.model import Activity

    model.Session.remove()
    rows = model.Session.query(Activity).filter(Activity.object_id == package_id).order_by(Activity.timestamp)
    return [(row.activity_type, row.data["package"]["title"]) for row in rows]


def test_batches_store_each_record_once_and_a_bad_record_fails_alone(api, served, poisoned_insert):
    """Records are stored in batches (`import_batch`); a record the database refuses
    (record 6) fails on its own with its reason, the rest of its batch is stored; every dataset gets the
    activity CKAN records for a create or a real update, exactly once. Records 8 and 9
    have the same title and go in one batch: the second gets the title's name with a
    suffix made from its own fixed id."""
    folder, base = served
    uris = [f"https://stapel.example/{i}" for i in range(10)]
    same_title = f"Stapel doppelt {uuid.uuid4().hex[:6]}"
    first_titles = {i: same_title if i >= 8 else f"Stapel {i}" for i in range(10)}
    first_titles[6] = poisoned_insert

    def serve(titles: dict[int, str]) -> None:
        (folder / "stapel.rdf").write_bytes(rdf_catalogue(*(
            rdf_dataset(uri, titles.get(i, first_titles[i])) for i, uri in enumerate(uris))))

    org = new_org(api, "stapel")
    source = new_source(api, org["id"], "stapel", f"{base}/stapel.rdf", import_batch=4)
    serve({})
    job = harvest(api, source["id"])[source["id"]]
    assert counts(job) == {"added": 9, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 1, "not_processed": 0}
    assert [e["guid"] for e in job["report"]["errors"]] == [uris[6]]
    assert "injected failure" in job["report"]["errors"][0]["message"]
    stored = by_uri(org["id"])
    assert sorted(stored) == sorted(uri for i, uri in enumerate(uris) if i != 6)
    wait_until(lambda: anonymous_count(api, org) == 9, timeout=30, interval=0.5, what="9 datasets searchable")
    for i, uri in enumerate(uris):
        if i != 6:
            assert activities(stored[uri].id) == [("new package", first_titles[i])], uri
    name = same_title.lower().replace(" ", "-")
    suffix = hashlib.sha256(stored[uris[9]].id.encode()).hexdigest()[:6]
    assert [stored[uris[8]].name, stored[uris[9]].name] == [name, f"{name}-{suffix}"]

    serve({2: "Stapel 2, berichtigt", 5: "Stapel 5, berichtigt"})
    job = harvest(api, source["id"])[source["id"]]
    assert counts(job) == {"added": 0, "updated": 2, "unchanged": 7, "withdrawn": 0, "failed": 1, "not_processed": 0}
    for i in (2, 5):
        assert activities(stored[uris[i]].id) == [("new package", f"Stapel {i}"),
                                                  ("changed package", f"Stapel {i}, berichtigt")]
    assert activities(stored[uris[3]].id) == [("new package", "Stapel 3")]

    def corrected_titles_found() -> bool:
        titles = {d["title"] for d in api("package_search", fq=f"owner_org:{org['id']}", rows=20)["results"]}
        return {"Stapel 2, berichtigt", "Stapel 5, berichtigt"} <= titles

    wait_until(corrected_titles_found, timeout=30, interval=0.5, what="the corrected titles searchable")


def test_new_dataset_names_skip_taken_ones_through_the_pattern_index():
    """A new dataset's name is its munged title, else the first free "-N"; the taken
    names are found through the index `thueringen_package_name_pattern_idx` (a
    LIKE on the name prefix), not by reading every dataset."""
    token = uuid.uuid4().hex[:8]
    stem = f"messstellen-{token}"
    taken = [stem, f"{stem}-2", f"{stem}-4", f"{stem}x"]
    model.Session.remove()
    model.Session.add_all(model.Package(name=name, title=name, type="dataset") for name in taken)
    model.Session.commit()
    try:
        assert new_dataset_name(f"Messstellen {token}") == f"{stem}-3"   # no id: the first free number
        package_id = str(uuid.uuid4())
        suffix = hashlib.sha256(package_id.encode()).hexdigest()
        assert new_dataset_name(f"Messstellen {token}", package_id) == f"{stem}-{suffix[:6]}"
        assert new_dataset_name(f"Messstellen {token}", package_id, {f"{stem}-{suffix[:6]}"}) == \
            f"{stem}-{suffix[:12]}"
        assert new_dataset_name(f"Messstellen {token} neu", package_id, {f"messstellen-{token}-neu"}) == \
            f"messstellen-{token}-neu-{suffix[:6]}"   # reserved by the batch, not yet in the database
        assert new_dataset_name(f"Messstellen {token} Jena") == f"{stem}-jena"
        assert new_dataset_name(f"Mess_stellen {token}") == f"mess_stellen-{token}"   # a name with "_" (escaped in the LIKE)
        model.Session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        plan = model.Session.execute(sa.text("EXPLAIN SELECT name FROM package WHERE name LIKE :pattern ESCAPE '\\'"),
                                     {"pattern": f"{stem}%"}).scalars().all()
        assert "thueringen_package_name_pattern_idx" in "\n".join(plan)
    finally:
        model.Session.rollback()
        model.Session.query(model.Package).filter(model.Package.name.in_(taken)).delete(synchronize_session=False)
        model.Session.commit()


# --- pages as they were ------------------------------------------------------------------------

def read_pages(job: dict) -> set[str]:
    """The pages the job parsed: the page named in its objects' content (a settled
    page's objects have none)."""
    model.Session.remove()
    rows = model.Session.query(HarvestObject.content).filter(HarvestObject.harvest_job_id == job["id"]).all()
    return {json.loads(content)["page"].rsplit("/", 1)[-1] for (content,) in rows if content}


def test_unchanged_pages_are_settled_without_parsing(api, served, poisoned_insert):
    """A page with the same bytes, the same source settings and every record stored
    as read last time is not parsed again; anything else is."""
    folder, base = served
    uris = [f"https://seiten.example/{i}" for i in range(6)]

    def serve(titles: dict[int, str] | None = None) -> None:
        titles = titles or {}
        def dataset(i: int) -> str:
            return rdf_dataset(uris[i], titles.get(i, f"Seiten {i}"))
        (folder / "seiten-1.rdf").write_bytes(rdf_catalogue(
            *(dataset(i) for i in range(3)), extra=next_page(f"{base}/seiten-1.rdf", f"{base}/seiten-2.rdf")))
        (folder / "seiten-2.rdf").write_bytes(rdf_catalogue(*(dataset(i) for i in range(3, 6))))

    org = new_org(api, "seiten")
    source = new_source(api, org["id"], "seiten", f"{base}/seiten-1.rdf")
    unchanged = {"added": 0, "updated": 0, "unchanged": 6, "withdrawn": 0, "failed": 0, "not_processed": 0}
    serve()
    job = harvest(api, source["id"])[source["id"]]
    assert counts(job)["added"] == 6 and read_pages(job) == {"seiten-1.rdf", "seiten-2.rdf"}
    before = stamps(org["id"])

    job = harvest(api, source["id"])[source["id"]]
    assert counts(job) == unchanged and read_pages(job) == set()
    assert stamps(org["id"]) == before

    # one record changed: only its page is read
    serve({4: "Seiten 4, neu"})
    job = harvest(api, source["id"])[source["id"]]
    assert counts(job) == {**unchanged, "updated": 1, "unchanged": 5} and read_pages(job) == {"seiten-2.rdf"}
    assert by_uri(org["id"])[uris[4]].title == "Seiten 4, neu"

    # other source settings (defaults may change records): every page is read again
    api("harvest_source_update", id=source["id"], url=source["url"], name=source["name"], title=source["title"],
        source_type="dcat_ap_de", owner_org=org["id"], frequency="MANUAL", config=json.dumps({"priority": 5}))
    job = harvest(api, source["id"])[source["id"]]
    assert counts(job) == unchanged and read_pages(job) == {"seiten-1.rdf", "seiten-2.rdf"}
    job = harvest(api, source["id"])[source["id"]]
    assert counts(job) == unchanged and read_pages(job) == set()

    # a dataset withdrawn by hand is not "as stored": its page is read and it comes back
    api("package_delete", id=by_uri(org["id"])[uris[1]].id)
    job = harvest(api, source["id"])[source["id"]]
    assert read_pages(job) == {"seiten-1.rdf"} and counts(job)["updated"] == 1
    assert by_uri(org["id"])[uris[1]].state == "active"

    # a record that failed (the database refused it) is tried (and reported) again on every harvest
    serve({4: "Seiten 4, neu", 0: poisoned_insert})
    for _ in range(2):
        job = harvest(api, source["id"])[source["id"]]
        assert counts(job)["failed"] == 1 and "seiten-1.rdf" in read_pages(job)
        assert [e["guid"] for e in job["report"]["errors"]] == [uris[0]]



def test_clearing_a_source_clears_its_page_memory(api, served):
    """harvest_source_job_history_clear and harvest_source_clear take the source's
    rows of thueringen_harvest_page with its jobs; another source's stay. (Through
    the API harvest_source_job_history_clear failed before: CKAN's auth audit.)"""
    folder, base = served

    def page_rows(source_id: str) -> int:
        model.Session.remove()
        return model.Session.execute(sa.text("SELECT count(*) FROM thueringen_harvest_page "
                                             "WHERE source_id = :id"), {"id": source_id}).scalar()

    numbered_catalogue(folder, "vergessen", 3, "Vergessen")
    numbered_catalogue(folder, "behalten", 3, "Behalten")
    org = new_org(api, "vergessen")
    source = new_source(api, org["id"], "vergessen", f"{base}/vergessen.rdf")
    other = new_source(api, new_org(api, "behalten")["id"], "behalten", f"{base}/behalten.rdf")
    harvest(api, source["id"], other["id"])
    assert (page_rows(source["id"]), page_rows(other["id"])) == (1, 1)

    api("harvest_source_job_history_clear", id=source["id"])
    assert (page_rows(source["id"]), page_rows(other["id"])) == (0, 1)
    assert len(packages(org["id"])) == 3   # the history only

    harvest(api, source["id"])
    assert page_rows(source["id"]) == 1
    api("harvest_source_clear", id=source["id"])
    assert (page_rows(source["id"]), page_rows(other["id"])) == (0, 1)


# --- crash safety ---------------------------------------------------------------------------

def test_pages_are_imported_while_the_gather_reads_on(api):
    """Each page's records are queued as soon as the page is written: the fetch
    consumer stores page 1 while the gather still waits for page 2. Page 2 also
    holds a newer record with the identifier of one on page 1, which is stored
    by then: both stay, the older withdrawn and linked to the newer, and the
    next harvest of the unchanged source writes nothing."""
    server = FaultServer(ROUTES)
    base = server.start()
    page_1, page_2 = f"{base}/nachgereicht/1.rdf", f"{base}/nachgereicht/2.rdf"
    first_page = [rdf_dataset(f"https://nachgereicht.example/{i}", f"Seite 1 Datensatz {i}",
                              identifier=f"nachgereicht-{i}", modified="2024-01-15") for i in (1, 2, 3)]
    second_page = [rdf_dataset("https://nachgereicht.example/4", "Seite 2 Datensatz 4", identifier="nachgereicht-4"),
                   rdf_dataset("https://nachgereicht.example/2-neu", "Seite 2 Datensatz 2, neuer",
                               identifier="nachgereicht-2", modified="2024-03-01")]
    page_2_released = threading.Event()

    def held_page_2(handler):
        page_2_released.wait(25)   # below the read timeout of 30 s
        send(handler, rdf_catalogue(*second_page))

    ROUTES["/nachgereicht/1.rdf"] = body(rdf_catalogue(*first_page, extra=next_page(page_1, page_2)))
    ROUTES["/nachgereicht/2.rdf"] = held_page_2
    org = new_org(api, "nachgereicht")
    source = new_source(api, org["id"], "nachgereicht", page_1)
    try:
        job_id = api("harvest_job_create", source_id=source["id"], run=True)["id"]
        wait_until(lambda: len(packages(org["id"])) == 3, timeout=20, interval=0.2,
                   what="page 1 stored while the gather waits for page 2")
        model.Session.remove()
        assert model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job_id,
                                                         HarvestObject.state == "GATHERING").count() == 0
        assert HarvestJob.get(job_id).gather_finished is None
        page_2_released.set()
        job = finished_jobs(api, {source["id"]: job_id}, timeout=120)[source["id"]]
        stored = by_uri(org["id"])
        older, newer = stored["https://nachgereicht.example/2"], stored["https://nachgereicht.example/2-neu"]
        assert (newer.state, older.state, older.extras.get("duplicate_of")) == ("active", "deleted", newer.id)
        assert {uri: p.state for uri, p in stored.items() if "/2" not in uri} == {
            f"https://nachgereicht.example/{i}": "active" for i in (1, 3, 4)}
        assert "https://nachgereicht.example/2 wird als sein Duplikat zurückgezogen" in messages(job)
        assert counts(job)["failed"] == 0

        before = stamps(org["id"])
        again = harvest(api, source["id"])[source["id"]]
        assert counts(again)["unchanged"] == 5 and counts(again)["added"] + counts(again)["updated"] == 0
        assert counts(again)["withdrawn"] == 0
        assert stamps(org["id"]) == before
    finally:
        page_2_released.set()
        server.stop()



# --- the gather consumer stores batches too (harvesters.batches.import_released) --------

@contextlib.contextmanager
def fetch_consumer_stopped():
    run_stack("stop", "fetch-consumer")
    try:
        yield
    finally:
        run_stack("start")


def fetch_queue_done_with(job_id: str) -> bool:
    """No message of the job's objects in the fetch queue, none taken and not yet
    done (ckanext-harvest's Redis consumer keeps a key per message until it
    acknowledges it)."""
    from ckanext.harvest import queue as harvest_queue

    model.Session.remove()
    ids = {object_id for (object_id,) in
           model.Session.query(HarvestObject.id).filter(HarvestObject.harvest_job_id == job_id)}
    redis = harvest_queue.get_connection()
    key = harvest_queue.get_fetch_routing_key()
    queued = {json.loads(message)["harvest_object_id"] for message in redis.lrange(key, 0, -1)}
    taken = {name.rsplit(":", 1)[1] for name in redis.keys(f"{key}:*")}
    return not (ids & (queued | taken))


def assert_stored_once(org: dict, job: dict, count: int) -> None:
    """Every record added once: one dataset each, one "new package" activity each."""
    assert counts(job) == {"added": count, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0,
                           "not_processed": 0}
    stored = packages(org["id"])
    assert len(stored) == count and {p.state for p in stored} == {"active"}
    for package in stored:
        assert [kind for kind, _ in activities(package.id)] == ["new package"], package.extras["uri"]


def test_the_gather_consumer_stores_the_batches_when_it_has_read_every_page(api, served):
    """With no fetch consumer at all, the job still ends: the gather consumer stores
    every batch once it has read the catalogue. The fetch consumer, started again,
    finds their messages stored already and leaves them."""
    folder, base = served
    numbered_catalogue(folder, "sammler", 30, "Sammler")
    org = new_org(api, "sammler")
    source = new_source(api, org["id"], "sammler", f"{base}/sammler.rdf", import_batch=5)
    with fetch_consumer_stopped():
        job = harvest(api, source["id"], timeout=120)[source["id"]]
        assert_stored_once(org, job, 30)
    wait_until(lambda: anonymous_count(api, org) == 30, timeout=30, interval=0.5, what="30 datasets searchable")
    wait_until(lambda: fetch_queue_done_with(job["id"]), timeout=60, interval=0.5,
               what="the six queued messages taken and done")
    model.Session.remove()
    assert_stored_once(org, {**job, "report": job_report(job["id"])}, 30)   # the report read again


def test_both_consumers_store_one_job_and_each_batch_once(api, served):
    numbered_catalogue(served[0], "beide", 200, "Beide")
    org = new_org(api, "beide")
    source = new_source(api, org["id"], "beide", f"{served[1]}/beide.rdf", import_batch=5)
    job = harvest(api, source["id"], timeout=180)[source["id"]]
    assert_stored_once(org, job, 200)
    model.Session.remove()
    objects = model.Session.query(HarvestObject.state).filter(HarvestObject.harvest_job_id == job["id"]).all()
    assert {state for (state,) in objects} == {"COMPLETE"}
    # The fetch consumer stores the batches from the first on, the gather consumer from the
    # last back: the last batch is stored before the middle one.
    members = sa.select(HarvestObjectExtra.harvest_object_id).where(HarvestObjectExtra.key == "batch_of")
    leaders = model.Session.query(HarvestObject.import_started).filter(
        HarvestObject.harvest_job_id == job["id"], HarvestObject.id.notin_(members)) \
        .order_by(HarvestObject.gathered).all()
    assert len(leaders) == 40
    assert leaders[-1].import_started < leaders[20].import_started
    wait_until(lambda: anonymous_count(api, org) == 200, timeout=30, interval=0.5, what="200 datasets searchable")


def test_a_gather_waiting_in_the_queue_comes_before_storing_batches(api):
    """Source A's page is held until source B's job is queued: A's gather then
    leaves its batches to the fetch consumer (stopped here, so they wait), and B's
    gather runs and stores B's. With the fetch consumer back, A ends too."""
    server = FaultServer(ROUTES)
    base = server.start()
    b_queued = threading.Event()

    def held(handler):
        b_queued.wait(25)   # below the read timeout of 30 s
        send(handler, rdf_catalogue(*(
            rdf_dataset(f"https://vortritt-a.example/{i}", f"Vortritt A {i}") for i in range(20))))

    ROUTES["/vortritt/a.rdf"] = held
    ROUTES["/vortritt/b.rdf"] = body(rdf_catalogue(*(
        rdf_dataset(f"https://vortritt-b.example/{i}", f"Vortritt B {i}") for i in range(10))))
    org_a, org_b = new_org(api, "vortritt-a"), new_org(api, "vortritt-b")
    source_a = new_source(api, org_a["id"], "vortritt-a", f"{base}/vortritt/a.rdf", import_batch=5)
    source_b = new_source(api, org_b["id"], "vortritt-b", f"{base}/vortritt/b.rdf", import_batch=5)
    try:
        with fetch_consumer_stopped():
            job_a = api("harvest_job_create", source_id=source_a["id"], run=True)["id"]
            job_b = api("harvest_job_create", source_id=source_b["id"], run=True)["id"]
            b_queued.set()
            finished_b = finished_jobs(api, {source_b["id"]: job_b}, timeout=120)[source_b["id"]]
            assert_stored_once(org_b, finished_b, 10)
            model.Session.remove()
            assert HarvestJob.get(job_a).gather_finished is not None
            states = [state for (state,) in model.Session.query(HarvestObject.state)
                      .filter(HarvestObject.harvest_job_id == job_a)]
            assert sorted(set(states)) == ["BATCHED", "WAITING"] and states.count("WAITING") == 4
            assert packages(org_a["id"]) == []
        finished_a = finished_jobs(api, {source_a["id"]: job_a}, timeout=120)[source_a["id"]]
        assert_stored_once(org_a, finished_a, 20)
    finally:
        b_queued.set()
        server.stop()


def test_a_harvest_object_is_imported_by_one_process_at_a_time():
    from ckanext.thueringen.harvesters.queue import importing

    object_id = str(uuid.uuid4())
    with importing(object_id) as first:
        with importing(object_id) as second:   # another connection: as another process
            assert (first, second) == (True, False)
        with importing(str(uuid.uuid4())) as other:
            assert other is True
    with importing(object_id) as again:
        assert again is True
    with importing(None) as no_object:
        assert no_object is True


def test_index_documents_go_to_solr_alongside_and_a_refusal_reaches_the_batch(api, stack):
    """The import's Solr sender (harvesters/ckan_overrides.py `IndexSender`) against the
    stack's Solr: documents handed over through CKAN's `make_connection` are in
    Solr once finish() returns; a document Solr refuses makes finish() raise
    CKAN's SearchIndexError with Solr's reason, so the batch rolls back and its
    records are stored one at a time."""
    from ckan.lib.search import SearchIndexError
    from ckan.lib.search import index as search_index

    from ckanext.thueringen.harvesters.ckan_overrides import IndexSender

    org = new_org(api, "solr-sender")
    dataset = api("package_create", name=f"sender-{uuid.uuid4().hex[:8]}", title="Sendetest", owner_org=org["id"],
                  notes="Beschreibung.", license_id="dl-by-de/2.0")
    select = f"{stack['solr_url']}/select"
    wait_until(lambda: requests.get(select, params={"q": f"id:{dataset['id']}", "wt": "json"}, timeout=10)
               .json()["response"]["numFound"] == 1, timeout=20, interval=0.5, what="dataset indexed")
    doc = requests.get(select, params={"q": f"id:{dataset['id']}", "fl": "*", "wt": "json"},
                       timeout=10).json()["response"]["docs"][0]
    doc.pop("_version_", None)
    copies = []
    for n in range(3):
        copy_id = str(uuid.uuid4())
        copies.append({**doc, "id": copy_id, "index_id": copy_id, "name": f"{doc['name']}-{n}"})
    try:
        with IndexSender.sending() as sender:
            for copy in copies:
                search_index.make_connection().add(docs=[copy], commit=False)
            sender.finish()
        requests.get(f"{stack['solr_url']}/update", params={"commit": "true"}, timeout=30)
        ids = " OR ".join(copy["id"] for copy in copies)
        assert requests.get(select, params={"q": f"id:({ids})", "wt": "json"},
                            timeout=10).json()["response"]["numFound"] == 3

        with pytest.raises(SearchIndexError, match="Solr returned an error") as refused:
            with IndexSender.sending() as sender:
                search_index.make_connection().add(docs=[{**copies[0], "metadata_modified": "kein Datum"}])
                sender.finish()
        assert "kein Datum" in str(refused.value)
        assert search_index.make_connection is not None and not isinstance(search_index.make_connection(),
                                                                            IndexSender)
    finally:
        requests.post(f"{stack['solr_url']}/update", params={"commit": "true"},
                      json={"delete": [copy["id"] for copy in copies]}, timeout=30)


def test_harvested_documents_are_extracted_and_searchable(api):
    """A batch's full-text jobs are held back until it has committed
    (fulltext/jobs.py `held_back`) and then reach the stack's worker: the text
    of a harvested PDF becomes searchable."""
    from pdf_writer import write_pdf

    server = FaultServer(ROUTES)
    base = server.start()
    word = f"ernteplanwort{uuid.uuid4().hex[:8]}"
    ROUTES["/dokumente/plan.pdf"] = body(write_pdf([f"Haushaltsplan {word}"]), "application/pdf")
    pdf = "http://publications.europa.eu/resource/authority/file-type/PDF"
    datasets = [rdf_dataset(f"https://dokumente.example/{i}", f"Dokument {i}", extra=f"""
    <dcat:distribution><dcat:Distribution rdf:about="https://dokumente.example/{i}/pdf">
      <dcat:accessURL rdf:resource="{base}/dokumente/plan.pdf"/><dct:format rdf:resource="{pdf}"/>
      <dct:license rdf:resource="{DL_BY}"/></dcat:Distribution></dcat:distribution>""") for i in (1, 2)]
    ROUTES["/dokumente/katalog.rdf"] = body(rdf_catalogue(*datasets))
    org = new_org(api, "dokumente")
    source = new_source(api, org["id"], "dokumente", f"{base}/dokumente/katalog.rdf")
    try:
        job = harvest(api, source["id"])[source["id"]]
        assert counts(job)["added"] == 2
        wait_until(lambda: len(api("package_search", q=word, fq=f"owner_org:{org['id']}")["results"]) == 2,
                   timeout=120, interval=2, what="the harvested PDFs' text searchable")
    finally:
        server.stop()


CRASH_DATASETS = 60
CRASH_BATCH = 5


@pytest.mark.parametrize("consumer", ["fetch-consumer", "gather-consumer"])
def test_a_killed_consumer_leaves_no_duplicates(api, served, consumer):
    """SIGKILL to a consumer while it stores batches (the gather consumer stores
    some too, import_released): its supervisor starts it again, the batch it died
    in is queued again (requeue_orphans, through harvest_jobs_run) and the job
    ends by itself with every record stored once."""
    folder, base = served
    numbered_catalogue(folder, f"absturz-{consumer}", CRASH_DATASETS, "Absturz")
    org = new_org(api, f"absturz-{consumer}")
    source = new_source(api, org["id"], "absturz", f"{base}/absturz-{consumer}.rdf", import_batch=CRASH_BATCH)
    job_id = api("harvest_job_create", source_id=source["id"], run=True)["id"]

    def imported() -> int:
        model.Session.remove()
        return model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job_id,
                                                         HarvestObject.state == "COMPLETE").count()

    wait_until(lambda: imported() >= 15, timeout=120, interval=0.1, what="15 datasets imported")
    pidfile = conftest.STATE_DIR / "pids" / f"{consumer}.pid"
    os.kill(int(pidfile.read_text()), signal.SIGKILL)
    stored_at_the_kill = imported()
    assert stored_at_the_kill < CRASH_DATASETS   # the kill came in the middle of the job

    job = finished_jobs(api, {source["id"]: job_id}, timeout=240)[source["id"]]
    assert counts(job) == {"added": CRASH_DATASETS, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0,
                           "not_processed": 0}, messages(job)
    stored = packages(org["id"])
    assert len(stored) == CRASH_DATASETS
    assert {p.state for p in stored} == {"active"}
    assert len({p.extras["uri"] for p in stored}) == CRASH_DATASETS
    wait_until(lambda: anonymous_count(api, org) == CRASH_DATASETS, timeout=30, interval=0.5,
               what="every dataset searchable")
    status = json.loads((conftest.STATE_DIR / "pids" / f"{consumer}.status.json").read_text())
    assert status["restarts"] >= 1
