"""Generated metadata as German publishers really send it: every spelling of
languages, themes, licences and formats the vocabularies know, mixed with HTML
descriptions, placeholder dates, glued e-mail addresses, keywords CKAN refuses
and unusable addresses. Hypothesis strategies shared by the normaliser's
property tests (tests/unit/test_normalize_properties.py) and the harvest of
generated catalogues on the real stack (tests/test_harvest_generated.py).

`dataset()` draws (record, expected): a CKAN dataset dict with raw values and
the canonical URIs the known variants must map to.
"""
from __future__ import annotations

from urllib.parse import quote

from hypothesis import strategies as st

from ckanext.thueringen.vocabularies import vocabulary

EU = "http://publications.europa.eu/resource/authority/"
LIC = "http://dcat-ap.de/def/licenses/"

# --- known variants: (as sent, canonical URI) ----------------------------------------------


def _http_forms(uri: str) -> list[str]:
    rest = uri.split("://", 1)[1]
    return [f"{scheme}://{rest}{slash}" for scheme in ("http", "https") for slash in ("", "/")]


def _language_variants() -> list[tuple[str, str]]:
    """The hand-written list's languages by URI, code, names and ISO codes; the
    ISO 639-3 table's by URI and codes only (its names are not unique: "Ari" is
    one language's name and another's code)."""
    pairs = []
    for concept in vocabulary("languages"):
        pairs += [(form, concept.uri) for form in _http_forms(concept.uri)]
        pairs.append((concept.code, concept.uri))
        if concept.offered:
            pairs += [(concept.label("de"), concept.uri), (concept.label("en"), concept.uri),
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
