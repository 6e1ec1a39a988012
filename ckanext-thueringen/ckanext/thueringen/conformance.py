"""Validate DCAT-AP.de RDF against the official DCAT-AP.de 3.0 SHACL shapes, offline.

The shapes are local copies in schemas/shacl. What the official
`dcat-ap-de-imports.ttl` pulls from the web (W3C mirrors and the code lists)
comes from local files: the mirrors in schemas/shacl and the portal's own
vocabularies in schemas/vocabularies, which are the same code lists. Nothing
is fetched, so validation works on machines without internet and gives the
same answer every time.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pyshacl
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from ckanext.thueringen import vocabularies

SHACL_DIR = vocabularies.VOCABULARY_DIR.parent / "shacl"
SHAPE_FILES = (
    "dcat-ap_3_shacl_shapes.ttl",
    "dcat-ap-SHACL-DE.ttl",
    "dcat-ap-spec-german-additions.ttl",
    "dcat-ap-de-controlledvocabularies.ttl",
    "dcat-ap-de-deprecated.ttl",
)
MIRROR_FILES = ("foaf_0_1.rdf", "vcard.ttl", "org.ttl")
SH = Namespace("http://www.w3.org/ns/shacl#")


def _parse(graph: Graph, path: Path) -> None:
    graph.parse(path, format="xml" if path.suffix == ".rdf" else "turtle")


@functools.cache
def shapes_graph() -> Graph:
    graph = Graph()
    for name in SHAPE_FILES:
        _parse(graph, SHACL_DIR / name)
    return graph


@functools.cache
def ontology_graph() -> Graph:
    """The imports of the shapes: W3C mirrors plus every code list the portal has."""
    graph = Graph()
    for name in MIRROR_FILES:
        _parse(graph, SHACL_DIR / name)
    for entry in vocabularies.index().values():
        for file_name in (entry["file"], *entry.get("extra", [])):
            _parse(graph, vocabularies.VOCABULARY_DIR / file_name)
    return graph


def complement_memberships(data: Graph) -> list[tuple]:
    """The scheme memberships of the concepts `data` uses from a vocabulary's
    code table (vocabularies.complement_concepts: every ISO 639-3 language).
    They are not in ontology_graph(): thousands of concepts, of which a record
    uses one or two, would be copied into every validation."""
    used = {node for node in data.objects() if isinstance(node, URIRef)}
    triples = []
    for name, entry in vocabularies.index().items():
        if "complement" not in entry:
            continue
        vocabulary = vocabularies.vocabulary(name)
        scheme = URIRef(entry["scheme"])
        for node in used:
            concept = vocabulary.get(str(node))
            if concept is not None and not concept.offered:
                triples += [(node, RDF.type, SKOS.Concept), (node, SKOS.inScheme, scheme)]
    return triples


@dataclass(frozen=True)
class Finding:
    severity: str  # Violation, Warning or Info
    focus: str
    path: str
    message: str
    value: str

    def __str__(self) -> str:
        where = f"{self.focus} {self.path}".strip()
        value = f" (Wert: {self.value})" if self.value else ""
        return f"{self.severity}: {where}: {self.message}{value}"


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations


def _message(results: Graph, result) -> str:
    messages = [m for m in results.objects(result, SH.resultMessage) if isinstance(m, Literal)]
    german = [m for m in messages if m.language == "de"]
    chosen = (german or messages or [""])[0]
    return str(chosen)


def validate(data: Graph) -> Report:
    """Every SHACL result about `data` (violations, warnings and infos).

    The code lists are added to a copy of the data (pyshacl's own `ont_graph`
    mixes in only class and property definitions, not the concepts' schemes);
    results about the code lists themselves are not the data's and are left out.
    """
    combined = Graph()
    for triple in ontology_graph():
        combined.add(triple)
    for triple in (*data, *complement_memberships(data)):
        combined.add(triple)
    _conforms, results, _text = pyshacl.validate(
        combined, shacl_graph=shapes_graph(), inference="none",
        abort_on_first=False, allow_warnings=True, advanced=True,
    )
    return read_results(results, data)


def read_results(results: Graph, data: Graph) -> Report:
    """The findings of a pyshacl results graph that are about `data`'s nodes."""
    own_nodes = set(data.subjects()) | set(data.objects())
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.focusNode) not in own_nodes:
            continue
        severity = results.value(result, SH.resultSeverity)
        findings.append(Finding(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            focus=str(results.value(result, SH.focusNode) or ""),
            path=str(results.value(result, SH.resultPath) or ""),
            message=_message(results, result),
            value=str(results.value(result, SH.value) or ""),
        ))
    findings.sort(key=lambda f: (f.severity != "Violation", f.focus, f.path, f.message))
    return Report(tuple(findings))
