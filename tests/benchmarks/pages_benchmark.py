"""Page benchmark: render times of the home page, the dataset search and a
dataset page with many datasets stored, for one visitor and for 20 at once.
Not a test: it measures and reports.

    make benchmark BENCH=pages BENCH_ARGS="--datasets 10000"      # or:
    .venv/bin/python tests/benchmarks/pages_benchmark.py --profile test3 --datasets 10000

What it does (docs/benchmarks.md, "Pages: home, search, dataset"):

1. starts a fresh stack of `--profile` (`--reuse` keeps a running one and the
   datasets it has), stops its web server, consumers, scheduler and full-text
   worker, and starts a web server of its own (gunicorn, `--workers` sync
   workers; load_benchmark.WebServer) with the portal's HTTP caching off, so
   that every request is rendered;
2. stores `--datasets` datasets through the API, `--writers` requests at a
   time, spread over 40 authorities of the four levels: German titles and
   descriptions, 1-3 categories, an area of Thüringen (Land, Kreis or
   Gemeinde), a period, a frequency, a licence and 1-3 distributions in
   different formats, a tenth with a bounding geometry (deterministic);
3. per page kind measures one client making `--requests` requests in a row,
   then `--clients` clients at once for `--seconds` seconds (closed loop):
   `home` (its figures cached in Redis, as in operation), `home-uncached`
   (a second web server with `thueringen.home.cache_seconds = 0`: the figures
   computed on every visit), `search` (German words, facet filters, a time
   filter, a bounding box, the sort orders, pages 1-3) and `dataset` (a random
   stored dataset); latency at the client until the last byte, errors (not 200);
4. writes var/<profile>/benchmark-pages.json, prints a Markdown table and
   stops the stack (`--keep` leaves it running).

Standard library only (and load_benchmark beside it); needs the project's
virtualenv (.venv) and stack.
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_benchmark import (  # noqa: E402
    IDLE_SERVICES,
    PLACES,
    ROOT,
    WORDS,
    WebServer,
    action,
    machine,
    percentile,
    say,
    stack,
)

THEMES = ["AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI", "SOCI", "TECH", "TRAN"]
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCIES = ["ANNUAL", "MONTHLY", "QUARTERLY", "DAILY", "IRREG"]
FORMATS = ["CSV", "JSON", "XLSX", "PDF", "GeoJSON", "XML", "ODS", "WMS"]
LICENCES = ["http://dcat-ap.de/def/licenses/dl-by-de/2.0", "http://dcat-ap.de/def/licenses/cc-by/4.0",
            "http://dcat-ap.de/def/licenses/dl-zero-de/2.0", "http://dcat-ap.de/def/licenses/other-closed"]
LEVELS = ["land", "landkreis", "kreisfreie-stadt", "gemeinde"]
AREAS = ["http://dcat-ap.de/def/politicalGeocoding/stateKey/16",
         "http://dcat-ap.de/def/politicalGeocoding/districtKey/16051",
         "http://dcat-ap.de/def/politicalGeocoding/districtKey/16053",
         "http://dcat-ap.de/def/politicalGeocoding/districtKey/16055",
         "http://dcat-ap.de/def/politicalGeocoding/districtKey/16074",
         "http://dcat-ap.de/def/politicalGeocoding/regionalKey/160530000000",
         "http://dcat-ap.de/def/politicalGeocoding/regionalKey/160550000000",
         "http://dcat-ap.de/def/politicalGeocoding/regionalKey/160510000000"]
QUERIES = ["Haushalt", "Schulen Jena", "Radverkehr", "Bebauungsplan Erfurt", "Kindertagesstätten", "Lärm",
           "Bevölkerung 2020", "Hochwasserschutz", "Abfallwirtschaft Gotha", ""]
SORTS = ["score desc, metadata_modified desc", "metadata_created desc", "metadata_modified desc", "title_string asc"]
PREFIX = "seite"


def _dataset(number: int, owner_org: str) -> dict:
    rng = random.Random(number)
    word, place = rng.choice(WORDS), rng.choice(PLACES)
    year = 2010 + number % 15
    dataset = {
        "name": f"{PREFIX}-{number}", "owner_org": owner_org, "title": f"{word} {place} {year}",
        "notes": f"{word} der Stadt {place}: Daten des Jahres {year}. " * 4,
        "theme": [THEME + code for code in rng.sample(THEMES, rng.randint(1, 3))],
        "spatial_coverage": [{"uri": rng.choice(AREAS)}],
        "temporal_coverage": [{"start": f"{year}-01-01", "end": f"{year}-12-31"}],
        "issued": f"{year + 1}-0{1 + number % 9}-15",
        "frequency": f"http://publications.europa.eu/resource/authority/frequency/{rng.choice(FREQUENCIES)}",
        "license_id": rng.choice(LICENCES),
        "tags": [{"name": word}, {"name": place}],
        "resources": [{"name": f"{word} {part}", "url": f"https://daten.example.org/{number}/{part}",
                       "format": rng.choice(FORMATS)} for part in range(1 + number % 3)],
    }
    if number % 10 == 0:
        west, south = 10.0 + rng.random() * 2, 50.3 + rng.random()
        dataset["spatial_coverage"][0]["geom"] = json.dumps({"type": "Polygon", "coordinates": [[
            [west, south], [west + 0.1, south], [west + 0.1, south + 0.1], [west, south + 0.1], [west, south]]]})
    return dataset


def seed(base_url: str, token: str, count: int, writers: int) -> list[str]:
    """`count` datasets of 40 authorities; their names. Stored ones are kept."""
    found = action(base_url, token, "package_search", q=f"name:{PREFIX}-*", rows=0)["count"]
    orgs = []
    for number in range(40):
        name = f"{PREFIX}-stelle-{number}"
        try:
            orgs.append(action(base_url, token, "organization_show", id=name)["id"])
        except RuntimeError:   # not there yet
            orgs.append(action(base_url, token, "organization_create", name=name, title=f"Stelle {number}",
                               authority_level=f"https://opendata.thueringen.de/def/authority-level/"
                                               f"{LEVELS[number % 4]}")["id"])
    missing = range(found, count)
    started, done = time.monotonic(), [0]
    lock = threading.Lock()

    def create(number: int) -> None:
        action(base_url, token, "package_create", **_dataset(number, orgs[number % len(orgs)]))
        with lock:
            done[0] += 1
            if done[0] % 500 == 0:
                say(f"  {done[0]} of {len(missing)} stored ({done[0] / (time.monotonic() - started):.1f}/s)")

    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(create, missing))
    return [f"{PREFIX}-{number}" for number in range(count)]


def address(kind: str, rng: random.Random, datasets: list[str]) -> str:
    if kind in ("home", "home-uncached"):
        return "/"
    if kind == "dataset":
        return f"/dataset/{rng.choice(datasets)}"
    params: dict[str, str] = {"sort": rng.choice(SORTS), "page": str(rng.randint(1, 3))}
    if query := rng.choice(QUERIES):
        params["q"] = query
    choice = rng.randrange(5)
    if choice == 0:
        params["vocab_theme"] = THEME + rng.choice(THEMES)
    elif choice == 1:
        params["vocab_area"] = rng.choice(AREAS)
    elif choice == 2:
        params["ext_temporal_from"] = str(rng.randint(2010, 2024))
    elif choice == 3:
        params["ext_bbox"] = "10.0,50.2,12.0,51.5"
    return "/dataset/?" + urllib.parse.urlencode(params)


def request(port: int, path: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("GET", path, headers={"Accept": "text/html", "Accept-Language": "de-DE,de"})
        response = connection.getresponse()
        response.read()
        status = response.status
        connection.close()
    except (OSError, http.client.HTTPException):
        status = -1
    return status, time.monotonic() - started


def summary(rows: list[tuple[int, float]], wall: float, cpu: float) -> dict:
    latencies = [elapsed * 1000 for _, elapsed in rows]
    return {"requests": len(rows), "errors": sum(1 for status, _ in rows if status != 200),
            "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
            "requests_per_s": len(rows) / wall if wall else float("nan"),
            "cpu_ms_per_request": 1000 * cpu / max(len(rows), 1)}


def one_client(server: WebServer, kind: str, datasets: list[str], count: int) -> dict:
    rng, started, cpu = random.Random(1), time.monotonic(), server.cpu_seconds()
    rows = [request(server.port, address(kind, rng, datasets)) for _ in range(count)]
    return summary(rows, time.monotonic() - started, server.cpu_seconds() - cpu)


def many_clients(server: WebServer, kind: str, datasets: list[str], clients: int, seconds: float) -> dict:
    rows: list[tuple[int, float]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(number: int) -> None:
        rng = random.Random(100 + number)
        while time.monotonic() < stop_at:
            row = request(server.port, address(kind, rng, datasets))
            with lock:
                rows.append(row)

    started, cpu = time.monotonic(), server.cpu_seconds()
    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summary(rows, time.monotonic() - started, server.cpu_seconds() - cpu)


def print_table(report: dict) -> None:
    clients = report["clients"]
    print()
    print(f"| page | 1 client p50 / p95 ms | {clients} clients p50 / p95 ms | {clients} clients req/s "
          f"| CPU ms/request | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, result in report["pages"].items():
        one, many = result["one"], result["many"]
        print(f"| {kind} | {one['p50_ms']:.0f} / {one['p95_ms']:.0f} | {many['p50_ms']:.0f} / {many['p95_ms']:.0f} "
              f"| {many['requests_per_s']:.1f} | {one['cpu_ms_per_request']:.0f} | {one['errors'] + many['errors']} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="test3", help="stack profile (default test3)")
    parser.add_argument("--reuse", action="store_true", help="use the profile's running stack and its data")
    parser.add_argument("--keep", action="store_true", help="leave the profile's stack running afterwards")
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--writers", type=int, default=4, help="package_create requests at a time")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--requests", type=int, default=60, help="requests of the single client per page")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--pages", default="home,home-uncached,search,dataset")
    args = parser.parse_args()
    state = ROOT / "var" / args.profile

    if not args.reuse:
        say(f"fresh stack '{args.profile}' (scripts/stack.py up)")
        stack(args.profile, "up", "--no-system-packages", "--fresh")
    stack(args.profile, "stop", *IDLE_SERVICES)
    token = (state / "sysadmin-token").read_text().strip()
    off = {"thueringen.http_cache.enabled": "false"}
    servers = {"cached": WebServer("pages", state, off, args.workers),
               "uncached": WebServer("pages-uncached", state, {**off, "thueringen.home.cache_seconds": "0"},
                                     args.workers)}
    report: dict = {}
    try:
        for server in servers.values():
            server.wait_ready()
        say(f"storing {args.datasets} datasets ({args.writers} at a time)")
        started = time.monotonic()
        datasets = seed(servers["cached"].url, token, args.datasets, args.writers)
        stored_in = time.monotonic() - started
        report = {"machine": machine(), "when": datetime.now(UTC).isoformat(timespec="seconds"),
                  "datasets": len(datasets), "stored_in_s": stored_in, "workers": args.workers,
                  "clients": args.clients, "seconds": args.seconds, "requests": args.requests, "pages": {}}
        for kind in args.pages.split(","):
            server = servers["uncached" if kind == "home-uncached" else "cached"]
            one_client(server, kind, datasets, 3)   # first renders, caches
            say(f"{kind}: 1 client, {args.requests} requests")
            one = one_client(server, kind, datasets, args.requests)
            say(f"{kind}: {args.clients} clients for {args.seconds:.0f} s")
            many = many_clients(server, kind, datasets, args.clients, args.seconds)
            report["pages"][kind] = {"one": one, "many": many}
    finally:
        for server in servers.values():
            server.stop()
        if not args.keep:
            stack(args.profile, "stop")
    (state / "benchmark-pages.json").write_text(json.dumps(report, indent=2))
    say(f"written {state / 'benchmark-pages.json'}")
    print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
