"""Stored values in words (ckanext.thueringen.display): areas by name from any
German regional key, vocabulary values by field, periods and dates in German,
descriptions never shown as tags. No CKAN stack needed: run with `-p no:ckan`."""
from __future__ import annotations

import re
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.thueringen import display
from ckanext.thueringen.vocabularies import vocabulary

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PG = "politicalGeocoding/"
EU = "http://publications.europa.eu/resource/authority/"
KINDS = ("stateKey", "districtKey", "governmentDistrictKey", "regionalKey", "municipalityKey",
         "municipalAssociationKey")


def geocoding_uri(kind: str, key: str, scheme: str = "http://", www: str = "", slash: str = "") -> str:
    return f"{scheme}{www}dcat-ap.de/def/{PG}{kind}/{key}{slash}"


uri_forms = st.tuples(st.sampled_from(["http://", "https://"]), st.sampled_from(["", "www."]),
                      st.sampled_from(["", "/"]))


# --------------------------------------------------------------------- areas

def test_every_state_key_is_its_land():
    assert display.label("spatial_coverage", geocoding_uri("stateKey", "04")) == "Bremen"
    assert display.label("vocab_region", geocoding_uri("stateKey", "09"), "en") == "Bavaria"
    assert display.label("vocab_region", geocoding_uri("stateKey", "16")) == "Thüringen"
    assert [display.state_name(f"{n:02d}") for n in range(1, 17)] == [names[0] for names in display.STATES.values()]


def test_thueringen_districts_and_municipalities_by_name():
    assert display.label("spatial_coverage", geocoding_uri("districtKey", "16051")) == "Erfurt"
    assert display.label("spatial_coverage", geocoding_uri("municipalityKey", "16051000")) == "Erfurt"
    assert display.label("spatial_coverage", geocoding_uri("regionalKey", "160510000000")) == "Erfurt"


def test_unknown_keys_read_as_area_and_key_with_their_land():
    assert display.label("spatial_coverage", geocoding_uri("districtKey", "03241")) == "Gebiet 03241 (Niedersachsen)"
    assert display.label("spatial_coverage", geocoding_uri("stateKey", "99")) == "Gebiet 99"
    assert display.label("spatial_coverage", geocoding_uri("districtKey", "03241"), "en") == "Area 03241 (Lower Saxony)"


@SETTINGS
@given(st.sampled_from(KINDS), st.from_regex(r"[0-9]{2,12}", fullmatch=True), uri_forms,
       st.sampled_from(["de", "en"]))
def test_any_geocoding_uri_reads_as_words_never_as_the_uri(kind, key, form, language):
    text = display.label("spatial_coverage", geocoding_uri(kind, key, *form), language)
    assert text and "://" not in text and "dcat-ap.de" not in text
    land = display.state_name(key, language)
    if kind == "stateKey" and land and len(key) == 2:
        assert text == land
    elif not any(text == c.label(language) for c in vocabulary("regions")):
        assert text.startswith("Gebiet " if language == "de" else "Area ") and key in text


@SETTINGS
@given(st.sampled_from([c for c in vocabulary("regions") if not c.deprecated]), uri_forms)
def test_every_thueringen_area_in_any_uri_form_is_its_name(concept, form):
    scheme, www, slash = form
    uri = concept.uri.replace("http://", scheme, 1).replace("://", "://" + www, 1) + slash
    assert display.label("vocab_region", uri) == concept.label("de")


def test_a_name_or_other_uri_stays_as_it_is():
    assert display.label("spatial_coverage", "https://sws.geonames.org/2822542/") == "https://sws.geonames.org/2822542/"


# -------------------------------------------------------------- vocabularies

def test_vocabulary_values_by_field_from_uri_or_short_form():
    assert display.label("format", "CSV") == "CSV"
    assert display.label("res_format", EU + "file-type/SHP") == "Esri-Shapefile"
    assert display.label("format", "SHP", "en") == "Esri Shape"
    assert display.label("license_id", "dl-by-de/2.0") == "Datenlizenz Deutschland Namensnennung 2.0"
    assert display.label("license_id", "http://dcat-ap.de/def/licenses/dl-by-de/2.0") == \
        "Datenlizenz Deutschland Namensnennung 2.0"
    assert display.label("language", EU + "language/DEU") == "Deutsch"
    assert display.label("language", EU + "language/DEU", "en") == "German"
    assert display.label("frequency", EU + "frequency/ANNUAL") == vocabulary("frequencies").get(
        EU + "frequency/ANNUAL").label("de")
    assert display.label("contributor_id", "http://dcat-ap.de/def/contributors/auswaertigesAmt") == "Auswärtiges Amt"
    assert display.label("theme", EU + "data-theme/GOVE") == vocabulary("themes").get(EU + "data-theme/GOVE").label()


@SETTINGS
@given(st.sampled_from(sorted(display.FIELD_VOCABULARIES)), st.data())
def test_every_concept_of_every_field_has_a_label_that_is_no_uri(field, data):
    concept = data.draw(st.sampled_from(vocabulary(display.FIELD_VOCABULARIES[field]).concepts))
    for value in (concept.uri, concept.code):
        text = display.label(field, value)
        assert text == concept.label("de") and "://" not in text


def test_empty_values_are_empty_and_unknown_values_stay():
    assert display.label("theme", "") == "" and display.label("theme", None) == ""
    assert display.label("format", "  ") == ""
    assert display.label("format", "Tabellenblatt") == "Tabellenblatt"
    assert display.labels("language", ["", None, EU + "language/DEU"]) == ["Deutsch"]


# ------------------------------------------------------------ dates, periods

def test_open_ended_periods_read_since():
    assert display.period_text("2011-11-01", None) == "seit 1. November 2011"
    assert display.period_text("2011-11-01", "9999-01-01") == "seit 1. November 2011"
    assert display.period_text("2011-11-01T00:00:00", "9999-12-31T23:59:59") == "seit 1. November 2011"
    assert display.period_text("2011-11-01", "", "en") == "since 1 November 2011"
    assert display.period_text(None, "2020-12-31") == "bis 31. Dezember 2020"
    assert display.period_text("2020-01-01", "2020-12-31") == "1. Januar 2020 bis 31. Dezember 2020"
    assert display.period_text("0001-01-01", "9999-01-01") == ""


@SETTINGS
@given(st.dates(date(1000, 1, 1), date(2899, 12, 31)),
       st.sampled_from(["9999-01-01", "9999-12-31", "2999-12-31", "", None]))
def test_any_start_with_an_open_end_reads_since_that_day(start, end):
    text = display.period_text(start.isoformat(), end)
    assert text == f"seit {start.day}. {display.dates.MONTHS['de'][start.month - 1]} {start.year}"


def test_dates_in_words_and_in_the_form():
    assert display.date_text("2024-02-01") == "1. Februar 2024"
    assert display.date_text("2024-05") == "Mai 2024"
    assert display.date_text("2024") == "2024"
    assert display.form_date("2024-02-01") == "01.02.2024"
    assert display.form_date("2024-02-01T10:00:00") == "2024-02-01T10:00:00"   # no time lost
    assert display.size_text(1534000) == "1,5 MB" and display.size_text(1534000, "en") == "1.5 MB"
    assert display.size_text("x") == ""


# -------------------------------------------------------------- descriptions

TAG = re.compile(r"<\s*/?\s*[A-Za-z]")


def test_escaped_and_raw_html_become_text_in_snippets():
    assert display.snippet("&lt;p&gt;Der Datensatz &lt;b&gt;enthält&lt;/b&gt; Zahlen&lt;/p&gt;") == \
        "Der Datensatz enthält Zahlen"
    assert display.snippet("<p>Der <a href='https://x.de'>Datensatz</a></p><script>alert(1)</script>") == \
        "Der Datensatz"
    assert display.snippet("**Fett** und [ein Link](https://x.de)") == "Fett und ein Link"
    assert display.snippet("a < b") == "a < b"
    assert display.description_markdown("&lt;p&gt;Eins&lt;/p&gt;&lt;p&gt;Zwei&lt;/p&gt;") == "Eins\n\nZwei"


html_text = st.recursive(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
    lambda inner: st.builds(lambda tag, body, attr: f"<{tag}{attr}>{body}</{tag}>",
                            st.sampled_from(["p", "b", "div", "a", "script", "span", "li", "h2"]), inner,
                            st.sampled_from(["", " href='https://x.de'", " onclick=\"x()\""])),
    max_leaves=8)


@SETTINGS
@given(html_text, st.booleans())
def test_no_html_of_any_description_shows_as_a_tag_in_a_snippet(html, escaped):
    value = html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if escaped else html
    text = display.snippet(value, 400)
    assert not TAG.search(text) and "onclick" not in text and "\n" not in text
