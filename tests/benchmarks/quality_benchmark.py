"""Quality score benchmark: records scored per second and the share of time
spent on SHACL, straightforward (one pyshacl run per record, code lists
copied in each time: conformance.validate) against the portal's way (code
lists kept loaded, one run per page of records: quality/shacl.py). Not a
test: it measures and reports (docs/benchmarks.md, "Quality score").

    .venv/bin/python tests/benchmarks/quality_benchmark.py --single 20 --pages 5 --page-sizes 10,50,100

Records: the dataset "Badegewässer in Hamburg" of the official DCAT-AP.de
ADVANCED example (two distributions, 5 keywords, contact point, publisher,
…), copied with URIs of their own, so each copy is a record of its own for
SHACL and the metrics. No stack: scoring is pure over the graph; the link
answers are given (all answer), as the worker reads them in one query per page.
Memory: the process's peak RSS after each page; bounded means it stops
growing once the first page has been scored.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from rdflib import BNode, Graph, URIRef

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ckanext-thueringen"))

from ckanext.thueringen import conformance  # noqa: E402
from ckanext.thueringen.quality import metrics, shacl  # noqa: E402

EXAMPLE = ROOT / "tests" / "fixtures" / "reference" / "dcat-ap-de" / "examples-v2.0" / \
    "dcat_ap_de-RefImp_TTL_ADVANCED.ttl"
DATASET = URIRef("https://example.com/dataset/d4ce4e6e-ab89-44cb-bf5c-33a162c234de#dataset")


def template() -> list[tuple]:
    graph = Graph().parse(EXAMPLE, format="turtle")
    return [t for node in shacl.reachable(graph, DATASET) for t in graph.triples((node, None, None))]


def copy_into(graph: Graph, triples: list[tuple], number: int) -> URIRef:
    """Add copy `number` of the record; returns its dataset node."""
    blank: dict = {}

    def term(value):
        if isinstance(value, BNode):
            return blank.setdefault(value, BNode())
        if isinstance(value, URIRef) and str(value).startswith("https://example.com/"):
            return URIRef(f"{value}-{number}")
        return value

    for s, p, o in triples:
        graph.add((term(s), p, term(o)))
    return term(DATASET)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_by_one(triples, count: int, validate) -> dict:
    """Each record alone: `validate` is conformance.validate (straightforward) or
    shacl.validate (the code lists kept loaded)."""
    shacl_seconds = total = 0.0
    for number in range(count):
        start = time.perf_counter()
        graph = Graph()
        dataset = copy_into(graph, triples, number)
        before = time.perf_counter()
        report = validate(graph)
        shacl_seconds += time.perf_counter() - before
        links = metrics.Links({url: True for url in metrics.link_urls(graph, dataset)})
        metrics.score(graph, dataset, links, report.conforms)
        total += time.perf_counter() - start
    return {"records": count, "seconds": round(total, 2), "per_second": round(count / total, 2),
            "shacl_share": round(shacl_seconds / total, 3)}


def paged(triples, page_size: int, pages: int) -> dict:
    shacl_seconds = total = 0.0
    peaks = []
    for page in range(pages):
        start = time.perf_counter()
        graph = Graph()
        datasets = [copy_into(graph, triples, page * page_size + n) for n in range(page_size)]
        before = time.perf_counter()
        reports = shacl.validate_page(graph, datasets)
        shacl_seconds += time.perf_counter() - before
        urls = set().union(*(metrics.link_urls(graph, d) for d in datasets))
        links = metrics.Links({url: True for url in urls})
        for dataset in datasets:
            metrics.score(graph, dataset, links, reports[str(dataset)].conforms)
        total += time.perf_counter() - start
        peaks.append(round(rss_mb(), 1))
        del graph, reports
    count = page_size * pages
    return {"page_size": page_size, "records": count, "seconds": round(total, 2),
            "per_second": round(count / total, 2), "shacl_share": round(shacl_seconds / total, 3),
            "peak_rss_mb_after_each_page": peaks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=20, help="records validated one by one")
    parser.add_argument("--pages", type=int, default=5, help="pages per page size")
    parser.add_argument("--page-sizes", default="10,50,100")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "benchmark-quality.json")
    args = parser.parse_args()

    triples = template()
    conformance.shapes_graph()
    conformance.ontology_graph()
    shacl.validate(Graph())
    metrics.score(Graph(), DATASET)  # vocabularies loaded before timing
    results = {"triples_per_record": len(triples),
               "straightforward": one_by_one(triples, args.single, conformance.validate),
               "per_record_kept_code_lists": one_by_one(triples, args.single, shacl.validate),
               "paged": [paged(triples, int(size), args.pages) for size in args.page_sizes.split(",")]}
    best = max(results["paged"], key=lambda r: r["per_second"])
    results["extrapolated_100000_hours"] = {
        "straightforward": round(100000 / results["straightforward"]["per_second"] / 3600, 1),
        f"paged_{best['page_size']}": round(100000 / best["per_second"] / 3600, 2)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
