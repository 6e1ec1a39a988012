"""Property-based tests of ckanext.thueringen.normalize: generated records that
mix every spelling of languages, themes, licences and formats with HTML
descriptions, placeholder dates, glued e-mail addresses, keywords CKAN refuses
and unusable addresses. For each record:

- every known variant maps to its canonical URI;
- normalising is idempotent: the result normalised again is the same and
  reports nothing new of kind unmapped or cleaned;
- no value is lost silently: each value sent is in the result (as sent or
  mapped) or in a finding;
- `theme` holds EU data themes only; every keyword passes CKAN's tag
  validators; no HTML remains in a description.

Pure tests (no stack):
    .venv/bin/python -m pytest tests/unit/test_normalize_properties.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import re
from urllib.parse import quote

from ckan.logic.validators import tag_length_validator, tag_name_validator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.thueringen import normalize
from ckanext.thueringen.vocabularies import vocabulary

EU = "http://publications.europa.eu/resource/authority/"
LIC = "http://dcat-ap.de/def/licenses/"

# --- known variants: (as sent, canonical URI) ----------------------------------------------


def _http_forms(uri: str) -> list[str]:
    rest = uri.split("://", 1)[1]
    return [f"{scheme}://{rest}{slash}" for scheme in ("http", "https") for slash in ("", "/")]


def _language_variants() -> list[tuple[str, str]]:
    pairs = []
    for concept in vocabulary("languages"):
        pairs += [(form, concept.uri) for form in _http_forms(concept.uri)]
        pairs += [(concept.code, concept.uri), (concept.label("de"), concept.uri), (concept.label("en"), concept.uri),
                  (concept.label("de").lower(), concept.uri)]
        for code in (a for a in concept.alt_labels if a.isalpha() and a.islower() and len(a) in (2, 3)):
            kind = "iso639-1" if len(code) == 2 else "iso639-2"
            pairs += [(code, concept.uri), (code.upper(), concept.uri),
                      (f"http://id.loc.gov/vocabulary/{kind}/{code}", concept.uri),
                      (f"https://id.loc.gov/vocabulary/{kind}/{code}", concept.uri)]
            if len(code) == 2:
                pairs += [(f"http://lexvo.org/id/iso639-1/{code}", concept.uri), (f"{code}-DE", concept.uri)]
            else:
                pairs.append((f"http://lexvo.org/id/iso639-3/{code}", concept.uri))
    return pairs


def _umlauts_spelled_out(text: str) -> str:
    return text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


def _theme_variants() -> list[tuple[str, str]]:
    pairs = []
    for concept in vocabulary("themes").current():
        pairs += [(form, concept.uri) for form in _http_forms(concept.uri)]
        pairs += [(concept.uri[:-len(concept.code)] + concept.code.lower(), concept.uri),
                  (concept.code, concept.uri), (concept.code.lower(), concept.uri)]
        for label in concept.labels.values():
            pairs.append((label, concept.uri))
    for concept in vocabulary("themes").current():
        for alias in concept.alt_labels:
            # an alias shared by two themes (bildung_wissenschaft) names the first; not a test of one
            if vocabulary("themes").lookup(alias) is not concept:
                continue
            if "://" in alias:  # a URI of another list (INSPIRE)
                pairs += [(form, concept.uri) for form in _http_forms(alias)]
                continue
            pairs += [(alias, concept.uri), (alias.upper(), concept.uri), (_umlauts_spelled_out(alias), concept.uri),
                      (f"https://opendata.stadt.de/id/theme/{quote(alias)}", concept.uri),
                      (f"https://opendata.stadt.de/id/theme/{alias}", concept.uri),
                      (f"https://daten.kreis.de/theme/{alias.replace(' ', '_').lower()}/", concept.uri)]
    return pairs


LICENCES = [
    ("http://dcat-ap.de/def/licenses/dl-by-de/2.0", LIC + "dl-by-de/2.0"),
    ("https://www.dcat-ap.de/def/licenses/dl-by-de/2_0/", LIC + "dl-by-de/2.0"),
    ("https://www.govdata.de/dl-de/by-2-0", LIC + "dl-by-de/2.0"),
    ("dl-de/by-2-0", LIC + "dl-by-de/2.0"), ("dl-de-by-2.0", LIC + "dl-by-de/2.0"),
    ("Datenlizenz Deutschland Namensnennung 2.0", LIC + "dl-by-de/2.0"),
    ("https://www.govdata.de/dl-de/zero-2-0", LIC + "dl-zero-de/2.0"), ("dl-de-zero-2.0", LIC + "dl-zero-de/2.0"),
    ("https://creativecommons.org/licenses/by/4.0/deed.de", LIC + "cc-by/4.0"),
    ("http://creativecommons.org/licenses/by/4.0/legalcode", LIC + "cc-by/4.0"), ("CC-BY-4.0", LIC + "cc-by/4.0"),
    ("Creative Commons Namensnennung 4.0 International", LIC + "cc-by/4.0"),
    ("https://creativecommons.org/publicdomain/zero/1.0/", LIC + "cc-zero"), ("CC0-1.0", LIC + "cc-zero"),
    ("http://opendefinition.org/licenses/odc-odbl/", LIC + "odbl"), ("ODbL-1.0", LIC + "odbl"),
    ("http://dcat-ap.de/def/licenses/cc-by-nc-de/4_0", LIC + "cc-by-nc/4.0"),
    ("Freie Nutzung", LIC + "other-open"), ("amtliches Werk, lizenzfrei nach §5 UrhG", LIC + "officialWork"),
]
FT = EU + "file-type/"
FORMATS = [
    ("CSV", FT + "CSV"), ("csv", FT + "CSV"), (".csv", FT + "CSV"), ("CSV-Datei", FT + "CSV"),
    ("text/csv; charset=utf-8", FT + "CSV"), ("TEXT/CSV", FT + "CSV"), ("text/comma-separated-values", FT + "CSV"),
    ("https://www.iana.org/assignments/media-types/text/csv", FT + "CSV"), (FT + "csv", FT + "CSV"),
    ("Excel", FT + "XLSX"), ("MS Excel", FT + "XLSX"), ("XLSX-Datei", FT + "XLSX"), ("xlsx", FT + "XLSX"),
    ("application/vnd.ms-excel", FT + "XLS"), ("Shapefile", FT + "SHP"), ("ESRI Shapefile", FT + "SHP"),
    ("GeoJSON", FT + "GEOJSON"), ("application/geo+json", FT + "GEOJSON"), ("WMS", FT + "WMS_SRVC"),
    ("WFS", FT + "WFS_SRVC"), ("ZIP-Archiv", FT + "ZIP"), ("application/zip", FT + "ZIP"),
    ("PDF-Dokument", FT + "PDF"), ("pdf", FT + "PDF"),
    ("https://publications.europa.eu/resource/authority/file-type/JSON/", FT + "JSON"),
]

LANGUAGES = _language_variants()
THEMES = _theme_variants()
EU_THEMES = {c.uri for c in vocabulary("themes")}

# --- what else publishers send ------------------------------------------------------------

UNKNOWN_THEME_NAMES = ["Statistik", "Open Data", "Sonstiges", "Wirtschaftsförderung", "Daten & Fakten",
                       "Stadtverwaltung intern", "Zahlen/Fakten", "Q3"]
FREE_LICENCES = ["Nutzungsbedingungen der Stadt Musterstadt", "Es gelten die Nutzungsbedingungen des Amtes",
                 "siehe Impressum"]
OPEN_ENDS = ["9999-12-31", "9999-01-01", "2999-12-31", "0001-01-01", "31.12.9999", "9999-12-31T00:00:00Z"]
REAL_DATES = ["2020-01-01", "1900-01-01", "2024-05-31T14:30:00", "31.12.2023", "2030-12-31", "2024"]
PLACEHOLDER_PUBLICATION_DATES = ["1970-01-01", "1900-01-01T00:00:00", "9999-12-31", "0001-01-01"]
UNUSABLE_URLS = ["siehe Webseite", "daten.csv", "C:\\Daten\\x.csv", "javascript:alert(1)", "mailto:a@b.de",
                 "http://", "TODO"]
USABLE_URLS = ["https://www.stadt.de/daten/a.csv", "http://geo.stadt.de/wms?service=WMS", "www.stadt.de/b.json"]

LETTERS = "abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ0123456789"
words = st.text(alphabet=st.sampled_from(LETTERS), min_size=1, max_size=12)
sentence = st.lists(words, min_size=1, max_size=8).map(" ".join)
address = st.tuples(st.sampled_from(["statistik", "info", "open.data", "poststelle"]),
                    st.sampled_from(["stadt.de", "jena.de", "thueringen.de"])).map("@".join)


@st.composite
def html_description(draw):
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["p", "br", "ul", "ol", "a", "b", "script", "entity", "plain", "div"]))
        text = draw(sentence)
        blocks.append({
            "p": f"<p>{text}</p>", "br": f"{text}<br/>", "ul": f"<ul><li>{text}</li><li>{text}</li></ul>",
            "ol": f"<ol><li>{text}</li></ol>", "a": f'<a href="https://www.stadt.de/{quote(text)}">{text}</a>',
            "b": f"<b>{text}</b> &amp; <i>{text}</i>", "script": f"<script>var x = '{text}';</script>",
            "entity": f"{text} &lt;br&gt; &auml;&#228;&nbsp;&amp;amp;", "plain": text,
            "div": f"<div class='x'><span>{text}</span></div>",
        }[kind])
    return "".join(blocks)


@st.composite
def agent(draw):
    name, mail = draw(sentence), draw(address)
    glued = draw(st.sampled_from(["{n} {m}", "{n} <{m}>", "{n} ({m})", "{n}, E-Mail: {m}", "{n} - mailto:{m}", "{n}"]))
    record = {"name": glued.format(n=name, m=mail)}
    if draw(st.booleans()):
        record["email"] = draw(st.sampled_from([mail, "", "kein-kontakt"]))
    return record


raw_keyword = st.one_of(
    sentence,
    st.text(alphabet=st.sampled_from("ab:/;\"',.- xyzÄ"), min_size=0, max_size=20),
    st.text(alphabet=st.sampled_from("abc de"), min_size=95, max_size=160),
    sentence.map(lambda text: f"{text} &amp; {text}"),
)


@st.composite
def dataset(draw):
    themes = draw(st.lists(st.one_of(st.sampled_from(THEMES),
                                     st.sampled_from(UNKNOWN_THEME_NAMES).map(lambda n: (n, None)),
                                     st.sampled_from(UNKNOWN_THEME_NAMES).map(
                                         lambda n: (f"https://opendata.stadt.de/id/theme/{quote(n)}", None))),
                          max_size=4))
    languages = draw(st.lists(st.sampled_from(LANGUAGES), max_size=3))
    resources = []
    for _ in range(draw(st.integers(0, 3))):
        licence = draw(st.one_of(st.sampled_from(LICENCES),
                                 st.sampled_from(FREE_LICENCES).map(lambda t: (t, None))))
        resource = {"license": licence[0], "url": draw(st.sampled_from(USABLE_URLS + UNUSABLE_URLS)),
                    "description": draw(html_description())}
        expected = {"license": licence[1]}
        if draw(st.booleans()):
            fmt = draw(st.sampled_from(FORMATS))
            resource["format"] = fmt[0]
            expected["format"] = fmt[1]
        else:
            resource["download_url"] = draw(st.sampled_from(["https://x.de/a.csv", "https://x.de/b.xlsx", "daten.pdf"]))
        resources.append((resource, expected))
    record = {
        "title": draw(st.one_of(sentence, st.text(alphabet="Haushalt ", min_size=990, max_size=1100),
                                html_description())),
        "notes": draw(html_description()),
        "theme": [t[0] for t in themes],
        "language": [lang[0] for lang in languages],
        "tags": [{"name": k} for k in draw(st.lists(raw_keyword, max_size=5))],
        "issued": draw(st.sampled_from(REAL_DATES + PLACEHOLDER_PUBLICATION_DATES)),
        "temporal_coverage": [{"start": draw(st.sampled_from(REAL_DATES + OPEN_ENDS)),
                               "end": draw(st.sampled_from(REAL_DATES + OPEN_ENDS))}],
        "contact": [draw(agent())],
        "publisher": [draw(agent())],
        "url": draw(st.sampled_from(USABLE_URLS + UNUSABLE_URLS)),
        "resources": [r for r, _ in resources],
    }
    expected = {"theme": [t[1] for t in themes if t[1]], "language": [lang[1] for lang in languages],
                "resources": [e for _, e in resources]}
    return record, expected


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TAG_LIKE = re.compile(r"<[A-Za-z/!]")


def _finding_values(result) -> set[str]:
    return {u.value for u in result.unmapped}


@SETTINGS
@given(dataset())
def test_known_variants_map_to_their_canonical_uri(generated):
    record, expected = generated
    value = normalize.normalize_dataset(record).value
    assert value.get("theme", []) == list(dict.fromkeys(expected["theme"]))
    assert (value.get("language") or []) == expected["language"]
    for resource, wanted in zip(value["resources"], expected["resources"]):
        if wanted["license"]:
            assert resource["license"] == wanted["license"]
        if "format" in wanted:
            assert resource["format"] == wanted["format"]


@SETTINGS
@given(dataset())
def test_normalising_is_idempotent(generated):
    record, _ = generated
    first = normalize.normalize_dataset(record)
    second = normalize.normalize_dataset(first.value)
    assert second.value == first.value
    earlier = {(u.kind, u.value, u.message) for u in first.unmapped}
    new = {(u.kind, u.value, u.message) for u in second.unmapped if u.kind in ("unmapped", "cleaned")} - earlier
    assert not new


@SETTINGS
@given(dataset())
def test_no_value_is_lost_silently(generated):
    record, _ = generated
    result = normalize.normalize_dataset(record)
    value, reported = result.value, _finding_values(result)

    def accounted(raw, kept, mapped=None):
        """`raw` is in the result as sent, or as `mapped` (its canonical form), or in a finding."""
        assert raw in kept or (mapped is not None and mapped in kept) or raw in reported, raw

    themes_and_tags = set(value.get("theme", [])) | {t["name"] for t in value.get("tags", [])}
    for raw in record["theme"]:
        accounted(raw, themes_and_tags, normalize.theme(raw))
    for raw in record["language"]:
        accounted(raw, set(value.get("language") or []), normalize.language(raw))
    names = {t["name"] for t in value.get("tags", [])}
    for tag in record["tags"]:
        accounted(tag["name"], names)
    for key in ("title", "notes"):
        accounted(record[key], {value.get(key)})
    accounted(record["issued"], {value.get("issued")}, normalize.date(record["issued"]))
    period = (value.get("temporal_coverage") or [{}])[0]
    for side in ("start", "end"):
        raw = record["temporal_coverage"][0][side]
        accounted(raw, {period.get(side)}, normalize.date(raw))
    for key in ("contact", "publisher"):
        sent, kept = record[key][0], value[key][0]
        accounted(sent["name"], {kept.get("name")})
        if sent.get("email"):
            accounted(sent["email"], {kept.get("email")})
    accounted(record["url"], {value.get("url")}, normalize.http_url(record["url"]))
    for sent, kept in zip(record["resources"], value["resources"]):
        accounted(sent["url"], {kept.get("url")}, normalize.http_url(sent["url"]))
        accounted(sent["description"], {kept.get("description")})
        accounted(sent["license"], {kept.get("license")}, normalize.licence(sent["license"]))


@SETTINGS
@given(dataset())
def test_themes_are_eu_themes_tags_pass_ckan_and_no_html_remains(generated):
    record, _ = generated
    value = normalize.normalize_dataset(record).value
    assert set(value.get("theme", [])) <= EU_THEMES
    for tag in value.get("tags", []):
        assert tag_name_validator(tag["name"], {}) == tag["name"]
        assert tag_length_validator(tag["name"], {}) == tag["name"]
    assert not TAG_LIKE.search(value["notes"]), value["notes"]
    for resource in value["resources"]:
        assert not TAG_LIKE.search(resource["description"]), resource["description"]
    assert len(value["title"]) <= normalize.MAX_TITLE_LENGTH and not TAG_LIKE.search(value["title"])
    for period in value.get("temporal_coverage", []):
        assert period.get("start") or period.get("end")
        assert not any(normalize.is_open_end(period[side]) for side in ("start", "end") if side in period)
    for key in ("url",):
        assert key not in value or normalize.http_url(value[key]) == value[key]
    for resource in value["resources"]:
        assert resource["url"] == "" or normalize.http_url(resource["url"]) == resource["url"]


@SETTINGS
@given(st.lists(raw_keyword, max_size=8))
def test_every_keyword_is_kept_cleaned_or_reported(keywords):
    result = normalize.normalize_dataset({"tags": [{"name": k} for k in keywords]})
    names = [t["name"] for t in result.value["tags"]]
    assert len(names) == len(set(names))
    for keyword in keywords:
        assert keyword in names or keyword in _finding_values(result)
