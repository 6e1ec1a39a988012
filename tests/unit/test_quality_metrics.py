"""The MQA metrics, each on a record built to gain or lose exactly its points.

A complete record earns all 405 points; each case changes one thing and the
score must drop by the points the MQA gives for it, and by nothing else.
Where the methodology ties two metrics together (no download URL: nothing can
answer there either), the case says so and expects both.
"""
from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, XSD

from ckanext.thueringen.derived import NO_LICENCE
from ckanext.thueringen.quality import metrics

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
FT = Namespace("http://publications.europa.eu/resource/authority/file-type/")
IANA = "https://www.iana.org/assignments/media-types/"
DATASET = URIRef("https://opendata.thueringen.de/dataset/haushalt")
ACCESS = "https://jena.example/haushalt"
DOWNLOAD = "https://jena.example/haushalt.csv"


def distribution(graph: Graph, node: URIRef, access: str = ACCESS, download: str = DOWNLOAD) -> URIRef:
    graph.add((DATASET, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCAT.accessURL, URIRef(access)))
    graph.add((node, DCAT.downloadURL, URIRef(download)))
    graph.add((node, DCTERMS.format, FT.CSV))
    graph.add((node, DCAT.mediaType, URIRef(IANA + "text/csv")))
    graph.add((node, DCTERMS.license, URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")))
    rights = BNode()
    graph.add((node, DCTERMS.rights, rights))
    graph.add((rights, RDF.type, DCTERMS.RightsStatement))
    graph.add((rights, RDFS.label, Literal("Quelle: Stadt Jena", lang="de")))
    graph.add((node, DCAT.byteSize, Literal(1234, datatype=XSD.nonNegativeInteger)))
    graph.add((node, DCTERMS.issued, Literal("2024-01-01", datatype=XSD.date)))
    graph.add((node, DCTERMS.modified, Literal("2024-02-01", datatype=XSD.date)))
    return node


def complete() -> tuple[Graph, URIRef]:
    g = Graph()
    g.add((DATASET, RDF.type, DCAT.Dataset))
    g.add((DATASET, DCAT.keyword, Literal("Haushalt", lang="de")))
    g.add((DATASET, DCAT.theme, URIRef("http://publications.europa.eu/resource/authority/data-theme/ECON")))
    g.add((DATASET, DCTERMS.spatial, URIRef("http://dcat-ap.de/def/politicalGeocoding/districtKey/16053")))
    period = BNode()
    g.add((DATASET, DCTERMS.temporal, period))
    g.add((period, DCAT.startDate, Literal("2024-01-01", datatype=XSD.date)))
    g.add((DATASET, DCTERMS.accessRights,
           URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")))
    contact = BNode()
    g.add((DATASET, DCAT.contactPoint, contact))
    g.add((contact, VCARD.fn, Literal("Kämmerei")))
    publisher = BNode()
    g.add((DATASET, DCTERMS.publisher, publisher))
    g.add((publisher, FOAF.name, Literal("Stadt Jena")))
    node = distribution(g, URIRef("https://opendata.thueringen.de/dataset/haushalt/resource/1"))
    return g, node


ALL_ANSWER = metrics.Links({ACCESS: True, DOWNLOAD: True})


def score(graph: Graph, links: metrics.Links = ALL_ANSWER, conforms: bool = True) -> metrics.Score:
    return metrics.score(graph, DATASET, links, conforms)


def points(result: metrics.Score) -> dict[str, float]:
    return {m.id: m.points for m in result.metrics}


def test_the_complete_record_earns_all_405_points_and_is_excellent():
    graph, _node = complete()
    result = score(graph)
    assert result.total == 405 == metrics.MAX_POINTS
    assert result.band == "excellent"
    assert result.dimensions == {"findability": 100, "accessibility": 100, "interoperability": 110,
                                 "reusability": 75, "contextuality": 20}
    assert metrics.advice(result) == []


def test_the_points_of_the_metrics_are_the_mqa_ones():
    expected = {"keyword": 30, "theme": 30, "spatial": 20, "temporal": 20, "access_url_answers": 50,
                "download_url": 20, "download_url_answers": 30, "format": 20, "media_type": 10,
                "format_media_type_vocabulary": 10, "non_proprietary": 20, "machine_readable": 20,
                "dcat_ap_compliance": 30, "licence": 20, "known_licence": 10, "access_rights": 10,
                "access_rights_vocabulary": 5, "contact_point": 20, "publisher": 10, "rights": 5,
                "byte_size": 5, "issued": 5, "modified": 5}
    assert {m.id: m.points for m in metrics.METRICS} == expected
    assert sum(expected.values()) == 405


def _remove(predicate, on_distribution=False):
    def change(graph: Graph, node: URIRef):
        graph.remove((node if on_distribution else DATASET, predicate, None))
    return change


def _replace(predicate, value):
    def change(graph: Graph, node: URIRef):
        graph.remove((node, predicate, None))
        graph.add((node, predicate, value))
    return change


def _licence_text(text):
    def change(graph: Graph, node: URIRef):
        graph.remove((node, DCTERMS.license, None))
        document = BNode()
        graph.add((node, DCTERMS.license, document))
        graph.add((document, RDF.type, DCTERMS.LicenseDocument))
        graph.add((document, RDFS.label, Literal(text, lang="de")))
    return change


def _access_rights_text(graph: Graph, node: URIRef):
    graph.remove((DATASET, DCTERMS.accessRights, None))
    statement = BNode()
    graph.add((DATASET, DCTERMS.accessRights, statement))
    graph.add((statement, RDFS.label, Literal("frei zugänglich", lang="de")))


# metric -> (change to the complete record, the metrics that lose all their points)
CASES = {
    "keyword": (_remove(DCAT.keyword), {"keyword"}),
    "theme": (_remove(DCAT.theme), {"theme"}),
    "spatial": (_remove(DCTERMS.spatial), {"spatial"}),
    "temporal": (_remove(DCTERMS.temporal), {"temporal"}),
    # without a download URL nothing can answer there either (the MQA's two metrics)
    "download_url": (_remove(DCAT.downloadURL, True), {"download_url", "download_url_answers"}),
    # without a format, neither its openness nor its machine readability can be known
    "format": (_remove(DCTERMS.format, True), {"format", "non_proprietary", "machine_readable"}),
    "media_type": (_remove(DCAT.mediaType, True), {"media_type"}),
    "format_media_type_vocabulary": (_replace(DCAT.mediaType, URIRef("https://jena.example/typen/csv")),
                                     {"format_media_type_vocabulary"}),
    "non_proprietary": (_replace(DCTERMS.format, FT.XLSX), {"non_proprietary"}),
    "machine_readable": (_replace(DCTERMS.format, FT.PDF), {"machine_readable"}),
    # the export's "no licence given" document is no licence
    "licence": (_licence_text(NO_LICENCE), {"licence", "known_licence"}),
    "known_licence": (_licence_text("Nutzungsbedingungen der Stadt Jena"), {"known_licence"}),
    "access_rights": (_remove(DCTERMS.accessRights), {"access_rights", "access_rights_vocabulary"}),
    "access_rights_vocabulary": (_access_rights_text, {"access_rights_vocabulary"}),
    "contact_point": (_remove(DCAT.contactPoint), {"contact_point"}),
    "publisher": (_remove(DCTERMS.publisher), {"publisher"}),
    "rights": (_remove(DCTERMS.rights, True), {"rights"}),
    "byte_size": (_remove(DCAT.byteSize, True), {"byte_size"}),
    "issued": (_remove(DCTERMS.issued, True), {"issued"}),
    "modified": (_remove(DCTERMS.modified, True), {"modified"}),
}


@pytest.mark.parametrize("metric", sorted(CASES))
def test_each_metric_loses_exactly_its_points(metric):
    graph, node = complete()
    change, losing = CASES[metric]
    change(graph, node)
    result = score(graph)
    lost = sum(metrics.METRICS_BY_ID[m].points for m in losing)
    assert result.total == 405 - lost
    assert {m for m, p in points(result).items() if p == 0} == losing
    advised = {a.metric: a for a in metrics.advice(result)}
    assert set(advised) == losing
    assert advised[metric].gain == metrics.METRICS_BY_ID[metric].points
    assert advised[metric].property.startswith(("dcat:", "dct:"))


def test_an_access_url_that_does_not_answer_loses_50_points():
    graph, _node = complete()
    result = score(graph, metrics.Links({ACCESS: False, DOWNLOAD: True}))
    assert result.total == 355
    assert points(result)["access_url_answers"] == 0


def test_a_download_url_that_does_not_answer_loses_30_points():
    graph, _node = complete()
    result = score(graph, metrics.Links({ACCESS: True, DOWNLOAD: False}))
    assert result.total == 375
    assert points(result)["download_url_answers"] == 0


def test_shacl_violations_lose_the_30_points_of_dcat_ap_compliance():
    graph, _node = complete()
    result = score(graph, conforms=False)
    assert result.total == 375
    assert [a.metric for a in metrics.advice(result)] == ["dcat_ap_compliance"]


def test_unchecked_links_earn_nothing_and_are_reported_as_not_yet_checked():
    graph, _node = complete()
    result = score(graph, metrics.Links({}))
    assert result.total == 405 - 50 - 30
    by_metric = {m.id: m for m in result.metrics}
    assert by_metric["access_url_answers"].unchecked == 1
    advice = {a.metric: a.text for a in metrics.advice(result)}
    assert "noch nicht geprüft" in advice["access_url_answers"]
    assert "noch nicht geprüft" in advice["download_url_answers"]


def test_distribution_metrics_are_averaged_over_the_distributions():
    graph, _node = complete()
    second = distribution(graph, URIRef("https://opendata.thueringen.de/dataset/haushalt/resource/2"),
                          access="https://jena.example/b", download="https://jena.example/b.pdf")
    graph.remove((second, DCAT.byteSize, None))
    _replace(DCTERMS.format, FT.PDF)(graph, second)
    links = metrics.Links({ACCESS: True, DOWNLOAD: True, "https://jena.example/b": False,
                           "https://jena.example/b.pdf": True})
    result = score(graph, links)
    got = points(result)
    assert got["byte_size"] == 2.5
    assert got["machine_readable"] == 10
    assert got["access_url_answers"] == 25
    # 405 - 2.5 - 10 - 25 = 367.5, rounded half to even at the end
    assert result.total == 368
    advice = {a.metric: a for a in metrics.advice(result)}
    assert advice["access_url_answers"].gain == 25
    assert "1 von 2 Distributionen" in advice["access_url_answers"].text


def test_a_dataset_without_distributions_gets_none_of_their_points():
    graph, node = complete()
    graph.remove((DATASET, DCAT.distribution, None))
    result = score(graph)
    distribution_points = sum(m.points for m in metrics.METRICS if m.on_distribution)
    assert result.total == 405 - distribution_points
    assert all("Fügen Sie eine Distribution" in a.text for a in metrics.advice(result)
               if metrics.METRICS_BY_ID[a.metric].on_distribution)


@pytest.mark.parametrize(("total", "band"), [(405, "excellent"), (351, "excellent"), (350, "good"),
                                             (221, "good"), (220, "sufficient"), (121, "sufficient"),
                                             (120, "bad"), (0, "bad")])
def test_bands_are_the_mqa_ones(total, band):
    assert metrics.band(total) == band


def test_link_urls_are_the_access_and_download_urls():
    graph, _node = complete()
    assert metrics.link_urls(graph, DATASET) == {ACCESS, DOWNLOAD}
