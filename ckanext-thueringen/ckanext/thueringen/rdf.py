"""Reading DCAT-AP.de RDF into portal datasets, with the normaliser's report.

ckanext-dcat's RDFParser yields only dataset dicts; the portal also needs,
for each dataset, the values the normaliser could not map (for the harvest
report and the metadata-quality view). This runs the `dcatap_de` profile per
dataset and keeps both.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ckanext.dcat.processors import RDFParser
from rdflib.namespace import DCAT, RDF

from ckanext.thueringen.normalize import Unmapped
from ckanext.thueringen.profiles.dcatap_de import DCATAPDEProfile


@dataclass
class ParsedDataset:
    uri: str
    dataset: dict
    unmapped: list[Unmapped] = field(default_factory=list)


@dataclass
class ParsedPage:
    datasets: list[ParsedDataset]
    next_page: str | None


def parse_datasets(data: str | bytes, rdf_format: str | None = None) -> ParsedPage:
    """Parse one RDF document (RDF/XML, Turtle, JSON-LD, N-Triples).

    Raises ckanext.dcat.exceptions.RDFParserException for RDF that cannot be read.
    """
    parser = RDFParser()
    parser.parse(data, _format=rdf_format)
    datasets = []
    for dataset_ref in parser.g.subjects(RDF.type, DCAT.Dataset):
        profile = DCATAPDEProfile(parser.g)
        dataset: dict = {}
        profile.parse_dataset(dataset, dataset_ref)
        datasets.append(ParsedDataset(str(dataset_ref), dataset, profile.unmapped.get(str(dataset_ref), [])))
    return ParsedPage(datasets, parser.next_page())
