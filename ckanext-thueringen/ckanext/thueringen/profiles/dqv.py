"""The `dcatap_de_dqv` RDF profile: the quality score as DQV measurements.

An optional addition to the `dcatap_de` export (as piveau's MQA publishes
its results): each dataset with a stored score gets one
`dqv:hasQualityMeasurement` per MQA dimension and one for the total, each a
`dqv:QualityMeasurement` of a `dqv:Metric` of the portal's quality namespace,
with the value and the time of scoring. DCAT-AP.de's shapes do not close the
dataset, so the export stays SHACL-clean. Switched on per request with
`?profiles=dcatap_de,dcatap_de_dqv` or for every export in
`ckanext.dcat.rdf.profiles` (docs/quality.md).
"""
from __future__ import annotations

from ckanext.dcat.profiles import RDFProfile
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF, XSD

DQV = Namespace("http://www.w3.org/ns/dqv#")
QUALITY = Namespace("https://opendata.thueringen.de/def/quality#")


def metric_uri(name: str) -> URIRef:
    """The portal's metric of a dimension (findability, …) or of the total ("score")."""
    return QUALITY[name]


class DQVProfile(RDFProfile):
    """Adds the dataset's stored MQA measurements; reads nothing."""

    def parse_dataset(self, dataset_dict, dataset_ref):
        return dataset_dict

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        from ckanext.thueringen.quality import storage

        try:
            found = storage.get(dataset_dict.get("id", ""))
        except Exception:  # noqa: BLE001 - no table (plugin not migrated): export without measurements
            from ckan import model

            model.Session.rollback()
            return
        if found is None:
            return
        self.g.bind("dqv", DQV)
        values = {"score": found["score"], **found["dimensions"]}
        for name, value in values.items():
            measurement = BNode()
            self.g.add((dataset_ref, DQV.hasQualityMeasurement, measurement))
            self.g.add((measurement, RDF.type, DQV.QualityMeasurement))
            self.g.add((measurement, DQV.isMeasurementOf, metric_uri(name)))
            self.g.add((measurement, DQV.computedOn, dataset_ref))
            self.g.add((measurement, DQV.value, Literal(value, datatype=XSD.decimal)))
            self.g.add((measurement, PROV.generatedAtTime, Literal(found["scored_at"], datatype=XSD.dateTime)))
