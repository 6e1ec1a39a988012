"""One value at a time: a raw value as publishers send it, mapped to the
portal's vocabulary URI or canonical form, or None when it cannot be mapped.

What a value may be called (codes, old URIs, names, other code lists) is data in
the vocabulary files (schemas/vocabularies, read through
ckanext.thueringen.vocabularies); here are only the rules that apply to every
value of a kind: http or https, "www.", a trailing slash, a leading dot,
media-type parameters, locale tags, Creative Commons page suffixes, the last
part of another portal's theme URI, date layouts.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date as _date
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from ckanext.thueringen import vocabularies
from ckanext.thueringen.vocabularies import Concept, Vocabulary

DCATDE_NAMESPACE = "http://dcat-ap.de/def/dcatde/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Unmapped:
    field: str     # e.g. "license_id", "resources[2].format", "contact[0].email"
    value: str     # the raw value, unchanged
    message: str   # German: what could not be mapped and why


@dataclass
class Normalized:
    value: Any
    unmapped: list[Unmapped] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


# --- URIs -------------------------------------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")  # not "C:" of a Windows path
_HTTP_FORMS = re.compile(r"https?://(?:www\.)?(?P<rest>.*?)/?", re.IGNORECASE)
_DCATDE_HOST = re.compile(r"https?://(?:www\.)?dcat-ap\.de/", re.IGNORECASE)
_DCATDE_VERSIONED = re.compile(r"https?://(?:www\.)?dcat-ap\.de/def/dcatde(?:/(?:1\.0|1\.0\.1|1\.1|2\.0))?(?:/|$)",
                               re.IGNORECASE)
_POLITICAL_GEOCODING = re.compile(r"https?://(?:www\.)?dcat-ap\.de/def/politicalGeocoding/", re.IGNORECASE)


def uri(value: Any) -> str | None:
    """An absolute URI: stripped, "www.example.org/x" and "//example.org/x" given
    https, spaces inside encoded; None for anything that is not absolute."""
    text = _text(value)
    if text.startswith("//"):
        text = "https:" + text
    elif text[:4].lower() == "www.":
        text = "https://" + text
    text = re.sub(r"\s+", "%20", text)
    if not _SCHEME.match(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. a broken IPv6 host
        return None
    if parts.scheme.lower() in ("http", "https", "ftp") and not parts.hostname:
        return None
    if not (parts.netloc or parts.path):
        return None
    return parts.scheme.lower() + text[len(parts.scheme):]


def _uri_forms(text: str) -> list[str]:
    """`text` and, for an http(s) URI, the same URI with the other scheme, with and
    without "www." and with and without a trailing slash: publishers mix them."""
    match = _HTTP_FORMS.fullmatch(text)
    if not match:
        return [text]
    rest = match.group("rest")
    forms = [text] + [f"{scheme}{www}{rest}{slash}" for scheme in ("http://", "https://")
                      for www in ("", "www.") for slash in ("", "/")]
    return list(dict.fromkeys(forms))


def _dcatde_host(text: str) -> str:
    """dcat-ap.de URIs with the host the DCAT-AP.de lists use: http://dcat-ap.de/."""
    return _DCATDE_HOST.sub("http://dcat-ap.de/", text, count=1)


def dcatde_namespace(value: Any) -> str | None:
    """The DCAT-AP.de namespace (or a term in it) in its canonical form
    http://dcat-ap.de/def/dcatde/, from the versioned and https/www forms
    (…/dcatde/1.0/, 1.0.1, 1.1, 2.0). Any other URI comes back unchanged
    (stripped), so that a whole graph can be passed through it; None only
    for an empty value."""
    text = _text(value)
    match = _DCATDE_VERSIONED.match(text)
    if match:
        return DCATDE_NAMESPACE + text[match.end():]
    return text or None


# --- vocabulary lookups -----------------------------------------------------

def _vocabulary(name: str) -> Vocabulary | None:
    """The named vocabulary, or None while the portal does not have it yet."""
    try:
        return vocabularies.vocabulary(name)
    except KeyError:
        return None


_BRACKETED = re.compile(r"(.+?)\s*[(\[]\s*([^()\[\]]+?)\s*[)\]]")


def _lookup(name: str, value: Any, also: Iterable[str | None] = (), code_first: bool = False) -> str | None:
    """The URI of the concept of vocabulary `name` that `value` names: by URI (in any
    of its http/https/www/slash forms), code, label or alternative label, then by the
    other spellings in `also`; a URI in the vocabulary's own namespace, or in one of
    its alias namespaces (other code lists, schemas/vocabularies), is looked up by
    the rest ("…/language/ger", "http://id.loc.gov/vocabulary/iso639-1/de").
    `code_first`: a concept whose code matches wins over one that only has the
    value as alt label. "Name (code)" is tried as a whole, as "Name" and as
    "code". Last, names are compared loosely (vocabularies.fold: case,
    umlauts, punctuation, "und")."""
    vocabulary = _vocabulary(name)
    text = _text(value)
    if vocabulary is None or not text:
        return None
    candidates = [*_uri_forms(text), *(form for a in also if a for form in _uri_forms(a))]
    bracketed = _BRACKETED.fullmatch(text)
    if bracketed and "://" not in text:  # "Deutsch (de)", "Datenlizenz … (dl-de/by-2-0)"
        candidates += [bracketed.group(1), bracketed.group(2)]
    namespaces = [vocabulary.scheme.rstrip("/#") + "/", *vocabulary.alias_namespaces]
    for namespace in namespaces:
        for form in _uri_forms(namespace.rstrip("/")):
            prefix = form.rstrip("/").lower() + "/"
            candidates += [c[len(prefix):] for c in list(candidates)
                           if c.lower().startswith(prefix) and len(c) > len(prefix)]
    candidates = list(dict.fromkeys(candidates))
    finders: tuple[Callable[[str], Concept | None], ...] = (vocabulary.lookup,)
    if code_first:
        finders = (vocabulary.by_code, vocabulary.lookup)
    for find in finders:
        for candidate in candidates:
            concept = find(candidate)
            if concept is not None:
                return concept.uri
    for candidate in candidates:
        if "://" not in candidate:
            concept = vocabulary.by_folded_label(candidate)
            if concept is not None:
                return concept.uri
    return None


def last_segment(value: Any) -> str:
    """The readable name at the end of a URI: its fragment or last path part,
    percent-decoded, "_" as a space ("…/theme/Politik%20und%20Wahlen" is
    "Politik und Wahlen"); a value that is no http(s) URI comes back stripped."""
    text = _text(value)
    if not re.match(r"https?://", text, re.IGNORECASE):
        return text
    parts = urlsplit(text)
    name = parts.fragment or parts.path.rstrip("/").rsplit("/", 1)[-1]
    return " ".join(unquote(name.replace("+", " ")).replace("_", " ").split())


_CC_PAGE = re.compile(r"(https?://(?:www\.)?creativecommons\.org/(?:licenses|publicdomain)/.*?)"
                      r"/?(?:deed(?:\.[A-Za-z_-]+)?|legalcode(?:\.[A-Za-z_-]+)?)?/?$", re.IGNORECASE)
_UNDERSCORE_VERSION = re.compile(r"(?<=\d)_(?=\d)")


def licence(value: Any) -> str | None:
    """DCAT-AP.de licence URI, also from 1.0 URIs (versions written "4_0"),
    OGD/CKAN ids, SPDX ids, names, and the licence texts' URLs (Creative Commons
    with /deed.de or /legalcode, opendefinition.org, govdata.de/dl-de/...)."""
    text = _text(value)
    also = []
    page = _CC_PAGE.match(text)
    if page:
        also.append(page.group(1) + "/")
    if _DCATDE_HOST.match(text):
        also.append(_UNDERSCORE_VERSION.sub(".", text))
    return _lookup("licenses", text, also=also)


def theme(value: Any) -> str | None:
    """EU data-theme URI, from the URI in any spelling (http/https, a trailing
    slash, the code in lower case), the code ("ECON"), a label or alias in German
    or English, an old GovData/OGD category, or another portal's own theme URI
    by its last part ("https://opendata.stadt.de/id/theme/Bev%C3%B6lkerung")."""
    text = _text(value)
    return _lookup("themes", text) or (_lookup("themes", last_segment(text)) if "://" in text else None)


def _media_type_name(value: Any) -> str | None:
    """"type/subtype" from a media type (parameters dropped) or an IANA URI."""
    text = _text(value)
    match = re.fullmatch(r"https?://(?:www\.)?iana\.org/assignments/media-types/(.+?)/?", text, re.IGNORECASE)
    name = (match.group(1) if match else text).split(";", 1)[0].strip().lower()
    top_level = "application|audio|example|font|haptics|image|message|model|multipart|text|video"
    return name if re.fullmatch(rf"(?:{top_level})/[a-z0-9][a-z0-9!#$&^_.+-]{{0,126}}", name) else None


def media_type(value: Any) -> str | None:
    """IANA media-type URI https://www.iana.org/assignments/media-types/<type>/<subtype>
    from "text/csv", "text/csv; charset=utf-8" or an IANA URI in any form."""
    name = _media_type_name(value)
    return IANA_MEDIA_TYPES + name if name else None


_VERSION = re.compile(r"\s+(?:v(?:ersion)?\s*)?\d+(?:\.\d+)*$", re.IGNORECASE)   # "WMS 1.3.0"
_FILE_WORD = re.compile(r"[\s_-]*\b(?:datei|dokument|archiv|format|file|document|archive)$", re.IGNORECASE)


def file_type(value: Any) -> str | None:
    """EU file-type URI from a name ("CSV", "csv", "MS Excel", "CSV-Datei",
    "WMS 1.3.0", "CSV (UTF-8)"), a
    file ending with or without its dot ("jpg", ".csv"), a media type
    ("text/csv; charset=utf-8", IANA URI) or the URI in any spelling; a code
    beats an alias, so "json" is JSON, not GEOJSON."""
    text = _text(value)
    bare = text.lstrip(".")
    plain = _FILE_WORD.sub("", text).strip()
    unversioned = _VERSION.sub("", text)
    return _lookup("filetypes", text, also=(bare, "." + bare if bare else None, _media_type_name(text),
                                            plain if plain != text else None,
                                            unversioned if unversioned != text else None), code_first=True)


def file_type_of_url(value: Any) -> str | None:
    """EU file-type URI from the ending of the file an http(s) URL names
    (".../haushalt_2024.csv?download=1" is CSV); None without a known ending."""
    text = _text(value)
    if not re.match(r"(?:https?|ftp)://", text, re.IGNORECASE):
        return None
    try:
        name = unquote(urlsplit(text).path.rstrip("/").rsplit("/", 1)[-1])
    except ValueError:
        return None
    if "." not in name.strip("."):
        return None
    ending = "." + name.rsplit(".", 1)[-1]
    return _lookup("filetypes", ending, code_first=True) if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", ending) else None


_LOCALE = re.compile(r"([A-Za-z]{2,3})[-_](?:[A-Za-z]{4}[-_])?(?:[A-Za-z]{2}|\d{3})")


def language(value: Any) -> str | None:
    """EU language URI from the URI (http or https), the authority code ("DEU"),
    an ISO 639-1/-2/B/-2/T/-3 code, a URI of the Library of Congress's or lexvo's
    ISO 639 lists, a locale tag ("de-DE", "de_AT": the language counts) or a
    German or English name ("Deutsch", "German", "deutsch", "Englisch")."""
    text = _text(value)
    locale = _LOCALE.fullmatch(text)
    return _lookup("languages", text, also=(locale.group(1) if locale else None,))


def frequency(value: Any) -> str | None:
    """EU frequency URI ("ANNUAL", "jährlich", the URI)."""
    return _lookup("frequencies", value)


def access_right(value: Any) -> str | None:
    """EU access-right URI ("PUBLIC", "public", "öffentlich", the URI)."""
    return _lookup("access_rights", value)


def availability(value: Any) -> str | None:
    """Planned-availability URI, also from the DCAT-AP.de 1.x dcatde:plannedAvailability URIs."""
    return _lookup("availability", value)


def geocoding_level(value: Any) -> str | None:
    """DCAT-AP.de political-geocoding level URI ("state", "municipality", the URI)."""
    return _lookup("geocoding_levels", value)


def hvd_category(value: Any) -> str | None:
    """EU high-value-dataset category URI."""
    return _lookup("hvd_categories", value)


def distribution_status(value: Any) -> str | None:
    """EU distribution-status URI, also from the ADMS status URIs (…/adms/status/Completed)."""
    return _lookup("distribution_status", value)


def publisher_type(value: Any) -> str | None:
    """ADMS publisher-type URI ("LocalAuthority", the URI)."""
    return _lookup("publisher_types", value)


def region(value: Any) -> str | None:
    """URI of a Thüringen area in the political geocoding of DCAT-AP.de, from its URI
    (also https/www forms), its plain key ("16", "16053", "160530000000", the 8-digit
    AGS "16053000") or a geocoding URI of another kind that carries such a key
    (the 1.0 municipalityKey/16053000)."""
    text = _text(value)
    key = text.rstrip("/").rsplit("/", 1)[-1] if _POLITICAL_GEOCODING.match(text) else None
    if _POLITICAL_GEOCODING.match(text) and not (key or "").isdigit():
        return None  # a geocoding URI names its area by a key, never by a name
    return _lookup("regions", text, also=(key,))


def contributor(value: Any) -> str | None:
    """A dcatde:contributorID: the URI of GovData's contributor list when it names
    one (the vocabulary, where the portal has it), else the URI itself; dcat-ap.de
    URIs in their http://dcat-ap.de/ form."""
    text = uri(value)
    if text is None:
        return None
    return _lookup("contributors", text) or _dcatde_host(text)


def conformance(value: Any) -> str | None:
    """A dct:conformsTo URI; any form of the DCAT-AP.de namespace becomes its canonical form."""
    return uri(dcatde_namespace(value))


_GEOCODING_KEY = re.compile(
    r"https?://(?:www\.)?dcat-ap\.de/def/politicalGeocoding/"
    r"(?:stateKey|districtKey|governmentDistrictKey|regionalKey|municipalityKey|municipalAssociationKey)/\d+/?$",
    re.IGNORECASE)


def spatial(value: Any) -> str | None:
    """A spatial-coverage URI: a Thüringen area (from any form region() reads);
    a well-formed political-geocoding URI of another state, in its http://dcat-ap.de/
    form (valid, only not in the portal's region list); other URIs (GeoNames, ...)
    as they are. A malformed political-geocoding URI is not mapped."""
    text = _text(value)
    found = region(text)
    if found:
        return found
    if _POLITICAL_GEOCODING.match(text):
        return _dcatde_host(text).rstrip("/") if _GEOCODING_KEY.match(text) else None
    return uri(text)


SPDX_CHECKSUM = "http://spdx.org/rdf/terms#checksumAlgorithm_"
_HASH_NAME = re.compile(r"(?:.*/hashAlgorithms/)?(md|sha)[-_/ ]?(\d+)/?$", re.IGNORECASE)


def hash_algorithm(value: Any) -> str | None:
    """SPDX checksum-algorithm URI (what DCAT-AP 3 uses) from the SPDX URI, the
    deprecated DCAT-AP.de list (…/hashAlgorithms/sha/256) or a name ("SHA-256", "md5")."""
    text = _text(value)
    if text.startswith(SPDX_CHECKSUM):
        return text
    match = _HASH_NAME.match(text.rsplit("#checksumAlgorithm_", 1)[-1])
    if not match:
        return None
    return f"{SPDX_CHECKSUM}{match.group(1).lower()}{match.group(2)}"


# --- dates ------------------------------------------------------------------

_ISO_DATE = re.compile(r"""
    (?P<year>\d{4})
    (?:-(?P<month>\d{2})
      (?:-(?P<day>\d{2})
        (?:(?:T|\s+(?:(?P<zone_before>GMT|UTC)\s+)?)
          (?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>[.,]\d+)?)?
        )?
      )?
    )?
    \s*(?P<zone>Z|[+-]\d{2}:?\d{2}|GMT|UTC)?""", re.VERBOSE | re.IGNORECASE)
_GERMAN_DATE = re.compile(r"""
    (?P<day>\d{1,2})\.\s?(?P<month>\d{1,2})\.\s?(?P<year>\d{4})
    (?:,?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s*Uhr)?)?""", re.VERBOSE)
_MONTH_YEAR = re.compile(r"(?P<month>\d{1,2})[./](?P<year>\d{4})")


def _zone(text: str | None) -> str | None:
    """"Z" or "+hh:mm"; None for an impossible offset."""
    if not text or text.upper() in ("Z", "GMT", "UTC"):
        return "Z" if text else ""
    hours, minutes = int(text[1:3]), int(text[-2:])
    return f"{text[0]}{hours:02d}:{minutes:02d}" if hours <= 14 and minutes < 60 else None


def _iso(parts: dict[str, str | None]) -> str | None:
    """ISO 8601 text at the precision the parts have; None for an impossible date."""
    number = {k: int(v) for k, v in parts.items() if v and k not in ("fraction", "zone", "zone_before")}
    zone = _zone(parts.get("zone") or parts.get("zone_before"))
    try:
        datetime(number["year"], number.get("month", 1), number.get("day", 1),
                 number.get("hour", 0), number.get("minute", 0), number.get("second", 0))
    except ValueError:
        return None
    if zone is None:
        return None
    text = f"{number['year']:04d}"
    if "month" in number:
        text += f"-{number['month']:02d}"
    if "day" in number:
        text += f"-{number['day']:02d}"
    if "hour" in number:
        fraction = (parts.get("fraction") or "").replace(",", ".")
        text += f"T{number['hour']:02d}:{number['minute']:02d}:{number.get('second', 0):02d}{fraction}"
    return text + zone


def date(value: Any) -> str | None:
    """ISO 8601 text of a date at its own precision: xsd date, dateTime (with or
    without zone and fractions), gYear "2024", gYearMonth "2024-05", and the
    unambiguous German forms "31.12.2024", "1.1.2024", "31.12.2024 14:30",
    "12/2024", "12.2024". None for anything else, an impossible date
    ("31.02.2024", "2024-13-01") or an ambiguous one ("01/02/2024")."""
    if isinstance(value, (datetime, _date)):
        return value.isoformat()
    text = _text(value)
    for pattern in (_ISO_DATE, _GERMAN_DATE, _MONTH_YEAR):
        match = pattern.fullmatch(text)
        if match:
            return _iso(match.groupdict())
    return None


# --- e-mail -----------------------------------------------------------------

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}")


def email(value: Any) -> str | None:
    """"mailto:x@y" from "x@y", "mailto:x@y", "MAILTO:x@y", " x@y "; None if invalid.
    Also from the URL an RDF parser makes of `vcard:hasEmail rdf:resource="x@y"` by
    resolving it against the document's address (Bremen's catalogue):
    "https://www.transparenz.bremen.de/de/x@y" is x@y."""
    text = _text(value)
    if text[:7].lower() == "mailto:":
        text = text[7:].strip()
    resolved = re.fullmatch(r"(?:https?|file)://[^?#]*/([^/?#]+@[^/?#]+)", text, re.IGNORECASE)
    if resolved:
        text = resolved.group(1)
    return f"mailto:{text}" if _EMAIL.fullmatch(text) else None



def email_address(value: Any) -> str | None:
    """The bare address ("x@y") from whatever email() reads: CKAN stores contact
    addresses bare (ckanext-dcat writes vcard:hasEmail <mailto:…> on export)."""
    found = email(value)
    return found[len("mailto:"):] if found else None


_EMAIL_INSIDE = re.compile(r"(?:mailto:)?(" + _EMAIL.pattern + r")", re.IGNORECASE)


def emails_in(value: Any) -> list[str]:
    """Every e-mail address inside a text ("Amt für Statistik statistik@stadt.de",
    "Name <a@b.de>"), bare, in order."""
    return [m.group(1) for m in _EMAIL_INSIDE.finditer(_text(value))]


# --- addresses ----------------------------------------------------------------

def http_url(value: Any) -> str | None:
    """An absolute http(s) URL as uri() makes it ("www.x.de" gets https); None
    for anything else: a relative path, "siehe Webseite", a mailto: or urn: URI,
    and ftp, which the portal neither fetches nor links (its one outbound path
    and the schema's address fields take http(s) only: docs/security.md)."""
    found = uri(value)
    return found if found and re.match(r"https?://", found, re.IGNORECASE) else None


# --- placeholder dates ----------------------------------------------------------------

def is_open_end(iso: str) -> bool:
    """A date that stands for "no date" rather than a day, for the start or end of a
    period: years from 2900 on (9999-12-31, 2999-12-31: "open end" in databases
    and GIS exports) and before 1000 (0001-01-01: a .NET/SQL minimum date). No real
    period of public data reaches so far; 1900-01-01 is not one of them here,
    because statistics series really start in 1900."""
    year = int(iso[:4]) if iso[:4].isdigit() else None
    return year is not None and (year >= 2900 or year < 1000)


def is_placeholder_date(iso: str) -> bool:
    """A publication or modification date that is a system's default, not a day a
    dataset was published or changed: the open ends above, 1900-01-01 (the zero
    date of Excel and SQL Server) and 1970-01-01 (the Unix epoch), at midnight or
    without a time. No dataset of an open-data catalogue was published that day."""
    if is_open_end(iso):
        return True
    day, _, time = iso.partition("T")
    return day in ("1900-01-01", "1970-01-01") and (not time or time.startswith("00:00:00"))
