"""harvesters.feed_mapping: Atom and RSS "Veröffentlichungen" feeds as publications.

The fixtures are feeds as authorities' content management systems write them:
Atom 1.0 with enclosures, xml:base, xhtml content, RFC 5005 paging, RFC 6721
tombstones; RSS 2.0 with enclosures, Dublin Core and RFC 822 dates; RSS 1.0;
and broken or hostile XML. Pure tests (no stack):
    .venv/bin/python -m pytest tests/unit/test_feed_mapping.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ckanext.thueringen.harvesters.feed_mapping import parse_feed
from ckanext.thueringen.harvesters.rdf_guard import ParseError, UnsafeDocument
from feed_samples import ATOM, FEED_URL

DOC = "https://opendata.thueringen.de/def/document-type/"
FT = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"
DEMO_FEED = Path(__file__).resolve().parents[2] / "config" / "demo" / "catalogs" \
    / "schwarzaburg-veroeffentlichungen.atom"

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Gemeinde Musterdorf – Bekanntmachungen</title>
    <link>https://www.musterdorf.de/</link>
    <language>de-de</language>
    <managingEditor>verwaltung@musterdorf.de (Gemeindeverwaltung Musterdorf)</managingEditor>
    <atom:link rel="next" href="https://www.musterdorf.de/rss?seite=2"/>
    <item>
      <title>Beschluss des Gemeinderats vom 12.03.2024</title>
      <link>https://www.musterdorf.de/bekanntmachungen/gr-2024-03</link>
      <description><![CDATA[<p>Der Gemeinderat hat die <b>Haushaltssatzung</b> beschlossen.</p>]]></description>
      <pubDate>Wed, 13 Mar 2024 10:15:00 +0100</pubDate>
      <guid isPermaLink="false">musterdorf-gr-2024-03</guid>
      <category>Sitzungsbeschluss</category>
      <dc:subject>Haushalt</dc:subject>
      <enclosure url="https://www.musterdorf.de/files/gr-2024-03.pdf" length="120000" type="application/pdf"/>
    </item>
    <item>
      <title>Haushaltsplan 2024</title>
      <link>https://www.musterdorf.de/files/haushaltsplan-2024.pdf</link>
      <content:encoded><![CDATA[<div>Der Plan.</div>]]></content:encoded>
      <dc:date>2024-01-20</dc:date>
      <dc:creator>Kämmerei</dc:creator>
      <dc:type>Haushaltsplan</dc:type>
    </item>
  </channel>
</rss>
""".encode()

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://www.amt.example/rss"><title>Amt</title><link>https://www.amt.example/</link></channel>
  <item rdf:about="https://www.amt.example/p/1">
    <title>Statistischer Bericht</title><link>https://www.amt.example/p/1</link>
    <description>Zahlen.</description><dc:date>2023-11-02T12:00:00+01:00</dc:date><dc:type>Statistik</dc:type>
  </item>
</rdf:RDF>
"""


def by_guid(feed):
    return {p.guid: p for p in feed.publications}


def test_atom_entry_becomes_a_publication_with_its_documents():
    feed = parse_feed(ATOM, FEED_URL)
    gutachten = by_guid(feed)["https://www.example-amt.de/v/gutachten-2024-17"].dataset
    assert gutachten["type"] == "publication"
    assert gutachten["title"] == "Gutachten zur Hochwasserlage an der Unstrut"
    assert gutachten["notes"] == "Das Gutachten bewertet die Hochwasser & Dämme.\n\nZweiter Absatz."
    assert gutachten["identifier"] == gutachten["uri"] == "https://www.example-amt.de/v/gutachten-2024-17"
    assert gutachten["url"] == "https://www.example-amt.de/v/gutachten-2024-17"
    assert gutachten["document_type"] == DOC + "gutachten-studien"
    assert gutachten["tag_string"] == "Hochwasser"
    assert gutachten["modified"] == "2024-06-02T14:30:00+02:00"
    assert gutachten["issued"] == "2024-05-28T08:00:00+02:00"
    assert gutachten["publication_date"] == "2024-05-28"
    assert gutachten["language"] == ["http://publications.europa.eu/resource/authority/language/DEU"]
    assert gutachten["publisher"] == [{"name": "Beispielamt Thüringen", "email": "poststelle@example-amt.de"}]
    # the duplicate enclosure is one resource; the ODT is found by its file ending
    assert gutachten["resources"] == [
        {"url": "https://www.example-amt.de/dokumente/gutachten-2024-17.pdf", "name": "Gutachten (PDF)",
         "format": "PDF", "format_uri": FT + "PDF", "mimetype": IANA + "application/pdf", "size": 48213},
        {"url": "https://www.example-amt.de/dokumente/anlage%201.odt", "name": "anlage 1.odt",
         "format": "ODT", "format_uri": FT + "ODT", "mimetype": IANA + "application/vnd.oasis.opendocument.text"},
    ]


def test_atom_xhtml_content_xml_base_and_entry_author():
    vertrag = by_guid(parse_feed(ATOM, FEED_URL))["tag:example-amt.de,2024:vertrag-88"].dataset
    assert vertrag["notes"] == "Vertrag über die Nutzung der Wege."
    assert "uri" not in vertrag   # a tag: URI is the identifier, not an address
    assert vertrag["document_type"] == DOC + "vertraege-daseinsvorsorge"
    assert vertrag["publisher"][0]["name"] == "Stadtwerke-Referat"
    assert vertrag["resources"][0]["url"] == "https://cdn.example-amt.de/files/vertrag-88.docx"
    assert vertrag["resources"][0]["format_uri"] == FT + "DOCX"
    assert vertrag["publication_date"] == "2024-04-01"


def test_document_type_default_and_missing_description():
    plain = by_guid(parse_feed(ATOM, FEED_URL))["https://www.example-amt.de/v/ohne-kategorie"].dataset
    assert plain["document_type"] == DOC + "sonstige"   # publications.as_publication's default
    assert plain["notes"] == plain["title"]
    defaulted = by_guid(parse_feed(ATOM, FEED_URL, default_document_type=DOC + "statistiken"))
    assert defaulted["https://www.example-amt.de/v/ohne-kategorie"].dataset["document_type"] == DOC + "statistiken"
    # a category the vocabulary knows beats the default
    assert defaulted["https://www.example-amt.de/v/gutachten-2024-17"].dataset["document_type"] == \
        DOC + "gutachten-studien"


def test_atom_paging_completeness_tombstones_and_skipped_entries():
    feed = parse_feed(ATOM, FEED_URL)
    assert feed.title == "Veröffentlichungen des Beispielamts"
    assert feed.next_page == "https://www.example-amt.de/veroeffentlichungen/feed.atom?page=2"
    assert feed.complete is True
    assert feed.deleted == {"https://www.example-amt.de/v/alt-1"}
    assert len(feed.publications) == 3
    assert len(feed.problems) == 2
    assert "„Eintrag ohne Kennung und ohne Link“" in feed.problems[0] and "übersprungen" in feed.problems[0]
    assert "https://www.example-amt.de/v/ohne-titel" in feed.problems[1] and "keinen Titel" in feed.problems[1]


def test_rss_items_with_dublin_core_and_rfc822_dates():
    feed = parse_feed(RSS, "https://www.musterdorf.de/rss")
    assert feed.next_page == "https://www.musterdorf.de/rss?seite=2"
    assert feed.complete is False
    items = by_guid(feed)
    beschluss = items["musterdorf-gr-2024-03"].dataset
    assert beschluss["notes"] == "Der Gemeinderat hat die Haushaltssatzung beschlossen."
    assert beschluss["document_type"] == DOC + "sitzungsbeschluesse"
    assert beschluss["tag_string"] == "Haushalt"
    assert beschluss["issued"] == "2024-03-13T09:15:00Z"
    assert beschluss["modified"] == beschluss["issued"]
    assert beschluss["publication_date"] == "2024-03-13"
    assert beschluss["url"] == "https://www.musterdorf.de/bekanntmachungen/gr-2024-03"
    assert beschluss["publisher"][0]["name"] == "Gemeindeverwaltung Musterdorf"
    assert [r["url"] for r in beschluss["resources"]] == ["https://www.musterdorf.de/files/gr-2024-03.pdf"]
    assert beschluss["resources"][0]["size"] == 120000
    # an item whose link is the document itself: the link is a resource and the guid
    plan = items["https://www.musterdorf.de/files/haushaltsplan-2024.pdf"].dataset
    assert "url" not in plan
    assert plan["resources"][0]["format"] == "PDF"
    assert plan["document_type"] == DOC + "organisations-haushalts-stellenplaene"
    assert plan["publication_date"] == "2024-01-20"
    assert plan["notes"] == "Der Plan."
    assert plan["publisher"] == [{"name": "Kämmerei"}]


def test_rss_1_0():
    feed = parse_feed(RSS1, "https://www.amt.example/rss")
    (item,) = feed.publications
    assert item.guid == "https://www.amt.example/p/1"
    assert item.dataset["document_type"] == DOC + "statistiken"
    assert item.dataset["publication_date"] == "2023-11-02"


def test_unmapped_values_are_kept_and_reported():
    feed = parse_feed(ATOM.replace(b"<updated>2024-03-01T00:00:00Z</updated>",
                                   b"<updated>irgendwann im M\xc3\xa4rz</updated>"), FEED_URL)
    plain = by_guid(feed)["https://www.example-amt.de/v/ohne-kategorie"]
    assert "modified" not in plain.dataset   # no date at all is better than a wrong one


@pytest.mark.parametrize("data, message", [
    (b"", "ist leer"),
    (b"<html><body>Anmeldung</body></html>", "keinen Atom- oder RSS-Feed"),
    (b"<!DOCTYPE html><html><body><p>Fehler</body></html>", "HTML-Seite"),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", "kein lesbares XML"),
    (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", "keinen Atom- oder RSS-Feed"),
])
def test_what_is_no_feed_gets_a_german_error(data, message):
    with pytest.raises(ParseError) as caught:
        parse_feed(data, FEED_URL)
    assert message in str(caught.value)
    assert "www.example-amt.de" in str(caught.value)


@pytest.mark.parametrize("doctype", [
    b'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE feed SYSTEM "http://evil.example/feed.dtd">',
])
def test_entities_and_dtds_are_refused(doctype):
    data = b'<?xml version="1.0"?>' + doctype + b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title></feed>'
    with pytest.raises(UnsafeDocument) as caught:
        parse_feed(data, FEED_URL)
    assert "Sicherheitsgründen" in str(caught.value)


def test_demo_feed_is_a_complete_feed_of_typed_publications_with_documents():
    feed = parse_feed(DEMO_FEED.read_bytes(), "http://127.0.0.1:8900/schwarzaburg-veroeffentlichungen.atom")
    assert not feed.problems
    assert feed.complete
    assert 15 <= len(feed.publications) <= 25
    kinds = {p.dataset.get("document_type") for p in feed.publications}
    assert None not in kinds and len(kinds) >= 6
    documents = [r for p in feed.publications for r in p.dataset["resources"]]
    assert all(r["url"].startswith("http://127.0.0.1:8900/dokumente/") for r in documents)
    assert sum(r["format_uri"] == FT + "PDF" for r in documents) >= 15
