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
import weakref
from typing import Any

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

import ckan.plugins.toolkit as toolkit
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import resource_uri

from ckanext.thueringen import normalize

log = logging.getLogger(__name__)

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
DCATAP = Namespace("http://data.europa.eu/r5r/")

THUERINGEN_STATE = "http://dcat-ap.de/def/politicalGeocoding/stateKey/16"
DATA_THEME_SCHEME = "http://publications.europa.eu/resource/authority/data-theme"
LANGUAGE_GERMAN = "http://publications.europa.eu/resource/authority/language/DEU"
PUBLISHER_TYPE_REGIONAL = "http://purl.org/adms/publishertype/RegionalAuthority"

# Graphs whose dcatde namespaces are already canonical: ckanext-dcat makes a
# new profile per dataset, the rewrite is needed once per graph.
_CANONICAL_GRAPHS: "weakref.WeakSet" = weakref.WeakSet()


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

    def _canonical_dcatde(self) -> None:
        """Rewrite every dcatde namespace version (1.0, 1.0.1, 1.1, 2.0, https, www)
        to the canonical one, once per graph, so one set of rules reads them all."""
        if self.g in _CANONICAL_GRAPHS:
            return
        _CANONICAL_GRAPHS.add(self.g)
        for s, p, o in list(self.g):
            new_p = URIRef(normalize.dcatde_namespace(str(p)))
            new_o = URIRef(normalize.dcatde_namespace(str(o))) if isinstance(o, URIRef) else o
            if new_p != p or new_o != o:
                self.g.remove((s, p, o))
                self.g.add((s, new_p, new_o))

    def parse_dataset(self, dataset_dict, dataset_ref):
        self._canonical_dcatde()
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        self._parse_german_additions(dataset_dict, dataset_ref)
        self._parse_deprecated(dataset_dict, dataset_ref)
        self._parse_licences(dataset_dict, dataset_ref)
        result = normalize.normalize_dataset(dataset_dict)
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

        legislation = _as_list(dataset_dict.get("applicable_legislation"))
        for basis in self.g.objects(dataset_ref, DCATDE.legalBasis):
            if str(basis) not in legislation:
                legislation.append(str(basis))
        if legislation:
            dataset_dict["applicable_legislation"] = legislation

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

        for resource_dict in dataset_dict.get("resources", []):
            distribution = URIRef(resource_uri(resource_dict))
            attribution = resource_dict.get("license_attribution_by_text")
            if attribution:
                g.add((distribution, DCATDE.licenseAttributionByText, Literal(attribution)))

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
