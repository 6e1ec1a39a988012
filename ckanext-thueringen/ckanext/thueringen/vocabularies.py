"""The portal's controlled vocabularies, loaded from the SKOS files in schemas/vocabularies.

Each vocabulary (licences, themes, file types, ...) is one SKOS file, listed in
`schemas/vocabularies/index.yaml`. This module is the only reader of those files:
the dataset form (choices), the normaliser (mapping raw values to URIs), the
search facets (labels) and the RDF export all ask it.

A concept has its URI, a short code (dc:identifier / skos:notation / the EU
authority code), labels by language, alternative labels (codes, file endings,
media types, old spellings) and a few flags the portal needs (open licence,
machine-readable format, ...). Flags are RDF properties in the portal's own
vocabulary namespace (`tvoc:`), or, for the official files, their own
properties (GovData's `isOpenLicense`).
"""
from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DC, DCTERMS, FOAF, RDF, SKOS

SCHEMA_DIR = Path(__file__).parent / "schemas"
VOCABULARY_DIR = SCHEMA_DIR / "vocabularies"

# The portal's own namespace for vocabulary flags and its own concept schemes.
TVOC = Namespace("https://opendata.thueringen.de/def/vocabulary#")
GOVDATA = Namespace("http://govdata.de/mqa/#")
SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")
EU_AUTHORITY = Namespace("http://publications.europa.eu/ontology/authority/")
EUVOC = Namespace("http://publications.europa.eu/ontology/euvoc#")

# Flags read from the files: RDF property -> name in Concept.flags.
_FLAG_PROPERTIES = {
    GOVDATA.isOpenLicense: "open",
    TVOC.open: "open",
    TVOC.machineReadable: "machine_readable",
    TVOC.nonProprietary: "non_proprietary",
}
# Other values kept as-is: RDF property -> name in Concept.properties.
_VALUE_PROPERTIES = {
    TVOC.regionalKey: "regional_key",
    TVOC.level: "level",
    TVOC.parent: "parent",
    TVOC.replacedBy: "replaced_by",
    TVOC.legacyCode: "legacy_code",
    TVOC.preferredAlias: "preferred_alias",
    FOAF.homepage: "homepage",
    TVOC.documentType: "document_type",
    TVOC.appliesTo: "applies_to",
    TVOC.norm: "norm",
    SKOS.scopeNote: "scope_note",
}


@dataclass(frozen=True)
class Concept:
    uri: str
    code: str
    labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    alt_labels: tuple[str, ...] = ()
    flags: dict[str, bool] = field(default_factory=dict, hash=False, compare=False)
    properties: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    deprecated: bool = False
    # False for the concepts of a vocabulary's complement table: known, labelled
    # and exported, but not offered as a choice in the forms (thousands of them).
    offered: bool = True

    def label(self, language: str = "de") -> str:
        """The label in `language`, else German, else English, else the code."""
        for lang in (language, "de", "en"):
            if self.labels.get(lang):
                return self.labels[lang]
        return self.code

    def flag(self, name: str) -> bool:
        return self.flags.get(name, False)

    def property(self, name: str) -> str | None:
        values = self.properties.get(name)
        return values[0] if values else None


def _key(text: str) -> str:
    """Case- and space-insensitive lookup key."""
    return " ".join(str(text).split()).casefold()


_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_FILLER_WORDS = {"und", "and"}


def fold(text: str) -> str:
    """A looser lookup key for names as people write them: case-insensitive,
    umlauts as ae/oe/ue and ß as ss, every run of other characters than letters
    and digits as one space, "und"/"and" left out. "Politik und Wahlen",
    "politik_wahlen" and "POLITIK-&-WAHLEN" give the same key, as do
    "Bevölkerung" and "Bevoelkerung"."""
    folded = str(text).casefold().translate(_TRANSLITERATION)
    words = re.split(r"[\W_]+", folded)
    return " ".join(word for word in words if word and word not in _FILLER_WORDS)


class Vocabulary:
    """The concepts of one scheme, with lookups by URI, code and label."""

    def __init__(self, name: str, scheme: str, concepts: list[Concept], source: str = "",
                 alias_namespaces: tuple[str, ...] = ()):
        self.name = name
        self.scheme = scheme
        self.source = source
        # Other code lists whose URIs end in a code or alias of this vocabulary
        # (id.loc.gov/vocabulary/iso639-1/de is the language "de").
        self.alias_namespaces = alias_namespaces
        self.concepts = tuple(sorted(concepts, key=lambda c: c.code.casefold()))
        self._by_uri = {c.uri: c for c in self.concepts}
        self._by_code: dict[str, Concept] = {}
        self._by_label: dict[str, Concept] = {}
        for concept in self.concepts:
            # Current concepts win over deprecated ones that share a code or label.
            self._remember(self._by_code, concept.code, concept)
            for label in (*concept.labels.values(), *concept.alt_labels):
                self._remember(self._by_label, label, concept)
        self._by_folded: dict[str, Concept] = {}
        for concept in self.concepts:
            for text in (concept.code, *concept.labels.values(), *concept.alt_labels):
                if "://" not in text:
                    self._remember(self._by_folded, fold(text), concept)

    @staticmethod
    def _remember(index: dict[str, Concept], text: str, concept: Concept) -> None:
        """Index `text` for `concept`. When concepts share a text, a current concept
        beats a deprecated one, and the concept whose code the text is beats one
        that only has it as an alias (".json" is JSON, not GEOJSON)."""
        key = _key(text)
        if not key:
            return

        def rank(candidate: Concept) -> tuple[bool, bool, bool]:
            preferred = any(_key(alias) == key for alias in candidate.properties.get("preferred_alias", ()))
            return (not candidate.deprecated, preferred, key.lstrip(".") == _key(candidate.code))

        if key not in index or rank(concept) > rank(index[key]):
            index[key] = concept

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts)

    def __len__(self) -> int:
        return len(self.concepts)

    def __contains__(self, uri: object) -> bool:
        return uri in self._by_uri

    def get(self, uri: str) -> Concept | None:
        return self._by_uri.get(uri)

    def by_code(self, code: str) -> Concept | None:
        return self._by_code.get(_key(code))

    def by_label(self, label: str) -> Concept | None:
        return self._by_label.get(_key(label))

    def by_folded_label(self, text: str) -> Concept | None:
        """The concept one of whose codes or labels is `text` under fold():
        for names typed by people ("Bevoelkerung", "politik_wahlen")."""
        key = fold(text)
        return self._by_folded.get(key) if key else None

    def lookup(self, value: str) -> Concept | None:
        """The concept `value` names exactly: its URI, code, label or alternative label."""
        if not value:
            return None
        return self.get(value) or self.by_code(value) or self.by_label(value)

    def current(self) -> list[Concept]:
        return [c for c in self.concepts if not c.deprecated]

    def choices(self, value: str = "uri") -> list[dict[str, Any]]:
        """ckanext-scheming choices: value = URI (or the code, `value="code"`),
        labels in German and English (scheming shows the user's language),
        sorted by the German label; the offered concepts only."""
        return sorted(({"value": c.code if value == "code" else c.uri,
                        "label": {"de": c.label("de"), "en": c.label("en")}}
                       for c in self.current() if c.offered),
                      key=lambda choice: choice["label"]["de"].casefold())

    def label(self, uri: str, language: str = "de") -> str:
        concept = self.get(uri)
        return concept.label(language) if concept else uri


def _literal_texts(graph: Graph, subject, predicate) -> list[Literal]:
    return [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]


def _concept(graph: Graph, uri: URIRef, not_aliases: frozenset[str] = frozenset()) -> Concept:
    labels: dict[str, str] = {}
    for literal in _literal_texts(graph, uri, SKOS.prefLabel):
        if literal.language in ("de", "en") or (literal.language is None and "de" not in labels):
            labels[literal.language or "de"] = str(literal)
    code = next((str(o) for p in (DC.identifier, SKOS.notation, EU_AUTHORITY["authority-code"],
                                  DCTERMS.identifier)
                 for o in _literal_texts(graph, uri, p)), None)
    if code is None:
        code = str(uri).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    alt = [str(o) for o in _literal_texts(graph, uri, SKOS.altLabel) if o.language in (None, "de", "en")]
    # EU NALs: file endings and media types, as notations and as legacy codes.
    for notation in graph.objects(uri, EUVOC.xlNotation):
        kinds = graph.objects(notation, DCTERMS.type)
        if any(str(kind).rsplit("/", 1)[-1] in ("FILE_EXT", "IANA_MT") for kind in kinds):
            alt += [str(o) for o in graph.objects(notation, EUVOC.xlCodification)]
    for mapped in graph.objects(uri, EU_AUTHORITY["op-mapped-code"]):
        if any(str(source) in ("file-extension", "mime-type-cellar") for source in graph.objects(mapped, DC.source)):
            alt += [str(o) for o in graph.objects(mapped, EU_AUTHORITY["legacy-code"])]
    # Other URIs that name the same concept (old namespaces, superseded lists), and
    # concepts of other lists classified under this one (INSPIRE themes under EU themes).
    alt += [str(o) for p in (SKOS.exactMatch, SKOS.narrowMatch) for o in graph.objects(uri, p) if o != uri]
    alt = [a for a in alt if _key(a) not in not_aliases]
    flags = {}
    for predicate, name in _FLAG_PROPERTIES.items():
        for value in graph.objects(uri, predicate):
            if isinstance(value, Literal) and str(value).strip():
                flags[name] = str(value).strip().lower() in ("true", "1")
    properties: dict[str, tuple[str, ...]] = {}
    for predicate, name in _VALUE_PROPERTIES.items():
        values = tuple(str(o) for o in graph.objects(uri, predicate))
        if values:
            properties[name] = values
    deprecated = any(str(o).lower() == "true" for o in graph.objects(uri, EU_AUTHORITY.deprecated)) or \
        any(str(o).lower() == "true" for o in graph.objects(uri, TVOC.deprecated))
    return Concept(str(uri), code, labels, tuple(dict.fromkeys(alt)), flags, properties, deprecated)


def load_vocabulary(name: str, entry: dict[str, Any], directory: Path = VOCABULARY_DIR) -> Vocabulary:
    """Read a vocabulary's file, plus its `extra` files (the portal's additions
    to an official list: flags, aliases), into one graph."""
    graph = Graph()
    paths = [directory / entry["file"], *(directory / extra for extra in entry.get("extra", []))]
    for path in paths:
        graph.parse(path, format="xml" if path.suffix in (".rdf", ".xml") else "turtle")
    path = paths[0]
    scheme = URIRef(entry["scheme"])
    members = set(graph.subjects(SKOS.inScheme, scheme)) | set(graph.subjects(SKOS.topConceptOf, scheme))
    # Texts of an official list that name no concept (tvoc:notAnAlias on the scheme).
    not_aliases = frozenset(_key(str(o)) for o in graph.objects(scheme, TVOC.notAnAlias))
    concepts = [_concept(graph, uri, not_aliases) for uri in members
                if isinstance(uri, URIRef) and (uri, RDF.type, SKOS.Concept) in graph]
    if not concepts:
        raise ValueError(f"vocabulary {name}: no skos:Concept in scheme {scheme} in {path}")
    alias_namespaces = tuple(sorted(str(o) for o in graph.objects(scheme, TVOC.aliasNamespace)))
    if "complement" in entry:
        concepts += complement_concepts(directory / entry["complement"]["file"], entry["complement"]["uri"],
                                        concepts)
    return Vocabulary(name, entry["scheme"], concepts, entry.get("source", ""), alias_namespaces)


def complement_concepts(path: Path, uri_template: str, known: list[Concept]) -> list[Concept]:
    """The concepts of a code table (TSV: code, alpha_2, bibliographic, name_en,
    name_de) that the SKOS files do not decide on: a row is left out when any of
    its codes or names is already a code, label or alias there (the files map
    "pes" to Persian FAS on purpose; the table must not make it a language of
    its own). Each concept's URI is `uri_template` with the row's code; names
    shared by several rows name the first."""
    taken = {_key(text) for concept in known
             for text in (concept.code, *concept.labels.values(), *concept.alt_labels)}
    concepts = []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        for row in rows:
            code = row["code"]
            aliases = [text for text in (code.lower(), row["alpha_2"], row["bibliographic"]) if text]
            names = {"en": row["name_en"], "de": row["name_de"] or row["name_en"]}
            if any(_key(text) in taken for text in (code, *aliases, *names.values())):
                continue
            # its ISO codes beat another row's name ("ha" is Hausa, not the language named "Ha")
            concepts.append(Concept(uri_template.format(code=code), code, names, tuple(aliases),
                                    properties={"preferred_alias": tuple(aliases)}, offered=False))
    return concepts


@functools.cache
def index() -> dict[str, dict[str, Any]]:
    with open(VOCABULARY_DIR / "index.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@functools.cache
def vocabulary(name: str) -> Vocabulary:
    """The named vocabulary (see schemas/vocabularies/index.yaml), loaded once."""
    entries = index()
    if name not in entries:
        raise KeyError(f"unknown vocabulary {name!r}; known: {', '.join(sorted(entries))}")
    return load_vocabulary(name, entries[name])


def names() -> list[str]:
    return list(index())
