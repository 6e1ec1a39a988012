"""SHACL under the DCAT-AP.de 3.0 shapes for a page of datasets at once.

pyshacl's cost is mostly fixed per call: the shapes and the code lists the
shapes look up are joined with the data each time (conformance.validate).
Validating one graph that holds a whole page of datasets pays that once per
page instead of once per record (docs/benchmarks.md, "Quality score"); each
finding is then given to the datasets whose part of the graph its focus node
belongs to.
"""
from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, URIRef

from ckanext.thueringen import conformance


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
    report = conformance.validate(graph)
    return {uri: conformance.Report(tuple(found))
            for uri, found in by_dataset(graph, datasets, report.findings).items()}
