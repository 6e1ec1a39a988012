"""Fixtures and helpers of the harvest tests against the real stack: harvest
sources (purged after each module), catalogues served from 127.0.0.1, jobs run
through the stack's queues and consumers, and their reports (read with
`job_report` from the stack's database).

Registered for every test module by `pytest_plugins` in tests/conftest.py; test
modules import the helpers (not the fixtures) from here.
"""
from __future__ import annotations

import json
import uuid

import ckan.model as model
import pytest
import requests
from rdflib import Graph

from ckanext.thueringen.harvesters.report import job_report
from conftest import stack_sysadmin, wait_until
from static_server import serve_in_thread

DL_BY = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"

CREATED_SOURCES: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def clear_sources():
    """After each module, purge the datasets, jobs and objects of the sources it made
    with `new_source`: a later run serves the same datasets again, which would be
    duplicates of these. Asks for no fixture, so modules that make no source (and
    unit tests without the stack) do not need the stack for it."""
    yield
    if CREATED_SOURCES:
        api = stack_sysadmin()
        for source_id in CREATED_SOURCES:
            api("harvest_source_clear", id=source_id)
        CREATED_SOURCES.clear()


def new_source(api, org_id: str, name: str, url: str, source_type: str = "dcat_ap_de", **config) -> dict:
    """A harvest source, purged by `clear_sources` when the module's tests are done."""
    source = api("harvest_source_create", name=f"{name}-{uuid.uuid4().hex[:6]}", title=name, url=url,
                 source_type=source_type, owner_org=org_id, frequency="MANUAL", config=json.dumps(config))
    CREATED_SOURCES.append(source["id"])
    return source


def new_org(api, name: str) -> dict:
    return api("organization_create", name=f"{name}-{uuid.uuid4().hex[:6]}", title=name)


def harvest(api, *source_ids: str, timeout: float = 240) -> dict[str, dict]:
    """Run one job per source through the queues; source id -> the finished job with its report."""
    jobs = {source_id: api("harvest_job_create", source_id=source_id, run=True)["id"] for source_id in source_ids}
    return finished_jobs(api, jobs, timeout)


def finished_jobs(api, jobs: dict[str, str], timeout: float = 240) -> dict[str, dict]:
    """Wait until the jobs (source id -> job id) have finished; source id -> the job with its report."""
    finished: dict[str, dict] = {}

    def all_finished():
        for source_id, job_id in jobs.items():
            if source_id not in finished:
                api("harvest_jobs_run", source_id=source_id)
                job = api("harvest_job_show", id=job_id)
                if job["status"] == "Finished":
                    finished[source_id] = job
        return len(finished) == len(jobs)

    wait_until(all_finished, timeout=timeout, interval=1, what="harvest jobs finished")
    model.Session.remove()
    for job in finished.values():
        job["report"] = job_report(job["id"])
    return finished


def packages(org_id: str) -> list[model.Package]:
    """Every dataset of an organisation, also withdrawn ones."""
    model.Session.remove()
    return model.Session.query(model.Package).filter(model.Package.owner_org == org_id,
                                                     model.Package.type == "dataset").all()


def by_uri(org_id: str) -> dict[str, model.Package]:
    """The datasets of an organisation with one source, by URI."""
    return {p.extras["uri"]: p for p in packages(org_id)}


def stamps(org_id: str) -> dict[str, tuple[str, str]]:
    return {p.id: (p.metadata_modified.isoformat(), p.state) for p in packages(org_id)}


def solr_stamps(stack, org_id: str, dataset_type: str = "dataset") -> dict[str, str]:
    """When Solr last indexed each dataset of the organisation (not its harvest
    sources, which ckanext-harvest reindexes whenever a job ends)."""
    answer = requests.get(f"{stack['solr_url']}/select", params={
        "q": f"owner_org:{org_id}", "fq": f"dataset_type:{dataset_type}", "fl": "id,indexed_ts", "rows": 1000,
        "wt": "json"}, timeout=30).json()
    return {doc["id"]: doc["indexed_ts"] for doc in answer["response"]["docs"]}


def counts(job: dict) -> dict[str, int]:
    return job["report"]["counts"]


def messages(job: dict) -> str:
    report = job["report"]
    return "\n".join([*report["job_errors"], *(e["message"] for e in report["errors"]),
                      *(w["message"] for w in report["warnings"])])


def rdf_dataset(uri: str, title: str, *, identifier: str | None = None, modified: str = "2024-01-15",
                extra: str = "", licence: str = DL_BY) -> str:
    """A small but complete DCAT-AP.de dataset in RDF/XML."""
    return f"""
  <dcat:Dataset rdf:about="{uri}">
    <dct:title>{title}</dct:title>
    <dct:description>Beschreibung von {title}.</dct:description>
    {f"<dct:identifier>{identifier}</dct:identifier>" if identifier else ""}
    <dct:modified>{modified}</dct:modified>
    <dcat:theme rdf:resource="http://publications.europa.eu/resource/authority/data-theme/GOVE"/>
    {extra}
    <dcat:distribution>
      <dcat:Distribution rdf:about="{uri}/csv">
        <dcat:accessURL rdf:resource="{uri}/daten.csv"/>
        <dct:format rdf:resource="http://publications.europa.eu/resource/authority/file-type/CSV"/>
        <dct:license rdf:resource="{licence}"/>
      </dcat:Distribution>
    </dcat:distribution>
  </dcat:Dataset>"""


def rdf_catalogue(*datasets: str, extra: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:hydra="http://www.w3.org/ns/hydra/core#">
{"".join(datasets)}
{extra}
</rdf:RDF>
""".encode()


def next_page(this: str, following: str) -> str:
    return f"""<hydra:PagedCollection rdf:about="{this}"><hydra:nextPage>{following}</hydra:nextPage>
  </hydra:PagedCollection>"""


def numbered_catalogue(folder, name: str, count: int, title: str) -> None:
    (folder / f"{name}.rdf").write_bytes(rdf_catalogue(*(
        rdf_dataset(f"https://{name}.example/{i}", f"{title} {i}") for i in range(count))))


def exported(web_url: str, org_id: str) -> Graph:
    """What the portal's web server exports of the organisation's public datasets
    (/dataset/<name>.ttl, one graph)."""
    graph = Graph()
    with requests.Session() as session:
        for package in packages(org_id):
            if package.state == "active":
                response = session.get(f"{web_url}/dataset/{package.name}.ttl", timeout=60)
                assert response.status_code == 200, (package.name, response.text[:300])
                graph.parse(data=response.text, format="turtle")
    return graph


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A folder of catalogue files and the URL it is served at."""
    folder = tmp_path_factory.mktemp("catalogs")
    server = serve_in_thread(folder)
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
