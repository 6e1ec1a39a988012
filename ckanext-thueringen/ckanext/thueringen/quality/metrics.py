"""The MQA score of one dataset, from its DCAT-AP.de graph (pure functions).

data.europa.eu's Metadata Quality Assessment (data.europa.eu/mqa/methodology)
grades a dataset with 405 points in five dimensions. Each metric here is one
row of that methodology: what it looks at in the graph, how many points it
gives, and, for the people who fix records, the portal's field and the
DCAT-AP.de property plus a German sentence that says what to do.

Metrics "on the distribution" are checked on each distribution; the dataset
gets the metric's points times the share of its distributions that meet it
(the MQA's average over distributions; docs/quality.md). A dataset without
distributions gets none of those points. The total is rounded to whole points
before the band is looked up.

The graph is what the `dcatap_de` profile exports (what GovData receives);
link answers come from the link checker (`links`: URL -> answers True/False,
a URL missing from it has not been checked yet) and the SHACL result from
quality/shacl.py (`conforms`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDFS

from ckanext.thueringen import vocabularies
from ckanext.thueringen.derived import NO_LICENCE

DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
DIMENSION_LABELS = {"findability": "Auffindbarkeit", "accessibility": "Zugänglichkeit",
                    "interoperability": "Interoperabilität", "reusability": "Wiederverwendbarkeit",
                    "contextuality": "Kontext"}
MAX_POINTS = 405
# (band, lowest score), best first; the MQA's rating
BANDS = (("excellent", 351), ("good", 221), ("sufficient", 121), ("bad", 0))
BAND_LABELS = {"excellent": "Ausgezeichnet", "good": "Gut", "sufficient": "Ausreichend", "bad": "Schlecht"}

IANA_MEDIA_TYPE = re.compile(
    r"^https?://www\.iana\.org/assignments/media-types/"
    r"(application|audio|font|image|message|model|multipart|text|video)/[A-Za-z0-9][\w.+-]*$")


@dataclass(frozen=True)
class Links:
    """The link checker's answers: URL -> True (2xx/3xx) / False; unchecked URLs are absent."""
    answers: Mapping[str, bool] = field(default_factory=dict)

    def answered(self, url: str) -> bool | None:
        return self.answers.get(url)


@dataclass(frozen=True)
class Context:
    graph: Graph
    dataset: object
    links: Links
    conforms: bool


Check = Callable[[Context, object], "bool | None"]


@dataclass(frozen=True)
class Metric:
    id: str
    dimension: str
    points: int
    on_distribution: bool
    property: str      # the DCAT-AP.de property
    field: str         # the portal's field (form label and name)
    fix: str           # what to do, in plain German
    check: Check


@dataclass(frozen=True)
class MetricResult:
    id: str
    dimension: str
    points: float      # earned
    max_points: int
    met: int           # dataset: 1/0; distribution metric: distributions that meet it
    total: int         # dataset: 1; distribution metric: distributions
    unchecked: int = 0  # distributions whose URL the link checker has not answered yet

    @property
    def missing(self) -> float:
        return round(self.max_points - self.points, 2)


@dataclass(frozen=True)
class Score:
    total: int
    band: str
    dimensions: dict[str, float]
    metrics: tuple[MetricResult, ...]


# ------------------------------------------------------------------ checks

def _answers(predicate) -> Check:
    """True/False as the link checker answered the node's URL(s), None if none was checked yet."""
    def check(ctx: Context, node) -> bool | None:
        urls = [str(o) for o in ctx.graph.objects(node, predicate) if isinstance(o, URIRef)]
        if not urls:
            return False
        answers = [ctx.links.answered(url) for url in urls]
        if any(answers):
            return True
        return None if None in answers else False
    return check


def _formats(ctx: Context, node) -> list[vocabularies.Concept | None]:
    filetypes = vocabularies.vocabulary("filetypes")
    return [filetypes.get(str(o)) for o in ctx.graph.objects(node, DCTERMS.format)]


def _format_flag(name: str) -> Check:
    def check(ctx: Context, node) -> bool:
        return any(concept is not None and concept.flag(name) for concept in _formats(ctx, node))
    return check


def format_and_media_type_from_vocabulary(ctx: Context, node) -> bool:
    formats = _formats(ctx, node)
    media_types = [str(o) for o in ctx.graph.objects(node, DCAT.mediaType)]
    if not formats and not media_types:
        return False
    return all(formats) and all(IANA_MEDIA_TYPE.match(m) for m in media_types)


def _licences(ctx: Context, node) -> list:
    """The node's licences, without the document the export names where the source gives none."""
    return [o for o in ctx.graph.objects(node, DCTERMS.license)
            if str(ctx.graph.value(o, RDFS.label) or "") != NO_LICENCE]


def has_licence(ctx: Context, node) -> bool:
    return bool(_licences(ctx, node))


def known_licence(ctx: Context, node) -> bool:
    licences = vocabularies.vocabulary("licenses")
    return any(isinstance(o, URIRef) and str(o) in licences for o in _licences(ctx, node))


def access_rights_from_vocabulary(ctx: Context, node) -> bool:
    rights = vocabularies.vocabulary("access_rights")
    return any(str(o) in rights for o in ctx.graph.objects(node, DCTERMS.accessRights))


def dcat_ap_compliance(ctx: Context, node) -> bool:
    return ctx.conforms


def _any_object(predicate) -> Check:
    def check(ctx: Context, node) -> bool:
        return any(True for o in ctx.graph.objects(node, predicate) if not isinstance(o, Literal) or str(o).strip())
    return check


M = Metric
METRICS: tuple[Metric, ...] = (
    # Findability
    M("keyword", "findability", 30, False, "dcat:keyword", "Schlagworte (tag_string)",
      "Fügen Sie Schlagworte hinzu, unter denen man den Datensatz sucht.", _any_object(DCAT.keyword)),
    M("theme", "findability", 30, False, "dcat:theme", "Kategorie (theme)",
      "Ordnen Sie den Datensatz mindestens einer Kategorie der EU-Themenliste zu.", _any_object(DCAT.theme)),
    M("spatial", "findability", 20, False, "dct:spatial", "Räumliche Abdeckung (spatial_coverage)",
      "Geben Sie an, für welches Gebiet die Daten gelten (Gemeinde, Landkreis oder Land).",
      _any_object(DCTERMS.spatial)),
    M("temporal", "findability", 20, False, "dct:temporal", "Zeitraum (temporal_coverage)",
      "Geben Sie an, welchen Zeitraum die Daten abdecken (Beginn und Ende).", _any_object(DCTERMS.temporal)),
    # Accessibility
    M("access_url_answers", "accessibility", 50, True, "dcat:accessURL", "Zugangs-URL (access_url)",
      "Sorgen Sie dafür, dass die Zugangs-URL erreichbar ist, oder tragen Sie die richtige Adresse ein.",
      _answers(DCAT.accessURL)),
    M("download_url", "accessibility", 20, True, "dcat:downloadURL", "Download-URL (download_url)",
      "Tragen Sie eine direkte Download-URL der Datei ein.", _any_object(DCAT.downloadURL)),
    M("download_url_answers", "accessibility", 30, True, "dcat:downloadURL", "Download-URL (download_url)",
      "Sorgen Sie dafür, dass die Download-URL erreichbar ist, oder tragen Sie die richtige Adresse ein.",
      _answers(DCAT.downloadURL)),
    # Interoperability
    M("format", "interoperability", 20, True, "dct:format", "Format (format)",
      "Geben Sie das Dateiformat der Distribution an.", _any_object(DCTERMS.format)),
    M("media_type", "interoperability", 10, True, "dcat:mediaType", "Medientyp (mimetype)",
      "Geben Sie den Medientyp (MIME-Typ) der Distribution an, z. B. text/csv.", _any_object(DCAT.mediaType)),
    M("format_media_type_vocabulary", "interoperability", 10, True, "dct:format, dcat:mediaType",
      "Format (format), Medientyp (mimetype)",
      "Wählen Sie das Format aus der EU-Dateitypliste und den Medientyp aus der IANA-Liste.",
      format_and_media_type_from_vocabulary),
    M("non_proprietary", "interoperability", 20, True, "dct:format", "Format (format)",
      "Bieten Sie die Daten (auch) in einem offenen, nicht proprietären Format an, z. B. CSV statt XLSX.",
      _format_flag("non_proprietary")),
    M("machine_readable", "interoperability", 20, True, "dct:format", "Format (format)",
      "Bieten Sie die Daten (auch) in einem maschinenlesbaren Format an, z. B. CSV oder JSON statt PDF.",
      _format_flag("machine_readable")),
    M("dcat_ap_compliance", "interoperability", 30, False, "DCAT-AP.de 3.0 (SHACL)", "mehrere Felder",
      "Beheben Sie die unten genannten Verstöße gegen DCAT-AP.de 3.0.", dcat_ap_compliance),
    # Reusability
    M("licence", "reusability", 20, True, "dct:license", "Lizenz (license_id / license)",
      "Fügen Sie eine Lizenz aus der DCAT-AP.de-Liste hinzu.", has_licence),
    M("known_licence", "reusability", 10, True, "dct:license", "Lizenz (license_id / license)",
      "Wählen Sie die Lizenz aus der DCAT-AP.de-Lizenzliste statt eines freien Textes.", known_licence),
    M("access_rights", "reusability", 10, False, "dct:accessRights", "Zugriffsrechte (access_rights)",
      "Geben Sie an, ob der Datensatz öffentlich zugänglich ist (Zugriffsrechte).",
      _any_object(DCTERMS.accessRights)),
    M("access_rights_vocabulary", "reusability", 5, False, "dct:accessRights", "Zugriffsrechte (access_rights)",
      "Wählen Sie die Zugriffsrechte aus der EU-Liste (öffentlich, eingeschränkt, nicht öffentlich).",
      access_rights_from_vocabulary),
    M("contact_point", "reusability", 20, False, "dcat:contactPoint", "Ansprechpartner (contact)",
      "Nennen Sie eine Kontaktstelle mit E-Mail-Adresse.", _any_object(DCAT.contactPoint)),
    M("publisher", "reusability", 10, False, "dct:publisher", "Herausgeber (publisher)",
      "Nennen Sie den Herausgeber des Datensatzes.", _any_object(DCTERMS.publisher)),
    # Contextuality
    M("rights", "contextuality", 5, True, "dct:rights", "Rechte (rights)",
      "Beschreiben Sie die Rechte an der Distribution (z. B. Urheber- oder Nutzungshinweise).",
      _any_object(DCTERMS.rights)),
    M("byte_size", "contextuality", 5, True, "dcat:byteSize", "Größe (size)",
      "Geben Sie die Dateigröße in Bytes an.", _any_object(DCAT.byteSize)),
    M("issued", "contextuality", 5, True, "dct:issued", "Veröffentlicht (issued)",
      "Geben Sie an, wann die Distribution veröffentlicht wurde.", _any_object(DCTERMS.issued)),
    M("modified", "contextuality", 5, True, "dct:modified", "Geändert (modified)",
      "Geben Sie an, wann die Distribution zuletzt geändert wurde.", _any_object(DCTERMS.modified)),
)
METRICS_BY_ID = {metric.id: metric for metric in METRICS}


def band(total: float) -> str:
    for name, lowest in BANDS:
        if total >= lowest:
            return name
    return "bad"


def distributions(graph: Graph, dataset) -> list:
    return sorted(graph.objects(dataset, DCAT.distribution), key=str)


def measure(metric: Metric, ctx: Context) -> MetricResult:
    if not metric.on_distribution:
        met = bool(metric.check(ctx, ctx.dataset))
        return MetricResult(metric.id, metric.dimension, float(metric.points if met else 0), metric.points,
                            int(met), 1)
    nodes = distributions(ctx.graph, ctx.dataset)
    answers = [metric.check(ctx, node) for node in nodes]
    met = sum(1 for a in answers if a)
    unchecked = sum(1 for a in answers if a is None)
    points = round(metric.points * met / len(nodes), 2) if nodes else 0.0
    return MetricResult(metric.id, metric.dimension, points, metric.points, met, len(nodes), unchecked)


def score(graph: Graph, dataset, links: Links | None = None, conforms: bool = True) -> Score:
    """The MQA score of `dataset` (a node of `graph`)."""
    ctx = Context(graph, dataset, links or Links(), conforms)
    results = tuple(measure(metric, ctx) for metric in METRICS)
    dimensions = {name: round(sum(r.points for r in results if r.dimension == name), 2) for name in DIMENSIONS}
    total = int(round(sum(dimensions.values())))
    return Score(total, band(total), dimensions, results)


def link_urls(graph: Graph, dataset) -> set[str]:
    """The access and download URLs whose answers the score needs."""
    return {str(o) for node in distributions(graph, dataset)
            for predicate in (DCAT.accessURL, DCAT.downloadURL)
            for o in graph.objects(node, predicate) if isinstance(o, URIRef)}


@dataclass(frozen=True)
class Advice:
    """One thing to fix, in German, with the points it would gain."""
    metric: str
    dimension: str
    gain: float
    field: str
    property: str
    text: str


def advice(result: Score) -> list[Advice]:
    """What is missing, most points first. A URL not yet checked is said as
    such: it costs points now, but there is nothing to fix yet."""
    found = []
    for item in result.metrics:
        if item.missing <= 0:
            continue
        metric = METRICS_BY_ID[item.id]
        text = metric.fix
        if metric.on_distribution and item.total == 0:
            text = "Fügen Sie eine Distribution (Ressource) hinzu. " + text
        elif metric.on_distribution:
            text += f" Erfüllt von {item.met} von {item.total} Distributionen."
        if item.unchecked:
            text += (f" {item.unchecked} Adresse(n) noch nicht geprüft: die Punkte kommen, "
                     "sobald die Linkprüfung sie erreicht hat.")
        found.append(Advice(item.id, item.dimension, item.missing, metric.field, metric.property, text))
    found.sort(key=lambda a: (-a.gain, a.metric))
    return found
