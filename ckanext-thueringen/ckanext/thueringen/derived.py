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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as toolkit
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS

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


# The licence document the export names where neither a distribution nor its
# dataset has a licence: it says so instead of inventing terms of use.
NO_LICENCE = "Keine Lizenzangabe in der Quelle; die Nutzungsbedingungen sind beim Herausgeber zu erfragen."


class DistributionLicence:
    """DCAT-AP.de wants a licence on every distribution: the distribution's own,
    else the dataset's, also when it is only a text; where neither has one, a
    licence document that says the source gives none."""

    def find(self, dataset: dict) -> Iterator[Derived]:
        licence = _text(dataset.get("license_id"))
        for index, resource in enumerate(_resources(dataset)):
            if _text(resource.get("license")):
                continue
            if licence:
                yield Derived(f"resources[{index}].license", licence,
                              "Lizenz der Distribution fehlt; der Export übernimmt die Lizenz des Datensatzes "
                              "(dct:license).")
            else:
                yield Derived(f"resources[{index}].license", NO_LICENCE,
                              "Lizenz fehlt in der Quelle (auch beim Datensatz); der Export nennt ein "
                              "Lizenzdokument, das das sagt (dct:license).")

    def apply(self, graph: Graph, dataset_ref, dataset: dict, distributions: list) -> None:
        licence = _text(dataset.get("license_id"))
        for resource, distribution in distributions:
            own = _text(resource.get("license"))
            value = own or licence or NO_LICENCE
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
        # the services of the dataset's distributions, and the dataset itself where a
        # source gives its API address as both (Opendatasoft does)
        services = {service for _resource, distribution in distributions
                    for service in graph.objects(distribution, DCAT.accessService)}
        services.add(dataset_ref)
        for service in services:
            if (service, RDF.type, DCAT.DataService) in graph and (service, DCTERMS.publisher, None) not in graph:
                graph.add((service, DCTERMS.publisher, publisher))


class PublisherName:
    """An agent needs a foaf:name: a publisher given only by its URI (as many
    catalogues do) is named after the authority that publishes the record in
    the portal, else after its URI."""

    def find(self, dataset: dict) -> Iterator[Derived]:
        for index, agent in enumerate(_list(dataset.get("publisher"))):
            if isinstance(agent, dict) and not _text(agent.get("name")):
                yield Derived(f"publisher[{index}].name", self.name(dataset, agent),
                              "Name des Herausgebers fehlt in der Quelle (nur seine URI); der Export nennt den "
                              "Namen der veröffentlichenden Stelle (foaf:name).")

    @staticmethod
    def name(dataset: dict, agent: dict) -> str:
        organization = dataset.get("organization")
        if isinstance(organization, dict) and _text(organization.get("title")):
            return _text(organization["title"])
        return _text(agent.get("uri")) or "unbekannt"

    def apply(self, graph: Graph, dataset_ref, dataset: dict, distributions: list) -> None:
        agents = [a for a in _list(dataset.get("publisher")) if isinstance(a, dict)]
        for publisher in graph.objects(dataset_ref, DCTERMS.publisher):
            if (publisher, FOAF.name, None) not in graph:
                agent = next((a for a in agents if _text(a.get("uri")) == str(publisher)), agents[0] if agents else {})
                graph.add((publisher, FOAF.name, Literal(self.name(dataset, agent), lang="de")))


class AccessURL:
    """dcat:accessURL is mandatory; DCAT-AP says it is the download URL where a
    distribution has only that, and an access URL may be a landing page: without
    any address of its own, the dataset's landing page, else its page in the
    portal."""

    def fallback(self, dataset: dict, resource: dict) -> tuple[str, str] | None:
        for value, what in ((resource.get("download_url"), "die Download-URL"), (resource.get("url"), "die URL"),
                            (dataset.get("url"), "die Webseite des Datensatzes (dcat:landingPage)")):
            if is_iri(_text(value)):
                return _text(value), what
        page = portal_page(dataset)
        return (page, "die Seite des Datensatzes im Portal") if page else None

    def find(self, dataset: dict) -> Iterator[Derived]:
        for index, resource in enumerate(_resources(dataset)):
            if is_iri(_text(resource.get("access_url"))):
                continue
            found = self.fallback(dataset, resource)
            if found:
                yield Derived(f"resources[{index}].access_url", found[0],
                              f"Zugangs-URL fehlt; der Export nennt {found[1]} (dcat:accessURL).")

    def apply(self, graph: Graph, dataset_ref, dataset: dict, distributions: list) -> None:
        for resource, distribution in distributions:
            if (distribution, DCAT.accessURL, None) in graph:
                continue
            download = graph.value(distribution, DCAT.downloadURL)
            found = (str(download), "") if download is not None and is_iri(str(download)) \
                else self.fallback(dataset, resource)
            if found:
                graph.add((distribution, DCAT.accessURL, URIRef(found[0])))


VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
REACH = (VCARD.hasEmail, VCARD.hasURL, VCARD.hasTelephone)


def portal_page(dataset: dict) -> str | None:
    """The dataset's page in the portal."""
    name = _text(dataset.get("name"))
    site = _text(toolkit.config.get("ckan.site_url")).rstrip("/")
    return f"{site}/dataset/{name}" if name and is_iri(site) else None


class ContactReach:
    """A contact point must say how to reach it (e-mail, web page or phone): one
    given only by name gets the dataset's web page, else its page in the portal."""

    def address(self, dataset: dict) -> str | None:
        return _text(dataset.get("url")) if is_iri(_text(dataset.get("url"))) else portal_page(dataset)

    def find(self, dataset: dict) -> Iterator[Derived]:
        for index, contact in enumerate(_list(dataset.get("contact"))):
            if isinstance(contact, dict) and not any(_text(contact.get(k)) for k in ("email", "url", "telephone")):
                yield Derived(f"contact[{index}].url", self.address(dataset) or "",
                              "Kontakt ohne E-Mail, Webseite oder Telefon; der Export nennt die Webseite des "
                              "Datensatzes (vcard:hasURL).")

    def apply(self, graph: Graph, dataset_ref, dataset: dict, distributions: list) -> None:
        address = self.address(dataset)
        if not address:
            return
        for contact in graph.objects(dataset_ref, DCAT.contactPoint):
            if not any((contact, predicate, None) in graph for predicate in REACH):
                graph.add((contact, VCARD.hasURL, URIRef(address)))


def _publisher_name(dataset: dict) -> str:
    for agent in _list(dataset.get("publisher")):
        if isinstance(agent, dict) and _text(agent.get("name")):
            return _text(agent["name"])
    organization = dataset.get("organization")
    if isinstance(organization, dict) and _text(organization.get("title")):
        return _text(organization["title"])
    return "die veröffentlichende Stelle"


RULES = (Description(), DistributionLicence(), PublisherName(), ServicePublisher(), AccessURL(), ContactReach())


def derived_values(dataset: dict) -> list[Derived]:
    """What the export derives for `dataset` (a CKAN dataset dict), in German."""
    return [item for rule in RULES for item in rule.find(dataset)]


def apply(graph: Graph, dataset_ref, dataset: dict, distributions: list) -> None:
    """Write every derived value into the dataset's graph; `distributions` pairs
    each resource dict with its distribution node."""
    for rule in RULES:
        rule.apply(graph, dataset_ref, dataset, distributions)
