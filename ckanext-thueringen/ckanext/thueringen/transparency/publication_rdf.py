"""Transparency publications in DCAT-AP.de: how the `dcatap_de` profile writes and reads them.

A publication is exported as a dcat:Dataset like any other, plus: the document
type as dct:type (the concept with its labels, so a consumer needs not resolve
it), the Aktenzeichen as adms:identifier with a notation typed tpub:FileReference,
the dates as dct:created, dct:dateAccepted and dct:available, legal basis and
contract data in the portal's namespace `tpub:` (DCAT-AP.de has no properties for
them and its shapes are open). The table with the reasons: docs/transparency.md.

Reading: a dcat:Dataset whose dct:type or dct:subject names a document type (its
URI, slug, label or alias) becomes a publication, and the properties above are
read back (round trip: tests/unit/test_publication_rules.py).
"""
from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from ckanext.thueringen import normalize, vocabularies
from ckanext.thueringen.transparency import publications

ADMS = Namespace("http://www.w3.org/ns/adms#")
TPUB = Namespace("https://opendata.thueringen.de/def/publication#")

_DATES = (("document_date", DCTERMS.created), ("decision_date", DCTERMS.dateAccepted),
          ("publication_date", DCTERMS.available), ("contract_start", TPUB.contractStart),
          ("contract_end", TPUB.contractEnd))
_TEXTS = (("legal_basis", TPUB.legalBasis), ("legal_basis_law", TPUB.legalBasisLaw))


def _date_literal(value: Any) -> Literal | None:
    text = normalize.date(value)
    if not text:
        return None
    kind = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}.get(len(text), XSD.dateTime)
    return Literal(text, datatype=kind)


def write(graph: Graph, dataset_ref, dataset_dict: dict) -> None:
    """Add a publication's own properties to its dcat:Dataset."""
    if dataset_dict.get("type") != publications.PUBLICATION_TYPE:
        return
    graph.bind("tpub", TPUB)
    concept = vocabularies.vocabulary("document_types").get(dataset_dict.get("document_type") or "")
    if concept is not None:
        # dct:type is the document type; an EU dataset type the record had gives way.
        graph.remove((dataset_ref, DCTERMS.type, None))
        node = URIRef(concept.uri)
        graph.add((dataset_ref, DCTERMS.type, node))
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.inScheme, URIRef(publications.DOCUMENT_TYPE_SCHEME)))
        for language in ("de", "en"):
            if concept.labels.get(language):
                graph.add((node, SKOS.prefLabel, Literal(concept.labels[language], lang=language)))
    for field, predicate in _DATES:
        literal = _date_literal(dataset_dict.get(field)) if dataset_dict.get(field) else None
        if literal is not None:
            graph.add((dataset_ref, predicate, literal))
    if dataset_dict.get("publication_date") and (dataset_ref, DCTERMS.issued, None) not in graph:
        literal = _date_literal(dataset_dict["publication_date"])
        if literal is not None:
            graph.add((dataset_ref, DCTERMS.issued, literal))
    for field, predicate in _TEXTS:
        if dataset_dict.get(field):
            graph.add((dataset_ref, predicate, Literal(dataset_dict[field])))
    if dataset_dict.get("file_reference"):
        identifier = BNode()
        graph.add((dataset_ref, ADMS.identifier, identifier))
        graph.add((identifier, RDF.type, ADMS.Identifier))
        graph.add((identifier, SKOS.notation, Literal(dataset_dict["file_reference"], datatype=TPUB.FileReference)))
    for party in publications.field_values(dataset_dict.get("contract_parties")):
        graph.add((dataset_ref, TPUB.contractParty, Literal(party)))
    amount = publications.euro_amount(dataset_dict.get("contract_value") or "")
    if amount:
        graph.add((dataset_ref, TPUB.contractValue, Literal(amount, datatype=XSD.decimal)))


def read(graph: Graph, dataset_ref, dataset_dict: dict) -> dict:
    """`dataset_dict` as a publication when the record names a document type in
    dct:type or dct:subject (or is one already); the publication's own properties
    read back. Other datasets come back unchanged."""
    named = [*graph.objects(dataset_ref, DCTERMS.type), *graph.objects(dataset_ref, DCTERMS.subject)]
    found = publications.document_type_in(str(value) for value in named)
    if not found and dataset_dict.get("type") != publications.PUBLICATION_TYPE:
        return dataset_dict
    result = publications.as_publication(dataset_dict, found)
    for field, predicate in _DATES:
        value = graph.value(dataset_ref, predicate)
        if value is not None:
            result[field] = normalize.date(str(value)) or str(value)
    for field, predicate in _TEXTS:
        value = graph.value(dataset_ref, predicate)
        if value is not None:
            result[field] = str(value)
    parties = [str(party) for party in graph.objects(dataset_ref, TPUB.contractParty)]
    if parties:
        result["contract_parties"] = sorted(parties)
    value = graph.value(dataset_ref, TPUB.contractValue)
    if value is not None:
        result["contract_value"] = publications.euro_amount(str(value)) or str(value)
    for identifier in graph.objects(dataset_ref, ADMS.identifier):
        notation = graph.value(identifier, SKOS.notation)
        if isinstance(notation, Literal) and notation.datatype == TPUB.FileReference:
            result["file_reference"] = str(notation)
            others = [item for item in publications.field_values(result.get("alternate_identifier"))
                      if item != str(notation)]
            if others:
                result["alternate_identifier"] = others
            else:
                result.pop("alternate_identifier", None)
    if not result.get("legal_basis_law") and result.get("legal_basis"):
        result["legal_basis_law"] = publications.law_from_legal_basis(result["legal_basis"])
    return result
