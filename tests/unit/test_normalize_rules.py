"""ckanext.thueringen.normalize: the mapping and clean-up rules for what other
publishers send (languages, themes, licences, formats in every spelling; HTML,
placeholder dates, glued e-mail addresses, keywords CKAN refuses, long titles,
unusable addresses), and the findings they report. Example by example; the
property-based tests are in test_normalize_properties.py.

Pure tests (no stack):
    .venv/bin/python -m pytest tests/unit/test_normalize_rules.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import json

import pytest
from ckan.logic.validators import tag_length_validator, tag_name_validator

from ckanext.thueringen import normalize
from ckanext.thueringen.vocabularies import vocabulary

EU = "http://publications.europa.eu/resource/authority/"
LANG = EU + "language/"
THEME = EU + "data-theme/"
FT = EU + "file-type/"
LIC = "http://dcat-ap.de/def/licenses/"


def findings(result, kind=None):
    return [u for u in result.unmapped if kind is None or u.kind == kind]


# --- languages ----------------------------------------------------------------------

@pytest.mark.parametrize("raw, code", [
    (LANG + "DEU", "DEU"), ("https://publications.europa.eu/resource/authority/language/DEU", "DEU"),
    (LANG + "deu", "DEU"), ("de", "DEU"), ("DE", "DEU"), ("deu", "DEU"), ("ger", "DEU"), ("GER", "DEU"),
    ("http://id.loc.gov/vocabulary/iso639-1/de", "DEU"), ("https://id.loc.gov/vocabulary/iso639-2/ger", "DEU"),
    ("http://id.loc.gov/vocabulary/languages/ger", "DEU"), ("http://lexvo.org/id/iso639-3/deu", "DEU"),
    ("http://lexvo.org/id/iso639-1/de", "DEU"), ("https://www.lexvo.org/id/iso639-3/deu/", "DEU"),
    ("Deutsch", "DEU"), ("deutsch", "DEU"), ("German", "DEU"), ("de-DE", "DEU"), ("de_AT", "DEU"),
    ("Englisch", "ENG"), ("english", "ENG"), ("en-GB", "ENG"), ("http://id.loc.gov/vocabulary/iso639-2/eng", "ENG"),
    ("fre", "FRA"), ("Französisch", "FRA"), ("dut", "NLD"), ("Polnisch", "POL"), ("pl", "POL"),
    ("hsb", "HSB"), ("Obersorbisch", "HSB"), ("Niedersorbisch", "DSB"), ("dsb", "DSB"),
    ("tr", "TUR"), ("Türkisch", "TUR"), ("Tuerkisch", "TUR"), ("ar", "ARA"), ("arb", "ARA"), ("Arabisch", "ARA"),
    ("ru", "RUS"), ("Russian", "RUS"), ("uk", "UKR"), ("Ukrainisch", "UKR"), ("Farsi", "FAS"), ("per", "FAS"),
    ("Dari", "PRS"), ("Kurdisch", "KUR"), ("Tigrinya", "TIR"), ("alb", "SQI"), ("Vietnamesisch", "VIE"),
    ("zh", "ZHO"), ("chi", "ZHO"), ("mul", "MUL"), ("Deutsch (de)", "DEU"), ("German [de]", "DEU"),
])
def test_language_variants(raw, code):
    assert normalize.language(raw) == LANG + code


def test_every_language_is_found_by_its_iso_codes_in_every_code_list():
    """For each language of the hand-written list: the ISO 639-1 and 639-2 codes
    the aliases give, as plain codes and as Library of Congress and lexvo URIs."""
    for concept in (c for c in vocabulary("languages") if c.offered):
        codes = [a for a in concept.alt_labels if a.isalpha() and a.islower() and len(a) in (2, 3)]
        assert codes, concept.uri
        for code in codes:
            kind = "iso639-1" if len(code) == 2 else "iso639-2"
            assert normalize.language(code) == concept.uri, code
            assert normalize.language(f"http://id.loc.gov/vocabulary/{kind}/{code}") == concept.uri, code
        assert normalize.language(concept.label("de")) == concept.uri
        assert normalize.language(concept.label("en").lower()) == concept.uri


def test_the_eu_official_languages_and_those_german_authorities_publish_in_are_listed():
    codes = {c.code for c in vocabulary("languages")}
    eu24 = {"BUL", "CES", "DAN", "DEU", "ELL", "ENG", "EST", "FIN", "FRA", "GLE", "HRV", "HUN",
            "ITA", "LAV", "LIT", "MLT", "NLD", "POL", "POR", "RON", "SLK", "SLV", "SPA", "SWE"}
    assert eu24 | {"HSB", "DSB", "TUR", "ARA", "RUS", "UKR", "FAS", "KUR", "SQI", "SRP", "VIE"} <= codes


def test_every_other_iso_639_3_language_is_kept_under_its_eu_uri():
    """The code table's languages (the EU list names them by their ISO 639-3
    code): found by their EU URI and by each of their ISO codes, plain and as
    Library of Congress URIs; not offered in the form."""
    table = [c for c in vocabulary("languages") if not c.offered]
    assert len(table) > 7000
    choices = {choice["value"] for choice in vocabulary("languages").choices()}
    for concept in table:
        assert concept.uri == LANG + concept.code and concept.uri not in choices
        assert normalize.language(concept.uri) == concept.uri
        assert normalize.language(concept.uri.replace("http://", "https://")) == concept.uri
        for code in concept.alt_labels:
            kind = "iso639-1" if len(code) == 2 else "iso639-2"
            assert normalize.language(code) == concept.uri, code
            assert normalize.language(f"http://id.loc.gov/vocabulary/{kind}/{code}") == concept.uri, code


@pytest.mark.parametrize("raw, code, german", [
    ("nds", "NDS", "Plattdeutsch"), ("http://id.loc.gov/vocabulary/iso639-2/nds", "NDS", "Plattdeutsch"),
    ("Plattdeutsch", "NDS", "Plattdeutsch"), ("Low German", "NDS", "Plattdeutsch"),
    ("frr", "FRR", "Nordfriesisch"), ("Saterfriesisch", "STQ", "Saterfriesisch"),
    ("http://publications.europa.eu/resource/authority/language/KMR", "KMR", None),
])
def test_regional_and_rarer_languages_are_kept(raw, code, german):
    assert normalize.language(raw) == LANG + code
    if german:
        assert vocabulary("languages").label(LANG + code, "de") == german


def test_the_code_table_never_overrides_the_hand_written_list():
    """A code the hand-written aliases give to another language stays with it:
    "pes" (Iranian Persian) is Persian FAS, "arb" Arabic ARA."""
    assert normalize.language("pes") == LANG + "FAS"
    assert normalize.language("arb") == LANG + "ARA"
    assert LANG + "PES" not in vocabulary("languages")


@pytest.mark.parametrize("raw", ["Elbisch", "xx", "http://id.loc.gov/vocabulary/iso639-1/xx", "Sorbisch?"])
def test_language_unknown(raw):
    assert normalize.language(raw) is None


# --- themes -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, code", [
    (THEME + "ECON", "ECON"), ("https://publications.europa.eu/resource/authority/data-theme/ECON", "ECON"),
    (THEME + "ECON/", "ECON"), (THEME + "econ", "ECON"), ("ECON", "ECON"), ("econ", "ECON"),
    ("Wirtschaft und Finanzen", "ECON"), ("Economy and finance", "ECON"),
    # GovData's OGD categories and their names
    ("wirtschaft_arbeit", "ECON"), ("politik_wahlen", "GOVE"), ("Politik und Wahlen", "GOVE"),
    ("bevoelkerung", "SOCI"), ("transport_verkehr", "TRAN"), ("Transport und Verkehr", "TRAN"),
    ("Geographie, Geologie und Geobasisdaten", "REGI"), ("kultur_freizeit_sport_tourismus", "EDUC"),
    # municipal names
    ("Bevölkerung", "SOCI"), ("Bevoelkerung", "SOCI"), ("Verkehr", "TRAN"), ("Umwelt", "ENVI"), ("Bildung", "EDUC"),
    ("Gesundheit", "HEAL"), ("Haushalt", "GOVE"), ("Finanzen", "ECON"), ("Soziales", "SOCI"), ("Kultur", "EDUC"),
    ("Sport", "EDUC"), ("Tourismus", "EDUC"), ("Wohnen", "REGI"), ("Stadtentwicklung", "REGI"), ("Wahlen", "GOVE"),
    ("UMWELT UND KLIMA", "ENVI"), ("Politik & Wahlen", "GOVE"),
    # a publisher's own theme URIs, by their last part
    ("https://opendata.stadt.de/id/theme/Bev%C3%B6lkerung", "SOCI"),
    ("https://opendata.stadt.de/id/theme/Bevölkerung", "SOCI"),
    ("https://opendata.stadt.de/id/theme/Politik%20und%20Wahlen", "GOVE"),
    ("https://opendata.stadt.de/theme/wirtschaft_arbeit", "ECON"),
    ("https://opendata.stadt.de/theme/transport-und-verkehr/", "TRAN"),
    ("https://daten.land.de/kategorie#Gesundheit", "HEAL"),
    # INSPIRE themes, as geodata catalogues send them (SEMIC's alignment)
    ("http://inspire.ec.europa.eu/theme/hy", "ENVI"), ("https://inspire.ec.europa.eu/theme/tn/", "TRAN"),
    ("http://inspire.ec.europa.eu/theme/pd", "SOCI"), ("http://inspire.ec.europa.eu/theme/au", "GOVE"),
])
def test_theme_variants(raw, code):
    assert normalize.theme(raw) == THEME + code


@pytest.mark.parametrize("raw", ["Statistik", "https://opendata.stadt.de/id/theme/Statistik", "Wirtschaftsförderung",
                                 "verbraucher", THEME + "XYZ"])
def test_theme_unknown(raw):
    assert normalize.theme(raw) is None


def test_an_unmapped_theme_becomes_a_keyword_and_is_reported_as_not_assigned():
    result = normalize.normalize_dataset({"theme": ["https://opendata.stadt.de/id/theme/Statistik%20und%20Zahlen",
                                                    "https://opendata.stadt.de/id/theme/Umwelt"],
                                          "tags": [{"name": "Luft"}]})
    assert result.value["theme"] == [THEME + "ENVI"]
    assert result.value["tags"] == [{"name": "Luft"}, {"name": "Statistik und Zahlen"}]
    [finding] = result.unmapped
    assert finding.kind == "unmapped" and finding.field == "theme"
    assert finding.value == "https://opendata.stadt.de/id/theme/Statistik%20und%20Zahlen"
    assert finding.message == ("Kategorie 'Statistik und Zahlen' ist keiner EU-Kategorie zugeordnet (nicht "
                               "zugeordnet); als Schlagwort 'Statistik und Zahlen' übernommen")


def test_an_unmapped_theme_joins_a_tag_string_and_an_empty_theme_list_goes():
    result = normalize.normalize_dataset({"theme": "Open Data", "tag_string": "Luft,Wasser"})
    assert "theme" not in result.value
    assert result.value["tag_string"] == "Luft,Wasser,Open Data"


# --- licences -------------------------------------------------------------------------

@pytest.mark.parametrize("raw, code", [
    ("http://dcat-ap.de/def/licenses/dl-by-de/2.0", "dl-by-de/2.0"),
    ("https://www.dcat-ap.de/def/licenses/dl-by-de/2.0/", "dl-by-de/2.0"),
    ("http://dcat-ap.de/def/licenses/dl-by-de/2_0", "dl-by-de/2.0"),
    ("https://dcat-ap.de/def/licenses/cc-by-sa/4_0/", "cc-by-sa/4.0"),
    ("https://creativecommons.org/licenses/by/4.0/", "cc-by/4.0"),
    ("http://creativecommons.org/licenses/by/4.0", "cc-by/4.0"),
    ("https://creativecommons.org/licenses/by/4.0/deed.de", "cc-by/4.0"),
    ("https://creativecommons.org/licenses/by/4.0/legalcode", "cc-by/4.0"),
    ("https://creativecommons.org/licenses/by-sa/4.0/legalcode.de", "cc-by-sa/4.0"),
    ("https://creativecommons.org/licenses/by/3.0/de/", "cc-by-de/3.0"),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "cc-zero"),
    ("https://creativecommons.org/publicdomain/zero/1.0/deed.de", "cc-zero"),
    ("http://opendefinition.org/licenses/odc-odbl/", "odbl"),
    ("http://www.opendefinition.org/licenses/cc-by", "cc-by"),
    ("https://www.govdata.de/dl-de/by-2-0", "dl-by-de/2.0"), ("http://govdata.de/dl-de/by-2-0/", "dl-by-de/2.0"),
    ("https://www.govdata.de/dl-de/zero-2-0", "dl-zero-de/2.0"),
    ("CC-BY-4.0", "cc-by/4.0"), ("CC0-1.0", "cc-zero"), ("dl-de-by-2.0", "dl-by-de/2.0"), ("ODbL-1.0", "odbl"),
    ("DL-DE-ZERO-2.0", "dl-zero-de/2.0"), ("dl-de/by-2-0", "dl-by-de/2.0"),
    ("Datenlizenz Deutschland Namensnennung 2.0", "dl-by-de/2.0"),
    ("Datenlizenz Deutschland – Namensnennung – Version 2.0", "dl-by-de/2.0"),
    ("Creative Commons Namensnennung 4.0 International", "cc-by/4.0"),
    ("Freie Nutzung", "other-open"),
    ("amtliches Werk, lizenzfrei nach §5 UrhG", "officialWork"),
    ("Datenlizenz Deutschland Namensnennung 2.0 (dl-de/by-2-0)", "dl-by-de/2.0"),
    ("Creative Commons Lizenz (CC BY 4.0)", "cc-by/4.0"),
])
def test_licence_variants(raw, code):
    assert normalize.licence(raw) == LIC + code


def test_a_free_text_licence_stays_and_is_reported_for_export_as_its_own_document():
    text = "Nutzungsbedingungen der Stadt Musterstadt für offene Daten"
    result = normalize.normalize_dataset({"resources": [{"license": text}]})
    assert result.value["resources"][0]["license"] == text
    [finding] = result.unmapped
    assert finding.kind == "unmapped" and finding.field == "resources[0].license" and finding.value == text
    assert "dct:LicenseDocument" in finding.message and "eigenes Lizenzdokument" in finding.message


# --- formats -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, code", [
    ("Excel", "XLSX"), ("MS Excel", "XLSX"), ("XLSX-Datei", "XLSX"), ("CSV-Datei", "CSV"), ("Shapefile", "SHP"),
    ("ESRI Shapefile", "SHP"), ("GeoJSON", "GEOJSON"), ("WMS", "WMS_SRVC"), ("WFS", "WFS_SRVC"),
    ("ZIP-Archiv", "ZIP"), ("PDF-Dokument", "PDF"), ("text/comma-separated-values", "CSV"),
    ("application/vnd.ms-excel", "XLS"), ("application/zip", "ZIP"), ("TEXT/CSV; Charset=UTF-8", "CSV"),
    ("https://www.iana.org/assignments/media-types/text/csv", "CSV"),
    ("http://iana.org/assignments/media-types/text/csv/", "CSV"),
    (FT + "csv", "CSV"), ("https://publications.europa.eu/resource/authority/file-type/CSV/", "CSV"),
    ("jpg", "JPEG"), (".jpg", "JPEG"), ("pdf", "PDF"), (".PDF", "PDF"),
    ("WMS 1.3.0", "WMS_SRVC"), ("CSV (UTF-8)", "CSV"), ("Shapefile (Esri)", "SHP"), ("GeoJSON v2", "GEOJSON"),
])
def test_format_variants(raw, code):
    assert normalize.file_type(raw) == FT + code


def test_a_stream_of_bytes_names_no_format():
    assert normalize.file_type("application/octet-stream") is None


@pytest.mark.parametrize("resource, code", [
    ({"mimetype": "text/csv; charset=utf-8", "download_url": "https://x.de/a.json"}, "CSV"),
    ({"download_url": "https://x.de/daten/haushalt_2024.xlsx?download=1"}, "XLSX"),
    ({"url": "https://x.de/karte.geojson"}, "GEOJSON"),
])
def test_guess_file_type(resource, code):
    assert normalize.guess_file_type(resource)[0] == FT + code


@pytest.mark.parametrize("resource", [{}, {"url": "https://x.de/seite"}, {"url": "https://x.de/index.php"},
                                      {"mimetype": "application/octet-stream"}])
def test_guess_file_type_without_a_clue(resource):
    assert normalize.guess_file_type(resource) is None


def test_a_missing_format_is_derived_and_reported():
    result = normalize.normalize_dataset({"resources": [{"download_url": "https://x.de/a.csv"}, {"format": "PDF"}]})
    assert result.value["resources"][0]["format"] == "CSV"
    assert result.value["resources"][0]["format_uri"] == FT + "CSV"
    [finding] = result.unmapped
    assert finding.kind == "derived" and finding.field == "resources[0].format"
    assert "Dateiendung" in finding.message


# --- HTML -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("<p>Erster Absatz.</p><p>Zweiter &amp; letzter.</p>", "Erster Absatz.\n\nZweiter & letzter."),
    ("Zeile eins<br>Zeile zwei<br/>Zeile drei", "Zeile eins\nZeile zwei\nZeile drei"),
    ("<ul><li>eins</li><li>zwei</li></ul>", "- eins\n- zwei"),
    ("<ol><li>eins</li><li>zwei</li></ol>", "1. eins\n2. zwei"),
    ('Siehe <a href="https://www.jena.de/daten">Datenportal</a>.', "Siehe [Datenportal](https://www.jena.de/daten)."),
    ('<a href="javascript:alert(1)">Klick</a>', "Klick"),
    ("<script>alert(1)</script><style>p{}</style><p>Text</p>", "Text"),
    ("M&uuml;ller &amp;amp; S&ouml;hne", "Müller & Söhne"),
    ("<h2>Inhalt</h2><p>Daten</p>", "## Inhalt\n\nDaten"),
    ("<p>Das Zeichen &lt;p&gt; ist ein Tag.</p>", "Das Zeichen &lt;p> ist ein Tag."),
    ("<b>fett</b>\nzweite Zeile", "fett\nzweite Zeile"),
])
def test_html_to_markdown(raw, expected):
    assert normalize.html_to_markdown(raw) == expected


@pytest.mark.parametrize("text", ["Reiner Text.\n\nMit Absatz.", "a < b und c > d", "**Markdown** [Link](https://x.de)",
                                  "Preis: 5 &lt; 6"])
def test_text_without_html_is_left_alone(text):
    assert not normalize.contains_html(text)
    assert normalize.html_to_markdown(text) == text


def test_html_in_descriptions_is_reported_as_cleaned():
    result = normalize.normalize_dataset({"notes": "<p>Daten</p>", "resources": [{"description": "<b>CSV</b>"}]})
    assert result.value["notes"] == "Daten" and result.value["resources"][0]["description"] == "CSV"
    assert [(u.field, u.kind, u.value) for u in result.unmapped] == [
        ("notes", "cleaned", "<p>Daten</p>"), ("resources[0].description", "cleaned", "<b>CSV</b>")]


# --- placeholder dates ---------------------------------------------------------------

@pytest.mark.parametrize("end", ["9999-12-31", "9999-01-01", "2999-12-31", "31.12.9999", "9999-12-31T23:59:59"])
def test_an_open_end_placeholder_leaves_the_period_open(end):
    result = normalize.normalize_dataset({"temporal_coverage": [{"start": "2020-01-01", "end": end}]})
    assert result.value["temporal_coverage"] == [{"start": "2020-01-01"}]
    [finding] = result.unmapped
    assert finding.kind == "dropped" and finding.field == "temporal_coverage[0].end" and finding.value == end
    assert "offenes Ende" in finding.message


def test_a_period_of_placeholders_only_goes():
    result = normalize.normalize_dataset({"temporal_coverage": [{"start": "0001-01-01", "end": "9999-12-31"},
                                                                {"start": "1900-01-01", "end": "2030-12-31"}]})
    # 1900 and 2030 are real period bounds
    assert result.value["temporal_coverage"] == [{"start": "1900-01-01", "end": "2030-12-31"}]
    assert [u.field for u in result.unmapped] == ["temporal_coverage[0].start", "temporal_coverage[0].end"]


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01T00:00:00", "1900-01-01", "1970-01-01T00:00:00Z",
                                 "01.01.1970"])
def test_a_placeholder_publication_date_is_dropped(raw):
    result = normalize.normalize_dataset({"issued": raw, "modified": "2024-05-01"})
    assert "issued" not in result.value and result.value["modified"] == "2024-05-01"
    [finding] = result.unmapped
    assert finding.kind == "dropped" and finding.value == raw and "Platzhalter" in finding.message


# --- e-mail addresses glued to names ----------------------------------------------------

@pytest.mark.parametrize("name", [
    "Amt für Statistik statistik@stadt.de", "Amt für Statistik <statistik@stadt.de>",
    "Amt für Statistik (statistik@stadt.de)", "Amt für Statistik, E-Mail: statistik@stadt.de",
    "Amt für Statistik - mailto:statistik@stadt.de", "Amt für Statistik [statistik@stadt.de]",
    "statistik@stadt.de (Amt für Statistik)", "Amt für Statistik E-Mail statistik@stadt.de",
    "Amt für Statistikemail: statistik@stadt.de",
])
def test_a_glued_address_is_split_off(name):
    result = normalize.normalize_dataset({"contact": [{"name": name}]})
    assert result.value["contact"] == [{"name": "Amt für Statistik", "email": "statistik@stadt.de"}]
    [finding] = result.unmapped
    assert finding.kind == "cleaned" and finding.field == "contact[0].name" and finding.value == name


def test_a_glued_address_does_not_replace_a_given_one_and_is_reported():
    result = normalize.normalize_dataset({"publisher": [{"name": "Stadt X <presse@x.de>", "email": "info@x.de"}]})
    assert result.value["publisher"] == [{"name": "Stadt X", "email": "info@x.de"}]
    [finding] = result.unmapped
    assert "presse@x.de" in finding.message and "verworfen" in finding.message


def test_a_name_that_is_only_an_address_fills_the_email_but_stays():
    result = normalize.normalize_dataset({"contact": [{"name": "statistik@stadt.de"}]})
    assert result.value["contact"] == [{"name": "statistik@stadt.de"}]
    assert normalize.split_glued_email("statistik@stadt.de") is None


def test_an_email_field_with_a_name_keeps_the_address():
    result = normalize.normalize_dataset({"contact": [{"name": "Amt", "email": "Amt für Statistik <s@stadt.de>"}]})
    assert result.value["contact"] == [{"name": "Amt", "email": "s@stadt.de"}]
    assert [u.kind for u in result.unmapped] == ["cleaned"]


# --- keywords -----------------------------------------------------------------------------

def ckan_accepts(tag):
    return tag_name_validator(tag, {}) == tag and tag_length_validator(tag, {}) == tag


@pytest.mark.parametrize("raw, expected", [
    ("Umwelt: Luft", "Umwelt Luft"), ("a/b/c", "a b c"), ('"Zitat"', "Zitat"), ("O'Neill", "O Neill"),
    ("Straße", "Straße"), ("x" * 120, "x" * 100), ("Umwelt &amp; Natur", "Umwelt Natur"),
    ("Wort " * 30, ("Wort " * 20).strip()),
])
def test_clean_tag(raw, expected):
    assert normalize.clean_tag(raw) == expected
    assert ckan_accepts(expected)


@pytest.mark.parametrize("raw", ["a", "", "???", "::", " - "])
def test_clean_tag_drops_what_is_not_usable(raw):
    assert normalize.clean_tag(raw) is None


def test_keywords_are_cleaned_split_and_dropped_with_findings():
    result = normalize.normalize_dataset({"tags": [{"name": "Umwelt: Luft"}, {"name": "x"}, "Wasser; Boden",
                                                   {"name": "Boden"}]})
    assert result.value["tags"] == [{"name": "Umwelt Luft"}, {"name": "Wasser"}, {"name": "Boden"}]
    assert [(u.field, u.kind) for u in result.unmapped] == [("tags[0]", "cleaned"), ("tags[1]", "dropped"),
                                                             ("tags[2]", "cleaned")]
    assert all(ckan_accepts(t["name"]) for t in result.value["tags"])


def test_tag_string_is_cleaned():
    result = normalize.normalize_dataset({"tag_string": "Umwelt/Luft,a,Wasser"})
    assert result.value["tag_string"] == "Umwelt Luft,Wasser"
    assert [u.kind for u in result.unmapped] == ["cleaned", "dropped"]


# --- titles and addresses -------------------------------------------------------------------

def test_an_over_long_title_is_cut_at_a_word_boundary():
    title = "Haushaltsplan " * 100
    result = normalize.normalize_dataset({"title": title})
    cut = result.value["title"]
    assert len(cut) <= normalize.MAX_TITLE_LENGTH and cut.endswith("Haushaltsplan …")
    [finding] = result.unmapped
    assert finding.kind == "cleaned" and finding.value == title


def test_html_in_a_title_becomes_plain_text():
    result = normalize.normalize_dataset({"title": "Müller &amp;amp; Söhne: <b>Bilanz</b> 2024"})
    assert result.value["title"] == "Müller & Söhne: Bilanz 2024"
    assert [(u.kind, u.field) for u in result.unmapped] == [("cleaned", "title")]


def test_a_title_at_the_limit_stays():
    title = "x" * normalize.MAX_TITLE_LENGTH
    assert normalize.normalize_dataset({"title": title}).value["title"] == title


def test_unusable_addresses_are_dropped_and_a_resource_url_takes_the_download_url():
    result = normalize.normalize_dataset({
        "url": "siehe Webseite", "documentation": ["https://x.de/doku", "doku.pdf"],
        "publisher": [{"name": "X", "url": "javascript:alert(1)"}],
        "resources": [{"url": "daten.csv", "download_url": "https://x.de/daten.csv", "format": "CSV"},
                      {"url": "C:\\Daten\\a.csv", "access_url": "mailto:a@b.de", "format": "CSV"},
                      {"url": "www.x.de/a.csv", "access_url": "ftp://ftp.x.de/a.csv", "format": "CSV"}]})
    value = result.value
    assert "url" not in value and value["documentation"] == ["https://x.de/doku"]
    assert value["publisher"] == [{"name": "X"}]
    assert value["resources"][0]["url"] == "https://x.de/daten.csv"
    assert value["resources"][1]["url"] == "" and "access_url" not in value["resources"][1]
    assert value["resources"][2]["url"] == "https://www.x.de/a.csv"
    assert "access_url" not in value["resources"][2]   # ftp: neither fetched nor linked by the portal
    assert sorted((u.field, u.kind) for u in result.unmapped) == [
        ("documentation", "dropped"), ("publisher[0].url", "dropped"), ("resources[0].url", "cleaned"),
        ("resources[1].access_url", "dropped"), ("resources[1].url", "dropped"),
        ("resources[2].access_url", "dropped"), ("url", "dropped")]


# --- findings ------------------------------------------------------------------------------

def test_unmapped_stays_backward_compatible():
    stored = {"field": "license_id", "value": "x", "message": "m"}       # JSON of an older harvest object
    assert normalize.Unmapped(**stored).kind == "unmapped"
    assert normalize.KINDS == ("unmapped", "cleaned", "dropped", "derived", "missing")


def test_missing_mandatory():
    dataset = {"title": "T", "notes": "", "license_id": "",
               "resources": [{"url": "https://x.de/a.csv", "license": LIC + "cc-by/4.0"},
                             {"access_url": ""}]}
    missing = normalize.missing_mandatory(dataset)
    assert [(m.field, m.kind) for m in missing] == [
        ("notes", "missing"), ("publisher", "missing"), ("resources[1].access_url", "missing"),
        ("resources[1].license", "missing")]
    assert missing[0].message == "Beschreibung fehlt in der Quelle"


def test_missing_mandatory_of_a_complete_record_is_empty():
    dataset = {"title": "T", "notes": "N", "publisher": [{"name": "Stadt"}], "license_id": LIC + "cc-zero",
               "resources": [{"download_url": "https://x.de/a.csv"}]}
    assert normalize.missing_mandatory(dataset) == []


def test_findings_hold_the_value_as_sent_as_json_safe_text():
    result = normalize.normalize_dataset({"notes": "<p>x</p>", "issued": "9999-12-31", "tags": ["a:b"]})
    for finding in result.unmapped:
        assert isinstance(finding.value, str) and json.dumps(vars(finding))
