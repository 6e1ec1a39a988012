"""The outbound policy (ckanext.thueringen.security.outbound) on every fetcher.

Addresses × fetchers: each forbidden address, given to each way the portal
requests a URL (fetch() itself, the DCAT, feed and FragDenStaat harvesters'
page walk, the CKAN harvester's API client, ckanext-dcat's stock harvester's
session), is refused with a German message
before any connection is attempted (Python's audit hook `socket.connect`
records every attempt of this process, tests/connect_audit.py). The fetchers
run with the test stack's configuration, whose allow-list
(`thueringen.outbound.allow`, written by scripts/stack.py) opens the tests'
own servers on 127.0.0.1 but not the stack's services: a server of this test
is reached (the opt-in), Solr on the same address is not.

The full-text worker and the gather consumer, separate processes of the stack,
are tested with loopback targets (the stack's Solr) only, so that nothing
could leave this machine even if they were not guarded.
"""
from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from ckanext.thueringen.harvesters.ckan_client import CkanApiClient
from ckanext.thueringen.harvesters.config import parse_source_config
from ckanext.thueringen.harvesters.dcat import DCATAPDEHarvester
from ckanext.thueringen.harvesters.feed import FeedHarvester
from ckanext.thueringen.harvesters.fetch import FetchError, fetch
from ckanext.thueringen.harvesters.fragdenstaat import FragDenStaatHarvester
from ckanext.thueringen.security import outbound
from ckanext.thueringen.security.outbound import OutboundPolicy
from ckanext.thueringen.security.plugin import ThueringenSecurityPlugin
from conftest import wait_until
from connect_audit import connections
from harvest_fixtures import harvest

REFUSED = "ruft solche Adressen nicht ab"


class TestServer:
    """Answers every GET with its Host header as JSON; redirects every path
    under /weiter to `redirect_to`."""

    def __init__(self):
        self.hosts: list[str] = []
        self.redirect_to = ""
        self.documents: dict[str, tuple[bytes, str]] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                owner.hosts.append(self.headers.get("Host", ""))
                if self.path in owner.documents:
                    body, content_type = owner.documents[self.path]
                    self.send_response(200)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if self.path.startswith("/weiter"):
                    self.send_response(302)
                    self.send_header("Location", owner.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.dumps({"host": self.headers.get("Host")}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server():
    test_server = TestServer()
    yield test_server
    test_server.close()


def forbidden_urls(solr_port: int) -> dict[str, str]:
    """Addresses no fetcher may reach. The loopback ones name the stack's Solr
    port, which the test stack's allow-list leaves closed."""
    return {
        "loopback": f"http://127.0.0.1:{solr_port}/solr/",
        "loopback short form 127.1": f"http://127.1:{solr_port}/solr/",
        "loopback hexadecimal": f"http://0x7f000001:{solr_port}/solr/",
        "loopback decimal": f"http://2130706433:{solr_port}/solr/",
        "loopback other address": f"http://127.0.0.2:{solr_port}/solr/",
        "loopback name": f"http://localhost:{solr_port}/solr/",
        "loopback IPv6": f"http://[::1]:{solr_port}/solr/",
        "IPv4-mapped loopback": f"http://[::ffff:127.0.0.1]:{solr_port}/solr/",
        "unspecified": f"http://0.0.0.0:{solr_port}/solr/",
        "unspecified IPv6": "http://[::]/",
        "private 10/8": "http://10.0.0.1/",
        "private 172.16/12": "http://172.16.0.1/",
        "private 192.168/16": "http://192.168.1.1/",
        "carrier-grade NAT": "http://100.64.0.1/",
        "cloud metadata": "http://169.254.169.254/latest/meta-data/",
        "IPv4-mapped metadata": "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "NAT64 metadata": "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
        "6to4 private": "http://[2002:a00:1::1]/",
        "link-local IPv6": "http://[fe80::1]/",
        "unique local IPv6": "http://[fc00::1]/",
        "multicast": "http://224.0.0.1/",
        "multicast IPv6": "http://[ff02::1]/",
        "broadcast": "http://255.255.255.255/",
        "reserved": "http://240.0.0.1/",
    }


def _fetch(url, workdir):
    fetch(url, workdir, accept=("application/json",), connect_timeout=2, total_timeout=10)


def _dcat(url, workdir):
    harvester = DCATAPDEHarvester()
    list(harvester.gather_pages(url, parse_source_config(None), workdir))


def _feed(url, workdir):
    list(FeedHarvester().gather_pages(url, parse_source_config(None), workdir))


def _fragdenstaat(url, workdir):
    settings = parse_source_config('{"jurisdiction": 14}', FragDenStaatHarvester.config_options)
    list(FragDenStaatHarvester().gather_pages(url, settings, workdir))


def _ckan_api(url, workdir):
    CkanApiClient(url, workdir=workdir, connect_timeout=2).list_ids()


def _dcat_rdf(url, workdir):
    """ckanext-dcat's stock harvester: its own session, which it hands to the
    IDCATRDFHarvester plugins (this test process loads no plugins; the stack
    test below shows that the gather consumer does)."""
    session = ThueringenSecurityPlugin().update_session(requests.Session())
    session.head(url, timeout=5)
    session.get(url, timeout=5).raise_for_status()


FETCHERS = {"fetch": _fetch, "dcat": _dcat, "feed": _feed, "fragdenstaat": _fragdenstaat, "ckan_api": _ckan_api,
            "dcat_rdf": _dcat_rdf}
CASES = [(name, fetcher) for name in forbidden_urls(0) for fetcher in FETCHERS]


@pytest.mark.parametrize("case, fetcher", CASES, ids=[f"{case}-{fetcher}" for case, fetcher in CASES])
def test_forbidden_addresses_are_refused_by_every_fetcher_before_connecting(stack, tmp_path, case, fetcher):
    url = forbidden_urls(stack["ports"]["solr"])[case]
    with connections() as attempted, pytest.raises(Exception) as refused:
        FETCHERS[fetcher](url, tmp_path)
    assert REFUSED in str(refused.value), str(refused.value)
    assert "thueringen.outbound.allow" in str(refused.value)
    assert attempted == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fetcher", list(FETCHERS))
def test_the_allow_list_opens_the_tests_own_server(server, tmp_path, fetcher):
    """The opt-in: the test stack's allow-list lets every fetcher reach this
    test's server on 127.0.0.1 (it answers JSON, which only some of them take
    as their format, so the others fail later, after the request)."""
    before = len(server.hosts)
    with connections() as attempted:
        try:
            FETCHERS[fetcher](f"{server.base}/katalog", tmp_path)
        except Exception as exc:  # noqa: BLE001 - only the refusal matters here
            assert REFUSED not in str(exc), str(exc)
    assert ("127.0.0.1", server.port) in attempted
    assert len(server.hosts) > before


def test_without_the_allow_list_the_same_server_is_refused(server, tmp_path):
    with connections() as attempted, pytest.raises(FetchError) as refused:
        fetch(f"{server.base}/katalog", tmp_path, accept=("application/json",), policy=OutboundPolicy(""))
    assert refused.value.kind == "forbidden" and "Loopback-Adresse" in refused.value.message
    assert attempted == []
    fetched = fetch(f"{server.base}/katalog", tmp_path, accept=("application/json",),
                    policy=OutboundPolicy(f"127.0.0.1:{server.port}"))
    assert json.loads(fetched.path.read_text()) == {"host": f"127.0.0.1:{server.port}"}


@pytest.mark.parametrize("target", ["solr", "metadata", "mapped", "name"])
def test_a_redirect_to_a_forbidden_address_is_refused(stack, server, tmp_path, target):
    solr = stack["ports"]["solr"]
    location = {"solr": f"http://127.0.0.1:{solr}/solr/admin/cores", "metadata": "http://169.254.169.254/latest",
                "mapped": "http://[::ffff:a9fe:a9fe]/latest", "name": f"http://localhost:{solr}/solr/"}[target]
    server.redirect_to = location
    with connections() as attempted:
        for name, fetcher in FETCHERS.items():
            with pytest.raises(Exception) as refused:
                fetcher(f"{server.base}/weiter/", tmp_path)
            assert REFUSED in str(refused.value), (name, str(refused.value))
            if name == "fetch":
                assert f"weitergeleitet von {server.base}/weiter/" in str(refused.value)
    assert {address for address in attempted} == {("127.0.0.1", server.port)}


def test_a_name_resolving_to_a_forbidden_address_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(outbound, "resolve", lambda host, port: {
        "intern.example": ["10.1.2.3"], "gemischt.example": ["93.184.215.14", "192.168.0.7"],
        "metadaten.example": ["fd00:ec2::254"]}[host])
    for host, reason in (("intern.example", "privaten Netzes"), ("gemischt.example", "privaten Netzes"),
                         ("metadaten.example", "Unique Local Address")):
        with connections() as attempted, pytest.raises(FetchError) as refused:
            _fetch(f"http://{host}/katalog", tmp_path)
        assert refused.value.kind == "forbidden" and "aufgelöst zu" in refused.value.message
        assert reason in refused.value.message and host in refused.value.message
        assert attempted == []


def test_the_checked_address_is_the_one_connected_to(monkeypatch, server, tmp_path):
    """DNS rebinding: the name is resolved once per connection, by the policy,
    and the socket connects to that address; a second answer (here an
    internal address) is never asked for. The name stays in the Host header."""
    answers = iter([["127.0.0.1"], ["10.9.9.9"], ["10.9.9.9"]])
    asked = []

    def rebinding(host, port):
        asked.append(host)
        return next(answers)

    monkeypatch.setattr(outbound, "resolve", rebinding)
    policy = OutboundPolicy(f"katalog.intern:{server.port}")
    with connections() as attempted:
        fetched = fetch(f"http://katalog.intern:{server.port}/katalog", tmp_path, accept=("application/json",),
                        policy=policy)
    assert json.loads(fetched.path.read_text()) == {"host": f"katalog.intern:{server.port}"}
    assert asked == ["katalog.intern"]
    assert attempted == [("127.0.0.1", server.port)]


def test_allow_list_entries(monkeypatch):
    monkeypatch.setattr(outbound, "resolve", lambda host, port: {"intranet.example": ["10.1.2.3"]}.get(host, [host]))
    policy = OutboundPolicy("10.20.0.0/16, 10.1.2.3:8080 [fd00::1]:443 intranet.example:8443 "
                            "127.0.0.1:30000-30010")
    assert policy.addresses("10.20.7.1", 80) == ["10.20.7.1"]
    assert policy.addresses("10.1.2.3", 8080) == ["10.1.2.3"]
    assert policy.addresses("fd00::1", 443) == ["fd00::1"]
    assert policy.addresses("intranet.example", 8443) == ["10.1.2.3"]
    assert policy.addresses("127.0.0.1", 30005) == ["127.0.0.1"]
    assert policy.addresses("8.8.8.8", 80) == ["8.8.8.8"]   # public: no entry needed
    for host, port in (("10.1.2.3", 80), ("fd00::1", 80), ("intranet.example", 80), ("127.0.0.1", 30011),
                       ("10.21.0.1", 80)):
        with pytest.raises(outbound.OutboundRefused):
            policy.addresses(host, port)
    for wrong in ("10.0.0.1:http", "10.0.0.1:0", "10.0.0.1:9-1", "nicht gültig!", "[fd00::1]x"):
        with pytest.raises(ValueError, match="thueringen.outbound.allow"):
            outbound.parse_allow_list(wrong)


def test_environment_proxies_are_not_used(monkeypatch, server, tmp_path):
    """A proxy would connect to the target unchecked: fetch() goes direct."""
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    fetched = fetch(f"{server.base}/katalog", tmp_path, accept=("application/json",))
    assert fetched.status == 200


# --- the stack's own processes -----------------------------------------------

def test_fulltext_worker_refuses_solr_and_a_redirect_to_it(api, stack, server):
    """The attack of the review: a document URL that reads Solr. The worker
    refuses it (failed, not retried), directly and behind a redirect, and the
    search shows nothing of what Solr would have answered."""
    solr_select = f"http://127.0.0.1:{stack['ports']['solr']}/solr/{stack['solr_core']}/select?q=*:*&wt=json"
    server.redirect_to = solr_select
    org = api("organization_create", name=f"ausgang-{uuid.uuid4().hex[:6]}", title="Ausgang")
    dataset = api("package_create", name=f"ausgang-{uuid.uuid4().hex[:8]}", title="Ausgangstest",
                  owner_org=org["id"], license_id="cc-by", notes="Dokumente zum Test.", resources=[
                      {"name": "Solr", "url": solr_select},
                      {"name": "Solr per Name", "url": solr_select.replace("127.0.0.1", "localhost")},
                      {"name": "Umgeleitet", "url": f"{server.base}/weiter/dokument"},
                      {"name": "Erlaubt", "url": f"{server.base}/dokument"}])

    def settled():
        statuses = api("thueringen_fulltext_status", id=dataset["id"])["resources"]
        return None if any(s["status"] == "pending" for s in statuses) else statuses

    statuses = {s["resource_id"]: s for s in wait_until(settled, timeout=180, interval=2, what="documents settled")}
    by_name = {r["name"]: statuses[r["id"]] for r in dataset["resources"]}
    for name in ("Solr", "Solr per Name", "Umgeleitet"):
        status = by_name[name]
        assert status["status"] == "failed" and status["attempts"] <= 1, status
        assert REFUSED in status["reason"] and "Loopback-Adresse" in status["reason"], status
    assert "weitergeleitet von" in by_name["Umgeleitet"]["reason"]
    # the allowed test server was asked (its JSON is no document, but it was fetched)
    assert REFUSED not in (by_name["Erlaubt"]["reason"] or "")
    # nothing of Solr's answer became searchable text
    assert dataset["id"] not in [r["id"] for r in api("package_search", q="responseHeader")["results"]]


@pytest.mark.parametrize("source_type", ["dcat_ap_de", "dcat_rdf"])
def test_gather_consumer_refuses_a_source_on_solr(api, stack, source_type):
    org = api("organization_create", name=f"ausgang-{uuid.uuid4().hex[:6]}", title="Ausgang")
    source = api("harvest_source_create", name=f"ausgang-{uuid.uuid4().hex[:6]}", title="Solr als Quelle",
                 url=f"http://127.0.0.1:{stack['ports']['solr']}/solr/{stack['solr_core']}/select/{source_type}?q=*:*",
                 source_type=source_type, owner_org=org["id"], frequency="MANUAL", config=json.dumps({}))
    try:
        job = harvest(api, source["id"], timeout=120)[source["id"]]
        report = api("thueringen_harvest_report", id=source["id"], job_id=job["id"])
        messages = " ".join(job["report"]["job_errors"]) + " " + json.dumps(report, ensure_ascii=False)
        assert REFUSED in messages and "Loopback-Adresse" in messages, report
        assert report["jobs"][0]["counts"]["added"] == 0
    finally:
        api("harvest_source_clear", id=source["id"])


def test_the_stock_harvester_parses_no_document_with_a_remote_jsonld_context(api, stack, server):
    """rdflib would fetch a remote @context itself, past the outbound policy."""
    solr = f"http://127.0.0.1:{stack['ports']['solr']}/solr/{stack['solr_core']}/select?q=*:*&wt=json"
    server.documents["/kontext.jsonld"] = (json.dumps({
        "@context": solr, "@graph": [{"@id": "https://kontext.example/1", "@type": "dcat:Dataset"}]}).encode(),
        "application/ld+json")
    org = api("organization_create", name=f"kontext-{uuid.uuid4().hex[:6]}", title="Kontext")
    source = api("harvest_source_create", name=f"kontext-{uuid.uuid4().hex[:6]}", title="Kontext",
                 url=f"{server.base}/kontext.jsonld", source_type="dcat_rdf", owner_org=org["id"],
                 frequency="MANUAL", config=json.dumps({"rdf_format": "json-ld"}))
    try:
        job = harvest(api, source["id"], timeout=120)[source["id"]]
        errors = " ".join(job["report"]["job_errors"])
        assert "externe Kontexte werden nicht abgerufen" in errors and solr in errors, job["report"]
    finally:
        api("harvest_source_clear", id=source["id"])
