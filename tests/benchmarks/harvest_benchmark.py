"""Harvesting benchmark: the portal's DCAT-AP.de harvester
(`dcat_ap_de`) against ckanext-dcat's stock `dcat_rdf` harvester, on one real
stack in one run. Not a test: it measures and reports.

    make benchmark BENCH=harvest                     # or:
    python3 tests/benchmarks/harvest_benchmark.py --size 10000 --memory-sizes 10000,50000

What it does (docs/benchmarks.md, "Harvesting"):

1. starts a fresh stack of the profile `bench` (scripts/stack.py; `--reuse`
   keeps a running one) and serves generated catalogues (generate_catalog.py:
   Turtle pages of 500 datasets, 3 distributions each) with the portal's static
   file server;
2. one harvest source per harvester, each in an organisation of its own, over
   the same catalogue in its own URI namespace (so that neither harvester's
   datasets are duplicates of the other's);
3. per scenario: restarts the gather and fetch consumers (so that their VmHWM
   is this scenario's peak), creates a job with `harvest_job_create`, lets the
   stack's consumers run it, calls `harvest_jobs_run` as the scheduler does, and
   polls until the job is Finished and Solr holds the expected number of active
   datasets of the organisation — end to end, until searchable;
   meanwhile samples VmRSS of the consumer processes (and their children) from
   /proc every 0.5 s;
4. scenarios: ours first harvest, ours re-harvest of the unchanged source,
   stock first harvest (`--rounds` pairs of first harvests in ABBA order, each
   on a catalogue of its own, so that a drifting machine load favours neither
   side; stock with a time budget: after it the consumers are stopped, the
   queues purged, the job aborted, and the datasets/s of the completed part are
   reported), after the first round "CKAN alone" (ckan_alone.py: CKAN storing
   `--ckan-alone` of the harvested datasets by itself, batched as our import
   and one package_create each — the bound of any harvester that stores
   through CKAN's actions), and ours on each catalogue of `--memory-sizes` for
   memory (every page read, then `--memory-budget` seconds of import);
5. writes var/<profile>/benchmark-harvest.json and prints a table.

Standard library and psycopg2 (to see when every page is read); needs the
project's virtualenv (.venv) and stack.
"""
from __future__ import annotations

import argparse
import json
import shutil
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
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import call_action, free_port, machine  # noqa: E402
from bench_common import say as say_as  # noqa: E402
from generate_catalog import PAGE_SIZE, generate  # noqa: E402

VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
CONSUMERS = ("gather-consumer", "fetch-consumer")
POLL_SECONDS = 2.0
SAMPLE_SECONDS = 0.5


def say(message: str) -> None:
    say_as("benchmark", message)


# ------------------------------------------------------------------ the stack

class Stack:
    """A profile of scripts/stack.py: its services, API and Solr core."""

    def __init__(self, profile: str, extra_fetch_consumers: int = 0):
        self.profile = profile
        self.state = ROOT / "var" / profile
        # more fetch consumers than the stack's one, for both harvesters alike (--extra-fetch-consumers)
        self.extra_fetch_consumers = extra_fetch_consumers
        self.extra_processes: list[subprocess.Popen] = []

    def run(self, *args: str, quiet: bool = True) -> None:
        command = [sys.executable, str(ROOT / "scripts" / "stack.py"), "--profile", self.profile, *args]
        result = subprocess.run(command, cwd=ROOT, capture_output=quiet, text=True)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout or ''}{result.stderr or ''}")

    def start(self, fresh: bool) -> None:
        say(f"{'fresh ' if fresh else ''}stack '{self.profile}' (scripts/stack.py up)")
        self.run("up", "--no-system-packages", *(["--fresh"] if fresh else []), quiet=False)
        info = json.loads((self.state / "stack.json").read_text())
        self.api_url = f"http://127.0.0.1:{info['ports']['ckan']}/api/3/action"
        self.solr_url = f"http://127.0.0.1:{info['ports']['solr']}/solr/{info['solr_core']}"
        self.token = (self.state / "sysadmin-token").read_text().strip()

    def restart_consumers(self) -> None:
        """A fresh gather and fetch consumer: VmHWM then is the next scenario's peak."""
        self.stop_consumers()
        self.run("start")
        for number in range(1, self.extra_fetch_consumers + 1):
            log = open(self.state / "log" / f"fetch-consumer-extra-{number}.log", "ab")
            self.extra_processes.append(subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "ckan"), "-c", str(self.state / "ckan.ini"),
                 "thueringen", "harvest-consumer", "fetch"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
            log.close()

    def stop_consumers(self) -> None:
        self.run("stop", *CONSUMERS)
        for process in self.extra_processes:
            process.terminate()
            process.wait(30)
        self.extra_processes.clear()

    def consumer_pids(self) -> dict[str, int]:
        pids = {}
        for name in CONSUMERS:
            try:
                pids[name] = int((self.state / "pids" / f"{name}.pid").read_text().strip())
            except (OSError, ValueError):
                raise SystemExit(f"{name} of profile {self.profile} is not running") from None
        return pids

    def ckan(self, *args: str) -> None:
        self.run("ckan", *args)

    def action(self, action_name: str, /, **data):
        return call_action(self.api_url, self.token, action_name, **data)

    def records_read(self, job_id: str) -> tuple[int, int]:
        """(objects of the job, of them still GATHERING), from the stack's database.
        The portal's gather stage goes on storing batches after its last page
        (harvesters/batches.py `import_released`), so `gather_finished` no longer
        marks the end of the reading: all records have an object and none is
        still GATHERING does."""
        if getattr(self, "database", None) is None:
            import configparser

            import psycopg2

            ini = configparser.RawConfigParser(strict=False)
            ini.read(self.state / "ckan.ini")
            self.database = psycopg2.connect(ini.get("app:main", "sqlalchemy.url"))
            self.database.autocommit = True
        with self.database.cursor() as cursor:
            cursor.execute("SELECT count(*), count(*) FILTER (WHERE state = 'GATHERING') FROM harvest_object "
                           "WHERE harvest_job_id = %s", (job_id,))
            total, gathering = cursor.fetchone()
        return total, gathering

    def searchable(self, org_id: str) -> int:
        """Active datasets of the organisation that Solr returns."""
        query = urllib.parse.urlencode([("q", "*:*"), ("fq", f"owner_org:{org_id}"),
                                        ("fq", "dataset_type:dataset"), ("fq", "state:active"),
                                        ("rows", "0"), ("wt", "json")])
        with urllib.request.urlopen(f"{self.solr_url}/select?{query}", timeout=60) as response:
            return json.load(response)["response"]["numFound"]


# ------------------------------------------------------------ process memory

def _status(pid: int) -> dict[str, int]:
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])   # kB
    except OSError:
        pass
    return values


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class MemorySampler(threading.Thread):
    """Samples VmRSS of each consumer (with its child processes) every 0.5 s and
    keeps the maximum; VmHWM (the kernel's peak) is read at the end."""

    def __init__(self, pids: dict[str, int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.peak_rss_kb = {name: 0 for name in pids}
        self.family = {name: [pid, *_descendants(pid)] for name, pid in pids.items()}
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            for name, members in self.family.items():
                rss = sum(_status(pid).get("VmRSS", 0) for pid in members)
                self.peak_rss_kb[name] = max(self.peak_rss_kb[name], rss)
            self.halt.wait(SAMPLE_SECONDS)

    def finish(self) -> dict[str, dict[str, float]]:
        self.halt.set()
        self.join()
        result = {}
        for name, members in self.family.items():
            hwm = sum(_status(pid).get("VmHWM", 0) for pid in members)
            result[name] = {"peak_rss_mb": round(self.peak_rss_kb[name] / 1024, 1),
                            "vmhwm_mb": round(hwm / 1024, 1), "pids": members}
        return result


# ----------------------------------------------------------------- scenarios

def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def run_job(stack: Stack, source: dict, org_id: str, expected: int, label: str,
            budget: float | None = None, budget_after_gather: bool = False) -> dict:
    """One harvest job through the stack's consumers, from harvest_job_create until
    it is Finished and Solr has `expected` active datasets of the organisation —
    or until `budget` seconds (counted from the end of the gather when
    `budget_after_gather`), after which the job is cut off."""
    stack.restart_consumers()
    sampler = MemorySampler(stack.consumer_pids())
    load_before = loadavg()
    sampler.start()
    started = time.monotonic()
    job = stack.action("harvest_job_create", source_id=source["id"], run=True)
    say(f"{label}: job {job['id']} created")
    timeline, gather_done_at, gather_stage_done_at, status, count = [], None, None, "New", 0
    complete = False
    while True:
        time.sleep(POLL_SECONDS)
        if gather_done_at is not None:
            # What the scheduler does every 60 s: marks the job Finished. Not during the
            # gather: it also re-queues WAITING objects (resubmit_objects), which would let
            # the stock harvester import during its gather far more eagerly than with the
            # scheduler alone.
            stack.action("harvest_jobs_run", source_id=source["id"])
        shown = stack.action("harvest_job_show", id=job["id"])
        status, count = shown["status"], stack.searchable(org_id)
        elapsed = time.monotonic() - started
        if gather_done_at is None:
            objects, gathering = stack.records_read(job["id"])
            if shown.get("gather_finished") or (objects >= expected and gathering == 0):
                gather_done_at = elapsed
                say(f"{label}: every page read after {elapsed:.0f} s")
        if gather_stage_done_at is None and shown.get("gather_finished"):
            gather_stage_done_at = elapsed
            say(f"{label}: gather stage ended after {elapsed:.0f} s")
        timeline.append((round(elapsed, 1), count, loadavg()[0]))
        if len(timeline) % 15 == 0:
            say(f"{label}: {elapsed:.0f} s, {count} searchable, job {status}")
        if status == "Finished" and count == expected:
            complete = True
            break
        if status == "Finished" and count != expected and elapsed > 30 + (gather_done_at or 0):
            break   # finished with errors: reported below
        if budget is not None:
            since = gather_done_at if budget_after_gather else 0.0
            if since is not None and elapsed - since >= budget:
                break
    elapsed = time.monotonic() - started
    memory = sampler.finish()
    if not complete and status != "Finished":
        say(f"{label}: time budget reached after {elapsed:.0f} s with {count} searchable; cutting the job off")
        # Consumers first, so that no object of this job is queued again after the purge.
        stack.stop_consumers()
        stack.ckan("harvester", "purge-queues")
        stack.action("harvest_job_abort", source_id=source["id"])
    report = stack.action("thueringen_harvest_report", id=source["id"], job_id=job["id"]) \
        if source["source_type"] == "dcat_ap_de" else None
    stats = stack.action("harvest_job_show", id=job["id"]).get("stats")
    result = {
        "label": label, "job_id": job["id"], "source_type": source["source_type"], "expected": expected,
        "complete": complete,
        "status": status, "searchable": count, "seconds": round(elapsed, 1),
        "gather_seconds": round(gather_done_at, 1) if gather_done_at is not None else None,
        # ours: the gather stage includes storing batches after the last page
        "gather_stage_seconds": round(gather_stage_done_at, 1) if gather_stage_done_at is not None else None,
        "datasets_per_second": round(count / elapsed, 2) if elapsed else None,
        "import_datasets_per_second": round(count / (elapsed - gather_done_at), 2)
        if gather_done_at is not None and count and elapsed - gather_done_at >= 1 else None,
        "memory": memory, "load_before": load_before, "load_after": loadavg(),
        "load_mean": round(sum(t[2] for t in timeline) / len(timeline), 2) if timeline else None,
        "job_stats": stats, "counts": report["jobs"][0]["counts"] if report else None,
        "timeline": timeline,
    }
    say(f"{label}: {'complete' if complete else 'cut off'} after {elapsed:.0f} s, {count}/{expected} searchable, "
        f"gather {memory['gather-consumer']['vmhwm_mb']} MB, fetch {memory['fetch-consumer']['vmhwm_mb']} MB")
    return result


def ckan_alone(stack: Stack, job_id: str, suffix: str, mode: str, count: int, batch: int) -> dict:
    """CKAN storing `count` datasets of the harvest job `job_id` by itself
    (ckan_alone.py), in its own organisation; timed until Solr finds them all."""
    org = stack.action("organization_create", name=f"bench-alone-{mode}-{suffix}", title=f"CKAN alone ({mode})")
    load_before = loadavg()
    say(f"CKAN alone ({mode}): storing {count} datasets of job {job_id}")
    done = subprocess.run([str(VENV_PYTHON), str(Path(__file__).with_name("ckan_alone.py")),
                           "--ini", str(stack.state / "ckan.ini"), "--job", job_id, "--org", org["id"],
                           "--count", str(count), "--mode", mode, "--batch", str(batch)],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"ckan_alone.py failed:\n{done.stderr[-3000:]}")
    stored = json.loads(done.stdout.strip().splitlines()[-1])
    while stack.searchable(org["id"]) < stored["count"]:
        if time.time() - stored["stored"] > 120:
            raise SystemExit(f"CKAN alone ({mode}): Solr does not find the {stored['count']} datasets")
        time.sleep(0.25)
    seconds = time.time() - stored["started"]
    result = {"label": f"CKAN alone {stored['count']} ({mode})", "mode": mode, "count": stored["count"],
              "batch": batch if mode == "batched" else 1, "seconds": round(seconds, 1),
              "store_seconds": round(stored["stored"] - stored["started"], 1),
              "datasets_per_second": round(stored["count"] / seconds, 2),
              "load_before": load_before, "load_after": loadavg()}
    say(f"CKAN alone ({mode}): {result['count']} searchable after {seconds:.0f} s, "
        f"{result['datasets_per_second']} datasets/s")
    return result


def searchable_at(timeline: list, seconds: float) -> int:
    """Datasets searchable at `seconds` after the job was created, from a timeline."""
    best = 0
    for at, count, *_ in timeline:
        if at <= seconds:
            best = count
    return best


def save(results: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))


def new_source(stack: Stack, suffix: str, kind: str, harvester: str, url: str) -> tuple[dict, str]:
    org = stack.action("organization_create", name=f"bench-{kind}-{suffix}",
                       title=f"Benchmark {kind} ({suffix})")
    config = {} if harvester == "dcat_ap_de" else {"rdf_format": "text/turtle"}
    source = stack.action("harvest_source_create", name=f"bench-{kind}-{suffix}", title=f"Benchmark {kind}",
                          url=url, source_type=harvester, owner_org=org["id"], frequency="MANUAL",
                          config=json.dumps(config))
    return source, org["id"]


def table(results: dict) -> str:
    rows = [("scenario", "complete", "searchable", "seconds", "datasets/s", "gather MB", "fetch MB", "mean load")]
    for run in results["runs"]:
        memory = run["memory"]
        rows.append((run["label"], "yes" if run["complete"] else "no (budget)", f"{run['searchable']}/{run['expected']}",
                     f"{run['seconds']:.0f}", f"{run['datasets_per_second']:.2f}",
                     f"{memory['gather-consumer']['vmhwm_mb']:.0f}", f"{memory['fetch-consumer']['vmhwm_mb']:.0f}",
                     f"{run['load_mean']:.1f}" if run.get("load_mean") is not None else "-"))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    for run in results.get("ckan_alone", []):
        lines.append(f"{run['label']}: {run['seconds']:.0f} s until searchable, {run['datasets_per_second']:.2f} datasets/s")
    lines += ["", *(f"{key}: {value}" for key, value in results["summary"].items() if key != "peak_memory_mb")]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="bench", help="stack profile (default: bench)")
    parser.add_argument("--reuse", action="store_true", help="use the running stack instead of a fresh one")
    parser.add_argument("--keep", action="store_true", help="leave the stack running afterwards")
    parser.add_argument("--size", type=int, default=10_000, help="datasets of the compared catalogue")
    parser.add_argument("--memory-sizes", default="10000,50000",
                        help="catalogue sizes of the memory comparison, comma-separated ('' skips it): "
                             "complete gather, then --memory-budget seconds of import")
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE)
    parser.add_argument("--stock-budget", type=float, default=600,
                        help="seconds the stock harvester may run before its job is cut off")
    parser.add_argument("--stock-memory-sizes", default="10000",
                        help="the same for the stock harvester ('' skips it)")
    parser.add_argument("--memory-budget", type=float, default=120,
                        help="seconds of import after each memory catalogue's complete gather")
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument("--rounds", type=int, default=1,
                        help="first harvests per harvester, in ABBA order, each on a catalogue of its own "
                             "(0: memory scenarios only)")
    parser.add_argument("--ckan-alone", type=int, default=2000,
                        help="after the first round: CKAN storing this many of the harvested datasets by itself, "
                             "batched as our import and one package_create each (ckan_alone.py; 0 skips it)")
    parser.add_argument("--extra-fetch-consumers", type=int, default=0,
                        help="fetch consumers to run besides the stack's one, for every scenario "
                             "(their memory is not sampled)")
    parser.add_argument("--out", type=Path, help="result file (default var/<profile>/benchmark-harvest.json)")
    args = parser.parse_args()
    if not VENV_PYTHON.exists():
        raise SystemExit("no .venv: run `make test` or `python3 scripts/stack.py install` first")

    memory_sizes = [int(size) for size in args.memory_sizes.split(",") if size.strip()]
    stock_memory_sizes = [] if args.skip_stock else \
        [int(size) for size in args.stock_memory_sizes.split(",") if size.strip()]
    stack = Stack(args.profile, args.extra_fetch_consumers)
    out = args.out or stack.state / "benchmark-harvest.json"
    began = time.monotonic()
    results = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
               "profile": args.profile, "size": args.size, "rounds": args.rounds, "memory_sizes": memory_sizes,
               "extra_fetch_consumers": args.extra_fetch_consumers,
               "stock_memory_sizes": stock_memory_sizes,
               "page_size": args.page_size, "stock_budget": args.stock_budget,
               "memory_budget": args.memory_budget, "runs": [], "ckan_alone": []}
    stack.start(fresh=not args.reuse)
    suffix = datetime.now().strftime("%H%M%S")
    port = free_port()
    served = stack.state / "benchmark" / "catalogs"
    shutil.rmtree(served, ignore_errors=True)
    base = f"http://127.0.0.1:{port}"
    rounds = [f"{n}" for n in range(1, args.rounds + 1)]
    catalogues = {**{f"{side}-{n}": args.size for n in rounds
                     for side in ("ours", *(() if args.skip_stock else ("stock",)))},
                  **{f"memory-{size}": size for size in memory_sizes},
                  **{f"stock-memory-{size}": size for size in stock_memory_sizes}}
    for kind, count in catalogues.items():
        started = time.monotonic()
        # The run's time in the URIs: a --reuse run must not meet its predecessor's
        # datasets, which the portal harvester would rightly withdraw as duplicates.
        generate(served / kind, count, f"{base}/{kind}", f"https://daten.thueringen.example/{suffix}/{kind}",
                 page_size=args.page_size)
        say(f"catalogue {kind}: {count} datasets generated in {time.monotonic() - started:.0f} s")
    server = subprocess.Popen([str(VENV_PYTHON), str(ROOT / "scripts" / "static_server.py"), "--port", str(port),
                               str(served)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        def scenario(kind: str, harvester: str, size: int, label: str, again: bool = False, **budget) -> dict:
            source, org_id = new_source(stack, suffix, kind, harvester, f"{base}/{kind}/catalog.ttl")
            runs = [run_job(stack, source, org_id, size, label, **budget)]
            if again:
                runs.append(run_job(stack, source, org_id, size, f"{label.split(' first')[0]} re-harvest (unchanged)"))
            results["runs"].extend(runs)
            save(results, out)   # what was measured survives a later failure
            return runs

        def ours(n: str, again: bool = False) -> list[dict]:
            return scenario(f"ours-{n}", "dcat_ap_de", args.size, f"ours {args.size} first harvest #{n}", again=again)

        def stock(n: str) -> list[dict]:
            return [] if args.skip_stock else scenario(f"stock-{n}", "dcat_rdf", args.size,
                                                       f"stock {args.size} first harvest #{n}",
                                                       budget=args.stock_budget)

        # ABBA order: a machine whose load drifts during the run favours neither side.
        for n in rounds:
            if int(n) % 2:
                ours(n, again=n == "1")
                stock(n)
            else:
                stock(n)
                ours(n)
            if n == "1" and args.ckan_alone:
                job_id = next(run["job_id"] for run in results["runs"] if run["label"].startswith("ours"))
                for mode in ("batched", "single"):
                    results["ckan_alone"].append(ckan_alone(stack, job_id, suffix, mode, args.ckan_alone, 50))
                    save(results, out)
        for size in memory_sizes:
            scenario(f"memory-{size}", "dcat_ap_de", size, f"ours {size} memory (gather + {args.memory_budget:.0f} s)",
                     budget=args.memory_budget, budget_after_gather=True)
        for size in stock_memory_sizes:
            scenario(f"stock-memory-{size}", "dcat_rdf", size,
                     f"stock {size} memory (gather + {args.memory_budget:.0f} s)",
                     budget=args.memory_budget, budget_after_gather=True)
    finally:
        server.terminate()
        server.wait()
        for process in stack.extra_processes:   # they do not outlive the benchmark, --keep or not
            process.terminate()
        if not args.keep:
            stack.run("stop")
    firsts = {side: [run for run in results["runs"] if run["label"].startswith(f"{side} {args.size} first")]
              for side in ("ours", "stock")}
    summary = {}
    if firsts["ours"]:
        first = firsts["ours"][0]
        again = next(run for run in results["runs"] if "re-harvest" in run["label"])
        summary["reharvest_speedup"] = round(first["seconds"] / again["seconds"], 1) \
            if first["complete"] and again["seconds"] else None
    rates = {side: statistics.median(run["datasets_per_second"] for run in runs)
             for side, runs in firsts.items() if runs}
    summary["median_datasets_per_second"] = rates
    if rates.get("stock") and rates.get("ours"):
        summary["throughput_ratio_ours_vs_stock"] = round(rates["ours"] / rates["stock"], 2)
        stock_run = firsts["stock"][0]
        window = min(stock_run["seconds"], first["seconds"])
        summary["searchable_after_same_time"] = {
            "seconds": round(window), "ours": searchable_at(first["timeline"], window),
            "stock": searchable_at(stock_run["timeline"], window)}
    alone = {run["mode"]: run["datasets_per_second"] for run in results["ckan_alone"]}
    if alone:
        summary["ckan_alone_datasets_per_second"] = alone
        if rates.get("stock"):
            # what no harvester storing through package_create can exceed on this machine
            summary["ckan_alone_batched_vs_stock"] = round(alone["batched"] / rates["stock"], 2)
    summary["peak_memory_mb"] = {
        run["label"]: {name: run["memory"][name]["vmhwm_mb"] for name in CONSUMERS} for run in results["runs"]}
    results["summary"] = summary
    results["wall_seconds"] = round(time.monotonic() - began)
    save(results, out)
    print()
    print(table(results))
    print(f"\nresults: {out}  (wall time {results['wall_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
