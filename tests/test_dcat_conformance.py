"""DCAT-AP.de 3.0 in and out: the official examples, SHACL conformance. (The real
catalogues are harvested whole and checked in test_harvest_corpus.py.)

Datasets are parsed with the `dcatap_de` profile, stored through CKAN's actions
(scheming validation, PostgreSQL, Solr of the test stack), read back with
package_show and exported with the same profile.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFSerializer
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS

from ckanext.thueringen import conformance, derived, normalize, rdf
from conftest import REFERENCE, ROOT

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EXAMPLES = sorted((REFERENCE / "dcat-ap-de" / "examples-v2.0").glob("dcat_ap_de-RefImp_*"))
RDF_FORMATS = {".rdf": "xml", ".ttl": "turtle", ".jsonld": "json-ld"}
PROFILE = ["dcatap_de"]

pytestmark = pytest.mark.usefixtures("with_plugins")

# What the schema covers and the export must give back, per node type.
DATASET_PROPERTIES = (
    DCTERMS.title, DCTERMS.description, DCAT.keyword, DCAT.theme, DCTERMS.identifier,
    DCAT.landingPage, DCTERMS.issued, DCTERMS.modified, DCTERMS.accrualPeriodicity,
    DCTERMS.language, DCTERMS.accessRights, DCATDE.contributorID,
    DCATDE.politicalGeocodingLevelURI, DCTERMS.conformsTo,
)
DISTRIBUTION_PROPERTIES = (
    DCTERMS.title, DCTERMS.description, DCAT.accessURL, DCAT.downloadURL, DCTERMS.format,
    DCAT.mediaType, DCTERMS.license, DCAT.byteSize, DCTERMS.issued, DCTERMS.modified,
    DCTERMS.language, DCATDE.licenseAttributionByText,
)
# Deprecated DCAT-AP.de properties and where DCAT-AP.de 3.0 puts their values.
DEPRECATED_SUCCESSORS = {DCATDE.politicalGeocodingURI: DCTERMS.spatial}


def canonical(term) -> str:
    """A value as the comparison sees it: URIs in their canonical namespace,
    dates at their precision, numbers without decimals."""
    if isinstance(term, URIRef):
        return normalize.dcatde_namespace(normalize.uri(str(term)) or str(term))
    text = str(term).strip()
    if isinstance(term, Literal) and term.datatype and str(term.datatype).endswith(("date", "dateTime")):
        return (normalize.date(text) or text)[:10]
    if isinstance(term, Literal) and term.datatype and str(term.datatype).endswith(("decimal", "integer", "nonNegativeInteger")):
        return str(int(float(text)))
    return text


def values(graph: Graph, node, predicate) -> set[str]:
    return {canonical(o) for o in graph.objects(node, predicate)}


def parse(path: Path) -> tuple[rdf.ParsedPage, Graph]:
    fmt = RDF_FORMATS[path.suffix]
    return rdf.parse_datasets(path.read_bytes(), fmt), Graph().parse(path, format=fmt)


def store(dataset_dicts, owner_org: str) -> list[dict]:
    """package_create each parsed dataset, return what package_show gives back."""
    sysadmin = factories.Sysadmin()
    stored = []
    for dataset_dict in dataset_dicts:
        dataset_dict["name"] = f"dcat-{uuid.uuid4().hex[:12]}"
        dataset_dict["owner_org"] = owner_org
        created = helpers.call_action("package_create", context={"user": sysadmin["name"]}, **dataset_dict)
        stored.append(helpers.call_action("package_show", id=created["id"]))
    return stored


def export(dataset_dicts: list[dict]) -> Graph:
    serializer = RDFSerializer(profiles=PROFILE)
    for dataset_dict in dataset_dicts:
        serializer.graph_from_dataset(dataset_dict)
    return serializer.g


def distribution_by_access_url(graph: Graph, dataset) -> dict[str, object]:
    return {canonical(graph.value(d, DCAT.accessURL)): d for d in graph.objects(dataset, DCAT.distribution)}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_official_example_survives_import_and_export(example):
    page, source = parse(example)
    assert page.datasets, f"no dataset parsed from {example.name}"
    stored = store([parsed.dataset for parsed in page.datasets], factories.Organization()["id"])
    exported = export(stored)

    for dataset in stored:
        original, copy = URIRef(dataset["uri"]), URIRef(dataset["uri"])
        for predicate in DATASET_PROPERTIES:
            assert values(source, original, predicate) <= values(exported, copy, predicate), \
                f"{example.name}: {predicate} of {original}"
        for deprecated, successor in DEPRECATED_SUCCESSORS.items():
            assert values(source, original, deprecated) <= values(exported, copy, successor)
        # Contact point and publisher: their names and e-mail addresses.
        for contact in source.objects(original, DCAT.contactPoint):
            emails = {normalize.email(e) for e in values(source, contact, VCARD.hasEmail)}
            exported_emails = {e for c in exported.objects(copy, DCAT.contactPoint)
                               for e in values(exported, c, VCARD.hasEmail)}
            assert emails <= exported_emails
        for publisher in source.objects(original, DCTERMS.publisher):
            names = values(source, publisher, FOAF.name)
            assert names <= {n for p in exported.objects(copy, DCTERMS.publisher) for n in values(exported, p, FOAF.name)}

        source_distributions = distribution_by_access_url(source, original)
        exported_distributions = distribution_by_access_url(exported, copy)
        assert set(source_distributions) == set(exported_distributions)
        for access_url, distribution in source_distributions.items():
            for predicate in DISTRIBUTION_PROPERTIES:
                assert values(source, distribution, predicate) <= \
                    values(exported, exported_distributions[access_url], predicate), \
                    f"{example.name}: {predicate} of distribution {access_url}"


def _complete_dataset(**overrides) -> dict:
    dataset = {
        "title": "Haushaltsplan der Stadt Jena 2024",
        "notes": "Der beschlossene Haushaltsplan mit allen Teilhaushalten.",
        "license_id": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
        "theme": ["http://publications.europa.eu/resource/authority/data-theme/ECON"],
        "language": ["http://publications.europa.eu/resource/authority/language/DEU"],
        "frequency": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
        "spatial_coverage": [{"uri": "http://dcat-ap.de/def/politicalGeocoding/districtKey/16053"}],
        "political_geocoding_level_uri": "http://dcat-ap.de/def/politicalGeocoding/Level/administrativeDistrict",
        "contact": [{"name": "Stadtverwaltung Jena, Kämmerei", "email": "kaemmerei@jena.de"}],
        "tag_string": "Haushalt,Finanzen",
        "resources": [{"url": "https://example.org/haushalt-2024.csv", "name": "Haushaltsplan 2024 (CSV)",
                       "format": "http://publications.europa.eu/resource/authority/file-type/CSV"}],
    }
    dataset.update(overrides)
    return dataset


def test_export_of_a_complete_dataset_has_no_shacl_violation():
    stored = store([_complete_dataset()], factories.Organization(title="Stadt Jena")["id"])

    report = conformance.validate(export(stored))

    assert report.violations == [], "\n".join(map(str, report.violations))


def test_a_distribution_without_licence_violates_the_licence_shape_and_the_export_says_none_was_given():
    stored = store([_complete_dataset(license_id="")], factories.Organization()["id"])
    graph = export(stored)
    # the export names a licence document saying the source gives none (derived.py) ...
    [licence] = {o for o in graph.objects(None, DCTERMS.license)}
    assert str(graph.value(licence, RDFS.label)) == derived.NO_LICENCE
    assert conformance.validate(graph).violations == []
    # ... and without it the shapes would refuse the distribution
    graph.remove((None, DCTERMS.license, None))
    report = conformance.validate(graph)
    licence_violations = [f for f in report.violations if f.path == str(DCTERMS.license)]
    assert licence_violations, "\n".join(map(str, report.violations)) or "no violation at all"


def test_exported_catalogue_has_no_shacl_violation():
    org = factories.Organization(title="Landratsamt Saale-Holzland-Kreis")
    stored = store([_complete_dataset(title=f"Datensatz {n}") for n in range(3)], org["id"])
    serializer = RDFSerializer(profiles=PROFILE)
    text = serializer.serialize_catalog({}, dataset_dicts=stored, _format="turtle")
    graph = Graph().parse(data=text, format="turtle")

    report = conformance.validate(graph)

    assert report.violations == [], "\n".join(map(str, report.violations))
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    assert (catalog, DCTERMS.spatial, URIRef("http://dcat-ap.de/def/politicalGeocoding/stateKey/16")) in graph
    assert (catalog, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/DEU")) in graph
    assert graph.value(catalog, DCTERMS.publisher) is not None


def test_shapes_in_the_project_are_the_official_ones():
    # schemas/shacl/README.md: every file there is an unchanged copy.
    origins = {"dcat-ap_3_shacl_shapes.ttl": REFERENCE / "dcat-ap",
               **{name: REFERENCE / "dcat-ap-de" / "shacl-v3.0" for name in conformance.SHAPE_FILES[1:]},
               **{name: REFERENCE / "dcat-ap-de" / "shacl-support" for name in conformance.MIRROR_FILES}}
    for name, folder in origins.items():
        assert (ROOT / "schemas" / "shacl" / name).read_bytes() == (folder / name).read_bytes(), name
