"""A dataset of another CKAN, as its Action API gives it, mapped into the portal schema.

`map_ckan_dataset(source_dataset, source_url)` takes one result of `package_show`
or `package_search` (API v3, CKAN 2.2 … 2.12) and returns a
`normalize.Normalized`: a dataset dict with the field names of the portal schema
(schemas/dataset.yaml), already run through `normalize.normalize_dataset`, and
every value that could not be mapped, as `Unmapped` entries with German messages.

What is read, in the order given (the first value found wins):

- CKAN core: title, notes, tags (→ tag_string), url (→ landing page `url`),
  version, license_id/license_url/license_title (→ licence), author and
  maintainer (→ creator and contact; as contact: maintainer, then author, as
  ckanext-dcat does), groups (→ EU data themes), metadata_created/_modified
  (→ issued/modified when the source gives nothing better), resources (url,
  name, description, format, mimetype, size, hash, created → issued,
  last_modified → modified, and the DCAT fields ckanext-dcat stores on resources:
  access_url, download_url, license, rights, language, status, hash_algorithm …).
- The extras that ckanext-dcat's harvesters write on a non-scheming CKAN
  (issued, modified, identifier, frequency, language, theme, spatial_uri,
  temporal_start, contact_email, publisher_name, …), those of ckanext-dcatde
  (contributorID, politicalGeocodingURI, politicalGeocodingLevelURI, legalbasisText,
  geocodingText, maintainer_url, author_url, originator_*), and a source that
  itself uses ckanext-dcat's scheming field names (contact, theme, … as
  top-level keys: the portal's own names) is read as it is.
- The OGD schema of German CKAN portals (GovData before DCAT-AP.de): `contacts`
  (roles ansprechpartner → contact, autor → creator, veroeffentlichende_stelle →
  publisher, vertrieb → contact when there is neither ansprechpartner nor
  maintainer), `dates` (veroeffentlicht →
  issued, aktualisiert → modified), temporal_coverage_from/_to,
  geographical_coverage, spatial_reference, geographical_granularity,
  terms_of_use (license_id, attribution_text), categorization and groups with
  OGD category ids (wirtschaft_arbeit, …): the category → EU theme table is data,
  skos:altLabel in schemas/vocabularies/eu-data-theme-aliases.ttl; a category
  that names two themes (bildung_wissenschaft: EDUC and TECH) gives both.
- The source dataset's own address `{source_url}/dataset/{id}` becomes `uri`;
  `identifier` is the source's identifier extra, else its id. `name` is the
  source's name, a proposal: the harvester decides the portal's name (duplicates).
  `owner_org` is not set: that is the harvest source's organisation.

Kept as sent and flagged (by the normaliser): values of vocabulary fields the
vocabularies do not know (licence "notspecified", group "haushalt" as theme,
format "Esri Shapefile", …), invalid e-mail addresses. Flagged and left out,
because the portal schema would refuse the whole dataset for them: dates that are
no dates, a size that is no whole number, a landing page or distribution URI that
is no http(s) address, tags with characters CKAN forbids (cleaned where that is
possible), JSON extras that are not valid JSON. Extras the portal has no field
for are reported too (`extras.<key>`), except technical ones (harvest_*, guid, …).
A dataset without description gets its title as description (DCAT-AP.de requires
one), reported.

Pure: no network, no database, no CKAN configuration (the vocabularies are files).
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ckanext.thueringen import normalize, vocabularies
from ckanext.thueringen.normalize import Normalized, Unmapped

# Extras that are bookkeeping of the source or of its own harvesters, not metadata.
IGNORED_EXTRAS = frozenset({
    "harvest_object_id", "harvest_source_id", "harvest_source_title", "harvest_url", "guid", "uri",
    "ogd_version", "metadata_transformer", "metadata_original_portal", "metadata_original_xml", "sector",
})
# OGD contact roles -> portal field; vertrieb only when there is no other contact.
OGD_ROLES = {"ansprechpartner": "contact", "autor": "creator", "veroeffentlichende_stelle": "publisher"}
HASH_LENGTHS = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}
_API_SUFFIX = re.compile(r"/api(?:/\d+)?(?:/action)?/?$")
_HASH_PREFIX = re.compile(r"(md5|sha-?1|sha-?224|sha-?256|sha-?384|sha-?512)\s*[:=]\s*(\S+)", re.IGNORECASE)

# Portal field <- extras (or top-level keys of a scheming source) that carry it,
# the first one found wins. Single values here, lists below.
_SINGLE = {
    "version_notes": ("version_notes",),
    "frequency": ("frequency", "accrual_periodicity"),
    "access_rights": ("access_rights",),
    "provenance": ("provenance",),
    "dcat_type": ("dcat_type",),
    "legal_basis": ("legal_basis", "legalbasisText"),
    "temporal_resolution": ("temporal_resolution",),
    "spatial_resolution_in_meters": ("spatial_resolution_in_meters",),
    "political_geocoding_level_uri": ("political_geocoding_level_uri", "politicalGeocodingLevelURI",
                                      "geographical_granularity"),
}
_MULTIPLE = {
    "language": ("language",),
    "conforms_to": ("conforms_to",),
    "documentation": ("documentation",),
    "is_referenced_by": ("is_referenced_by",),
    "alternate_identifier": ("alternate_identifier",),
    "hvd_category": ("hvd_category",),
}
# Multi-valued fields whose values the schema checks as http(s) URIs.
_URI_LISTS = {
    "applicable_legislation": ("applicable_legislation",),
    "contributor_id": ("contributor_id", "contributorID"),
}
# Resource fields taken over as they are (the normaliser maps the vocabulary ones).
_RESOURCE_PLAIN = ("name", "description", "rights", "status", "availability", "compress_format",
                   "package_format", "license")
_RESOURCE_LISTS = ("language", "conforms_to", "documentation")
_RESOURCE_URIS = ("access_url", "download_url")


def source_base_url(url: str) -> str:
    """The CKAN's base address from what an operator enters: without a trailing
    slash and without /api, /api/3 or /api/3/action."""
    return _API_SUFFIX.sub("", url.strip().rstrip("/")).rstrip("/")


def map_ckan_dataset(source_dataset: dict, source_url: str) -> Normalized:
    """`source_dataset` (a CKAN API dataset dict) in the portal schema, normalised,
    with everything that could not be mapped. Never raises for odd values."""
    if not isinstance(source_dataset, dict):
        raise TypeError(f"a CKAN dataset is a JSON object, not {type(source_dataset).__name__}")
    source = _Source(source_dataset, source_base_url(source_url))
    dataset = source.dataset()
    result = normalize.normalize_dataset(dataset)
    return Normalized(result.value, source.unmapped + result.unmapped)


# --- values -------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _compact(record: dict) -> dict:
    """`record` without empty values."""
    return {key: value for key, value in record.items() if value not in (None, "", [], {})}


def _values(value: Any, split_commas: bool = False) -> list:
    """One value, a list, or a JSON-encoded list as a list, empty values left out."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                pass
        elif split_commas and "," in text:
            value = text.split(",")
    items = value if isinstance(value, (list, tuple)) else [value]
    return [item.strip() if isinstance(item, str) else item for item in items
            if item not in (None, "") and not (isinstance(item, str) and not item.strip())]


def _http_uri(value: Any) -> str | None:
    """An absolute http(s) URI in canonical form, or None."""
    uri = normalize.uri(value)
    return uri if uri and urlsplit(uri).scheme in ("http", "https") else None


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = _text(value)
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+\.0+", text):
        return int(text.split(".")[0])
    return None


@functools.cache
def _theme_aliases() -> dict[str, tuple[str, ...]]:
    """Alias (case-folded) -> the URIs of every EU theme that has it as altLabel."""
    index: dict[str, list[str]] = {}
    for concept in vocabularies.vocabulary("themes"):
        for alias in concept.alt_labels:
            index.setdefault(" ".join(alias.split()).casefold(), []).append(concept.uri)
    return {key: tuple(dict.fromkeys(uris)) for key, uris in index.items()}


def theme_uris(value: Any) -> list[str]:
    """The EU theme URIs a theme, group or OGD category names: every theme with
    that alias (bildung_wissenschaft: EDUC and TECH), else the normaliser's lookup
    (URI, code, label); [] when it names none."""
    text = _text(value)
    aliased = _theme_aliases().get(" ".join(text.split()).casefold())
    if aliased:
        return list(aliased)
    found = normalize.theme(text)
    return [found] if found else []


def split_hash(value: Any, algorithm: Any = None) -> tuple[str, str]:
    """(checksum, algorithm) from "sha256:ab12…", "MD5=…" or a bare hex digest; the
    algorithm of a bare digest is told by its length when none is given."""
    text, algorithm = _text(value), _text(algorithm)
    match = _HASH_PREFIX.fullmatch(text)
    if match:
        return match.group(2), algorithm or match.group(1)
    if not algorithm and re.fullmatch(r"[0-9a-fA-F]+", text):
        algorithm = HASH_LENGTHS.get(len(text), "")
    return text, algorithm


# --- one source dataset -------------------------------------------------------

class _Source:
    """One source dataset: its extras (a list, a dict, or the top-level keys of a
    scheming source) and what could not be mapped."""

    def __init__(self, data: dict, base_url: str):
        self.data = data
        self.base_url = base_url
        self.unmapped: list[Unmapped] = []
        self.extras = self._extras(data.get("extras"))

    def flag(self, where: str, value: Any, message: str) -> None:
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        self.unmapped.append(Unmapped(where, shown, message))

    def _extras(self, extras: Any) -> dict[str, Any]:
        if extras in (None, "", [], {}):
            return {}
        if isinstance(extras, dict):  # API v1/v2, harvested content
            return {str(key): value for key, value in extras.items()}
        if isinstance(extras, list):
            found = {}
            for index, extra in enumerate(extras):
                if isinstance(extra, dict) and _text(extra.get("key")):
                    if extra.get("state", "active") != "deleted":
                        found[_text(extra["key"])] = extra.get("value")
                else:
                    self.flag(f"extras[{index}]", extra, "Zusatzfeld ohne Schlüssel (erwartet {\"key\": …, "
                                                         "\"value\": …}); nicht ausgewertet")
            return found
        self.flag("extras", extras, "Zusatzfelder sind weder Liste noch Objekt; nicht ausgewertet")
        return {}

    # reading fields

    def get(self, *keys: str) -> Any:
        """The first non-empty value among `keys`: a top-level key of a scheming
        source (the portal's field names), else the extra of that name."""
        for key in keys:
            value = self.data.get(key) if key not in _CORE_KEYS else None
            if value in (None, "", [], {}):
                value = self.extras.get(key)
            if value not in (None, "", [], {}):
                return value
        return None

    def get_json(self, key: str) -> Any:
        """The extra `key` decoded from JSON (lists and objects may also come as
        such); None and flagged when it is not valid JSON."""
        value = self.get(key)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError as error:
            self.flag(f"extras.{key}", value, f"Zusatzfeld '{key}' ist kein gültiges JSON ({error.msg}, "
                                              f"Zeichen {error.pos}); nicht ausgewertet")
            return None

    def get_objects(self, key: str) -> list[dict]:
        """A JSON list of objects (OGD contacts, dates); one object counts as a list of one."""
        value = self.get_json(key)
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, dict) for item in items):
            self.flag(f"extras.{key}", value, f"Zusatzfeld '{key}' ist keine Liste von Objekten; "
                                              "nicht ausgewertet")
            return []
        return items

    def date(self, where: str, *values: Any) -> str | None:
        """The first of `values` that is a date, in ISO form; the others before it
        are flagged (the schema refuses what is no date)."""
        for value in values:
            if value in (None, ""):
                continue
            found = normalize.date(value)
            if found:
                return found
            self.flag(where, str(value), f"'{value}' ist kein gültiges Datum; nicht übernommen")
        return None

    def http_uri(self, where: str, value: Any) -> str | None:
        if value in (None, ""):
            return None
        found = _http_uri(value)
        if not found:
            self.flag(where, str(value), f"'{value}' ist keine vollständige http(s)-Adresse; nicht übernommen")
        return found

    def uri_list(self, where: str, values: Iterable[Any]) -> list[str]:
        return [uri for uri in (self.http_uri(where, value) for value in values) if uri]

    # the dataset

    def dataset(self) -> dict:
        data = self.data
        source_id, name = _text(data.get("id")), _text(data.get("name"))
        title = _text(data.get("title")) or name
        if not _text(data.get("title")):
            self.flag("title", "", "Die Quelle hat keinen Titel; der Name wurde übernommen")
        notes = _text(data.get("notes"))
        if not notes:
            self.flag("notes", "", "Die Quelle hat keine Beschreibung (Pflicht in DCAT-AP.de); "
                                   "der Titel wurde als Beschreibung übernommen")
            notes = title
        key = source_id or name
        if not key:
            self.flag("uri", "", "Die Quelle nennt weder id noch name des Datensatzes; keine URI")
        terms = self.get_json("terms_of_use")
        terms = terms if isinstance(terms, dict) else {}
        contacts = self._ogd_contacts()
        dates = self._ogd_dates()
        dataset = {
            "name": name,
            "title": title,
            "notes": notes,
            "tag_string": ",".join(self._tags()),
            "url": self.http_uri("url", data.get("url")),
            "uri": f"{self.base_url}/dataset/{key}" if key else None,
            "identifier": _text(self.get("identifier", "metadata_original_id")) or source_id,
            "version": _text(data.get("version")),
            "license_id": self._licence(terms),
            "theme": self._themes(),
            "contact": self._agents("contact", contacts) or self._core_agent("maintainer")
            or contacts.get("vertrieb") or self._core_agent("author"),
            "creator": self._agents("creator", contacts) or self._core_agent("author")
            or self._agent_extras("originator"),
            "publisher": self._agents("publisher", contacts),
            "issued": self.date("issued", self.get("issued"), dates.get("veroeffentlicht"),
                                data.get("metadata_created")),
            "modified": self.date("modified", self.get("modified"), dates.get("aktualisiert"),
                                  data.get("metadata_modified")),
            "temporal_coverage": self._temporal(),
            "spatial_coverage": self._spatial(),
            "resources": self._resources(source_id or name, _text(terms.get("attribution_text"))),
        }
        for field, keys in _SINGLE.items():
            dataset[field] = self.get(*keys)
        for field, keys in _MULTIPLE.items():
            dataset[field] = _values(self.get(*keys), split_commas=field in ("language", "hvd_category"))
        for field, keys in _URI_LISTS.items():
            dataset[field] = self.uri_list(field, _values(self.get(*keys)))
        self._report_unused_extras()
        return _compact(dataset)

    def _tags(self) -> list[str]:
        tags = []
        for index, tag in enumerate(self.data.get("tags") or []):
            if isinstance(tag, dict):
                if tag.get("vocabulary_id"):
                    continue
                tag = tag.get("name") or tag.get("display_name")
            raw = _text(tag)
            for part in (p.strip() for p in raw.split(",")):
                cleaned = normalize.clean_tag(part) if part else None
                if cleaned is None:
                    self.flag(f"tags[{index}]", raw, f"Schlagwort '{raw}' ist zu kurz oder besteht nur aus "
                                                     "unzulässigen Zeichen; nicht übernommen")
                elif cleaned != part:
                    self.flag(f"tags[{index}]", raw, f"Schlagwort '{part}' enthält Zeichen, die CKAN nicht "
                                                     f"zulässt; übernommen als '{cleaned}'")
                if cleaned and cleaned not in tags:
                    tags.append(cleaned)
        return tags

    def _licence(self, terms: dict) -> str | None:
        """The first licence value the licence list knows (as URI), else the first
        given (kept and flagged by the normaliser); a missing licence is flagged."""
        candidates = [_text(value) for value in (
            self.data.get("license_id"), terms.get("license_id"), self.get("license"),
            self.data.get("license_url"), self.data.get("license_title"))]
        candidates = [value for value in candidates if value]
        for value in candidates:
            found = normalize.licence(value)
            if found:
                return found
        if not candidates:
            self.flag("license_id", "", "Die Quelle nennt keine Lizenz (in DCAT-AP.de Pflicht für jede "
                                        "Distribution)")
        return candidates[0] if candidates else None

    def _themes(self) -> list[str]:
        """EU theme URIs from the theme field, OGD categorization and the groups;
        what names no theme is kept as sent (the normaliser flags it)."""
        themes: list[str] = []
        named = [*_values(self.get("theme")), *_values(self.get("categorization"), split_commas=True)]
        for group in self.data.get("groups") or []:
            if isinstance(group, dict):
                names = [_text(group.get(k)) for k in ("name", "title", "display_name")]
                found = next((uris for uris in map(theme_uris, filter(None, names)) if uris), None)
                named.append(found or names[0] or names[1])
            else:
                named.append(group)
        for value in named:
            for theme in (value if isinstance(value, list) else theme_uris(value) or [_text(value)]):
                if theme and theme not in themes:
                    themes.append(theme)
        return themes

    # agents: contact, creator, publisher

    def _ogd_contacts(self) -> dict[str, list[dict]]:
        """OGD `contacts` by role, as portal agents."""
        found: dict[str, list[dict]] = {}
        for contact in self.get_objects("contacts"):
            agent = _compact({"name": _text(contact.get("name")), "email": _text(contact.get("email")),
                              "url": _text(contact.get("url"))})
            role = _text(contact.get("role")).lower()
            if agent and role in (*OGD_ROLES, "vertrieb"):
                found.setdefault(role, []).append(agent)
        return found

    def _agents(self, field: str, ogd: dict[str, list[dict]]) -> list[dict]:
        """The field as a scheming source has it, else ckanext-dcat's extras
        (contact_name, …), else the OGD contact of the role."""
        value = self.data.get(field)
        if isinstance(value, str):
            value = self.get_json(field)
        if isinstance(value, list) and all(isinstance(v, dict) for v in value) and value:
            return [_compact(dict(v)) for v in value]
        if self._agent_extras(field):
            return self._agent_extras(field)
        return next((ogd[role] for role, target in OGD_ROLES.items() if target == field and ogd.get(role)), [])

    def _agent_extras(self, prefix: str) -> list[dict]:
        agent = _compact({sub: _text(self.get(f"{prefix}_{sub}"))
                          for sub in ("name", "email", "url", "uri", "type", "identifier")})
        return [agent] if agent else []

    def _core_agent(self, role: str) -> list[dict]:
        """CKAN's author or maintainer (with ckanext-dcatde's <role>_url extra)."""
        agent = _compact({"name": _text(self.data.get(role)), "email": _text(self.data.get(f"{role}_email")),
                          "url": _text(self.get(f"{role}_url"))})
        return [agent] if agent else []

    # time and space

    def _ogd_dates(self) -> dict[str, Any]:
        return {_text(entry.get("role")).lower(): entry.get("date") for entry in self.get_objects("dates")}

    def _temporal(self) -> list[dict]:
        given = self.data.get("temporal_coverage")
        periods = given if isinstance(given, list) else [{
            "start": self.get("temporal_start", "temporal_coverage_from"),
            "end": self.get("temporal_end", "temporal_coverage_to")}]
        result = []
        for index, period in enumerate(p for p in periods if isinstance(p, dict)):
            checked = _compact({part: self.date(f"temporal_coverage[{index}].{part}", period.get(part))
                                for part in ("start", "end")})
            if checked:
                result.append(checked)
        return result

    def _spatial(self) -> list[dict]:
        given = self.data.get("spatial_coverage")
        if isinstance(given, list) and given and all(isinstance(area, dict) for area in given):
            return [_compact(dict(area)) for area in given]
        areas: list[dict] = []
        text = _text(self.get("spatial_text", "geocodingText"))
        for uri in _values(self.get("spatial_uri", "politicalGeocodingURI")):
            areas.append({"uri": _text(uri), "text": text})
        reference = self.get_json("spatial_reference")
        if isinstance(reference, dict):
            key = _text(reference.get("ags"))
            areas.append({"uri": normalize.region(key) or _text(reference.get("uri")),
                          "text": _text(reference.get("text"))})
        coverage = _text(self.get("geographical_coverage"))
        if coverage:
            areas.append({"uri": normalize.region(coverage), "text": coverage})
        if not areas and text:
            areas.append({"text": text})
        geometry = {"geom": self.get("spatial"), "bbox": self.get("spatial_bbox"),
                    "centroid": self.get("spatial_centroid")}
        geometry = {k: v if isinstance(v, str) else json.dumps(v) for k, v in _compact(geometry).items()}
        if geometry:
            if areas:
                areas[0].update(geometry)
            else:
                areas.append(geometry)
        unique: list[dict] = []
        for area in map(_compact, areas):
            if area and not any(area.get("uri") and area.get("uri") == seen.get("uri") for seen in unique):
                unique.append(area)
        return unique

    # resources

    def _resources(self, dataset_key: str, attribution: str) -> list[dict]:
        resources = self.data.get("resources")
        if resources in (None, ""):
            return []
        if not isinstance(resources, list):
            self.flag("resources", resources, "Distributionen sind keine Liste; nicht übernommen")
            return []
        mapped = []
        for index, resource in enumerate(resources):
            if not isinstance(resource, dict):
                self.flag(f"resources[{index}]", resource, "Distribution ist kein Objekt; nicht übernommen")
            elif resource.get("state", "active") != "deleted":
                mapped.append(self._resource(resource, f"resources[{len(mapped)}]", dataset_key, attribution))
        return mapped

    def _resource(self, resource: dict, where: str, dataset_key: str, attribution: str) -> dict:
        url = _text(resource.get("url"))
        own_id = _text(resource.get("id"))
        page = f"{self.base_url}/dataset/{dataset_key}/resource/{own_id}" if own_id and dataset_key else None
        checksum, algorithm = split_hash(resource.get("hash"), resource.get("hash_algorithm"))
        size = resource.get("size")
        if size not in (None, "") and _whole_number(size) is None:
            self.flag(f"{where}.size", str(size), f"Größe '{size}' ist keine ganze Zahl von Bytes; "
                                                  "nicht übernommen")
        mapped = {field: _text(resource.get(field)) for field in _RESOURCE_PLAIN}
        mapped.update({
            "uri": self.http_uri(f"{where}.uri", resource.get("uri")) or page,
            "url": url,
            "format": self._format(resource, url),
            "mimetype": _text(resource.get("mimetype")),
            "size": _whole_number(size),
            "hash": checksum,
            "hash_algorithm": algorithm,
            "issued": self.date(f"{where}.issued", resource.get("issued"), resource.get("created")),
            "modified": self.date(f"{where}.modified", resource.get("modified"), resource.get("last_modified")),
            "license_attribution_by_text": _text(resource.get("license_attribution_by_text")
                                                 or resource.get("licenseAttributionByText")) or attribution,
            "applicable_legislation": self.uri_list(f"{where}.applicable_legislation",
                                                    _values(resource.get("applicable_legislation"))),
        })
        for field in _RESOURCE_URIS:
            mapped[field] = self.http_uri(f"{where}.{field}", resource.get(field))
        for field in _RESOURCE_LISTS:
            mapped[field] = _values(resource.get(field), split_commas=field == "language")
        return _compact(mapped)

    @staticmethod
    def _format(resource: dict, url: str) -> str:
        """The format as given; without one, from the media type or the file ending
        of the URL when the file-type list knows it."""
        given = _text(resource.get("format"))
        if given:
            return given
        suffix = PurePosixPath(urlsplit(url).path).suffix if url else ""
        for candidate in (_text(resource.get("mimetype")), suffix):
            if candidate and normalize.file_type(candidate):
                return candidate
        return ""

    def _report_unused_extras(self) -> None:
        for key, value in self.extras.items():
            if key not in IGNORED_EXTRAS and key not in _READ_EXTRAS:
                self.flag(f"extras.{key}", _text(value) or value, f"Zusatzfeld '{key}' hat im Portalschema "
                                                                  "keine Entsprechung; nicht übernommen")


# Keys of CKAN's own dataset dict: never read as a scheming field of the same name.
_CORE_KEYS = frozenset({
    "id", "name", "title", "notes", "url", "version", "author", "author_email", "maintainer",
    "maintainer_email", "license_id", "license_title", "license_url", "state", "type", "private",
    "owner_org", "organization", "groups", "tags", "resources", "extras", "metadata_created",
    "metadata_modified",
})
# Every extra the mapping reads (some only when something else is missing): all
# others are reported as unmapped.
_READ_EXTRAS = frozenset({
    "contacts", "dates", "terms_of_use", "categorization", "spatial_reference", "geographical_coverage",
    "spatial", "spatial_bbox", "spatial_centroid", "spatial_text", "geocodingText", "license",
    "maintainer_url", "author_url", "identifier", "metadata_original_id",
    *(f"{prefix}_{sub}" for prefix in ("contact", "publisher", "creator", "originator")
      for sub in ("name", "email", "url", "uri", "type", "identifier")),
    *(key for keys in (*_SINGLE.values(), *_MULTIPLE.values(), *_URI_LISTS.values()) for key in keys),
    "issued", "modified", "theme", "temporal_start", "temporal_end", "temporal_coverage_from",
    "temporal_coverage_to", "spatial_uri", "politicalGeocodingURI",
})
