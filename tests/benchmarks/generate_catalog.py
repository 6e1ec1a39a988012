"""A deterministic, realistic DCAT-AP.de catalogue for the harvesting benchmark.

The same arguments always give the same files, byte for byte: German titles and
descriptions of the kinds Thüringen's authorities publish (Haushalt, Bebauungspläne,
Luftmessstellen, Ratsbeschlüsse …), publishers of the Land, its Kreise and Städte
with their political geocoding, EU data themes, DCAT-AP.de licences, keywords, and
three distributions per dataset (CSV, JSON, PDF). The catalogue is split into
Turtle pages joined by Hydra's `nextPage` (absolute addresses, because the
stock ckanext-dcat harvester does not resolve relative ones): `catalog.ttl`,
`catalog-2.ttl`, … — paging is what lets a harvester keep one page in memory.

    python tests/benchmarks/generate_catalog.py OUT_DIR --count 10000 \\
        --base-url http://127.0.0.1:8900/ours --uri-base https://daten.thueringen.example/ours

`--uri-base` sets the namespace of the dataset URIs and identifiers: the benchmark
serves the same catalogue under two namespaces so that the two harvesters in one
stack do not see each other's datasets as duplicates.

Standard library only.
"""
from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

PAGE_SIZE = 500
SEED = 4

THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
LICENCE = "http://dcat-ap.de/def/licenses/"
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"


@dataclass(frozen=True)
class Publisher:
    name: str
    website: str
    spatial: str   # political geocoding URI
    level: str     # political geocoding level


PUBLISHERS = [
    Publisher("Thüringer Landesamt für Statistik", "https://statistik.thueringen.de", "stateKey/16", "state"),
    Publisher("Thüringer Ministerium für Umwelt, Energie und Naturschutz", "https://umwelt.thueringen.de",
              "stateKey/16", "state"),
    Publisher("Thüringer Landesamt für Bodenmanagement und Geoinformation", "https://tlbg.thueringen.de",
              "stateKey/16", "state"),
    Publisher("Stadtverwaltung Erfurt", "https://www.erfurt.de", "districtKey/16051", "municipality"),
    Publisher("Stadtverwaltung Jena", "https://www.jena.de", "districtKey/16053", "municipality"),
    Publisher("Stadtverwaltung Gera", "https://www.gera.de", "districtKey/16052", "municipality"),
    Publisher("Stadtverwaltung Weimar", "https://stadt.weimar.de", "districtKey/16055", "municipality"),
    Publisher("Stadtverwaltung Suhl", "https://www.suhl.de", "districtKey/16054", "municipality"),
    Publisher("Landratsamt Eichsfeld", "https://www.kreis-eic.de", "districtKey/16061", "administrativeDistrict"),
    Publisher("Landratsamt Gotha", "https://www.landkreis-gotha.de", "districtKey/16067", "administrativeDistrict"),
    Publisher("Landratsamt Ilm-Kreis", "https://www.ilm-kreis.de", "districtKey/16070", "administrativeDistrict"),
    Publisher("Landratsamt Saale-Holzland-Kreis", "https://www.saaleholzlandkreis.de", "districtKey/16074",
              "administrativeDistrict"),
    Publisher("Landratsamt Wartburgkreis", "https://www.wartburgkreis.de", "districtKey/16063",
              "administrativeDistrict"),
    Publisher("Landratsamt Altenburger Land", "https://www.altenburgerland.de", "districtKey/16077",
              "administrativeDistrict"),
]

# (title pattern, description pattern, themes, keywords, frequency)
SUBJECTS = [
    ("Haushaltsplan {place} {year}", "Der Haushaltsplan {of} für das Haushaltsjahr {year} mit Ergebnis- und "
     "Finanzhaushalt, gegliedert nach Produktbereichen. Enthalten sind die Ansätze des Vorjahres und die "
     "mittelfristige Finanzplanung.", ["GOVE", "ECON"], ["Haushalt", "Finanzen", "Kommunalfinanzen"], "ANNUAL"),
    ("Bebauungspläne {place}", "Übersicht der rechtskräftigen und im Verfahren befindlichen Bebauungspläne {of} "
     "mit Geltungsbereich, Aufstellungsbeschluss und Datum der Bekanntmachung.", ["REGI", "GOVE"],
     ["Bauleitplanung", "Bebauungsplan", "Stadtplanung"], "MONTHLY"),
    ("Luftmessstellen {place}: Stickstoffdioxid {year}", "Stundenmittelwerte der Stickstoffdioxid-Konzentration "
     "an den Luftmessstellen {of} im Jahr {year}, gemessen in Mikrogramm je Kubikmeter.", ["ENVI", "HEAL"],
     ["Luftqualität", "Stickstoffdioxid", "Umwelt"], "DAILY"),
    ("Beschlüsse des Stadtrats {place} {year}", "Alle öffentlichen Beschlüsse {of} aus dem Jahr {year} mit "
     "Drucksachennummer, Sitzungsdatum, Gegenstand und Abstimmungsergebnis (ThürTG).", ["GOVE", "JUST"],
     ["Ratsinformation", "Beschlüsse", "Transparenz"], "WEEKLY"),
    ("Einwohnerinnen und Einwohner nach Altersgruppen {place} {year}", "Bevölkerungsstand {of} zum 31.12.{year} "
     "nach Altersgruppen und Geschlecht; Fortschreibung auf Grundlage des Zensus 2022.", ["SOCI", "REGI"],
     ["Bevölkerung", "Demografie", "Statistik"], "ANNUAL"),
    ("Kindertageseinrichtungen {place}", "Standorte, Träger und Platzzahlen der Kindertageseinrichtungen {of}, "
     "mit Öffnungszeiten und Angaben zur Barrierefreiheit.", ["EDUC", "SOCI"],
     ["Kita", "Kinderbetreuung", "Bildung"], "QUARTERLY"),
    ("Verkehrszählung {place} {year}", "Ergebnisse der automatischen Verkehrszählstellen {of} im Jahr {year}: "
     "durchschnittliche tägliche Verkehrsstärke nach Fahrzeugarten.", ["TRAN"],
     ["Verkehr", "Verkehrszählung", "Mobilität"], "ANNUAL"),
    ("Gewässergüte der Fließgewässer {place} {year}", "Biologische und chemische Gewässergüte der "
     "Fließgewässer {of} nach Wasserrahmenrichtlinie, Messkampagne {year}.", ["ENVI", "AGRI"],
     ["Gewässer", "Wasserrahmenrichtlinie", "Umwelt"], "ANNUAL"),
    ("Zuwendungen und Fördermittel {place} {year}", "Gewährte Zuwendungen {of} im Jahr {year} mit Empfänger, "
     "Zweck, Betrag und Rechtsgrundlage, veröffentlicht nach dem Thüringer Transparenzgesetz.", ["GOVE", "ECON"],
     ["Förderung", "Zuwendungen", "Transparenz"], "ANNUAL"),
    ("Standorte der Ladesäulen {place}", "Öffentlich zugängliche Ladepunkte für Elektrofahrzeuge {of} mit "
     "Betreiber, Ladeleistung und Steckertypen.", ["ENER", "TRAN"],
     ["Elektromobilität", "Ladesäulen", "Energie"], "MONTHLY"),
    ("Sitzungskalender der Ausschüsse {place} {year}", "Termine und Tagesordnungen der öffentlichen "
     "Ausschusssitzungen {of} im Jahr {year}.", ["GOVE"], ["Ratsinformation", "Sitzungen", "Ausschüsse"],
     "WEEKLY"),
    ("Wahlergebnisse der Kommunalwahl {place} {year}", "Endgültige Ergebnisse der Kommunalwahl {of} {year} "
     "nach Wahlbezirken: Wahlberechtigte, Wählerinnen und Wähler, gültige Stimmen je Wahlvorschlag.",
     ["GOVE", "SOCI"], ["Wahlen", "Kommunalwahl", "Wahlergebnisse"], "IRREG"),
]

LICENCES = ["dl-by-de/2.0", "dl-zero-de/2.0", "cc-by/4.0", "cc-zero"]
DISTRIBUTIONS = [("CSV", "text/csv", "csv", "Tabelle (CSV)"),
                 ("JSON", "application/json", "json", "Maschinenlesbar (JSON)"),
                 ("PDF", "application/pdf", "pdf", "Bericht (PDF)")]


def _turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _place(publisher: Publisher) -> tuple[str, str]:
    """The place a title names and the genitive phrase of the description."""
    name = publisher.name
    for prefix in ("Stadtverwaltung ", "Landratsamt "):
        if name.startswith(prefix):
            place = name[len(prefix):]
            return place, (f"der Stadt {place}" if prefix.startswith("Stadt") else f"des Landkreises {place}")
    return "Thüringen", "des Freistaats Thüringen"


def dataset_turtle(number: int, uri_base: str, rng: random.Random) -> str:
    """One dataset with three distributions, in Turtle."""
    publisher = rng.choice(PUBLISHERS)
    title_pattern, description_pattern, themes, keywords, frequency = rng.choice(SUBJECTS)
    year = rng.randint(2015, 2025)
    place, of = _place(publisher)
    title = f"{title_pattern.format(place=place, year=year)} ({number})"
    description = description_pattern.format(of=of, year=year)
    issued = date(2016, 1, 1) + timedelta(days=rng.randint(0, 3000))
    modified = issued + timedelta(days=rng.randint(0, 600))
    licence = rng.choice(LICENCES)
    uri = f"{uri_base}/datensatz/{number:06d}"
    lines = [
        f"<{uri}> a dcat:Dataset ;",
        f"  dct:identifier {_turtle_string(f'{uri_base}/datensatz/{number:06d}')} ;",
        f"  dct:title {_turtle_string(title)} ;",
        f"  dct:description {_turtle_string(description)} ;",
        f"  dct:issued \"{issued.isoformat()}\"^^xsd:date ;",
        f"  dct:modified \"{modified.isoformat()}\"^^xsd:date ;",
        "  dct:language <http://publications.europa.eu/resource/authority/language/DEU> ;",
        f"  dct:accrualPeriodicity <{FREQUENCY}{frequency}> ;",
        "  dcat:theme " + ", ".join(f"<{THEME}{theme}>" for theme in themes) + " ;",
        "  dcat:keyword " + ", ".join(_turtle_string(keyword) for keyword in [*keywords, place]) + " ;",
        f"  dct:spatial <{GEOCODING}{publisher.spatial}> ;",
        f"  dcatde:politicalGeocodingURI <{GEOCODING}{publisher.spatial}> ;",
        f"  dcatde:politicalGeocodingLevelURI <{GEOCODING}Level/{publisher.level}> ;",
        f"  dct:publisher [ a foaf:Organization ; foaf:name {_turtle_string(publisher.name)} ;"
        f" foaf:homepage <{publisher.website}> ] ;",
        f"  dcat:contactPoint [ a vcard:Organization ; vcard:fn {_turtle_string(publisher.name)} ;"
        f" vcard:hasEmail <mailto:opendata@{publisher.website.split('//', 1)[1].removeprefix('www.')}> ] ;",
        f"  dcat:landingPage <{uri}.html> ;",
        "  dcat:distribution " + ", ".join(f"<{uri}/{suffix}>" for _, _, suffix, _ in DISTRIBUTIONS) + " .",
    ]
    for file_type, media_type, suffix, label in DISTRIBUTIONS:
        lines += [
            f"<{uri}/{suffix}> a dcat:Distribution ;",
            f"  dct:title {_turtle_string(f'{title} – {label}')} ;",
            f"  dct:description {_turtle_string(f'{label} des Datensatzes „{title}“.')} ;",
            f"  dcat:accessURL <{uri}/daten.{suffix}> ;",
            f"  dcat:downloadURL <{uri}/daten.{suffix}> ;",
            f"  dct:format <{FILE_TYPE}{file_type}> ;",
            f"  dcat:mediaType <https://www.iana.org/assignments/media-types/{media_type}> ;",
            f"  dct:license <{LICENCE}{licence}> ;",
            f"  dcatde:licenseAttributionByText {_turtle_string(f'© {publisher.name} ({year})')} ;",
            f"  dcat:byteSize \"{rng.randint(2_000, 5_000_000)}\"^^xsd:nonNegativeInteger ;",
            f"  dct:modified \"{modified.isoformat()}\"^^xsd:date .",
        ]
    return "\n".join(lines) + "\n"


PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcatde: <http://dcat-ap.de/def/dcatde/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def page_name(number: int) -> str:
    return "catalog.ttl" if number == 1 else f"catalog-{number}.ttl"


def generate(out_dir: Path, count: int, base_url: str, uri_base: str,
             page_size: int = PAGE_SIZE, seed: int = SEED) -> list[Path]:
    """Write the catalogue's pages into out_dir; the first is catalog.ttl, served
    at {base_url}/catalog.ttl. Returns the page files in order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pages = max(1, -(-count // page_size))
    written = []
    for page in range(1, pages + 1):
        first = (page - 1) * page_size + 1
        last = min(count, page * page_size)
        here = f"{base_url}/{page_name(page)}"
        parts = [PREFIXES, f"\n<{base_url}/catalog> a dcat:Catalog ;\n"
                           f"  dct:title \"Offene Daten Thüringen (Benchmark-Katalog)\" ;\n"
                           f"  dct:publisher [ a foaf:Organization ; foaf:name \"Freistaat Thüringen\" ] ;\n"
                           "  dcat:dataset " + ", ".join(f"<{uri_base}/datensatz/{n:06d}>"
                                                          for n in range(first, last + 1)) + " .\n"]
        paging = [f"<{here}> a hydra:PagedCollection ;", f"  hydra:totalItems {count} ;",
                  f"  hydra:itemsPerPage {page_size} ;", f"  hydra:firstPage <{base_url}/{page_name(1)}> ;",
                  f"  hydra:lastPage <{base_url}/{page_name(pages)}>"]
        if page < pages:
            paging.append(f"  ; hydra:nextPage <{base_url}/{page_name(page + 1)}>")
        parts.append("\n".join(paging) + " .\n\n")
        for number in range(first, last + 1):
            parts.append(dataset_turtle(number, uri_base, rng))
        path = out_dir / page_name(page)
        path.write_text("".join(parts), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE)
    parser.add_argument("--base-url", required=True, help="where out_dir will be served (no trailing slash)")
    parser.add_argument("--uri-base", default="https://daten.thueringen.example/benchmark",
                        help="namespace of the dataset URIs and identifiers")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    pages = generate(args.out_dir, args.count, args.base_url.rstrip("/"), args.uri_base.rstrip("/"),
                     args.page_size, args.seed)
    print(f"{args.count} datasets in {len(pages)} pages in {args.out_dir}")


if __name__ == "__main__":
    main()
