"""Values the DCAT-AP.de export derives where a record lacks one that DCAT-AP.de
makes mandatory, so that what the portal passes on stays conformant while the
portal keeps the record as its publisher sent it.

Each rule is one class with two sides that must agree: `find` tells, from the
stored dataset dict, what the export will derive (a German finding for the
harvest report and the dataset's quality notes), and `apply` writes it into the
dataset's graph in the `dcatap_de` profile. docs/dcat-ap-de.md lists the rules.

Only what DCAT-AP.de makes mandatory and what can be derived without inventing
anything is derived: the title as the description, the dataset's licence for
its distributions, the dataset's publisher for the data services that serve
it, the download URL as the access URL (as DCAT-AP itself says).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS

KIND = "derived"


@dataclass(frozen=True)
class Derived:
    field: str     # where in the dataset dict, e.g. "notes", "resources[1].license"
    value: str     # what the export writes there
    message: str   # German
    kind: str = KIND


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _list(value: Any) -> list:
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return value if isinstance(value, list) else []


def _resources(dataset: dict) -> list[dict]:
    resources = dataset.get("resources")
    return [r for r in resources if isinstance(r, dict)] if isinstance(resources, list) else []


def is_iri(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def licence_node(graph: Graph, value: str):
    """The dct:license object for a licence value: its IRI, or for a licence
    given only as text (a city's own terms of use) a dct:LicenseDocument with
    the text as its label, so that the terms travel with the record."""
    if is_iri(value):
        return URIRef(value)
    node = BNode()
    graph.add((node, RDF.type, DCTERMS.LicenseDocument))
    graph.add((node, RDFS.label, Literal(value, lang="de")))
    return node


class Description:
    """dct:description is mandatory: without one the title stands in."""

    def find(self, dataset: dict) -> Iterator[Derived]:
        if not _text(dataset.get("notes")) and _text(dataset.get("title")):
            yield Derived("notes", _text(dataset["title"]),
                          "Beschreibung fehlt in der Quelle; der Export nennt den Titel als Beschreibung "
                          "(dct:description).")

    def apply(self, graph: Graph, dataset_ref, dataset: dict, distributions: list) -> None:
        for item in self.find(dataset):
            if (dataset_ref, DCTERMS.description, None) not in graph:
                graph.add((dataset_ref, DCTERMS.description, Literal(item.value, lang="de")))


class DistributionLicence:
    """DCAT-AP.de wants a licence on every distribution: the distribution's own,
    else the dataset's, also when it is only a text."""

    def find(self, dataset: dict) -> Iterator[Derived]:
        licence = _text(dataset.get("license_id"))
        for index, resource in enumerate(_resources(dataset)):
            if licence and not _text(resource.get("license")):
                yield Derived(f"resources[{index}].license", licence,
                              "Lizenz der Distribution fehlt; der Export übernimmt die Lizenz des Datensatzes "
                              "(dct:license).")

    def apply(self, graph: Graph, dataset_ref, dataset: dict, distributions: list) -> None:
        licence = _text(dataset.get("license_id"))
        for resource, distribution in distributions:
            own = _text(resource.get("license"))
            value = own or licence
            has_iri = any(not isinstance(o, Literal) for o in graph.objects(distribution, DCTERMS.license))
            if not value or has_iri:
                continue
            graph.remove((distribution, DCTERMS.license, None))   # a literal would be dropped anyway
            graph.add((distribution, DCTERMS.license, licence_node(graph, value)))


class ServicePublisher:
    """A dcat:DataService needs a dct:publisher: the dataset's publisher, whose
    data it serves."""

    def find(self, dataset: dict) -> Iterator[Derived]:
        publisher = _publisher_name(dataset)
        for index, resource in enumerate(_resources(dataset)):
            for number, service in enumerate(_list(resource.get("access_services"))):
                if isinstance(service, dict) and not service.get("publisher"):
                    yield Derived(f"resources[{index}].access_services[{number}].publisher", publisher,
                                  "Herausgeber des Datendienstes fehlt; der Export nennt den Herausgeber des "
                                  "Datensatzes (dct:publisher).")

    def apply(self, graph: Graph, dataset_ref, dataset: dict, distributions: list) -> None:
        publisher = graph.value(dataset_ref, DCTERMS.publisher)
        if publisher is None:
            return
        for _resource, distribution in distributions:
            for service in graph.objects(distribution, DCAT.accessService):
                if (service, DCTERMS.publisher, None) not in graph:
                    graph.add((service, DCTERMS.publisher, publisher))


class AccessURL:
    """dcat:accessURL is mandatory; DCAT-AP says it is the download URL where a
    distribution has only that."""

    def find(self, dataset: dict) -> Iterator[Derived]:
        for index, resource in enumerate(_resources(dataset)):
            fallback = _text(resource.get("download_url")) or _text(resource.get("url"))
            if not _text(resource.get("access_url")) and is_iri(fallback):
                yield Derived(f"resources[{index}].access_url", fallback,
                              "Zugangs-URL fehlt; der Export nennt die Download-URL (dcat:accessURL).")

    def apply(self, graph: Graph, dataset_ref, dataset: dict, distributions: list) -> None:
        for resource, distribution in distributions:
            if (distribution, DCAT.accessURL, None) in graph:
                continue
            fallback = graph.value(distribution, DCAT.downloadURL) or resource.get("url")
            if fallback and is_iri(str(fallback)):
                graph.add((distribution, DCAT.accessURL, URIRef(str(fallback))))


def _publisher_name(dataset: dict) -> str:
    for agent in _list(dataset.get("publisher")):
        if isinstance(agent, dict) and _text(agent.get("name")):
            return _text(agent["name"])
    organization = dataset.get("organization")
    if isinstance(organization, dict) and _text(organization.get("title")):
        return _text(organization["title"])
    return "die veröffentlichende Stelle"


RULES = (Description(), DistributionLicence(), ServicePublisher(), AccessURL())


def derived_values(dataset: dict) -> list[Derived]:
    """What the export derives for `dataset` (a CKAN dataset dict), in German."""
    return [item for rule in RULES for item in rule.find(dataset)]


def apply(graph: Graph, dataset_ref, dataset: dict, distributions: list) -> None:
    """Write every derived value into the dataset's graph; `distributions` pairs
    each resource dict with its distribution node."""
    for rule in RULES:
        rule.apply(graph, dataset_ref, dataset, distributions)
