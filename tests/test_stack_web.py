"""The web pages are German by default, English on request."""
from __future__ import annotations

import requests


def _page(stack, path: str) -> str:
    response = requests.get(stack["web_url"] + path, timeout=30)
    assert response.status_code == 200
    return response.text


def test_home_page_is_german(stack):
    html = _page(stack, "/")
    assert '<html lang="de"' in html
    assert "Open Data &amp; Transparenz Thüringen" in html
    assert "Datensätze suchen" in html
    assert "Offene Daten und Transparenz in Thüringen" in html  # the portal's intro, not CKAN's
    assert "Willkommen bei CKAN" not in html and "placeholder-420x220" not in html


def test_dataset_search_is_german(stack):
    html = _page(stack, "/dataset/")
    assert '<html lang="de"' in html
    assert "Datensätze gefunden" in html or "Keine Datensätze gefunden" in html


def test_english_is_offered(stack):
    html = _page(stack, "/en/dataset/")
    assert '<html lang="en"' in html
    assert "Search datasets" in html
