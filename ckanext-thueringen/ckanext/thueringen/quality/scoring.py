"""Score a page of datasets: export, SHACL once per page, link answers, metrics, store.

The graph is the one the DCAT-AP.de export writes (ckanext-dcat's serializer
with the `dcatap_de` profile), so what is graded is what GovData receives.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import ckan.plugins.toolkit as toolkit
from ckanext.dcat.processors import RDFSerializer
from rdflib import Graph, URIRef

from ckanext.thueringen import conformance
from ckanext.thueringen.linkcheck import results as linkcheck
from ckanext.thueringen.quality import metrics, shacl, storage

log = logging.getLogger(__name__)
PROFILES = ["dcatap_de"]


@dataclass(frozen=True)
class Scored:
    dataset: dict
    row: storage.Row
    report: conformance.Report


def export(dataset_dicts: Iterable[dict]) -> tuple[Graph, list[tuple[dict, URIRef]]]:
    """One graph with every dataset as the DCAT-AP.de export writes it."""
    serializer = RDFSerializer(profiles=PROFILES)
    refs = [(dataset, serializer.graph_from_dataset(dataset)) for dataset in dataset_dicts]
    return serializer.g, refs


def score_graph(graph: Graph, refs: list[tuple[dict, URIRef]]) -> list[Scored]:
    """Score each dataset of a page graph (SHACL once for the page)."""
    reports = shacl.validate_page(graph, [ref for _d, ref in refs])
    urls = set().union(*(metrics.link_urls(graph, ref) for _d, ref in refs)) if refs else set()
    checks = linkcheck.latest(urls)
    links = metrics.Links({url: check.answers for url, check in checks.items()})
    scored = []
    for dataset, ref in refs:
        report = reports[str(ref)]
        score = metrics.score(graph, ref, links, report.conforms)
        advice = metrics.advice(score)
        findings = [{"severity": f.severity, "focus": f.focus, "path": f.path, "message": f.message,
                     "value": f.value} for f in report.findings]
        row = storage.Row(dataset["id"], dataset.get("owner_org"), bool(dataset.get("private")), score, advice,
                          findings, len(report.violations), len(report.warnings))
        scored.append(Scored(dataset, row, report))
    return scored


def load(package_ids: Iterable[str]) -> list[dict]:
    """The datasets as package_show gives them (deleted, missing and harvest sources left out)."""
    show = toolkit.get_action("package_show")
    found = []
    for package_id in package_ids:
        try:
            dataset = show({"ignore_auth": True}, {"id": package_id})
        except toolkit.ObjectNotFound:
            continue
        if dataset.get("state") == "active" and dataset.get("type") != "harvest":
            found.append(dataset)
    return found


def rescore(package_ids: list[str]) -> list[Scored]:
    """Score and store the datasets, take today's snapshot, re-index them (commits)."""
    from ckan import model

    from ckanext.thueringen.search.reindex import reindex

    # CKAN's session keeps loaded objects across commits (expire_on_commit off):
    # in this long-lived worker they would be an earlier state of the datasets,
    # and indexing that state would put deleted resources back into Solr's copy
    # that package_show (and so resource_create) reads.
    model.Session.expire_all()
    datasets = load(package_ids)
    gone = set(package_ids) - {d["id"] for d in datasets}
    graph, refs = export(datasets)
    scored = score_graph(graph, refs)
    storage.save(s.row for s in scored)
    storage.forget(gone)
    storage.snapshot({s.row.owner_org for s in scored})
    model.Session.commit()
    model.Session.expire_all()   # index what is stored now, not what was read above
    for dataset in datasets:
        try:
            reindex(dataset["id"], defer_commit=True)
        except Exception:  # noqa: BLE001 - the stored score stays; the next edit indexes it
            log.exception("Qualität: Datensatz %s nicht neu indexiert", dataset["id"])
    if datasets:
        from ckan.lib.search import commit

        commit()
    return scored
