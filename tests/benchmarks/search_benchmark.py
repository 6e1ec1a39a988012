"""German search benchmark: search latency with the full text of
10,000 publications indexed, the portal's German search beside CKAN's stock
English search over the same documents. Not a test: it measures and reports.

    .venv/bin/python tests/benchmarks/search_benchmark.py --profile test7

What it does (docs/benchmarks.md, "German search"):

1. generates 10,000 publications (deterministic: the same arguments give the
   same documents): titles, descriptions and keywords of the kinds Thüringen's
   authorities publish, and 2-6 KB of German administrative full text each,
   plus the handful of documents of the relevance examples;
2. creates two Solr cores of its own (CoreAdmin, config set `ckan`, the
   portal's schema) on the running Solr of `--profile`, so that the profile's
   test core is not touched: `search_bench_portal`, where the text goes into
   the field `fulltext` as the portal's indexer sends it, and
   `search_bench_stock`, where the same text goes into CKAN's catch-all field
   `text`, which is where stock CKAN searches everything. The documents are
   posted to Solr's /update directly (not through CKAN's indexer: 10,000
   package_create calls would measure CKAN, not search);
3. runs ~30 German queries `--rounds` times against each core with the
   parameters package_search sends (filters, facets, 21 rows, sort):
   (a) ours: edismax over the German fields plus the snippet query that
   after_dataset_search makes; (b) stock: CKAN's dismax over
   `name^4 title^4 tags^2 groups^2 text`; each round with a filter of its own
   that excludes nothing, so that Solr's result cache does not answer repeats;
4. reports median and p95 latency (client-side, persistent HTTP connection)
   and hit counts per query, and which relevance examples each side finds;
5. writes var/<profile>/benchmark-search.json, prints a Markdown table, and
   unloads both cores (`--keep-cores` leaves them).

Needs the project's virtualenv (imports the portal's query code) and a running
Solr of the profile (scripts/stack.py --profile <p> start).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import statistics
import sys
import time
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
from ckanext.thueringen.search.query import highlight_params  # noqa: E402

SEED = 5
SITE_ID = "thueringen"
CORES = {"portal": "search_bench_portal", "stock": "search_bench_stock"}
CKAN_QUERY_FIELDS = "name^4 title^4 tags^2 groups^2 text"   # ckan.lib.search.query.QUERY_FIELDS
FACETS = ["vocab_theme", "organization", "vocab_region", "res_format", "license_id", "tags"]
ROWS = 20


def portal_query_fields() -> str:
    declaration = ROOT / "ckanext-thueringen/ckanext/thueringen/search/config_declaration.yaml"
    options = yaml.safe_load(declaration.read_text())["groups"][0]["options"]
    return next(o["default"] for o in options if o["key"] == "thueringen.search.query_fields")


# ------------------------------------------------------------------ corpus

PLACES = ["Erfurt", "Jena", "Gera", "Weimar", "Gotha", "Eisenach", "Suhl", "Nordhausen", "Mühlhausen",
          "Altenburg", "Saalfeld", "Rudolstadt", "Ilmenau", "Arnstadt", "Sonneberg", "Meiningen", "Greiz",
          "Apolda", "Sömmerda", "Sondershausen", "Heilbad Heiligenstadt", "Schmalkalden", "Pößneck", "Zeulenroda"]
AUTHORITIES = ["Stadtverwaltung", "Landratsamt", "Gemeindeverwaltung", "Stadtrat", "Kreistag",
               "Landesverwaltungsamt", "Ministerium für Umwelt, Energie und Naturschutz",
               "Ministerium für Infrastruktur und Landwirtschaft", "Finanzministerium", "Bürgerbüro"]
DOCUMENTS = ["Haushaltsplan", "Nachtragshaushaltsplan", "Bebauungsplan", "Flächennutzungsplan", "Satzung",
             "Gebührensatzung", "Verordnung", "Jahresbericht", "Tätigkeitsbericht", "Beteiligungsbericht",
             "Gutachten", "Studie", "Sitzungsprotokoll", "Niederschrift", "Beschlussvorlage", "Vertrag",
             "Stellenplan", "Lärmaktionsplan", "Luftreinhalteplan", "Nahverkehrsplan", "Statistik",
             "Verwaltungsvorschrift", "Kabinettsbeschluss", "Zuwendungsbescheid"]
TOPICS = ["Straßenbau", "Straßenreinigung", "Abwasserbeseitigung", "Trinkwasserversorgung",
          "Kindertagesstätten", "Schulnetzplanung", "Lärmschutz", "Hochwasserschutz", "Radverkehr",
          "öffentlichen Personennahverkehr", "Abfallwirtschaft", "Grünflächenpflege", "Denkmalschutz",
          "Friedhofsgebühren", "Breitbandausbau", "Feuerwehr", "Klimaschutz", "Schloßpark",
          "Jugendhilfe", "Seniorenarbeit", "Wohngeld", "Sportstätten", "Tourismusförderung",
          "Wirtschaftsförderung", "Gewerbegebiet", "Landwirtschaft", "Naturschutzgebiet",
          "Gewässerunterhaltung", "Energieversorgung", "Stadtentwicklung"]
NOUNS = ["Maßnahme", "Kosten", "Förderung", "Zuständigkeit", "Änderung", "Genehmigung", "Ausschreibung",
         "Vergabe", "Beteiligung", "Prüfung", "Umsetzung", "Planung", "Anlage", "Grundstück", "Einwohner",
         "Bürgerinnen und Bürger", "Fläche", "Gebäude", "Fahrzeug", "Verkehr", "Haushaltsmittel",
         "Stellungnahme", "Frist", "Bescheid", "Gebühr", "Zuschuss", "Auftrag", "Bericht"]
SENTENCES = [
    "Der {authority} {place} hat in seiner Sitzung am {date} den {document} zum Thema {topic} beraten.",
    "Die {noun} für {topic} beläuft sich im Jahr {year} auf {amount} Euro.",
    "Gemäß § {para} Abs. {abs} ThürKO ist die {noun} öffentlich bekannt zu machen.",
    "Im Rahmen der {noun} wurden {count} Stellungnahmen von Bürgerinnen und Bürgern geprüft.",
    "Für {topic} stehen im Haushaltsjahr {year} Mittel in Höhe von {amount} Euro zur Verfügung.",
    "Die Verwaltung schlägt vor, die {noun} bis zum {date} abzuschließen.",
    "Der Ausschuss für {topic} empfiehlt dem Stadtrat die Zustimmung zur {noun}.",
    "Nach Auffassung des Gutachters ist die {noun} mit den Zielen der Raumordnung vereinbar.",
    "Die Bekanntmachung erfolgt im Amtsblatt der Stadt {place} vom {date}.",
    "Die Straße zwischen {place} und {place2} wird wegen {topic} bis {month} gesperrt.",
    "Die Einwohnerzahl von {place} ist gegenüber dem Vorjahr um {count} gestiegen.",
    "Über die {noun} entscheidet das Landesverwaltungsamt nach Prüfung der Unterlagen.",
    "Die Gebühren für {topic} werden zum 1. Januar {year} um {pct} Prozent angepasst.",
    "Die Fraktionen begrüßten die Vorlage; der Beschluss fiel mit {count} Ja-Stimmen.",
    "Der Landkreis trägt {pct} Prozent der Kosten, der Freistaat Thüringen den Rest.",
    "Einwendungen gegen den {document} können bis zum {date} schriftlich erhoben werden.",
    "Die Messungen an der Station {place} ergaben Überschreitungen an {count} Tagen.",
    "Mit dem Vertrag verpflichtet sich der Auftragnehmer zur {noun} bis {year}.",
    "Die Kindertagesstätte in {place} bietet {count} Betreuungsplätze für Kinder unter drei Jahren.",
    "Das Schloss und der Schloßpark in {place} sind ab {month} wieder für Besucher geöffnet.",
    "Die Maßnahmen des Lärmaktionsplans betreffen vor allem Hauptverkehrsstraßen in {place}.",
    "Das Ergebnis der Prüfung liegt als Bericht des Rechnungsprüfungsamts vor.",
]
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember"]

# Relevance examples: (query, title, text of the document the query must find).
RELEVANCE = [
    ("Haushaltsplan", "Haushaltspläne 2024 der Gemeinde Kleinbrembach", "Die Haushaltspläne für 2024 liegen aus."),
    ("Plan", "Bebauungsplan Nr. 7 Kleinbrembach Nord", "Festsetzungen für das Wohngebiet Kleinbrembach Nord."),
    ("Kita", "Kindertagesstätten Kleinbrembach", "Betreuungsangebote der Gemeinde Kleinbrembach."),
    ("Strasse", "Kleinbrembacher Dorfstraße", "Ausbau der Dorfstraße in Kleinbrembach."),
    ("Schloss", "Schloß Kleinbrembach", "Nutzungskonzept für das Schloß Kleinbrembach."),
    ("Schloß", "Schlossgarten Kleinbrembach", "Pflege des Schlossgartens von Kleinbrembach."),
    ("Laerm", "Lärmkartierung Kleinbrembach", "Ergebnisse der Lärmkartierung für Kleinbrembach."),
    ("Bericht", "Veröffentlichung Kleinbrembach 1", "Die Berichte der Gemeinde Kleinbrembach über das Jahr."),
    ("Satzung", "Ortsrecht Kleinbrembach", "Die Gemeinde Kleinbrembach hat folgende Satzungen erlassen."),
    ("Satzungen", "Hauptsatzung Kleinbrembach", "Die Hauptsatzung der Gemeinde Kleinbrembach."),
    ("ÖPNV", "Nahverkehrsplan Kleinbrembach", "Busverbindungen nach Kleinbrembach im Nahverkehr."),
    ("Kraftfahrzeug", "Kfz-Bestand Kleinbrembach", "Zugelassene Kfz in Kleinbrembach."),
]

QUERIES = [
    "Haushaltsplan", "Haushaltspläne 2024", "Plan", "Bebauungsplan", "Satzung", "Satzungen", "Bericht",
    "Berichte", "Kita", "Kindertagesstätte", "Strasse", "Straße", "Schloss", "Schloß", "Lärm", "Laerm",
    "ÖPNV", "Gutachten", "Vertrag", "Abwasser", "Gebühren", "Hochwasserschutz", "Klimaschutz Erfurt",
    "Sitzung Stadtrat", "Zuwendungsbescheid", "Radverkehr Jena", "Stellenplan", "Feuerwehr",
    "Abfallwirtschaft Landkreis", "Denkmalschutz Weimar",
]


def fulltext(rng: random.Random, size: int) -> str:
    day0 = date(2019, 1, 1)
    sentences: list[str] = []
    length = 0
    while length < size:
        sentence = rng.choice(SENTENCES).format(
            authority=rng.choice(AUTHORITIES), place=rng.choice(PLACES), place2=rng.choice(PLACES),
            date=(day0 + timedelta(days=rng.randrange(2200))).strftime("%d.%m.%Y"),
            document=rng.choice(DOCUMENTS), topic=rng.choice(TOPICS), noun=rng.choice(NOUNS),
            year=rng.randrange(2019, 2027), amount=f"{rng.randrange(1000, 9_000_000):,}".replace(",", "."),
            para=rng.randrange(1, 130), abs=rng.randrange(1, 6), count=rng.randrange(2, 400),
            pct=rng.randrange(1, 60), month=rng.choice(MONTHS))
        sentences.append(sentence)
        length += len(sentence) + 1
    return " ".join(sentences)


def publications(count: int) -> list[dict]:
    rng = random.Random(SEED)
    docs = []
    for number in range(count):
        document, topic, place = rng.choice(DOCUMENTS), rng.choice(TOPICS), rng.choice(PLACES)
        year = rng.randrange(2019, 2027)
        docs.append(solr_doc(f"bench-{number:05d}", f"{document} {topic} {place} {year}",
                             f"{document} der {rng.choice(AUTHORITIES)} {place} zum Thema {topic}.",
                             [topic.split()[-1], place], fulltext(rng, rng.randrange(2000, 6000)), place))
    for number, (_, title, text) in enumerate(RELEVANCE):
        docs.append(solr_doc(f"relevance-{number:02d}", title, "", [], text, "Kleinbrembach"))
    return docs


def solr_doc(ident: str, title: str, notes: str, tags: list[str], text: str, place: str) -> dict:
    """A document as CKAN's indexer sends it (the fields search and display use)."""
    package = {"id": ident, "name": ident, "title": title, "notes": notes, "type": "publication",
               "tags": [{"name": t} for t in tags], "organization": {"name": place.lower()}}
    return {"id": ident, "index_id": ident, "site_id": SITE_ID, "entity_type": "package",
            "dataset_type": "publication", "state": "active", "capacity": "public", "name": ident,
            "title": title, "title_string": title, "notes": notes, "tags": tags,
            "organization": place.lower(), "license_id": "dl-by-de/2.0",
            "metadata_created": "2024-01-01T00:00:00Z", "metadata_modified": "2024-01-01T00:00:00Z",
            "data_dict": json.dumps(package), "validated_data_dict": json.dumps(package), "fulltext": text}


# ------------------------------------------------------------------ Solr

class Solr:
    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def request(self, method: str, path: str, params: list[tuple[str, object]] | None = None,
                body: bytes | None = None) -> dict:
        url = path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
        headers = {"Content-Type": "application/json"} if body is not None else {}
        self.connection.request(method, url, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"Solr {response.status} for {path}: {data[:500]!r}")
        return json.loads(data)

    def create_core(self, name: str) -> None:
        status = self.request("GET", "/solr/admin/cores", [("action", "STATUS"), ("core", name), ("wt", "json")])
        if status["status"].get(name):
            self.request("GET", "/solr/admin/cores", [("action", "UNLOAD"), ("core", name), ("deleteInstanceDir", "true")])
        self.request("GET", "/solr/admin/cores", [("action", "CREATE"), ("name", name), ("instanceDir", name),
                                                   ("configSet", "ckan"), ("wt", "json")])

    def unload_core(self, name: str) -> None:
        self.request("GET", "/solr/admin/cores", [("action", "UNLOAD"), ("core", name), ("deleteInstanceDir", "true")])

    def index(self, core: str, docs: list[dict], batch: int = 250) -> float:
        started = time.perf_counter()
        for start in range(0, len(docs), batch):
            self.request("POST", f"/solr/{core}/update", [("wt", "json")], json.dumps(docs[start:start + batch]).encode())
        self.request("GET", f"/solr/{core}/update", [("commit", "true"), ("wt", "json")])
        return time.perf_counter() - started

    def size(self, core: str) -> int:
        status = self.request("GET", "/solr/admin/cores", [("action", "STATUS"), ("core", core), ("wt", "json")])
        return status["status"][core]["index"]["sizeInBytes"]

    def select(self, core: str, params: dict) -> tuple[dict, float]:
        started = time.perf_counter()
        result = self.request("POST", f"/solr/{core}/select", None,
                              json.dumps({"params": params}).encode())
        return result, (time.perf_counter() - started) * 1000


def search_params(q: str, qf: str, def_type: str, round_: int = 0) -> dict:
    """What package_search sends for a free-text search (ckan/lib/search/query.py).
    `round_` adds a filter that excludes nothing but differs per round, so that
    Solr's query result cache does not answer the repeated query: each round
    measures the search itself (filters and facets as on the portal)."""
    return {"q": q, "defType": def_type, "qf": qf, "tie": "0.1", "mm": "2<-1 5<80%", "q.op": "AND",
            "df": "text", "fq": ["+capacity:public +state:(active)", f"+site_id:{SITE_ID}", "+state:active",
                                 f"-id:round-{round_}"],
            "facet": "true", "facet.field": FACETS, "facet.limit": 50, "facet.mincount": 1,
            "rows": ROWS + 1, "start": 0, "fl": "id validated_data_dict",
            "sort": "score desc, metadata_modified desc", "wt": "json"}


def ours(solr: Solr, q: str, qf: str, round_: int) -> tuple[int, float, float]:
    result, search_ms = solr.select(CORES["portal"], search_params(q, qf, "edismax", round_))
    ids = [doc["id"] for doc in result["response"]["docs"][:ROWS]]
    highlight_ms = 0.0
    if ids:
        params = highlight_params(ids, q, 3, 160, SITE_ID)
        params["fq"] = params["fq"] + [f"-id:round-{round_}"]
        _, highlight_ms = solr.select(CORES["portal"], params)
    return result["response"]["numFound"], search_ms, highlight_ms


def stock(solr: Solr, q: str, round_: int) -> tuple[int, float]:
    result, search_ms = solr.select(CORES["stock"], search_params(q, CKAN_QUERY_FIELDS, "dismax", round_))
    return result["response"]["numFound"], search_ms


def finds(solr: Solr, core: str, q: str, qf: str, def_type: str, ident: str) -> bool:
    params = search_params(q, qf, def_type)
    params["fq"] = params["fq"] + [f"id:{ident}"]
    params.update(rows=0, facet="false")
    result, _ = solr.select(core, params)
    return result["response"]["numFound"] == 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="bench", help="stack profile whose Solr to use (must be running)")
    parser.add_argument("--count", type=int, default=10_000, help="generated publications")
    parser.add_argument("--rounds", type=int, default=20, help="times each query is run (after one warm-up)")
    parser.add_argument("--keep-cores", action="store_true")
    args = parser.parse_args(argv)

    state = ROOT / "var" / args.profile
    stack = json.loads((state / "stack.json").read_text())
    solr = Solr(stack["ports"]["solr"])
    qf = portal_query_fields()

    started = time.perf_counter()
    docs = publications(args.count)
    generated_s = time.perf_counter() - started
    text_bytes = sum(len(d["fulltext"].encode()) for d in docs)
    print(f"generated {len(docs)} publications, {text_bytes / 1e6:.1f} MB full text, in {generated_s:.1f} s")

    stock_docs = [{**{k: v for k, v in d.items() if k != "fulltext"}, "text": d["fulltext"]} for d in docs]
    indexing = {}
    for side, core_docs in (("portal", docs), ("stock", stock_docs)):
        solr.create_core(CORES[side])
        indexing[side] = solr.index(CORES[side], core_docs)
        print(f"indexed {CORES[side]} in {indexing[side]:.1f} s, {solr.size(CORES[side]) / 1e6:.1f} MB")
    sizes = {side: solr.size(CORES[side]) for side in CORES}

    load_before = os.getloadavg()
    try:
        for q in QUERIES:   # warm-up: caches and the JIT, as on a portal that has been running
            ours(solr, q, qf, -1)
            stock(solr, q, -1)
        rows = []
        for q in QUERIES:
            search_ms, total_ms, stock_ms = [], [], []
            for round_ in range(args.rounds):
                hits, s_ms, h_ms = ours(solr, q, qf, round_)
                stock_hits, st_ms = stock(solr, q, round_)
                search_ms.append(s_ms)
                total_ms.append(s_ms + h_ms)
                stock_ms.append(st_ms)
            rows.append({"query": q, "hits": hits, "stock_hits": stock_hits,
                         "search_ms": search_ms, "with_snippets_ms": total_ms, "stock_ms": stock_ms})
        relevance = [{"query": q, "title": title,
                      "ours": finds(solr, CORES["portal"], q, qf, "edismax", f"relevance-{n:02d}"),
                      "stock": finds(solr, CORES["stock"], q, CKAN_QUERY_FIELDS, "dismax", f"relevance-{n:02d}")}
                     for n, (q, title, _) in enumerate(RELEVANCE)]
    finally:
        if not args.keep_cores:
            for core in CORES.values():
                solr.unload_core(core)

    def summary(key: str) -> dict:
        values = [v for row in rows for v in row[key]]
        return {"median_ms": round(statistics.median(values), 1), "p95_ms": round(percentile(values, 0.95), 1)}

    report = {
        # other processes share the machine: the load average says how much
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(),
                    "load_average_1min": {"before": round(load_before[0], 1), "after": round(os.getloadavg()[0], 1)}},
        "publications": len(docs), "fulltext_mb": round(text_bytes / 1e6, 1), "rounds": args.rounds,
        "index_seconds": {k: round(v, 1) for k, v in indexing.items()},
        "index_mb": {k: round(v / 1e6, 1) for k, v in sizes.items()},
        "overall": {"ours_search": summary("search_ms"), "ours_with_snippets": summary("with_snippets_ms"),
                    "stock": summary("stock_ms")},
        "queries": [{"query": r["query"], "hits": r["hits"], "stock_hits": r["stock_hits"],
                     "ours_median_ms": round(statistics.median(r["search_ms"]), 1),
                     "ours_p95_ms": round(percentile(r["search_ms"], 0.95), 1),
                     "ours_snippets_median_ms": round(statistics.median(r["with_snippets_ms"]), 1),
                     "ours_snippets_p95_ms": round(percentile(r["with_snippets_ms"], 0.95), 1),
                     "stock_median_ms": round(statistics.median(r["stock_ms"]), 1),
                     "stock_p95_ms": round(percentile(r["stock_ms"], 0.95), 1)} for r in rows],
        "relevance": relevance,
    }
    (state / "benchmark-search.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_report(report)
    return 0


def print_report(report: dict) -> None:
    overall = report["overall"]
    load = report["machine"]["load_average_1min"]
    print(f"\nload average (1 min) on {report['machine']['cpus']} CPUs: {load['before']} before, {load['after']} after")
    print(f"{report['publications']} publications, {report['fulltext_mb']} MB full text, "
          f"{report['rounds']} rounds per query; index: ours {report['index_mb']['portal']} MB in "
          f"{report['index_seconds']['portal']} s, stock {report['index_mb']['stock']} MB in "
          f"{report['index_seconds']['stock']} s\n")
    print("| | median ms | p95 ms |\n|---|---:|---:|")
    for label, key in (("ours: search", "ours_search"), ("ours: search + snippets", "ours_with_snippets"),
                       ("stock CKAN: search", "stock")):
        print(f"| {label} | {overall[key]['median_ms']} | {overall[key]['p95_ms']} |")
    print("\n| query | hits ours | hits stock | ours median / p95 ms | ours + snippets median / p95 ms "
          "| stock median / p95 ms |\n|---|---:|---:|---:|---:|---:|")
    for q in report["queries"]:
        print(f"| {q['query']} | {q['hits']} | {q['stock_hits']} | {q['ours_median_ms']} / {q['ours_p95_ms']} "
              f"| {q['ours_snippets_median_ms']} / {q['ours_snippets_p95_ms']} "
              f"| {q['stock_median_ms']} / {q['stock_p95_ms']} |")
    print("\n| relevance example | document | ours | stock |\n|---|---|---|---|")
    for r in report["relevance"]:
        print(f"| {r['query']} | {r['title']} | {'found' if r['ours'] else '–'} | {'found' if r['stock'] else '–'} |")
    found = sum(r["ours"] for r in report["relevance"]), sum(r["stock"] for r in report["relevance"])
    print(f"\nrelevance examples found: ours {found[0]}/{len(report['relevance'])}, "
          f"stock {found[1]}/{len(report['relevance'])}")


if __name__ == "__main__":
    sys.exit(main())
