"""harvesters.feed.FeedHarvester.gather_pages: paging along rel="next" (RFC 5005).

Pages are served from a temporary folder by the portal's static server; no
CKAN stack is needed (the gather's bookkeeping is tested on the real stack in
tests/test_harvest_publications.py):
    .venv/bin/python -m pytest tests/unit/test_feed_harvester.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import pytest

from ckanext.thueringen.harvesters.config import parse_source_config
from ckanext.thueringen.harvesters.feed import FeedHarvester
from ckanext.thueringen.harvesters.records import GatherFailure
from static_server import serve_in_thread


def page(number: int, following: str | None) -> str:
    link = f'<link rel="next" href="{following}"/>' if following else ""
    return f"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Seite {number}</title>{link}
  <entry><id>urn:x:{number}</id><title>Beschluss {number}</title><category term="Beschluss"/>
    <link rel="enclosure" type="application/pdf" href="b{number}.pdf"/></entry></feed>"""


@pytest.fixture
def served(tmp_path):
    server = serve_in_thread(tmp_path)
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pages_are_followed_and_resolved_against_each_page(served, tmp_path_factory):
    folder, base = served
    (folder / "sub").mkdir()
    (folder / "feed.atom").write_text(page(1, "sub/2.atom"), encoding="utf-8")
    (folder / "sub" / "2.atom").write_text(page(2, "3.atom"), encoding="utf-8")
    (folder / "sub" / "3.atom").write_text(page(3, None), encoding="utf-8")
    settings = parse_source_config('{"document_type": "sonstige"}', FeedHarvester.config_options)
    work = tmp_path_factory.mktemp("work")
    pages = list(FeedHarvester().gather_pages(f"{base}/feed.atom", settings, work))
    assert [[r.guid for r in records] for records in pages] == [["urn:x:1"], ["urn:x:2"], ["urn:x:3"]]
    assert pages[2][0].page == f"{base}/sub/3.atom"
    assert pages[2][0].dataset["resources"][0]["url"] == f"{base}/sub/b3.pdf"
    assert pages[0][0].dataset["document_type"].endswith("/sitzungsbeschluesse")
    assert not list(work.iterdir())


def test_page_loops_and_limits_fail_the_gather_in_german(served, tmp_path_factory):
    folder, base = served
    (folder / "a.atom").write_text(page(1, "b.atom"), encoding="utf-8")
    (folder / "b.atom").write_text(page(2, "a.atom"), encoding="utf-8")
    settings = parse_source_config(None, FeedHarvester.config_options)
    with pytest.raises(GatherFailure) as caught:
        list(FeedHarvester().gather_pages(f"{base}/a.atom", settings, tmp_path_factory.mktemp("w")))
    assert "verweist mit rel=\"next\" auf die schon gelesene Seite" in str(caught.value)
    assert "des Feeds" in str(caught.value)
    limited = parse_source_config('{"max_pages": 1}', FeedHarvester.config_options)
    with pytest.raises(GatherFailure) as caught:
        list(FeedHarvester().gather_pages(f"{base}/a.atom", limited, tmp_path_factory.mktemp("w")))
    assert "Der Feed" in str(caught.value) and "mehr als 1 Seiten" in str(caught.value)


def test_config_errors_are_german():
    with pytest.raises(ValueError) as caught:
        FeedHarvester().validate_config('{"document_type": "Kochrezept", "complete": "ja", "rdf_format": null}')
    assert "„document_type“: \"Kochrezept\" ist keine Dokumentart" in str(caught.value)
    assert "„complete“: erwartet true oder false" in str(caught.value)
    with pytest.raises(ValueError, match="gilt nur für DCAT-Kataloge"):
        FeedHarvester().validate_config('{"rdf_format": "text/turtle"}')
