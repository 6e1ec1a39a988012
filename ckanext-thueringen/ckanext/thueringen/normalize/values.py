"""Raw metadata values, as German publishers really send them, mapped to the
portal's vocabulary URIs and canonical forms.

One small function per rule (`licence`, `file_type`, `date`, `email`, ...): each
takes a raw value and returns the canonical value, or None when it cannot map it.
`normalize_dataset` applies them to a CKAN dataset dict (the portal schema's field
names, schemas/dataset.yaml) and returns a new dict plus every value it could not
map: such a value stays in the dict exactly as it was sent and is reported as an
`Unmapped` entry with a German message, so that nothing is dropped silently.

Pure: no database, no CKAN configuration, no network. What a value may be called
(codes, old URIs, licence ids of other portals) is data in the vocabulary files
(schemas/vocabularies, read through ckanext.thueringen.vocabularies); this module
holds only the rules that apply to every value of a kind (http or https, "www.",
a trailing slash, a leading dot, media-type parameters, date layouts).
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from datetime import date as _date, datetime
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

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


def _lookup(name: str, value: Any, also: Iterable[str | None] = (), code_first: bool = False) -> str | None:
    """The URI of the concept of vocabulary `name` that `value` names: by URI (in any
    of its http/https/www/slash forms), code, label or alternative label, then by the
    other spellings in `also`; a URI in the vocabulary's own namespace whose last part
    is not a concept is looked up by that part ("…/language/ger"). `code_first`: a
    concept whose code matches wins over one that only has the value as alt label."""
    vocabulary = _vocabulary(name)
    text = _text(value)
    if vocabulary is None or not text:
        return None
    candidates = [*_uri_forms(text), *(a for a in also if a)]
    namespace = vocabulary.scheme.rstrip("/#") + "/"
    candidates += [c[len(namespace):] for c in candidates if c.lower().startswith(namespace.lower())]
    finders: tuple[Callable[[str], Concept | None], ...] = (vocabulary.lookup,)
    if code_first:
        finders = (vocabulary.by_code, vocabulary.lookup)
    for find in finders:
        for candidate in candidates:
            concept = find(candidate)
            if concept is not None:
                return concept.uri
    return None


def licence(value: Any) -> str | None:
    """DCAT-AP.de licence URI, also from 1.0 URIs, OGD/CKAN ids and SPDX ids."""
    return _lookup("licenses", value)


def theme(value: Any) -> str | None:
    """EU data-theme URI, from the URI, the code ("ECON") or a label."""
    return _lookup("themes", value)


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


def file_type(value: Any) -> str | None:
    """EU file-type URI from a name ("CSV", "csv"), a file ending (".csv"), a media
    type ("text/csv; charset=utf-8", IANA URI) or the URI; a code beats an alias,
    so "json" is JSON, not GEOJSON."""
    text = _text(value)
    return _lookup("filetypes", text, also=(text.lstrip("."), _media_type_name(text)), code_first=True)


def language(value: Any) -> str | None:
    """EU language URI from the URI, the code ("DEU"), ISO codes or a label."""
    return _lookup("languages", value)


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


# --- whole datasets ---------------------------------------------------------

@dataclass(frozen=True)
class _Rule:
    normalise: Callable[[Any], str | None]
    message: str                  # German, with {value}
    vocabulary: str | None = None

    def explain(self, value: Any) -> str:
        if self.vocabulary and _vocabulary(self.vocabulary) is None:
            return (f"'{value}' wurde nicht geprüft: das Vokabular '{self.vocabulary}' "
                    "ist im Portal noch nicht vorhanden")
        return self.message.format(value=value)


def _listed(what: str, where: str, function: Callable[[Any], str | None], name: str) -> _Rule:
    return _Rule(function, f"{what} '{{value}}' steht nicht in {where}", name)


_URI = _Rule(uri, "'{value}' ist keine gültige URI (erwartet eine absolute Adresse wie https://…)")
_DATE = _Rule(date, "'{value}' ist kein gültiges Datum (erwartet ISO 8601 wie 2024-12-31 "
                    "oder 2024-12-31T14:30:00, oder TT.MM.JJJJ)")
def email_address(value: Any) -> str | None:
    """The bare address ("x@y") from whatever email() reads: CKAN stores contact
    addresses bare (ckanext-dcat writes vcard:hasEmail <mailto:…> on export)."""
    found = email(value)
    return found[len("mailto:"):] if found else None


_EMAIL_RULE = _Rule(email_address, "'{value}' ist keine gültige E-Mail-Adresse")
_LICENCE = _listed("Lizenz", "der DCAT-AP.de-Lizenzliste", licence, "licenses")
_LANGUAGE = _listed("Sprache", "der EU-Sprachliste (language)", language, "languages")
_AVAILABILITY = _listed("Geplante Verfügbarkeit", "der EU-Liste planned-availability", availability,
                        "availability")
_PUBLISHER_TYPE = _listed("Art der Stelle", "der ADMS-Liste publishertype", publisher_type, "publisher_types")
_AGENT = {"email": _EMAIL_RULE, "uri": _URI, "url": _URI, "type": _PUBLISHER_TYPE}

# field -> rule, or (for lists of objects such as contact) sub-field -> rule.
# A field's value may be one value, a list or a JSON-encoded list; what comes
# back is a list unless there is exactly one value in a field meant for one.
_MANY = {"theme", "language", "hvd_category", "contributor_id", "conforms_to", "applicable_legislation"}
_DATASET_FIELDS: dict[str, _Rule | dict[str, _Rule]] = {
    "license_id": _LICENCE,
    "theme": _listed("Kategorie", "der EU-Themenliste (data-theme)", theme, "themes"),
    "language": _LANGUAGE,
    "frequency": _listed("Aktualisierungsintervall", "der EU-Liste frequency", frequency, "frequencies"),
    "access_rights": _listed("Zugriffsrecht", "der EU-Liste access-right", access_right, "access_rights"),
    "availability": _AVAILABILITY,
    "hvd_category": _listed("HVD-Kategorie", "der EU-Liste der hochwertigen Datensätze", hvd_category,
                            "hvd_categories"),
    "political_geocoding_level_uri": _listed("Geokodierungsebene", "der DCAT-AP.de-Liste politicalGeocoding/Level",
                                             geocoding_level, "geocoding_levels"),
    "contributor_id": _Rule(contributor, "Kennung der bereitstellenden Stelle '{value}' ist keine gültige URI"),
    "issued": _DATE,
    "modified": _DATE,
    "conforms_to": _Rule(conformance, _URI.message),
    "applicable_legislation": _URI,
    "spatial_coverage": {"uri": _Rule(spatial, "Raumbezug '{value}' ist weder ein Thüringer Gebiet der "
                                               "politischen Geokodierung noch eine andere gültige URI", "regions")},
    "temporal_coverage": {"start": _DATE, "end": _DATE},
    "contact": _AGENT,
    "publisher": _AGENT,
    "creator": _AGENT,
}
_RESOURCE_FIELDS: dict[str, _Rule | dict[str, _Rule]] = {
    "format": _listed("Format", "der EU-Dateitypliste (file-type)", file_type, "filetypes"),
    "mimetype": _Rule(media_type, "'{value}' ist kein Medientyp der Form typ/untertyp (IANA)"),
    "license": _LICENCE,
    "issued": _DATE,
    "modified": _DATE,
    "language": _LANGUAGE,
    "availability": _AVAILABILITY,
    "status": _listed("Status", "der EU-Liste distribution-status", distribution_status, "distribution_status"),
    "access_url": _URI,
    "download_url": _URI,
    "hash_algorithm": _Rule(hash_algorithm, "Prüfsummenverfahren '{value}' ist weder ein SPDX-Verfahren "
                                            "noch aus der DCAT-AP.de-Liste hashAlgorithms"),
    "conforms_to": _DATASET_FIELDS["conforms_to"],
    "applicable_legislation": _URI,
}


def _as_list(value: Any) -> list:
    """A field's values: from a list, one value, or a JSON-encoded list (CKAN keeps
    multi-valued scheming fields as JSON text); empty values left out."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    values = value if isinstance(value, (list, tuple)) else [value]
    return [v for v in values if v not in (None, "") and not (isinstance(v, str) and not v.strip())]


def _apply(rule: _Rule, value: Any, where: str, unmapped: list[Unmapped]) -> Any:
    if isinstance(value, (dict, list)):
        unmapped.append(Unmapped(where, json.dumps(value, ensure_ascii=False),
                                 "Feld erwartet einen einzelnen Wert, keine Liste und kein Objekt"))
        return value
    result = rule.normalise(value)
    if result is None:
        unmapped.append(Unmapped(where, str(value), rule.explain(value)))
        return value
    return result


def _normalise_record(record: dict, fields: dict[str, _Rule | dict[str, _Rule]], prefix: str,
                      unmapped: list[Unmapped]) -> None:
    """Normalise `record`'s fields in place (it is the caller's copy)."""
    for name, rule in fields.items():
        values = _as_list(record.get(name))
        if not values:
            continue
        if isinstance(rule, dict):  # a list of objects (contact, temporal_coverage, ...)
            for index, item in enumerate(values):
                if isinstance(item, dict):
                    _normalise_record(item, rule, f"{prefix}{name}[{index}].", unmapped)
                else:
                    unmapped.append(Unmapped(f"{prefix}{name}[{index}]", str(item), "Feld erwartet Objekte mit "
                                             "Unterfeldern (z. B. name, email), keinen einzelnen Wert"))
            record[name] = values
            continue
        results = [_apply(rule, value, prefix + name, unmapped) for value in values]
        record[name] = results if name in _MANY or len(results) != 1 else results[0]


def field_value(field: str, value: Any, resource: bool = False) -> Any:
    """One field's value normalised as normalize_dataset() does it (for the form
    and the API: "CSV" becomes the EU file-type URI); what cannot be mapped comes
    back unchanged. Fields of objects (contact, ...) are not handled here."""
    rule = (_RESOURCE_FIELDS if resource else _DATASET_FIELDS).get(field)
    values = _as_list(value)
    if not isinstance(rule, _Rule) or not values:
        return value
    results = [_apply(rule, item, field, []) for item in values]
    return results if field in _MANY or len(results) != 1 else results[0]


def normalize_dataset(data: dict) -> Normalized:
    """A normalised copy of the CKAN dataset dict `data` (left untouched), with
    every value that could not be mapped kept as sent and listed in `unmapped`."""
    result = copy.deepcopy(data)
    unmapped: list[Unmapped] = []
    _normalise_record(result, _DATASET_FIELDS, "", unmapped)
    resources = result.get("resources")
    for index, resource in enumerate(resources if isinstance(resources, list) else []):
        if isinstance(resource, dict):
            _normalise_record(resource, _RESOURCE_FIELDS, f"resources[{index}].", unmapped)
    return Normalized(result, unmapped)
