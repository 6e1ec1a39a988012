"""SHACL under the DCAT-AP.de 3.0 shapes for a page of datasets at once.

Most of a pyshacl run on one record is not validation but copying: the code
lists the shapes look up (some 23,000 triples) are joined with the data in a
new graph (conformance.validate), and pyshacl clones that graph again before
it starts. Here the code lists are loaded once into a working graph that is
kept; a page of datasets is added to it, validated in place (no inference, so
pyshacl changes nothing) and taken out again. Validating a whole page in one
run pays the rest of the fixed cost once per page (docs/benchmarks.md,
"Quality score"); each finding is then given to the datasets whose part of the
graph its focus node belongs to.
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Iterable

import pyshacl
from rdflib import BNode, Graph, URIRef

from ckanext.thueringen import conformance

_LOCK = threading.Lock()


@functools.cache
def _working_graph() -> Graph:
    graph = Graph()
    for triple in conformance.ontology_graph():
        graph.add(triple)
    return graph


def validate(data: Graph) -> conformance.Report:
    """conformance.validate's answer for `data`, without copying the code lists."""
    with _LOCK:
        working = _working_graph()
        added = [triple for triple in (*data, *conformance.complement_memberships(data)) if triple not in working]
        for triple in added:
            working.add(triple)
        try:
            _conforms, results, _text = pyshacl.validate(
                working, shacl_graph=conformance.shapes_graph(), inference="none", inplace=True,
                abort_on_first=False, allow_warnings=True, advanced=True)
        finally:
            for triple in added:
                working.remove(triple)
    return conformance.read_results(results, data)


def reachable(graph: Graph, start) -> set:
    """`start` and every node of `graph` reachable from it (its distributions,
    contact point, publisher, locations, ...)."""
    seen = {start}
    todo = [start]
    while todo:
        node = todo.pop()
        for obj in graph.objects(node, None):
            if isinstance(obj, (URIRef, BNode)) and obj not in seen:
                seen.add(obj)
                todo.append(obj)
    return seen


def by_dataset(graph: Graph, datasets: Iterable, findings: Iterable[conformance.Finding]
               ) -> dict[str, list[conformance.Finding]]:
    """The findings of `graph` grouped by the datasets (URIs) whose nodes they are about."""
    datasets = list(datasets)
    owners: dict[str, list[str]] = {}
    for dataset in datasets:
        for node in reachable(graph, dataset):
            owners.setdefault(str(node), []).append(str(dataset))
    grouped: dict[str, list[conformance.Finding]] = {str(d): [] for d in datasets}
    for finding in findings:
        for dataset in owners.get(finding.focus, ()):
            grouped[dataset].append(finding)
    return grouped


def validate_page(graph: Graph, datasets: Iterable) -> dict[str, conformance.Report]:
    """One SHACL run over the page graph; a report per dataset URI."""
    datasets = list(datasets)
    report = validate(graph)
    return {uri: conformance.Report(tuple(found))
            for uri, found in by_dataset(graph, datasets, report.findings).items()}
