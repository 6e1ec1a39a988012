"""SHACL per page: the findings of a page graph, given back to each dataset,
are the findings each dataset gets when validated alone."""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from ckanext.thueringen import conformance
from ckanext.thueringen.quality import shacl
from conftest import REFERENCE

EXAMPLE = REFERENCE / "dcat-ap-de" / "examples-v2.0" / "dcat_ap_de-RefImp_TTL_ADVANCED.ttl"
BATHING = URIRef("https://example.com/dataset/d4ce4e6e-ab89-44cb-bf5c-33a162c234de#dataset")
POLICE = URIRef("https://example.com/dataset/68180d85-df56-48e0-993e-b9da36103a72#dataset")


def _alone(graph: Graph, dataset) -> Graph:
    """The dataset's own part of the graph."""
    own = Graph()
    for node in shacl.reachable(graph, dataset):
        for triple in graph.triples((node, None, None)):
            own.add(triple)
    return own


def _key(report: conformance.Report) -> set[tuple[str, str, str, str]]:
    # blank nodes get new ids in a copy: compare focus nodes only by their URI
    return {(f.severity, f.focus if f.focus.startswith("http") else "_", f.path, f.message) for f in report.findings}


def test_page_findings_given_back_to_each_dataset_equal_their_own_validation():
    graph = Graph().parse(EXAMPLE, format="turtle")
    graph.remove((POLICE, DCTERMS.description, None))   # a violation for one dataset only
    by_dataset = shacl.validate_page(graph, [BATHING, POLICE])
    for dataset in (BATHING, POLICE):
        alone = conformance.validate(_alone(graph, dataset))
        assert _key(by_dataset[str(dataset)]) == _key(alone), dataset
    assert any(f.path == str(DCTERMS.description) for f in by_dataset[str(POLICE)].violations)
    assert not any(f.path == str(DCTERMS.description) for f in by_dataset[str(BATHING)].violations)


def test_reachable_stops_at_literals_and_follows_distributions():
    graph = Graph().parse(EXAMPLE, format="turtle")
    nodes = shacl.reachable(graph, BATHING)
    assert URIRef("https://example.com/resource/de72be51-7910-43ad-9dfc-10797b42cc0b#distribution") in nodes
    assert URIRef("http://example.com/resource/e3df4ce6-4729-4b06-9a0a-4fe29db46f88#distribution") not in nodes


def test_validation_with_the_kept_code_lists_equals_conformance_and_leaves_no_data_behind():
    graph = Graph().parse(EXAMPLE, format="turtle")
    graph.remove((POLICE, DCTERMS.description, None))
    fast = shacl.validate(graph)
    assert fast == conformance.validate(graph)
    assert fast.violations
    # the page is taken out again: a second, valid record does not see the first one's triples
    alone = _alone(graph, BATHING)
    assert shacl.validate(alone) == conformance.validate(alone)
    assert not any(f.focus == str(POLICE) for f in shacl.validate(alone).findings)


def test_a_language_of_the_iso_639_3_table_conforms_and_one_outside_every_list_does_not():
    """Low German (NDS) is in the EU language list by its ISO 639-3 code: the
    shapes see its scheme (conformance.complement_memberships), in both ways
    of validating; an invented code stays a violation."""
    graph = _alone(Graph().parse(EXAMPLE, format="turtle"), BATHING)
    graph.remove((BATHING, DCTERMS.language, None))
    graph.add((BATHING, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/NDS")))
    for report in (conformance.validate(graph), shacl.validate(graph)):
        assert not [f for f in report.violations if "dcterms:language" in f.message], report.violations
    invented = "http://publications.europa.eu/resource/authority/language/QQQ"
    graph.add((BATHING, DCTERMS.language, URIRef(invented)))
    for report in (conformance.validate(graph), shacl.validate(graph)):
        assert [f for f in report.violations if "dcterms:language" in f.message], report.violations
