"""Load benchmark: concurrent anonymous visitors on the portal's pages, with
the portal's HTTP caching (security/http_cache.py) switched off and on, in one
run on one stack. Not a test: it measures and reports.

    make benchmark BENCH=load                                   # or:
    python3 tests/benchmarks/load_benchmark.py --clients 50 --seconds 60

What it does (docs/benchmarks.md, "Load: anonymous visitors"):

1. starts a fresh stack of the profile `--profile` (default test9; scripts/stack.py;
   `--reuse` keeps a running one), then stops its web server, consumers,
   scheduler and full-text worker, so that only PostgreSQL, Redis and Solr
   remain beside what is measured;
2. starts two web servers of its own, identical (gunicorn, `--workers` sync
   workers, no max-requests restarts) except for `thueringen.http_cache.enabled`
   (false: CKAN's own headers; true: the portal's caching), and the nginx of
   docker/nginx/ in front of the second (scripts/nginx_local.py; scenario
   `nginx-…`: what a production deployment answers);
3. stores `--datasets` datasets (German titles, 1–3 resources each) through
   the API;
4. per scenario, `--clients` threads request for `--seconds` seconds, each
   without pause (closed loop), a weighted mix of the home page, dataset
   searches with German queries, dataset pages, /transparenz, /catalog.ttl
   and the API's package_search; each request on a new connection (gunicorn's
   sync workers close every connection). Scenarios: `plain` clients never
   send validators; `revalidating` clients send back the ETag and
   Last-Modified they got for the same address (If-None-Match,
   If-Modified-Since), as a browser does on reload; `cache`: all clients
   share one set of validators, as the requests of a shared cache in front
   whose copies are stale (nginx with proxy_cache_revalidate). No client
   keeps a copy within max-age: what a browser or a shared cache serves
   without asking never reaches the server and is not measured here.
5. measures per scenario: latency p50/p95/p99 (at the client, until the last
   byte), errors (anything but 200 and 304, and failed connections),
   requests/s, 304 answers, and CPU seconds of the web server (master and
   workers, utime+stime from /proc/<pid>/stat) per request;
6. writes var/<profile>/benchmark-load.json, prints the tables and stops the
   stack (`--keep` leaves it running; its data stays in var/<profile>/).

Standard library only; needs the project's virtualenv (.venv) and stack.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from nginx_local import LocalNginx, child_pids, cpu_seconds  # noqa: E402 - scripts/ is not a package

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import call_action, free_port, machine, stack  # noqa: E402, F401 - also pages_benchmark's
from bench_common import say as say_as  # noqa: E402

VENV = ROOT / ".venv"
IDLE_SERVICES = ("ckan", "source-ckan", "gather-consumer", "fetch-consumer", "scheduler", "fulltext-worker",
                 "quality-worker", "linkcheck-worker")

WORDS = ["Haushalt", "Schulen", "Radverkehr", "Bebauungsplan", "Hochwasserschutz", "Kindertagesstätten",
         "Straßenreinigung", "Lärmkartierung", "Abfallwirtschaft", "Denkmalschutz", "Feuerwehr",
         "Bevölkerung", "Wahlergebnisse", "Luftqualität", "Nahverkehr", "Grünflächen"]
PLACES = ["Erfurt", "Jena", "Weimar", "Gera", "Gotha", "Suhl", "Eisenach", "Nordhausen", "Ilmenau", "Altenburg"]
QUERIES = ["Haushalt", "Haushaltsplan Erfurt", "Schulen", "Straße", "Kita Jena", "Lärm", "Radverkehr Weimar",
           "Bevölkerung 2024", "Hochwasser", "Abfall Gotha"]
# (kind, weight): the mix of one visitor's requests
MIX = [("home", 15), ("search", 25), ("dataset", 30), ("transparenz", 5), ("catalog", 10), ("api_search", 15)]


def say(message: str) -> None:
    say_as("load", message)


# ------------------------------------------------------------------ web servers

class BehindNginx:
    """A web server with the nginx of docker/nginx/ in front (scripts/nginx_local.py):
    clients talk to nginx; the CPU counted is nginx's and the web server's."""

    def __init__(self, server: WebServer, state: Path):
        self.server = server
        self.nginx = LocalNginx(state / "load-nginx", f"127.0.0.1:{server.port}")
        self.port, self.url = self.nginx.port, self.nginx.url

    def wait_ready(self) -> None:
        self.server.wait_ready()
        self.nginx.start()

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.server.pids() + self.nginx.pids())

    def stop(self) -> None:
        self.nginx.stop()


class WebServer:
    """A gunicorn of the portal on a derived configuration file."""

    def __init__(self, name: str, state: Path, settings: dict[str, str], workers: int):
        self.name, self.state, self.port = name, state, free_port()
        self.ini = state / f"load-{name}.ini"
        lines = ["[app:main]", f"use = config:{state / 'ckan.ini'}", *(f"{k} = {v}" for k, v in settings.items())]
        self.ini.write_text("\n".join(lines) + "\n")
        log = open(state / "log" / f"load-{name}.log", "ab")
        self.process = subprocess.Popen(
            [str(VENV / "bin" / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--timeout", "120", "--name", f"load-{name}", "--no-control-socket",
             "ckanext.thueringen.wsgi:application"],
            cwd=ROOT, env=dict(os.environ, CKAN_INI=str(self.ini)), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"web server {self.name} exited; see {self.state}/log/load-{self.name}.log")
            try:
                with urllib.request.urlopen(f"{self.url}/api/3/action/status_show", timeout=10) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(1)
        raise SystemExit(f"web server {self.name} did not answer within {timeout:.0f} s")

    def pids(self) -> list[int]:
        """The master and its workers."""
        return [self.process.pid, *child_pids(self.process.pid)]

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pids())

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# ------------------------------------------------------------------ data

def action(base_url: str, token: str, action_name: str, /, **data):
    return call_action(f"{base_url}/api/3/action", token, action_name, **data)


def seed(base_url: str, token: str, count: int) -> list[str]:
    """`count` public datasets of one authority; their names."""
    existing = action(base_url, token, "package_search", q="name:last-*", rows=1000, fl="name")["results"]
    if len(existing) >= count:
        return [item["name"] for item in existing][:count]
    org = action(base_url, token, "organization_create", name=f"last-{int(time.time())}",
                 title="Landesamt für Lasttests")
    rng = random.Random(13)
    names = []
    for number in range(count):
        word, place = rng.choice(WORDS), rng.choice(PLACES)
        name = f"last-{org['name'][5:]}-{number}"
        action(base_url, token, "package_create", name=name, owner_org=org["id"], license_id="cc-by",
               title=f"{word} {place} {2015 + number % 10}",
               notes=f"{word} der Stadt {place}: Daten des Jahres {2015 + number % 10}. " * 5,
               tags=[{"name": word}, {"name": place}],
               resources=[{"name": f"{word} {part}", "url": f"https://daten.example.org/{name}/{part}.csv",
                           "format": "CSV"} for part in range(1 + number % 3)])
        names.append(name)
    return names


# ------------------------------------------------------------------ load

def address(kind: str, rng: random.Random, datasets: list[str]) -> str:
    if kind == "home":
        return "/"
    if kind == "search":
        return "/dataset/?" + urllib.parse.urlencode({"q": rng.choice(QUERIES)})
    if kind == "dataset":
        return f"/dataset/{rng.choice(datasets)}"
    if kind == "transparenz":
        return "/transparenz"
    if kind == "catalog":
        return "/catalog.ttl"
    return "/api/3/action/package_search?" + urllib.parse.urlencode({"q": rng.choice(QUERIES), "rows": 10})


class Client(threading.Thread):
    def __init__(self, number: int, server: WebServer, datasets: list[str],
                 validators: dict[str, dict[str, str]] | None, stop_at: float, results: list):
        super().__init__(daemon=True)
        self.rng = random.Random(number)
        self.server, self.datasets = server, datasets
        self.revalidating, self.validators = validators is not None, validators
        self.stop_at, self.results = stop_at, results
        kinds, weights = zip(*MIX)
        self.kinds, self.weights = kinds, weights

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            kind = self.rng.choices(self.kinds, self.weights)[0]
            path = address(kind, self.rng, self.datasets)
            headers = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": "de-DE,de"}
            if self.revalidating:
                headers.update(self.validators.get(path, {}))
            started = time.monotonic()
            status = 0
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                connection.close()
            except (OSError, http.client.HTTPException):
                status = -1
            elapsed = time.monotonic() - started
            if status == 200 and self.revalidating:
                remembered = {}
                if response.getheader("ETag"):
                    remembered["If-None-Match"] = response.getheader("ETag")
                if response.getheader("Last-Modified"):
                    remembered["If-Modified-Since"] = response.getheader("Last-Modified")
                self.validators[path] = remembered
            self.results.append((kind, status, elapsed))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def scenario(server: WebServer, datasets: list[str], clients: int, seconds: float, kind: str) -> dict:
    """`kind`: plain (no validators), revalidating (each client its own), cache (one set for all)."""
    results: list = []
    common: dict[str, dict[str, str]] = {}
    validators = {"plain": lambda: None, "revalidating": dict, "cache": lambda: common}[kind]
    load_before = os.getloadavg()[0]
    cpu_before, started = server.cpu_seconds(), time.monotonic()
    stop_at = started + seconds
    threads = [Client(number, server, datasets, validators(), stop_at, results) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, cpu = time.monotonic() - started, server.cpu_seconds() - cpu_before
    if not results:
        raise SystemExit("no request was made: see the clients' errors above")

    def summary(rows) -> dict:
        latencies = [elapsed * 1000 for _, status, elapsed in rows]
        return {"requests": len(rows), "errors": sum(1 for _, status, _ in rows if status not in (200, 304)),
                "not_modified": sum(1 for _, status, _ in rows if status == 304),
                "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
                "p99_ms": percentile(latencies, 0.99),
                "mean_ms": statistics.fmean(latencies) if latencies else float("nan")}

    total = summary(results)
    total.update(requests_per_s=len(results) / wall, cpu_s=cpu, wall_s=wall,
                 cpu_ms_per_request=1000 * cpu / max(len(results), 1),
                 load_before=load_before, load_after=os.getloadavg()[0],
                 by_kind={kind: summary([row for row in results if row[0] == kind]) for kind, _ in MIX})
    return total


def warm_up(server: WebServer, datasets: list[str]) -> None:
    """Every kind of page once per worker, so that no scenario pays for first renders."""
    for _ in range(4):
        for kind, _ in MIX:
            path = address(kind, random.Random(0), datasets)
            try:
                with urllib.request.urlopen(server.url + path, timeout=120) as response:
                    response.read()
            except urllib.error.HTTPError:
                pass


# ------------------------------------------------------------------ report

def print_tables(report: dict) -> None:
    print()
    print("| scenario | requests | req/s | errors | 304 | p50 ms | p95 ms | p99 ms | CPU ms/request | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, result in report["scenarios"].items():
        print(f"| {name} | {result['requests']} | {result['requests_per_s']:.1f} | {result['errors']} | "
              f"{result['not_modified']} | {result['p50_ms']:.0f} | {result['p95_ms']:.0f} | "
              f"{result['p99_ms']:.0f} | {result['cpu_ms_per_request']:.1f} | "
              f"{result['load_before']:.1f}→{result['load_after']:.1f} |")
    print()
    names = list(report["scenarios"])
    print("| page | " + " | ".join(f"{name} p50 / p95 ms" for name in names) + " |")
    print("|---|" + "---:|" * len(names))
    for kind, _ in MIX:
        cells = []
        for name in names:
            found = report["scenarios"][name]["by_kind"][kind]
            cells.append(f"{found['p50_ms']:.0f} / {found['p95_ms']:.0f}")
        print(f"| {kind} | " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="test9", help="stack profile (default test9)")
    parser.add_argument("--reuse", action="store_true", help="use the profile's running stack")
    parser.add_argument("--keep", action="store_true", help="leave the profile's stack running afterwards")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    parser.add_argument("--scenarios", default="off-plain,on-plain,on-revalidating,on-cache,nginx-plain",
                        help="comma-separated: {off,on,nginx}-{plain,revalidating,cache}, run in this order "
                             "(nginx: the `on` server behind the nginx of docker/nginx/)")
    args = parser.parse_args()
    state = ROOT / "var" / args.profile

    if not args.reuse:
        say(f"fresh stack '{args.profile}' (scripts/stack.py up)")
        stack(args.profile, "up", "--no-system-packages", "--fresh")
    stack(args.profile, "stop", *IDLE_SERVICES)
    token = (state / "sysadmin-token").read_text().strip()
    servers = {"off": WebServer("off", state, {"thueringen.http_cache.enabled": "false"}, args.workers),
               "on": WebServer("on", state, {"thueringen.http_cache.enabled": "true"}, args.workers)}
    servers["nginx"] = BehindNginx(servers["on"], state)
    try:
        for server in servers.values():
            server.wait_ready()
        say(f"storing {args.datasets} datasets")
        datasets = seed(servers["on"].url, token, args.datasets)
        for name in ("off", "on"):
            warm_up(servers[name], datasets)
        report = {"machine": machine(), "when": datetime.now(UTC).isoformat(timespec="seconds"),
                  "clients": args.clients, "seconds": args.seconds, "datasets": len(datasets),
                  "workers": args.workers, "mix": dict(MIX), "scenarios": {}}
        for name in args.scenarios.split(","):
            caching, clients = name.split("-")
            say(f"{name}: {args.clients} clients for {args.seconds:.0f} s")
            report["scenarios"][name] = scenario(servers[caching], datasets, args.clients, args.seconds, clients)
            time.sleep(3)
    finally:
        for server in reversed(servers.values()):
            server.stop()
        if not args.keep:
            stack(args.profile, "stop")
    (state / "benchmark-load.json").write_text(json.dumps(report, indent=2))
    say(f"written {state / 'benchmark-load.json'}")
    print_tables(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
