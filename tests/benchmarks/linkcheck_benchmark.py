"""Link checks at scale: URLs per second and peak memory of the link checker's
background work against a local server with latency (docs/benchmarks.md,
"Link checks").

    make test-keep TEST_PROFILE=test8 PYTEST_ARGS=tests/unit/test_linkcheck_rules.py   # a running stack
    .venv/bin/python tests/benchmarks/linkcheck_benchmark.py --ini var/test8/ckan.ini --urls 300000

What runs is the worker's own loop (checker.Checker.run_due: store.claim in
bounded batches, Dispatcher with its per-host politeness, Probe through the
guarded session, results.record with the spread next check), against:

- a local HTTP server in a process of its own (so that its work is not
  counted as the checker's), answering HEAD after a random 20–50 ms, on
  127.0.0.1 only;
- `--hosts` host names (`h<n>.bench.linkcheck`), which the outbound policy's
  resolver hook maps to 127.0.0.1 (no DNS), so that politeness per host
  applies as with real servers; the URLs are spread over them round robin.

The URLs are queued in the checker's table (store.enqueue, due now) and
removed afterwards; the stack's own worker does not take them (its
thueringen.linkcheck.only_urls of config/test.ini). Peak memory is the
process's VmHWM, sampled with VmRSS before and during the run: flat while
the URLs go through in batches. Prints one JSON line.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST_SUFFIX = ".bench.linkcheck"


def serve(port_pipe, low_ms: int, high_ms: int) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_HEAD(self):  # noqa: N802 - http.server's naming
            time.sleep(random.uniform(low_ms, high_ms) / 1000)
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", "4096")
            self.end_headers()

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024

    httpd = Server(("127.0.0.1", 0), Handler)
    port_pipe.send(httpd.server_address[1])
    httpd.serve_forever()


def memory_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", required=True, help="ckan.ini of a running stack (var/test8/ckan.ini)")
    parser.add_argument("--urls", type=int, default=300_000)
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8, help="thueringen.linkcheck.threads")
    parser.add_argument("--pause", type=float, default=1.0, help="thueringen.linkcheck.host_pause_seconds")
    parser.add_argument("--batch", type=int, default=500, help="thueringen.linkcheck.batch_size")
    parser.add_argument("--per-host", type=int, default=20, help="thueringen.linkcheck.per_host_batch")
    parser.add_argument("--latency", default="20-50", help="server latency range in ms")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long (0: when all are done)")
    args = parser.parse_args()
    low, high = (int(x) for x in args.latency.split("-"))

    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(send, low, high), daemon=True)
    server.start()
    port = receive.recv()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    make_app(load_config(args.ini))
    import ckan.model as model
    import sqlalchemy as sa
    from ckan.common import config

    from ckanext.thueringen.linkcheck import store
    from ckanext.thueringen.linkcheck.checker import Checker, Settings, user_agent
    from ckanext.thueringen.security import outbound

    real_resolve = outbound.resolve
    outbound.resolve = lambda host, p: ["127.0.0.1"] if host.endswith(HOST_SUFFIX) else real_resolve(host, p)
    config["thueringen.outbound.allow"] = f"127.0.0.1:{port}"

    prefix = f"http://h%d{HOST_SUFFIX}:{port}/bench/%d.csv"
    only = f"^http://h[0-9]+[.]bench[.]linkcheck:{port}/"

    def cleanup():
        model.Session.rollback()
        model.Session.execute(sa.text("DELETE FROM thueringen_link_check WHERE url ~ :only"), {"only": only})
        model.Session.commit()

    cleanup()
    started = time.monotonic()
    for start in range(0, args.urls, 10_000):
        store.enqueue(prefix % (n % args.hosts, n) for n in range(start, min(args.urls, start + 10_000)))
        model.Session.commit()
    queued_seconds = time.monotonic() - started
    rss_before = memory_kib("VmRSS")

    checker = Checker(Settings(timeout=10, pause=args.pause, threads=args.threads, batch_size=args.batch,
                               per_host=args.per_host, user_agent=user_agent(), only=only))
    stop = threading.Event()
    samples: list[tuple[float, int, int]] = []
    checked = [0]

    def sample():
        while not stop.wait(5):
            samples.append((round(time.monotonic() - began, 1), checked[0], memory_kib("VmRSS")))
            print(f"  {samples[-1][0]:7.1f} s  {checked[0]:7d} URLs  RSS {samples[-1][2] / 1024:.0f} MiB",
                  file=sys.stderr, flush=True)
            if args.seconds and time.monotonic() - began > args.seconds:
                stop.set()

    began = time.monotonic()
    cpu_began = time.process_time()
    threading.Thread(target=sample, daemon=True).start()
    while not stop.is_set():
        done = checker.run_batch(stop)     # the worker's step: claim a batch, check, record
        if not done:
            break
        checked[0] += done
    elapsed = time.monotonic() - began
    cpu = time.process_time() - cpu_began
    stop.set()
    errors = model.Session.execute(sa.text(
        "SELECT count(*) FROM thueringen_link_check WHERE url ~ :only AND checked_at IS NOT NULL "
        "AND (error IS NOT NULL OR status_code <> 200)"), {"only": only}).scalar()
    cleanup()
    server.terminate()

    result = {
        "urls_queued": args.urls, "urls_checked": checked[0], "errors": errors, "hosts": args.hosts,
        "threads": args.threads, "pause_s": args.pause, "batch": args.batch, "per_host": args.per_host,
        "latency_ms": [low, high], "queue_seconds": round(queued_seconds, 1), "seconds": round(elapsed, 1),
        "urls_per_second": round(checked[0] / elapsed, 1),
        "cpu_seconds": round(cpu, 1), "cpu_ms_per_url": round(cpu * 1000 / max(1, checked[0]), 2),
        "rss_before_mib": round(rss_before / 1024, 1), "peak_rss_mib": round(memory_kib("VmHWM") / 1024, 1),
        "rss_samples_mib": [(t, n, round(kib / 1024)) for t, n, kib in samples[:: max(1, len(samples) // 12)]],
        "extrapolated_300000_hours": round(300_000 / (checked[0] / elapsed) / 3600, 2) if checked[0] else None,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
