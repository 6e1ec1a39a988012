"""Every loop that pages through a source stops after `max_pages` pages with a
German error: paging along next links (harvesters/paging.py, for DCAT, feeds and
FragDenStaat) and the CKAN Action API client (harvesters/ckan_client.py), here
against sources on 127.0.0.1 that never run out of new pages. No stack needed:
    .venv/bin/python -m pytest tests/unit/test_page_caps.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from ckanext.thueringen.harvesters.ckan_client import CkanApiClient, CkanApiError
from ckanext.thueringen.harvesters.config import parse_source_config
from ckanext.thueringen.harvesters.feed import FeedHarvester
from ckanext.thueringen.harvesters.records import GatherFailure

# Far more than any cap below: a source still paging here means that no cap stopped it.
GIVE_UP_AFTER = 60
T0 = datetime(2024, 5, 1, 10, 0, 0)


class EndlessSource(BaseHTTPRequestHandler):
    """Atom pages /feed/<n>.atom, each with a new entry and a next link to page
    n + 1; a CKAN package_search and id listing that always have more."""

    served = 0

    def do_GET(self):  # noqa: N802
        type(self).served += 1
        if type(self).served > GIVE_UP_AFTER:
            return self.answer(500, "text/plain", b"the test source gives up")
        parts = urlsplit(self.path)
        feed_page = re.fullmatch(r"/feed/(\d+)\.atom", parts.path)
        if feed_page:
            number = int(feed_page.group(1))
            body = (f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Seite {number}</title>'
                    f'<link rel="next" href="{number + 1}.atom"/><entry><id>urn:x:{number}</id>'
                    f'<title>Beschluss {number}</title></entry></feed>')
            return self.answer(200, "application/atom+xml", body.encode())
        params = {key: values[0] for key, values in parse_qs(parts.query).items()}
        number = type(self).served
        if params.get("fl") == "id":
            results = [{"id": f"id-{number:05d}"}]
        else:
            results = [{"id": f"id-{number:05d}", "name": f"d-{number}", "title": f"Datensatz {number}",
                        "metadata_modified": (T0 + timedelta(minutes=number)).isoformat(), "type": "dataset"}]
        body = {"success": True, "result": {"count": 10 ** 9, "results": results}}
        return self.answer(200, "application/json", json.dumps(body).encode())

    def answer(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def endless():
    handler = type("Endless", (EndlessSource,), {"served": 0})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield handler, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_next_links_to_endlessly_new_pages_stop_at_max_pages(endless, tmp_path):
    handler, base = endless
    settings = parse_source_config('{"max_pages": 5}', FeedHarvester.config_options)
    with pytest.raises(GatherFailure) as caught:
        list(FeedHarvester().gather_pages(f"{base}/feed/1.atom", settings, tmp_path))
    assert "mehr als 5 Seiten (Angabe „max_pages“)" in str(caught.value)
    assert handler.served == 5


@pytest.mark.parametrize("listing", ["pages", "list_ids"])
def test_a_ckan_api_with_endlessly_new_pages_stops_at_max_pages(endless, tmp_path, listing):
    handler, base = endless
    client = CkanApiClient(f"{base}/portal", workdir=tmp_path, rows=1, total_timeout=10, max_pages=5)
    with pytest.raises(CkanApiError) as caught:
        list(getattr(client, listing)())
    assert caught.value.kind == "page"
    assert "mehr als 5 Seiten" in caught.value.message and "„max_pages“" in caught.value.message
    assert handler.served == 5


def test_the_ckan_harvester_gives_its_client_the_sources_max_pages(endless, tmp_path):
    from ckanext.thueringen.harvesters.ckan import CkanApiHarvester

    handler, base = endless
    settings = parse_source_config('{"max_pages": 3}')
    with pytest.raises(GatherFailure, match="mehr als 3 Seiten"):
        list(CkanApiHarvester().gather_pages(f"{base}/portal", settings, tmp_path))
    assert handler.served == 3
