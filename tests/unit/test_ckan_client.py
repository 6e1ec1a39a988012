"""ckanext.thueringen.harvesters.ckan_client: paging a CKAN's package_search, and its faults.

A small fake CKAN on 127.0.0.1 (a thread in this module) answers package_search
like CKAN over Solr does: the fq forms the client sends, sort by metadata_modified
(milliseconds, as Solr indexes it) then id, start, rows with a cap, fl=id. Faulty
answers come from a per-test override. Pure tests (no stack):
    .venv/bin/python -m pytest tests/unit/test_ckan_client.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from ckanext.thueringen.harvesters.ckan_client import CkanApiClient, CkanApiError, solr_time

T0 = datetime(2024, 5, 1, 10, 0, 0)


def dataset(number: int, modified: datetime) -> dict:
    return {"id": f"id-{number:03d}", "name": f"datensatz-{number}", "title": f"Datensatz {number}",
            "notes": "Beschreibung", "license_id": "cc-by", "metadata_modified": modified.isoformat(),
            "metadata_created": T0.isoformat(), "type": "dataset", "extras": [], "resources": []}


class FakeCkan:
    """The datasets a fake CKAN holds, and how it answers."""

    def __init__(self):
        self.datasets: list[dict] = []
        self.rows_max = 1000
        self.requests: list[dict] = []
        self.override = None          # callable(params) -> (status, content type, body) or None
        self.after_request = None     # callable(params), e.g. to change a dataset while paging

    def search(self, params: dict) -> dict:
        items = [d for d in self.datasets if d.get("type") != "harvest"]
        fq = params.get("fq", "")
        since = re.search(r"\+metadata_modified:\[(\S+) TO \*\]", fq)
        if since:
            items = [d for d in items if solr_time(d["metadata_modified"]) >= since.group(1)]
        after = re.search(r'\+id:\{"((?:[^"\\]|\\.)*)" TO \*\]', fq)
        if after:
            items = [d for d in items if d["id"] > after.group(1)]
        if params.get("sort") == "id asc":
            items.sort(key=lambda d: d["id"])
        else:
            items.sort(key=lambda d: (solr_time(d["metadata_modified"]), d["id"]))
        start, rows = int(params.get("start", 0)), min(int(params.get("rows", 10)), self.rows_max)
        page = items[start:start + rows]
        if params.get("fl") == "id":
            page = [{"id": d["id"]} for d in page]
        return {"count": len(items), "results": page, "facets": {}, "search_facets": {}}


class Handler(BaseHTTPRequestHandler):
    ckan: FakeCkan

    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        params = {key: values[0] for key, values in parse_qs(parts.query).items()}
        self.ckan.requests.append(params)
        answer = self.ckan.override(params) if self.ckan.override else None
        if answer is None:
            if parts.path != "/portal/api/3/action/package_search":
                answer = (404, "application/json", {"success": False, "error": {"__type": "Not Found"}})
            else:
                answer = (200, "application/json;charset=utf-8",
                          {"help": "…", "success": True, "result": self.ckan.search(params)})
        status, content_type, body = answer
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        if self.ckan.after_request:
            self.ckan.after_request(params)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    handler = type("BoundHandler", (Handler,), {})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield handler, f"http://127.0.0.1:{httpd.server_address[1]}/portal"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def ckan(server):
    """A fresh fake CKAN behind the module's server."""
    handler, url = server
    handler.ckan = FakeCkan()
    handler.ckan.url = url
    return handler.ckan


def client(ckan, tmp_path, **kwargs) -> CkanApiClient:
    return CkanApiClient(ckan.url, workdir=tmp_path, total_timeout=10, **kwargs)


def names(pairs) -> list[str]:
    return [source["name"] for source, _mapped in pairs]


# --- paging ---------------------------------------------------------------------

def test_all_datasets_page_by_page_and_mapped(ckan, tmp_path):
    ckan.datasets = [dataset(n, T0 + timedelta(minutes=n)) for n in range(7)]
    pages = list(client(ckan, tmp_path, rows=3).pages())
    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert names(p for page in pages for p in page.items) == [f"datensatz-{n}" for n in range(7)]
    source, mapped = pages[0].items[0]
    assert mapped.value["uri"] == f"{ckan.url}/dataset/id-000"
    assert mapped.value["license_id"] == "cc-by"
    assert mapped.value["license_uri"] == "http://dcat-ap.de/def/licenses/cc-by"
    assert all(r["sort"] == "metadata_modified asc, id asc" and r["q"] == "*:*" for r in ckan.requests)
    assert all("include_private" not in r for r in ckan.requests)
    assert list(tmp_path.iterdir()) == []                # every page file is deleted


def test_since_gives_only_what_changed(ckan, tmp_path):
    ckan.datasets = [dataset(n, T0 + timedelta(minutes=n)) for n in range(5)]
    api = client(ckan, tmp_path, rows=2)
    assert names(api.datasets(since=T0 + timedelta(minutes=3))) == ["datensatz-3", "datensatz-4"]
    assert "+metadata_modified:[2024-05-01T10:03:00.000Z TO *]" in ckan.requests[0]["fq"]
    assert api.newest_modified == (T0 + timedelta(minutes=4)).isoformat()
    aware = datetime(2024, 5, 1, 12, 3, tzinfo=timezone(timedelta(hours=2)))     # = 10:03 UTC
    assert names(client(ckan, tmp_path).datasets(since=aware)) == ["datensatz-3", "datensatz-4"]


def test_many_datasets_with_the_same_timestamp(ckan, tmp_path):
    same = T0 + timedelta(microseconds=123456)
    ckan.datasets = [dataset(n, same + timedelta(microseconds=n)) for n in range(9)]  # one Solr millisecond
    ckan.datasets += [dataset(9, T0 + timedelta(seconds=5))]
    assert names(client(ckan, tmp_path, rows=4).datasets()) == [f"datensatz-{n}" for n in range(10)]


def test_a_dataset_changed_while_paging_skips_nothing(ckan, tmp_path):
    """Offset paging would skip datensatz-3 here: datensatz-0 moves to the end
    after the first page and everything behind it moves up by one."""
    ckan.datasets = [dataset(n, T0 + timedelta(minutes=n)) for n in range(6)]

    def change_first(params):
        if len(ckan.requests) == 1:
            ckan.datasets[0]["metadata_modified"] = (T0 + timedelta(hours=1)).isoformat()
    ckan.after_request = change_first
    read = names(client(ckan, tmp_path, rows=3).datasets())
    assert set(read) == {f"datensatz-{n}" for n in range(6)}
    assert read.count("datensatz-0") == 2                # read again after its change: harmless


def test_a_source_that_caps_rows_is_read_completely(ckan, tmp_path):
    ckan.datasets = [dataset(n, T0 + timedelta(minutes=n)) for n in range(8)]
    ckan.rows_max = 3
    pages = list(client(ckan, tmp_path, rows=5).pages())
    assert [len(page.items) for page in pages] == [3, 3, 2]


def test_harvest_sources_of_the_source_are_left_out(ckan, tmp_path):
    ckan.datasets = [dataset(1, T0), {**dataset(2, T0), "type": "harvest"}]
    assert names(client(ckan, tmp_path).datasets()) == ["datensatz-1"]
    assert ckan.requests[0]["fq"].startswith("-dataset_type:harvest")


def test_an_empty_source(ckan, tmp_path):
    assert list(client(ckan, tmp_path).pages()) == []
    assert client(ckan, tmp_path).list_ids() == []


# --- ids ------------------------------------------------------------------------

def test_list_ids_pages_by_id(ckan, tmp_path):
    ckan.datasets = [dataset(n, T0) for n in range(2500)]
    ids = client(ckan, tmp_path).list_ids()
    assert ids == sorted(f"id-{n:03d}" for n in range(2500))
    assert len(ckan.requests) == 3
    assert ckan.requests[1]["fq"].endswith(f'+id:{{"{ids[999]}" TO *]') and ckan.requests[1]["fl"] == "id"


# --- faults -----------------------------------------------------------------------

def fault(ckan, status, content_type, body):
    ckan.override = lambda params: (status, content_type, body)


@pytest.mark.parametrize("status, content_type, body, kind, words", [
    (200, "text/html", b"<html><body>Anmeldung</body></html>", "not_ckan", "HTML-Seite"),
    (200, "application/json", b"<!DOCTYPE html><html></html>", "not_ckan", "HTML-Seite"),
    (200, "application/json", b"{\"success\": true, \"result\": ", "not_ckan", "kein gültiges JSON"),
    (200, "application/json", b"\xff\xfe\x00kaputt", "not_ckan", "kein gültiges JSON"),
    (200, "application/json", {"count": 3}, "not_ckan", "„success“"),
    (200, "application/json", [1, 2], "not_ckan", "„success“"),
    (200, "application/json", {"success": True}, "not_ckan", "kein „result“"),
    (200, "application/json", {"success": False, "error": {"__type": "Search Query Error",
                                                           "message": "Invalid sort"}},
     "api_error", "Search Query Error (Invalid sort)"),
    (200, "application/pdf", b"%PDF-1.4", "not_ckan", "keine CKAN-API"),
    (500, "text/html", b"Internal Server Error", "http_status", "HTTP 500"),
    (200, "application/json", {"success": True, "result": {"results": []}}, "page", "{count, results}"),
    (200, "application/json", {"success": True, "result": {"count": 1, "results": [{"name": "x"}]}},
     "page", "ist kein Datensatz mit „id“"),
    (200, "application/json", {"success": True, "result": {"count": 5, "results": []}}, "page", "ist leer"),
])
def test_faults_are_german_errors(ckan, tmp_path, status, content_type, body, kind, words):
    fault(ckan, status, content_type, body)
    with pytest.raises(CkanApiError) as raised:
        list(client(ckan, tmp_path).pages())
    assert raised.value.kind == kind
    assert words in raised.value.message
    assert "package_search" in raised.value.message or "Seite" in raised.value.message
    assert list(tmp_path.iterdir()) == []


def test_wrong_address_names_the_likely_cause(ckan, tmp_path):
    with pytest.raises(CkanApiError) as raised:
        CkanApiClient(ckan.url + "/dataset", workdir=tmp_path).list_ids()
    assert raised.value.kind == "http_status"
    assert "HTTP 404" in raised.value.message and "Adresse eines CKAN-Portals" in raised.value.message


def test_a_page_above_the_size_cap_is_refused(ckan, tmp_path):
    ckan.datasets = [dataset(n, T0) for n in range(50)]
    with pytest.raises(CkanApiError) as raised:
        list(client(ckan, tmp_path, max_bytes=2000).pages())
    assert raised.value.kind == "too_large"


def test_more_results_than_asked_for(ckan, tmp_path):
    ckan.datasets = [dataset(n, T0) for n in range(5)]
    ckan.override = lambda params: (200, "application/json", {"success": True, "result": {
        **ckan.search({**params, "rows": "5"})}})
    with pytest.raises(CkanApiError, match="erbeten waren höchstens 2"):
        list(client(ckan, tmp_path, rows=2).pages())


def test_a_source_that_ignores_the_sort(ckan, tmp_path):
    ckan.datasets = [dataset(n, T0 + timedelta(minutes=5 - n)) for n in range(4)]
    ckan.override = lambda params: (200, "application/json", {"success": True, "result": {
        "count": 4, "results": ckan.datasets[:2]}})
    with pytest.raises(CkanApiError, match="nicht nach metadata_modified sortiert"):
        list(client(ckan, tmp_path, rows=2).pages())


def test_a_source_that_ignores_start_and_fq(ckan, tmp_path):
    ckan.datasets = [dataset(n, T0) for n in range(4)]      # one timestamp: start must page
    ckan.override = lambda params: (200, "application/json", {"success": True, "result": {
        "count": 4, "results": ckan.datasets[:2]}})
    with pytest.raises(CkanApiError, match="nur schon gelesene"):
        list(client(ckan, tmp_path, rows=2).pages())


def test_list_ids_refuses_a_page_out_of_order(ckan, tmp_path):
    ckan.override = lambda params: (200, "application/json", {"success": True, "result": {
        "count": 2, "results": [{"id": "b"}, {"id": "a"}]}})
    with pytest.raises(CkanApiError, match="nicht nach id sortiert"):
        client(ckan, tmp_path).list_ids()


def test_no_service_at_all(tmp_path):
    with pytest.raises(CkanApiError) as raised:
        CkanApiClient("http://127.0.0.1:9", workdir=tmp_path, connect_timeout=2).list_ids()
    assert raised.value.kind == "connection" and "127.0.0.1:9" in raised.value.message


def test_solr_time():
    assert solr_time("2024-05-01T10:11:12.345678") == "2024-05-01T10:11:12.345Z"
    assert solr_time("2024-05-01T12:11:12+02:00") == "2024-05-01T10:11:12.000Z"
    assert solr_time(datetime(2024, 5, 1)) == "2024-05-01T00:00:00.000Z"
