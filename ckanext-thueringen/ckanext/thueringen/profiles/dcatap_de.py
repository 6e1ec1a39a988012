"""The `dcatap_de` RDF profile: DCAT-AP.de 3.0 in and out, on top of ckanext-dcat's `euro_dcat_ap_3`.

Reading: what ckanext-dcat's DCAT-AP 3 profile and its scheming support read,
plus the German additions (dcatde:contributorID, politicalGeocodingLevelURI,
licenseAttributionByText), the properties DCAT-AP.de 3.0 deprecated (read and
mapped to their successors), every dcatde namespace version publishers use,
and then the normaliser, which maps raw values to vocabulary URIs and reports
what it could not map (`self.unmapped`, by dataset).

Writing: DCAT-AP.de 3.0 only (no deprecated properties), with the portal's
contributor ID where a dataset has none, and a catalogue record for the
Freistaat Thüringen.
"""
from __future__ import annotations

import logging
import time
import weakref
from typing import Any

import ckan.plugins.toolkit as toolkit
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import resource_uri
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from ckanext.thueringen import derived, normalize, vocabularies
from ckanext.thueringen.transparency import publication_rdf

log = logging.getLogger(__name__)

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")

# Properties whose values DCAT-AP.de 3.0 takes as IRIs (of a code list, mostly).
# A stored value that is not an http(s) IRI (a harvested "TODO:", a licence
# name) stays in the portal, flagged by the normaliser, but is not exported:
# the export passes on clean DCAT-AP.de only.
IRI_ONLY_PROPERTIES = (
    DCTERMS.language, DCTERMS.format, DCTERMS.license, DCAT.theme, DCTERMS.accrualPeriodicity,
    DCATAP.availability, ADMS.status, DCATDE.contributorID, DCATDE.politicalGeocodingLevelURI,
    DCATAP.hvdCategory, DCATAP.applicableLegislation, DCAT.mediaType, DCAT.compressFormat,
    DCAT.packageFormat,
)

# Properties whose values must come from a vocabulary of the portal (by name,
# schemas/vocabularies/index.yaml), as the DCAT-AP.de 3.0 shapes check them.
CONTROLLED_PROPERTIES = {
    DCAT.theme: "themes", DCTERMS.language: "languages", DCTERMS.format: "filetypes",
    DCTERMS.accrualPeriodicity: "frequencies", DCTERMS.accessRights: "access_rights",
    DCATAP.availability: "availability", ADMS.status: "distribution_status",
    DCATAP.hvdCategory: "hvd_categories", DCATDE.politicalGeocodingLevelURI: "geocoding_levels",
}

THUERINGEN_STATE = "http://dcat-ap.de/def/politicalGeocoding/stateKey/16"
DATA_THEME_SCHEME = "http://publications.europa.eu/resource/authority/data-theme"
LANGUAGE_GERMAN = "http://publications.europa.eu/resource/authority/language/DEU"
PUBLISHER_TYPE_REGIONAL = "http://purl.org/adms/publishertype/RegionalAuthority"

# Graphs whose dcatde namespaces are already canonical: ckanext-dcat makes a
# new profile per dataset, the rewrite is needed once per graph.
_CANONICAL_GRAPHS: weakref.WeakSet = weakref.WeakSet()


_ORGANIZATION_CACHE: dict[str, tuple[float, dict]] = {}
_ORGANIZATION_CACHE_SECONDS = 60


def _organization(org_id: str) -> dict:
    """The owner organisation with its schema fields (publisher type, homepage).

    package_show carries only the organisation's core fields; a catalogue page
    exports up to 100 datasets of few organisations, so they are cached briefly.
    """
    cached = _ORGANIZATION_CACHE.get(org_id)
    if cached and time.monotonic() - cached[0] < _ORGANIZATION_CACHE_SECONDS:
        return cached[1]
    try:
        org = toolkit.get_action("organization_show")(
            {"ignore_auth": True}, {"id": org_id, "include_datasets": False, "include_dataset_count": False,
                                    "include_users": False, "include_groups": False, "include_followers": False})
    except toolkit.ObjectNotFound:
        org = {}
    _ORGANIZATION_CACHE[org_id] = (time.monotonic(), org)
    return org


def _as_list(value: Any) -> list:
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


class DCATAPDEProfile(EuropeanDCATAP3Profile):
    """DCAT-AP.de 3.0 (German application profile of DCAT-AP 3)."""

    def __init__(self, graph, dataset_type="dataset", compatibility_mode=False):
        super().__init__(graph, dataset_type=dataset_type, compatibility_mode=compatibility_mode)
        self.unmapped: dict[str, list[normalize.Unmapped]] = {}

    # ------------------------------------------------------------------ read

    def _canonical_graph(self) -> None:
        """Once per graph, before any dataset is read: every dcatde namespace
        version (1.0, 1.0.1, 1.1, 2.0, https, www) becomes the canonical one, and
        a geometry given as a locn:Geometry node (as this profile writes it)
        becomes the literal ckanext-dcat reads. One set of rules then reads all."""
        if self.g in _CANONICAL_GRAPHS:
            return
        _CANONICAL_GRAPHS.add(self.g)
        for s, p, o in list(self.g):
            new_p = URIRef(normalize.dcatde_namespace(str(p)) or p)
            new_o = URIRef(normalize.dcatde_namespace(str(o)) or o) if isinstance(o, URIRef) else o
            if new_p != p or new_o != o:
                self.g.remove((s, p, o))
                self.g.add((s, new_p, new_o))
        for location, geometry in list(self.g.subject_objects(LOCN.geometry)):
            literal = self.g.value(geometry, GSP.asWKT) or self.g.value(geometry, GSP.asGeoJSON)
            if not isinstance(geometry, Literal) and literal is not None:
                self.g.remove((location, LOCN.geometry, geometry))
                self.g.add((location, LOCN.geometry, literal))

    def parse_dataset(self, dataset_dict, dataset_ref):
        self._canonical_graph()
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        self._parse_german_additions(dataset_dict, dataset_ref)
        self._parse_agents(dataset_dict, dataset_ref)
        self._parse_deprecated(dataset_dict, dataset_ref)
        self._parse_licences(dataset_dict, dataset_ref)
        # A transparency document (dct:type or dct:subject names a document type) becomes a publication.
        classified = publication_rdf.read(self.g, dataset_ref, dataset_dict)
        result = normalize.normalize_dataset(classified)
        self.unmapped[str(dataset_ref)] = result.unmapped
        dataset_dict.clear()
        dataset_dict.update(result.value)
        return dataset_dict

    def _parse_german_additions(self, dataset_dict, dataset_ref) -> None:
        contributors = [str(o) for o in self.g.objects(dataset_ref, DCATDE.contributorID)]
        if contributors:
            dataset_dict["contributor_id"] = contributors
        level = self._object_value(dataset_ref, DCATDE.politicalGeocodingLevelURI)
        if level:
            dataset_dict["political_geocoding_level_uri"] = level
        for resource_dict, distribution in self._resources_with_distributions(dataset_dict, dataset_ref):
            attribution = self._object_value(distribution, DCATDE.licenseAttributionByText)
            if attribution:
                resource_dict["license_attribution_by_text"] = attribution

    def _parse_agents(self, dataset_dict, dataset_ref) -> None:
        """Publisher and creator as publishers send them: an agent given as a
        plain name (a literal, which ckanext-dcat reads as an agent with no
        values) keeps its name; agents with no value at all are left out, so
        that the export names the owner organisation instead of nobody."""
        for field, predicate in (("publisher", DCTERMS.publisher), ("creator", DCTERMS.creator)):
            agents = [agent for agent in _as_list(dataset_dict.get(field))
                      if isinstance(agent, dict) and any(agent.values())]
            agents += [{"name": str(value).strip()} for value in self.g.objects(dataset_ref, predicate)
                       if isinstance(value, Literal) and str(value).strip()]
            if agents:
                dataset_dict[field] = agents
            else:
                dataset_dict.pop(field, None)

    def _parse_deprecated(self, dataset_dict, dataset_ref) -> None:
        """DCAT-AP.de properties deprecated in 3.0, mapped to their successors."""
        spatial = dataset_dict.setdefault("spatial_coverage", [])
        known = {entry.get("uri") for entry in spatial}
        for uri in self.g.objects(dataset_ref, DCATDE.politicalGeocodingURI):
            if str(uri) not in known:
                spatial.append({"uri": str(uri)})
                known.add(str(uri))
        for text in self.g.objects(dataset_ref, DCATDE.geocodingDescription):
            spatial.append({"text": str(text)})
        if not spatial:
            dataset_dict.pop("spatial_coverage")

        # dcatde:legalBasis -> dcatap:applicableLegislation, which takes URIs (ELI);
        # a legal basis given as text is kept as text (legal_basis).
        legislation = _as_list(dataset_dict.get("applicable_legislation"))
        texts = []
        for basis in self.g.objects(dataset_ref, DCATDE.legalBasis):
            if isinstance(basis, URIRef) and normalize.uri(str(basis)):
                if str(basis) not in legislation:
                    legislation.append(str(basis))
            else:
                texts.append(str(basis).strip())
        if legislation:
            dataset_dict["applicable_legislation"] = legislation
        if texts:
            dataset_dict["legal_basis"] = "; ".join(texts)

        # dcatde:maintainer -> dcat:contactPoint, dcatde:originator -> dct:creator
        for predicate, field in ((DCATDE.maintainer, "contact"), (DCATDE.originator, "creator")):
            if dataset_dict.get(field):
                continue
            agents = self._agents_details(dataset_ref, predicate)
            if agents:
                dataset_dict[field] = agents

        # dcatde:plannedAvailability (dataset or distribution) -> dcatap:availability
        dataset_availability = self._object_value(dataset_ref, DCATDE.plannedAvailability)
        for resource_dict, distribution in self._resources_with_distributions(dataset_dict, dataset_ref):
            if not resource_dict.get("availability"):
                value = self._object_value(distribution, DCATDE.plannedAvailability) or dataset_availability
                if value:
                    resource_dict["availability"] = value

    def _parse_licences(self, dataset_dict, dataset_ref) -> None:
        """The dataset licence is the first distribution licence (DCAT-AP.de
        puts licences on distributions only); the normaliser maps it."""
        if dataset_dict.get("license_id"):
            return
        for resource_dict in dataset_dict.get("resources", []):
            if resource_dict.get("license"):
                dataset_dict["license_id"] = resource_dict["license"]
                return

    def _resources_with_distributions(self, dataset_dict, dataset_ref):
        """Pairs of (resource dict, distribution node), matched by the
        distribution URI that ckanext-dcat keeps in the resource's `uri`."""
        by_uri = {str(d): d for d in self._distributions(dataset_ref)}
        for resource_dict in dataset_dict.get("resources", []):
            distribution = by_uri.get(resource_dict.get("uri", ""))
            if distribution is None and len(by_uri) == 1:
                distribution = next(iter(by_uri.values()))
            if distribution is not None:
                yield resource_dict, distribution

    # ----------------------------------------------------------------- write

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        # The portal keeps CKAN's short forms in format and license_id and the
        # URIs beside them; DCAT-AP.de takes the URIs (normalize.ckan_form).
        dataset_dict = normalize.export_form(dataset_dict)
        super().graph_from_dataset(dataset_dict, dataset_ref)
        g = self.g
        g.bind("dcatde", DCATDE)
        g.bind("dcatap", DCATAP)

        contributors = _as_list(dataset_dict.get("contributor_id")) or \
            [toolkit.config.get("thueringen.contributor_id")]
        for contributor in filter(None, contributors):
            g.add((dataset_ref, DCATDE.contributorID, URIRef(contributor)))

        level = dataset_dict.get("political_geocoding_level_uri")
        if level:
            g.add((dataset_ref, DCATDE.politicalGeocodingLevelURI, URIRef(level)))

        # The publisher is the owner organisation unless the dataset names another.
        if not dataset_dict.get("publisher") and dataset_dict.get("owner_org"):
            org = _organization(dataset_dict["owner_org"])
            for publisher in g.objects(dataset_ref, DCTERMS.publisher):
                if org.get("publisher_type"):
                    g.add((publisher, DCTERMS.type, URIRef(org["publisher_type"])))
                if org.get("homepage"):
                    g.add((publisher, FOAF.homepage, URIRef(org["homepage"])))

        distributions = []
        for resource_dict in dataset_dict.get("resources", []):
            distribution = URIRef(resource_uri(resource_dict))
            distributions.append((resource_dict, distribution))
            attribution = resource_dict.get("license_attribution_by_text")
            if attribution:
                g.add((distribution, DCATDE.licenseAttributionByText, Literal(attribution)))
        # what DCAT-AP.de makes mandatory and the record lacks (derived.py)
        derived.apply(g, dataset_ref, dataset_dict, distributions)

        publication_rdf.write(g, dataset_ref, dataset_dict)
        self._drop_values_that_are_not_iris(dataset_ref)
        self._drop_values_outside_their_vocabulary(dataset_ref)
        self._geometries_as_nodes(dataset_ref)
        self._identifiers_as_literals(dataset_ref)

    def _geometries_as_nodes(self, dataset_ref) -> None:
        """DCAT-AP 3.0.0 (and so the DCAT-AP.de 3.0 shapes) wants one locn:geometry
        per location, pointing to a locn:Geometry node that carries the WKT and
        the GeoJSON. A location with a URI (stateKey/01) is one node shared by
        every dataset of a catalogue page: its geometry node is made once, and
        each serialisation is kept once."""
        for location in list(self.g.objects(dataset_ref, DCTERMS.spatial)):
            literals = [v for v in self.g.objects(location, LOCN.geometry) if isinstance(v, Literal)]
            if not literals:
                continue
            nodes = [v for v in self.g.objects(location, LOCN.geometry) if not isinstance(v, Literal)]
            node = nodes[0] if nodes else BNode()
            for value in literals:
                self.g.remove((location, LOCN.geometry, value))
            if not nodes:
                self.g.add((location, LOCN.geometry, node))
                self.g.add((node, RDF.type, LOCN.Geometry))
            for value in literals:
                wkt = value.datatype == GSP.wktLiteral or not str(value).lstrip().startswith("{")
                predicate = GSP.asWKT if wkt else GSP.asGeoJSON
                if (node, predicate, None) not in self.g:
                    self.g.add((node, predicate, value))

    def _identifiers_as_literals(self, dataset_ref) -> None:
        """dct:identifier is a literal in DCAT-AP.de, also when it is a URI (as
        Statistikamt Nord's are); ckanext-dcat writes one that looks like a URI
        as an IRI."""
        for value in list(self.g.objects(dataset_ref, DCTERMS.identifier)):
            if isinstance(value, URIRef):
                self.g.remove((dataset_ref, DCTERMS.identifier, value))
                self.g.add((dataset_ref, DCTERMS.identifier, Literal(str(value))))

    def _drop_values_that_are_not_iris(self, dataset_ref) -> None:
        subjects = {dataset_ref, *self.g.objects(dataset_ref, DCAT.distribution)}
        for subject in subjects:
            for predicate in IRI_ONLY_PROPERTIES:
                for value in list(self.g.objects(subject, predicate)):
                    if isinstance(value, Literal) or (
                            isinstance(value, URIRef) and not str(value).startswith(("http://", "https://"))):
                        self.g.remove((subject, predicate, value))

    def _drop_values_outside_their_vocabulary(self, dataset_ref) -> None:
        """A value of a controlled property that is not in its vocabulary (a
        city's own theme URI, a LOC language URI the normaliser could not map)
        stays in the portal, reported, but is not passed on: DCAT-AP.de
        refuses it. Licences are left alone: a licence outside the DCAT-AP.de
        list is a warning there, and the terms must travel with the data."""
        subjects = {dataset_ref}
        for distribution in list(self.g.objects(dataset_ref, DCAT.distribution)):
            subjects.add(distribution)
            subjects.update(self.g.objects(distribution, DCAT.accessService))
        for subject in subjects:
            for predicate, name in CONTROLLED_PROPERTIES.items():
                known = vocabularies.vocabulary(name)
                for value in list(self.g.objects(subject, predicate)):
                    if isinstance(value, URIRef) and str(value) not in known:
                        self.g.remove((subject, predicate, value))

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        super().graph_from_catalog(catalog_dict, catalog_ref)
        g = self.g
        config = toolkit.config
        g.bind("dcatde", DCATDE)

        # DCAT-AP.de wants the catalogue language as an EU language URI.
        g.remove((catalog_ref, DCTERMS.language, None))
        g.add((catalog_ref, DCTERMS.language, URIRef(LANGUAGE_GERMAN)))

        publisher = URIRef(config.get("thueringen.catalog.publisher_uri"))
        g.add((catalog_ref, DCTERMS.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Agent))
        g.add((publisher, FOAF.name, Literal(config.get("thueringen.catalog.publisher_name"), lang="de")))
        g.add((publisher, DCTERMS.type, URIRef(PUBLISHER_TYPE_REGIONAL)))

        g.add((catalog_ref, DCAT.themeTaxonomy, URIRef(DATA_THEME_SCHEME)))
        g.add((catalog_ref, DCTERMS.spatial, URIRef(THUERINGEN_STATE)))
        licence = config.get("thueringen.catalog.license")
        if licence:
            g.add((catalog_ref, DCTERMS.license, URIRef(licence)))
