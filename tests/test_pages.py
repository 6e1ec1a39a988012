"""The portal's text pages (plugin thueringen_pages): the accessibility statement
with what BITV 2.0 § 7 asks for, Leichte Sprache, Impressum and Datenschutz from
the configuration (Markdown, rendered safely), the feedback channel, their
links in every page's footer, and the error page in the page's language."""
from __future__ import annotations

import pytest
import requests
from bs4 import BeautifulSoup

from ckanext.thueringen.pages import texts

PAGES = {"/barrierefreiheit": ("Erklärung zur Barrierefreiheit", "Accessibility statement"),
         "/leichte-sprache": ("Leichte Sprache", "Leichte Sprache"),
         "/impressum": ("Impressum", "Imprint"),
         "/datenschutz": ("Datenschutz", "Privacy policy")}


def page(stack, path: str, status: int = 200) -> BeautifulSoup:
    response = requests.get(stack["web_url"] + path, timeout=60)
    assert response.status_code == status, f"{path}: {response.status_code}"
    return BeautifulSoup(response.text, "html.parser")


@pytest.mark.parametrize("path", PAGES)
def test_text_pages_in_german_and_english(stack, path):
    german, english = PAGES[path]
    assert page(stack, path).find("main").h1.get_text(strip=True) == german
    assert page(stack, "/en" + path).find("main").h1.get_text(strip=True) == english


def test_the_accessibility_statement_says_what_bitv_asks_for(stack):
    main = page(stack, "/barrierefreiheit").find("main")
    headings = [h2.get_text(strip=True) for h2 in main.find_all("h2")]
    assert headings == ["Stand der Vereinbarkeit mit den Anforderungen", "Nicht barrierefreie Inhalte",
                        "Erstellung dieser Erklärung", "Feedback und Kontakt", "Durchsetzungsverfahren"]
    text = main.get_text(" ", strip=True)
    assert "teilweise vereinbar" in text
    assert "Diese Erklärung wurde am 7. Dezember 2026 erstellt." in text
    assert "Durchsetzungsstelle" in text and "Menschen mit Behinderungen" in text
    assert main.find("a", href="mailto:opendata@thueringen.de")


def test_leichte_sprache_explains_its_words_in_short_sentences(stack):
    main = page(stack, "/leichte-sprache").find("main")
    assert main.find("div", lang="de")
    assert {dfn.get_text() for dfn in main.find_all("dfn")} >= {"Daten", "Offen", "Transparenz", "Filter"}
    for paragraph in main.find_all("p"):
        sentences = [s for s in paragraph.get_text(" ", strip=True).replace("?", ".").split(".") if s.strip()]
        assert all(len(sentence.split()) <= 12 for sentence in sentences), paragraph


@pytest.mark.parametrize("path", ["/", "/dataset/", "/barrierefreiheit", "/en/organization/"])
def test_every_page_links_the_text_pages_and_feedback_in_its_footer(stack, path):
    footer = page(stack, path).find("footer")
    hrefs = {a["href"] for a in footer.find_all("a", href=True)}
    prefix = "/en" if path.startswith("/en/") else ""
    assert {prefix + p for p in PAGES} <= hrefs
    assert "mailto:opendata@thueringen.de" in hrefs


def test_operator_texts_are_markdown_without_html(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "thueringen.pages.imprint",
                        "## Herausgeber\n\nAmt <script>alert(1)</script> [Start](javascript:alert(1)) "
                        "<img src=x onerror=alert(1)> [Thüringen](https://www.thueringen.de)")
    html = str(texts.markdown("imprint"))
    assert "<h2>Herausgeber</h2>" in html
    assert '<a href="https://www.thueringen.de" rel="noopener noreferrer">Thüringen</a>' in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html and "<img" not in html


def test_feedback_goes_to_the_contact_address_without_a_form(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "thueringen.pages.feedback_url", "")
    monkeypatch.setitem(ckan_config, "thueringen.pages.contact_email", "barrieren@example.org")
    assert texts.feedback_url() == "mailto:barrieren@example.org"


def test_feedback_goes_to_the_operators_form(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "thueringen.pages.feedback_url", "https://www.thueringen.de/kontakt")
    assert texts.feedback_url() == "https://www.thueringen.de/kontakt"


def test_a_statement_date_that_is_no_date_is_left_out(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "thueringen.pages.accessibility.statement_date", "07.12.2026")
    assert texts.statement_date() is None


@pytest.mark.parametrize("path,heading", [("/gibt-es-nicht", "Seite nicht gefunden"),
                                          ("/en/gibt-es-nicht", "Page not found")])
def test_the_error_page_has_main_content_and_a_heading_in_the_page_language(stack, path, heading):
    soup = page(stack, path, status=404)
    main = soup.find("main")
    assert main is not None and main.get("id") == "content"
    assert main.h1.get_text(strip=True) == heading
