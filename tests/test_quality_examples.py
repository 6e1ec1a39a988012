"""The score of the official DCAT-AP.de examples, against a count by hand.

Each example is read with the `dcatap_de` profile, stored through CKAN's
actions, exported and scored as the worker does (quality.scoring); the link
checker's answers are recorded for its URLs first, so that accessibility is
known. The hand counts below go through the example file property by
property (tests/fixtures/reference/dcat-ap-de/examples-v2.0, CC BY 4.0).
"""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from ckan import model
from ckan.tests import factories, helpers

from ckanext.thueringen import rdf
from ckanext.thueringen.linkcheck import results as linkcheck
from ckanext.thueringen.quality import scoring
from conftest import REFERENCE

EXAMPLES = REFERENCE / "dcat-ap-de" / "examples-v2.0"

pytestmark = pytest.mark.usefixtures("with_plugins")


def _answer(url: str, status: int) -> None:
    linkcheck.record(linkcheck.LinkCheck(url, status, None, None, None, dt.datetime.now()), None)


def _score(file_name: str, title: str, answers: dict[str, int]):
    page = rdf.parse_datasets((EXAMPLES / file_name).read_bytes(), "turtle")
    [parsed] = [p.dataset for p in page.datasets if p.dataset["title"] == title]
    parsed.update(name=f"beispiel-{uuid.uuid4().hex[:10]}", owner_org=factories.Organization()["id"])
    created = helpers.call_action("package_create", context={"user": factories.Sysadmin()["name"]}, **parsed)
    for url, status in answers.items():
        _answer(url, status)
    model.Session.commit()
    graph, refs = scoring.export([helpers.call_action("package_show", id=created["id"])])
    [scored] = scoring.score_graph(graph, refs)
    return scored


def _points(scored) -> dict[str, float]:
    return {m.id: m.points for m in scored.row.score.metrics}


def test_simple_example_scores_as_counted_by_hand():
    scored = _score("dcat_ap_de-RefImp_TTL_SIMPLE.ttl", "Badegewässer (Daten) Hamburg",
                    {"http://example.com/Badegewaesser_HH_2004-2013.zip": 200})
    # Findability 0: no dcat:keyword, dcat:theme, dct:spatial, dct:temporal.
    # Accessibility 100: one distribution, its access and download URL are the same
    #   ZIP, which answers 200: 50 + 20 + 30.
    # Interoperability 80: no dct:format in the source, but the portal derives ZIP
    #   from the URL's ending (normalize.guess_file_type), and the export writes
    #   it: format 20; no dcat:mediaType 0; ZIP is in the EU list and no media type
    #   is given: 10; ZIP is open 20 but not machine-readable 0 (its content
    #   decides, eu-file-type-flags.ttl); the export conforms to DCAT-AP.de 3.0: 30.
    # Reusability 60: licence dl-by-de/2.0 from the DCAT-AP.de list 20 + 10; no
    #   dct:accessRights; contact point "Meister, Thomas" 20; publisher 10 (the
    #   export names the owner organisation).
    # Contextuality 10: no dct:rights, no dcat:byteSize; dct:issued and dct:modified
    #   of the distribution are the resource's creation and change in the portal.
    expected = {"findability": 0, "accessibility": 100, "interoperability": 80,
                "reusability": 60, "contextuality": 10}
    assert scored.row.score.dimensions == expected, _points(scored)
    assert scored.row.score.total == 250
    assert scored.row.score.band == "good"
    assert scored.report.violations == []


def test_advanced_example_scores_as_counted_by_hand():
    scored = _score("dcat_ap_de-RefImp_TTL_ADVANCED.ttl", "Badegewässer in Hamburg", {
        "https://example.com/resource/de72be51-7910-43ad-9dfc-10797b42cc0b": 200,
        "https://example.com/resource/a289c289-55c9-410f-b4c7-f88e5f6f4e47": 200,
        "http://example.com/badegewaesser/Badegewaesser_messwerte_historisch_HH_2004-2013.zip": 404,
        "http://example.com/badegewaesser/Badegewaesser_HH_2004-2013.zip": 404,
    })
    # Findability 80: five keywords 30, theme ENVI 30, dcatde:politicalGeocodingURI
    #   stateKey/02 becomes dct:spatial 20; no dct:temporal.
    # Accessibility 70: both access URLs answer 200: 50; both distributions have a
    #   download URL: 20; both download URLs answer 404: 0.
    # Interoperability 100: formats CSV and XML 20; no dcat:mediaType (only
    #   dcat:compressFormat) 0; both formats from the EU list, no media type given:
    #   10; CSV and XML are open 20 and machine-readable 20; the export conforms 30.
    # Reusability 60: licence dl-by-de/2.0 on both 20 + 10; no dct:accessRights 0;
    #   contact point 20; publisher BUE 10.
    # Contextuality 15: no dct:rights 0; dcat:byteSize 42702 and 5056: 5;
    #   dct:issued 5; dct:modified 5.
    expected = {"findability": 80, "accessibility": 70, "interoperability": 100,
                "reusability": 60, "contextuality": 15}
    assert scored.row.score.dimensions == expected, _points(scored)
    assert scored.row.score.total == 325
    assert scored.row.score.band == "good"
    assert scored.report.violations == []


def test_the_dqv_profile_adds_the_measurements_and_keeps_the_export_shacl_clean():
    from ckanext.dcat.processors import RDFSerializer
    from rdflib.namespace import RDF

    from ckanext.thueringen import conformance
    from ckanext.thueringen.profiles import dqv
    from ckanext.thueringen.quality import storage

    scored = _score("dcat_ap_de-RefImp_TTL_SIMPLE.ttl", "Badegewässer (Daten) Hamburg", {})
    storage.save([scored.row])
    model.Session.commit()
    dataset = helpers.call_action("package_show", id=scored.row.package_id)

    plain = RDFSerializer(profiles=["dcatap_de"])
    plain.graph_from_dataset(dataset)
    assert not list(plain.g.triples((None, dqv.DQV.hasQualityMeasurement, None)))

    serializer = RDFSerializer(profiles=["dcatap_de", "dcatap_de_dqv"])
    ref = serializer.graph_from_dataset(dataset)
    graph = serializer.g
    values = {str(graph.value(m, dqv.DQV.isMeasurementOf)).rsplit("#", 1)[-1]: float(graph.value(m, dqv.DQV.value))
              for m in graph.objects(ref, dqv.DQV.hasQualityMeasurement)}
    assert values == {"score": scored.row.score.total, **scored.row.score.dimensions}
    assert all((m, RDF.type, dqv.DQV.QualityMeasurement) in graph
               for m in graph.objects(ref, dqv.DQV.hasQualityMeasurement))
    assert conformance.validate(graph).violations == []
