"""The link checker against local test servers (127.0.0.1 only), on the real stack.

The checker runs in this process (CKAN's configuration of the test stack, its
database) with a short time-out; one test goes through the whole stack: a
dataset saved through the API queues its addresses, the stack's
`linkcheck-worker` checks them, and `thueringen_link_check_show` shows the
answers. The servers' paths start with /linkcheck/: the stack's worker checks
only such addresses (config/test.ini, thueringen.linkcheck.only_urls).
"""
from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from ckan import model

from ckanext.thueringen.linkcheck import results, store
from ckanext.thueringen.linkcheck.checker import Checker, Settings, user_agent
from ckanext.thueringen.linkcheck.cli import linkcheck
from ckanext.thueringen.security import outbound
from conftest import run_stack, stack_info, wait_until
from connect_audit import connections

TIMEOUT = 1.0


class LinkServer:
    """Answers by path (a function of the handler and the method), and logs
    every request: method, path, Host header, User-Agent, start and end."""

    def __init__(self):
        self.routes: dict[str, object] = {}
        self.log: list[dict] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one(self, method):
                started = time.monotonic()
                path = urlsplit(self.path).path
                try:
                    route = server.routes.get(path)
                    if route is None:
                        self.answer(404, "text/plain", b"nicht da")
                    else:
                        route(self, method)
                except OSError:
                    self.close_connection = True
                finally:
                    with server.lock:
                        server.log.append({"method": method, "path": path, "query": urlsplit(self.path).query,
                                           "host": self.headers.get("Host", ""),
                                           "agent": self.headers.get("User-Agent", ""),
                                           "start": started, "end": time.monotonic()})

            def do_HEAD(self):  # noqa: N802 - http.server's naming
                self.handle_one("HEAD")

            def do_GET(self):  # noqa: N802
                self.handle_one("GET")

            def answer(self, status, content_type, body=b"", headers=None, method="GET"):
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                if method != "HEAD" and self.command != "HEAD":
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or '127.0.0.1'}:{self.port}{path}"

    def requests(self, path: str) -> list[dict]:
        with self.lock:
            return [entry for entry in self.log if entry["path"] == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def body(status, content_type, data=b"", headers=None):
    return lambda handler, method: handler.answer(status, content_type, data, headers)


def redirect(status, target):
    return lambda handler, method: handler.answer(status, "text/html", b"", {"Location": target})


@pytest.fixture
def server():
    s = LinkServer()
    yield s
    s.close()


@pytest.fixture
def checker():
    return Checker(Settings(timeout=TIMEOUT, pause=0.0, threads=4, interval_days=7, user_agent=user_agent()))


def _csv(size=1234):
    return body(200, "text/csv; charset=utf-8", b"a" * size)


def test_answers_redirect_chains_and_errors_are_recorded(server, checker):
    server.routes.update({
        "/linkcheck/ok.csv": _csv(),
        "/linkcheck/moved": redirect(301, "/linkcheck/moved-again"),
        "/linkcheck/moved-again": redirect(302, "/linkcheck/ok.csv"),
        "/linkcheck/loop-a": redirect(301, "/linkcheck/loop-b"),
        "/linkcheck/loop-b": redirect(301, "/linkcheck/loop-a"),
        "/linkcheck/broken": body(500, "text/html", b"Fehler"),
        **{f"/linkcheck/chain/{n}": redirect(301, f"/linkcheck/chain/{n + 1}") for n in range(10)},
    })
    names = ["ok.csv", "moved", "loop-a", "chain/0", "missing", "broken"]
    checked = {c.url: c for c in checker.check([server.url(f"/linkcheck/{name}") for name in names])}
    got = {name: checked[server.url(f"/linkcheck/{name}")] for name in names}

    ok = got["ok.csv"]
    assert (ok.status_code, ok.content_type, ok.size, ok.method, ok.error) == (
        200, "text/csv; charset=utf-8", 1234, "HEAD", None)
    assert ok.answers
    moved = got["moved"]
    assert (moved.status_code, moved.redirects, moved.final_url, moved.size) == (
        200, 2, server.url("/linkcheck/ok.csv"), 1234)
    assert got["loop-a"].status_code is None and "Schleife" in got["loop-a"].error
    assert got["chain/0"].status_code is None and "mehr als 5-mal" in got["chain/0"].error
    assert len(server.requests("/linkcheck/chain/5")) == 1 and not server.requests("/linkcheck/chain/6")
    assert (got["missing"].status_code, got["missing"].answers) == (404, False)
    assert (got["broken"].status_code, got["broken"].answers) == (500, False)

    # stored: what the quality score reads (results.latest) ...
    stored = results.latest(server.url(f"/linkcheck/{name}") for name in names)
    assert {name: stored[server.url(f"/linkcheck/{name}")].status_code for name in names} == {
        "ok.csv": 200, "moved": 200, "loop-a": None, "chain/0": None, "missing": 404, "broken": 500}
    assert stored[server.url("/linkcheck/moved")].final_url == server.url("/linkcheck/ok.csv")
    # ... with the next check a few days away, not now
    due = store.next_checks([ok.url])[ok.url]
    assert ok.checked_at + dt_days(3.5) <= due < ok.checked_at + dt_days(10.5)
    # HEAD only, nothing downloaded; the User-Agent names the portal and its address
    assert {entry["method"] for entry in server.log} == {"HEAD"}, [e["path"] for e in server.log if e["method"] == "GET"]
    agent = server.requests("/linkcheck/ok.csv")[0]["agent"]
    assert "Open-Data-Portal Thueringen" in agent and stack_info()["site_url"] in agent


def dt_days(days):
    import datetime as dt

    return dt.timedelta(days=days)


def test_a_server_that_does_not_answer_is_a_time_out(server, checker):
    release = threading.Event()
    server.routes["/linkcheck/slow"] = lambda handler, method: (release.wait(10), handler.answer(200, "text/csv"))
    try:
        started = time.monotonic()
        [check] = list(checker.check([server.url("/linkcheck/slow")]))
        took = time.monotonic() - started
    finally:
        release.set()
    assert check.status_code is None and "Zeitüberschreitung" in check.error and "1 s" in check.error
    assert took < TIMEOUT + 2


def test_a_server_that_drips_its_answer_is_cut_at_the_total_deadline(server):
    """One byte every 0.3 s keeps each read within the 1 s time-out; the check
    still ends at its total deadline, with its own German reason."""
    stop = threading.Event()

    def drip(handler, method):
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Langsam: ")
        while not stop.wait(0.3):
            handler.wfile.write(b"x")
            handler.wfile.flush()
        handler.close_connection = True

    server.routes["/linkcheck/drip"] = drip
    checker = Checker(Settings(timeout=TIMEOUT, total_timeout=3.0, pause=0.0, threads=1, interval_days=7,
                               user_agent=user_agent()))
    started = time.monotonic()
    try:
        [check] = list(checker.check([server.url("/linkcheck/drip")]))
    finally:
        stop.set()
    took = time.monotonic() - started
    assert check.status_code is None and "3 s insgesamt" in check.error, check.error
    assert took < 3.0 + 2


def test_head_refused_is_tried_again_with_get_reading_only_the_first_bytes(server, checker):
    big = b"x" * 5_000_000

    def no_head(handler, method):
        if method == "HEAD":
            handler.answer(405, "text/plain", b"", {"Allow": "GET"})
        else:
            handler.answer(200, "application/json", big)

    def broken_head(handler, method):
        if method == "HEAD":
            handler.wfile.write(b"kein HTTP\r\n\r\n")
            handler.close_connection = True
        else:
            handler.answer(200, "text/csv", b"a;b\n")

    server.routes.update({"/linkcheck/no-head": no_head, "/linkcheck/broken-head": broken_head,
                          "/linkcheck/not-implemented": lambda h, m: h.answer(501, "text/plain") if m == "HEAD"
                          else h.answer(200, "text/csv", b"a")})
    got = {c.url: c for c in checker.check([server.url(p) for p in
                                            ("/linkcheck/no-head", "/linkcheck/broken-head",
                                             "/linkcheck/not-implemented")])}
    no_head_check = got[server.url("/linkcheck/no-head")]
    assert (no_head_check.status_code, no_head_check.method, no_head_check.content_type, no_head_check.size) == (
        200, "GET", "application/json", len(big))
    assert [e["method"] for e in server.requests("/linkcheck/no-head")] == ["HEAD", "GET"]
    assert (got[server.url("/linkcheck/broken-head")].status_code,
            got[server.url("/linkcheck/broken-head")].method) == (200, "GET")
    assert got[server.url("/linkcheck/not-implemented")].status_code == 200


def test_an_ogc_capabilities_url_gets_a_get_and_no_head(server, checker):
    capabilities = b'<?xml version="1.0"?><WMS_Capabilities version="1.3.0">' + b" " * 100_000
    server.routes["/linkcheck/ows"] = lambda handler, method: handler.answer(
        400 if method == "HEAD" else 200, "application/vnd.ogc.wms_xml", capabilities)
    url = server.url("/linkcheck/ows?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
    [check] = list(checker.check([url]))
    assert (check.status_code, check.method, check.content_type) == (200, "GET", "application/vnd.ogc.wms_xml")
    assert [e["method"] for e in server.requests("/linkcheck/ows")] == ["GET"]


def test_one_host_gets_one_request_at_a_time_with_a_pause_and_hosts_run_in_parallel(server, monkeypatch):
    """Measured on the server: per Host header, no two requests overlap and
    each starts at least the pause after the previous one ended."""
    monkeypatch.setattr(outbound, "resolve", _local_test_names(outbound.resolve))

    def slow(handler, method):
        time.sleep(0.15)
        handler.answer(200, "text/csv", b"a")

    server.routes.update({f"/linkcheck/polite/{n}": slow for n in range(4)})
    pause = 0.3
    polite = Checker(Settings(timeout=5, pause=pause, threads=4, user_agent=user_agent()))
    urls = [server.url(f"/linkcheck/polite/{n}", host) for host in ("a.linkcheck.test", "b.linkcheck.test")
            for n in range(4)]
    checks = list(polite.check(urls))
    assert sorted(c.url for c in checks) == sorted(urls) and all(c.status_code == 200 for c in checks), checks
    spans_by_host = {}
    for entry in server.log:
        spans_by_host.setdefault(entry["host"].split(":")[0], []).append((entry["start"], entry["end"]))
    assert set(spans_by_host) == {"a.linkcheck.test", "b.linkcheck.test"}
    for host, spans in spans_by_host.items():
        spans.sort()
        assert len(spans) == 4
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start >= end + pause - 0.01, (host, spans)
    a, b = spans_by_host["a.linkcheck.test"], spans_by_host["b.linkcheck.test"]
    assert any(sa < eb and sb < ea for sa, ea in a for sb, eb in b), "the two hosts never ran at the same time"


def _local_test_names(real_resolve):
    """Names of this test's "hosts", all on 127.0.0.1, without DNS (outbound.resolve is the hook for it)."""
    return lambda host, port: ["127.0.0.1"] if host.endswith(".linkcheck.test") else real_resolve(host, port)


def test_bad_urls_are_recorded_as_errors_and_no_connection_is_attempted(checker):
    solr = stack_info()["ports"]["solr"]
    bad = ["http://10.0.0.1/daten.csv", "https://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
           "http://[fd00::1]/x", "ftp://daten.example/a.csv", "file:///etc/passwd", "javascript:alert(1)",
           "http://2130706433/", "http:///ohne-rechner", "daten.csv",
           f"http://127.0.0.1:{stack_info()['ports']['postgres']}/",
           # a name that resolves to this machine: refused by the outbound policy before connecting
           f"http://localhost:{solr}/solr/admin/cores"]
    with connections() as attempted:
        checks = {c.url: c for c in checker.check(bad)}
    assert attempted == []
    assert set(checks) == set(bad)
    for url, check in checks.items():
        assert check.status_code is None and check.error, url
    assert "privaten Netzes" in checks["http://10.0.0.1/daten.csv"].error
    assert "Server-Side Request Forgery" in checks["http://169.254.169.254/latest/meta-data/"].error
    assert "„ftp:“" in checks["ftp://daten.example/a.csv"].error
    assert "Loopback" in checks[f"http://localhost:{solr}/solr/admin/cores"].error
    stored = results.latest(bad)
    assert set(stored) == set(bad) and all(c.error for c in stored.values())


def test_a_redirect_to_an_internal_address_is_not_followed(server, checker):
    server.routes["/linkcheck/to-metadata"] = redirect(302, "http://169.254.169.254/latest/meta-data/")
    with connections() as attempted:
        [check] = list(checker.check([server.url("/linkcheck/to-metadata")]))
    assert {port for _, port in attempted} == {server.port}
    assert check.status_code is None and "nicht gefolgt" in check.error and "Link-local" in check.error


def test_the_queue_hands_out_due_urls_in_bounded_batches_at_most_per_host(server, monkeypatch):
    # a host name of this test (the stack's worker takes only 127.0.0.1 addresses)
    monkeypatch.setattr(outbound, "resolve", _local_test_names(outbound.resolve))
    server.routes.update({f"/linkcheck/batch/{n}": _csv(10) for n in range(12)})
    urls = [server.url(f"/linkcheck/batch/{n}", "queue.linkcheck.test") for n in range(12)]
    assert store.enqueue(urls) == 12
    assert store.enqueue(urls) == 0       # known URLs keep their schedule
    model.Session.commit()
    batch = Checker(Settings(timeout=TIMEOUT, pause=0.0, threads=2, batch_size=5, per_host=3,
                             only=f"^http://queue[.]linkcheck[.]test:{server.port}/", user_agent=user_agent()))
    assert batch.run_batch() == 3         # one host: at most 3 in a batch
    assert batch.run_due() == 9
    assert batch.run_due() == 0           # nothing due any more: the next checks are days away
    stored = results.latest(urls)
    assert len(stored) == 12 and all(c.status_code == 200 for c in stored.values())
    assert len(server.log) == 12


def test_a_saved_dataset_is_checked_by_the_stacks_worker_and_shown_per_link(server, sysadmin_api, anonymous_api):
    server.routes.update({"/linkcheck/e2e/daten.csv": _csv(99),
                          "/linkcheck/e2e/bericht.csv": body(200, "application/pdf", b"%PDF-1.4"),
                          "/linkcheck/e2e/seite": body(200, "text/html", b"<html></html>")})
    suffix = uuid.uuid4().hex[:8]
    org = sysadmin_api("organization_create", name=f"linkamt-{suffix}", title=f"Linkamt {suffix}")
    dataset = sysadmin_api(
        "package_create", name=f"links-{suffix}", title="Linkprüfung", owner_org=org["id"], license_id="cc-by",
        notes="Adressen zum Prüfen.", private=True, resources=[
            {"name": "Daten", "url": server.url("/linkcheck/e2e/seite"), "format": "CSV",
             "download_url": server.url("/linkcheck/e2e/daten.csv")},
            {"name": "Bericht", "url": server.url("/linkcheck/e2e/bericht.csv"),
             "format": "http://publications.europa.eu/resource/authority/file-type/CSV"},
            {"name": "Fehlt", "url": server.url("/linkcheck/e2e/fehlt.csv"), "format": "CSV"},
        ])

    def all_checked():
        shown = sysadmin_api("thueringen_link_check_show", id=dataset["name"])
        return shown if shown["totals"]["checked"] == shown["totals"]["links"] == 4 else None

    shown = wait_until(all_checked, timeout=60, interval=1, what="the worker checked the dataset's links")
    by_url = {(link["resource_name"], link["field"]): link for link in shown["links"]}
    page = by_url[("Daten", "url")]
    assert (page["status_code"], page["ok"], page["format_mismatch"]) == (200, True, None)  # a landing page
    download = by_url[("Daten", "download_url")]
    assert (download["status_code"], download["size"], download["format_mismatch"]) == (200, 99, None)
    report = by_url[("Bericht", "url")]
    assert report["content_type"] == "application/pdf" and "CSV" in report["format_mismatch"]
    missing = by_url[("Fehlt", "url")]
    assert (missing["status_code"], missing["ok"]) == (404, False)
    assert shown["totals"] == {"links": 4, "checked": 4, "broken": 1, "mismatches": 1}
    # a private dataset's links are as private as the dataset
    response = anonymous_api.raw("thueringen_link_check_show", id=dataset["id"])
    assert response.status_code == 403
    assert anonymous_api.raw("thueringen_link_check_show", id="gibt-es-nicht").status_code in (403, 404)
    assert sysadmin_api.raw("thueringen_link_check_show").status_code == 409
    assert "linkcheck-worker" in run_stack("status", check=False).stdout


def test_the_cli_checks_a_given_url_and_reports_the_queue(server, cli):
    server.routes["/linkcheck/cli.csv"] = _csv(5)
    result = cli.invoke(linkcheck, ["run", "--url", server.url("/linkcheck/cli.csv")])
    assert result.exit_code == 0, result.output
    assert "HTTP 200 (HEAD), text/csv; charset=utf-8, 5 Bytes" in result.output
    refused = cli.invoke(linkcheck, ["run", "--url", "http://10.0.0.1/x"])
    assert refused.exit_code == 0 and "Fehler – " in refused.output and "privaten Netzes" in refused.output
    status = cli.invoke(linkcheck, ["status"])
    assert status.exit_code == 0 and "known: " in status.output
    assert cli.invoke(linkcheck, ["run"]).exit_code != 0


def test_settings_come_from_the_configuration_with_a_ten_second_default():
    settings = Settings.from_config()
    assert dataclasses.replace(settings, only="").timeout in (3.0, 10.0)
    assert settings.only.startswith("^http://127")
    assert Settings().timeout == 10.0


def test_discovery_queues_addresses_saved_past_the_hook_and_drops_unused_ones(sysadmin_api):
    """Addresses that reached the database without the plugin's hook (saved
    before it was switched on, or by SQL) are queued by the worker's
    discovery, access and download URLs of private datasets included; rows of
    addresses no dataset has any more go. No address here is requested."""
    import sqlalchemy as sa

    suffix = uuid.uuid4().hex[:8]
    org = sysadmin_api("organization_create", name=f"fundamt-{suffix}", title=f"Fundamt {suffix}")
    urls = [f"https://daten.example/{suffix}/zugang", f"https://daten.example/{suffix}/zugang.html",
            f"https://daten.example/{suffix}/daten.csv"]
    sysadmin_api("package_create", name=f"fund-{suffix}", title="Fund", owner_org=org["id"], license_id="cc-by",
                 notes="Adressen.", private=True,
                 resources=[{"name": "A", "url": urls[0], "access_url": urls[1], "download_url": urls[2]}])
    orphan = f"https://daten.example/{suffix}/verwaist.csv"
    store.enqueue([orphan])
    model.Session.execute(sa.text("DELETE FROM thueringen_link_check WHERE url = ANY(:urls)"), {"urls": urls})
    model.Session.commit()

    added, dropped = store.discover()
    assert added >= 3 and dropped >= 1
    rows = dict(model.Session.execute(sa.text(
        "SELECT url, host FROM thueringen_link_check WHERE url = ANY(:urls) AND checked_at IS NULL"),
        {"urls": [*urls, orphan]}).all())
    assert rows == {url: "daten.example" for url in urls}
    assert store.counts()["unchecked"] >= 3
