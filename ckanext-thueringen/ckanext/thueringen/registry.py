"""The source registry: which authorities publish on the portal, how they hang
together (Land -> Kreis -> Gemeinde) and where their data is harvested from.

One YAML file, `config/sources.yaml` (format: its header and docs/sources.md).
This module reads and checks it into dataclasses; it is pure (no CKAN, no
database), so the checks run anywhere (`tests/unit/test_registry.py`).
`ckanext.thueringen.registry_sync` brings CKAN in line with a loaded registry.

Every problem names the entry and the field, in German and English, and all
problems of a file are reported at once (`RegistryError`).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ckanext.thueringen import vocabularies

# Demo sources name their file relative to the local catalogue server of `make run`.
DEMO_CATALOGS = "{demo_catalogs_url}"

# Harvester names a source may use (`type`), as the harvest plugins register them.
HARVESTERS = {
    "dcat_ap_de": "the portal's DCAT-AP.de harvester",
    "dcat_rdf": "ckanext-dcat's DCAT RDF harvester",
    "ckan_api": "the portal's CKAN API harvester",
    "feed": "the portal's feed harvester (Atom, RSS) for publications",
    "fragdenstaat": "the portal's FragDenStaat harvester for answered information requests",
}
# ckanext-harvest's frequencies (ckanext.harvest.model.UPDATE_FREQUENCIES).
SCHEDULES = ("MANUAL", "MONTHLY", "WEEKLY", "BIWEEKLY", "DAILY", "ALWAYS")

POLITICAL_GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
GOVDATA_CONTRIBUTORS = "http://dcat-ap.de/def/contributors/"


@dataclass(frozen=True)
class _Geocoding:
    rank: int        # a parent's rank is never greater than its child's
    key_length: int  # digits of the regional key
    key_kind: str    # path of the DCAT-AP.de political-geocoding URI


# Political-geocoding level of an authority level (the `authority_levels`
# vocabulary says which) -> what follows from it.
_GEOCODING = {
    POLITICAL_GEOCODING + "Level/state": _Geocoding(0, 2, "stateKey"),
    POLITICAL_GEOCODING + "Level/administrativeDistrict": _Geocoding(1, 5, "districtKey"),
    POLITICAL_GEOCODING + "Level/municipality": _Geocoding(2, 12, "regionalKey"),
}



def geocoding_level(spatial_uri: str | None) -> str | None:
    """The political-geocoding level of a DCAT-AP.de area URI (…/districtKey/16053
    -> …/Level/administrativeDistrict), None for other URIs."""
    if not spatial_uri or not spatial_uri.startswith(POLITICAL_GEOCODING):
        return None
    kind = spatial_uri[len(POLITICAL_GEOCODING):].split("/", 1)[0]
    return next((level for level, geocoding in _GEOCODING.items() if geocoding.key_kind == kind), None)


_NAME = re.compile(r"[a-z0-9_-]{2,100}")
# CKAN's email_validator pattern (ckan.logic.validators.email_pattern).
_EMAIL = re.compile(r"^(?!\.)(?!.*\.$)(?!.*?\.\.)[a-zA-Z0-9.!#$%&'*+\/=?^_`{|}~-]+@[a-zA-Z0-9]"
                    r"(?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")

_AUTHORITY_FIELDS = {"name", "title", "level", "parent", "regional_key", "website", "contact",
                     "publisher_type", "description", "demo", "sources"}
_SOURCE_FIELDS = {"name", "title", "type", "url", "schedule", "priority", "contributor_id",
                  "spatial_uri", "config", "enabled", "notes"}
_CONTACT_FIELDS = {"name", "email"}
# Keys of the harvest source config that the registry writes from its own fields.
_CONFIG_FROM_FIELDS = ("contributor_id", "spatial_uri", "priority")


# ------------------------------------------------------------------ results

@dataclass(frozen=True)
class Contact:
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class Source:
    """A harvest source of an authority."""
    name: str
    title: str
    type: str
    url: str                   # may start with DEMO_CATALOGS for demo entries
    authority: str             # name of the owning authority
    demo: bool
    schedule: str = "MANUAL"
    priority: int | None = None
    contributor_id: str | None = None
    spatial_uri: str | None = None  # the source's own, else the authority's area
    config: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    enabled: bool = True
    notes: str = ""

    def harvest_config(self) -> dict[str, Any]:
        """The harvest source config: the harvester options plus the defaults,
        and the political-geocoding level of the coverage unless config names one."""
        values = dict(self.config)
        for key in _CONFIG_FROM_FIELDS:
            if getattr(self, key) is not None:
                values[key] = getattr(self, key)
        level = geocoding_level(self.spatial_uri)
        if level:
            values.setdefault("political_geocoding_level_uri", level)
        return values

    def url_for(self, demo_catalogs_url: str | None) -> str:
        """The URL to harvest, with the demo catalogue server's base URL filled in."""
        if not self.url.startswith(DEMO_CATALOGS):
            return self.url
        if not demo_catalogs_url:
            raise ValueError(f"source {self.name}: no base URL for the demo catalogues")
        return demo_catalogs_url.rstrip("/") + self.url[len(DEMO_CATALOGS):]


@dataclass(frozen=True)
class Authority:
    """A publishing authority: an organisation in CKAN."""
    name: str
    title: str
    level: str                 # code of the authority_levels vocabulary
    level_uri: str
    publisher_type: str        # ADMS code
    publisher_type_uri: str
    parent: str | None = None
    regional_key: str | None = None
    spatial_uri: str | None = None  # DCAT-AP.de political-geocoding URI of the key
    website: str = ""
    contact: Contact = Contact()
    description: str = ""
    demo: bool = False
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Registry:
    path: str
    authorities: tuple[Authority, ...]

    def __iter__(self) -> Iterator[Authority]:
        return iter(self.authorities)

    def __len__(self) -> int:
        return len(self.authorities)

    def authority(self, name: str) -> Authority:
        for authority in self.authorities:
            if authority.name == name:
                return authority
        raise KeyError(name)

    def sources(self) -> list[Source]:
        return [source for authority in self.authorities for source in authority.sources]

    def select(self, *, demo: bool, real: bool = True) -> list[Authority]:
        """The demo entries, the real ones or both, parents before children."""
        return [a for a in self.ordered() if (demo and a.demo) or (real and not a.demo)]

    def ordered(self) -> list[Authority]:
        """Every authority after its parent (file order otherwise)."""
        by_name = {a.name: a for a in self.authorities}

        def depth(authority: Authority) -> int:
            return 0 if authority.parent is None else 1 + depth(by_name[authority.parent])

        return sorted(self.authorities, key=depth)

    def children(self, name: str | None) -> list[Authority]:
        return [a for a in self.authorities if a.parent == name]


# ------------------------------------------------------------------- errors

@dataclass(frozen=True)
class Problem:
    where: str  # the entry, e.g. "authorities[3] (landkreis-gotha)"
    field: str
    de: str
    en: str

    def __str__(self) -> str:
        return f"{self.where}, {self.field}: {self.de} / {self.en}"


class RegistryError(ValueError):
    """The registry file is not valid; `problems` says where and why."""

    def __init__(self, path: str, problems: list[Problem]):
        self.path = path
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.path}: {len(self.problems)} Fehler im Quellenverzeichnis / "
                 f"{len(self.problems)} error(s) in the source registry"]
        return "\n".join([*lines, *(f"  - {problem}" for problem in self.problems)])


# ------------------------------------------------------------------ loading

def load(path: str | Path) -> Registry:
    """Read and check a registry file; raises RegistryError with every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise RegistryError(str(path), [Problem("file", "-", f"nicht lesbar ({error.strerror})",
                                                f"cannot be read ({error.strerror})")]) from error
    return parse(text, str(path))


def parse(text: str, path: str = "<registry>") -> Registry:
    """Check the YAML text of a registry; raises RegistryError with every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        reason = getattr(error, "problem", None) or str(error)
        raise RegistryError(path, [Problem(where, "-", f"kein gültiges YAML ({reason})",
                                           f"not valid YAML ({reason})")]) from error
    checker = _Checker()
    registry = checker.registry(data, path)
    if checker.problems:
        raise RegistryError(path, checker.problems)
    return registry


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", value)


class _Checker:
    """Collects the problems of one file while it builds the dataclasses."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.levels = vocabularies.vocabulary("authority_levels")
        self.publisher_types = vocabularies.vocabulary("publisher_types")
        self.regions = vocabularies.vocabulary("regions")
        self.contributors = vocabularies.vocabulary("contributors")

    def problem(self, where: str, field_name: str, de: str, en: str) -> None:
        self.problems.append(Problem(where, field_name, de, en))

    def not_allowed(self, where: str, field_name: str, what: tuple[str, str], value: str, allowed) -> None:
        """`value` is not one of `allowed`; `what` names the kind in German and English."""
        listed = ", ".join(allowed)
        self.problem(where, field_name, f"{what[0]} '{value}' (erlaubt: {listed})",
                     f"{what[1]} '{value}' (allowed: {listed})")

    # -------------------------------------------------------------- values

    def text(self, entry: dict, where: str, key: str, required: bool = False) -> str:
        value = entry.get(key)
        if value is None or value == "":
            if required:
                self.problem(where, key, "fehlt", "is missing")
            return ""
        if not isinstance(value, str):
            self.problem(where, key, f"muss Text sein, nicht {value!r}", f"must be text, not {value!r}")
            return ""
        return value.strip()

    def flag(self, entry: dict, where: str, key: str, default: bool) -> bool:
        value = entry.get(key, default)
        if not isinstance(value, bool):
            self.problem(where, key, f"muss true oder false sein, nicht {value!r}",
                         f"must be true or false, not {value!r}")
            return default
        return value

    def name(self, entry: dict, where: str) -> str:
        value = self.text(entry, where, "name", required=True)
        if value and not _NAME.fullmatch(value):
            self.problem(where, "name", f"'{value}' ist kein gültiger Name (2-100 Zeichen a-z, 0-9, - und _)",
                         f"'{value}' is not a valid name (2-100 characters a-z, 0-9, - and _)")
        return value

    def web_url(self, entry: dict, where: str, key: str, required: bool = False) -> str:
        value = self.text(entry, where, key, required)
        if value and not _is_web_url(value):
            self.problem(where, key, f"'{value}' ist keine vollständige Webadresse (http:// oder https://)",
                         f"'{value}' is not a complete web address (http:// or https://)")
        return value

    def unknown_fields(self, entry: dict, where: str, allowed: set[str]) -> None:
        for key in sorted(set(entry) - allowed, key=str):
            self.problem(where, str(key), "unbekanntes Feld (erlaubt: " + ", ".join(sorted(allowed)) + ")",
                         "unknown field (allowed: " + ", ".join(sorted(allowed)) + ")")

    def mapping(self, value: Any, where: str, key: str) -> dict:
        if not isinstance(value, dict):
            self.problem(where, key, "muss eine Zuordnung (key: value) sein", "must be a mapping (key: value)")
            return {}
        return value

    # ------------------------------------------------------------ entries

    def registry(self, data: Any, path: str) -> Registry:
        if not isinstance(data, dict) or not isinstance(data.get("authorities"), list):
            self.problem("file", "authorities", "die Datei braucht eine Liste 'authorities:'",
                         "the file needs a list 'authorities:'")
            return Registry(path, ())
        self.unknown_fields(data, "file", {"authorities"})
        entries = self.entries(data["authorities"], "authorities")
        placed = [(where, self.authority(entry, where)) for where, entry in entries]
        self.check_names(placed)
        self.check_hierarchy(placed)
        return Registry(path, tuple(authority for _, authority in placed))

    def entries(self, items: list, where: str) -> Iterator[tuple[str, dict]]:
        """The mappings of a list, each with its place in the file."""
        for index, item in enumerate(items):
            place = f"{where}[{index}]"
            if not isinstance(item, dict):
                self.problem(place, "-", "muss eine Zuordnung (key: value) sein", "must be a mapping (key: value)")
                continue
            if isinstance(item.get("name"), str):
                place += f" ({item['name']})"
            yield place, item

    def authority(self, entry: dict, where: str) -> Authority:
        self.unknown_fields(entry, where, _AUTHORITY_FIELDS)
        name = self.name(entry, where)
        title = self.text(entry, where, "title", required=True)
        demo = self.flag(entry, where, "demo", False)
        level, level_uri, geocoding = self.level(entry, where)
        regional_key, spatial_uri = self.regional_key(entry, where, geocoding, demo)
        publisher_type, publisher_type_uri = self.publisher_type(entry, where)
        authority = Authority(
            name=name, title=title, level=level, level_uri=level_uri,
            publisher_type=publisher_type, publisher_type_uri=publisher_type_uri,
            parent=self.text(entry, where, "parent") or None,
            regional_key=regional_key, spatial_uri=spatial_uri,
            website=self.web_url(entry, where, "website"),
            contact=self.contact(entry, where),
            description=self.text(entry, where, "description"),
            demo=demo,
        )
        sources = entry.get("sources") or []
        if not isinstance(sources, list):
            self.problem(where, "sources", "muss eine Liste sein", "must be a list")
            sources = []
        return replace(authority, sources=tuple(self.source(source, place, authority)
                                                for place, source in self.entries(sources, f"{where} sources")))

    def level(self, entry: dict, where: str) -> tuple[str, str, _Geocoding | None]:
        value = self.text(entry, where, "level", required=True)
        if not value:
            return "", "", None
        concept = self.levels.by_code(value)
        if concept is None or concept.code != value:
            self.not_allowed(where, "level", ("unbekannte Verwaltungsebene", "unknown level"), value,
                             (c.code for c in self.levels))
            return value, "", None
        return concept.code, concept.uri, _GEOCODING.get(concept.property("level") or "")

    def publisher_type(self, entry: dict, where: str) -> tuple[str, str]:
        value = self.text(entry, where, "publisher_type", required=True)
        if not value:
            return "", ""
        concept = self.publisher_types.by_code(value) or self.publisher_types.get(value)
        if concept is None:
            self.not_allowed(where, "publisher_type", ("unbekannte ADMS-Art", "unknown ADMS publisher type"),
                             value, (c.code for c in self.publisher_types))
            return value, ""
        return concept.code, concept.uri

    def regional_key(self, entry: dict, where: str, geocoding: _Geocoding | None,
                     demo: bool) -> tuple[str | None, str | None]:
        value = entry.get("regional_key")
        if value is None or value == "":
            if not demo:
                self.problem(where, "regional_key", "fehlt", "is missing")
            return None, None
        if not isinstance(value, str):
            self.problem(where, "regional_key", f"muss in Anführungszeichen stehen, z. B. \"16053\" (nicht {value!r})",
                         f"must be quoted, e.g. \"16053\" (not {value!r})")
            return None, None
        if not value.isdigit() or geocoding is not None and len(value) != geocoding.key_length:
            digits = f"{geocoding.key_length} " if geocoding else ""
            self.problem(where, "regional_key", f"'{value}' ist kein Regionalschlüssel dieser Ebene ({digits}Ziffern)",
                         f"'{value}' is not a regional key of this level ({digits}digits)")
            return None, None
        uri = f"{POLITICAL_GEOCODING}{geocoding.key_kind}/{value}" if geocoding else None
        if not demo and uri:
            concept = self.regions.get(uri)
            if concept is None:
                self.problem(where, "regional_key", f"'{value}' ist kein Schlüssel in Thüringen (Vokabular regions)",
                             f"'{value}' is not a key in Thüringen (vocabulary regions)")
                return None, None
            if concept.deprecated:
                successor = concept.property("replaced_by") or "-"
                self.problem(where, "regional_key", f"'{value}' ist nicht mehr gültig (ersetzt durch {successor})",
                             f"'{value}' is no longer valid (replaced by {successor})")
                return None, None
        return value, uri

    def contact(self, entry: dict, where: str) -> Contact:
        if entry.get("contact") is None:
            return Contact()
        contact = self.mapping(entry["contact"], where, "contact")
        self.unknown_fields(contact, f"{where} contact", _CONTACT_FIELDS)
        email = self.text(contact, where, "email")
        if email and not _EMAIL.match(email):
            self.problem(where, "contact.email", f"'{email}' ist keine gültige E-Mail-Adresse",
                         f"'{email}' is not a valid email address")
        return Contact(self.text(contact, where, "name"), email)

    def source(self, entry: dict, where: str, authority: Authority) -> Source:
        self.unknown_fields(entry, where, _SOURCE_FIELDS)
        demo = authority.demo
        harvester = self.text(entry, where, "type", required=True)
        if harvester and harvester not in HARVESTERS:
            self.not_allowed(where, "type", ("unbekannter Harvester", "unknown harvester type"), harvester,
                             HARVESTERS)
        schedule = self.text(entry, where, "schedule") or "MANUAL"
        if schedule not in SCHEDULES:
            self.not_allowed(where, "schedule", ("unbekannter Zeitplan", "unknown schedule"), schedule, SCHEDULES)
        priority = entry.get("priority")
        if priority is not None and (isinstance(priority, bool) or not isinstance(priority, int)):
            self.problem(where, "priority", f"muss eine ganze Zahl sein, nicht {priority!r}",
                         f"must be a whole number, not {priority!r}")
            priority = None
        config = self.mapping(entry["config"], where, "config") if entry.get("config") is not None else {}
        for key in _CONFIG_FROM_FIELDS:
            if key in config:
                self.problem(where, f"config.{key}", f"als eigenes Feld '{key}' angeben, nicht in config",
                             f"give it as the field '{key}', not in config")
        return Source(
            name=self.name(entry, where), title=self.text(entry, where, "title", required=True),
            type=harvester, url=self.source_url(entry, where, demo), authority=authority.name, demo=demo,
            schedule=schedule, priority=priority,
            contributor_id=self.contributor_id(entry, where),
            spatial_uri=self.spatial_uri(entry, where, demo) or authority.spatial_uri,
            config=config, enabled=self.flag(entry, where, "enabled", True),
            notes=self.text(entry, where, "notes"),
        )

    def source_url(self, entry: dict, where: str, demo: bool) -> str:
        value = self.text(entry, where, "url", required=True)
        if not value:
            return ""
        if demo:
            rest = value[len(DEMO_CATALOGS):]
            if not value.startswith(DEMO_CATALOGS + "/") or not rest.strip("/") or re.search(r"\s", rest):
                self.problem(where, "url", f"eine Demo-Quelle liegt auf dem lokalen Katalogserver: "
                                           f"'{DEMO_CATALOGS}/<Datei>', nicht '{value}'",
                             f"a demo source lives on the local catalogue server: "
                             f"'{DEMO_CATALOGS}/<file>', not '{value}'")
        elif not _is_web_url(value):
            self.problem(where, "url", f"'{value}' ist keine vollständige Webadresse (http:// oder https://)",
                         f"'{value}' is not a complete web address (http:// or https://)")
        return value

    def contributor_id(self, entry: dict, where: str) -> str | None:
        value = self.web_url(entry, where, "contributor_id")
        if value.startswith(GOVDATA_CONTRIBUTORS) and value not in self.contributors:
            self.problem(where, "contributor_id", f"'{value}' steht nicht in GovDatas Liste der Contributor-IDs",
                         f"'{value}' is not in GovData's list of contributor IDs")
        return value or None

    def spatial_uri(self, entry: dict, where: str, demo: bool) -> str | None:
        value = self.web_url(entry, where, "spatial_uri")
        if value and not demo and value.startswith(POLITICAL_GEOCODING) and value not in self.regions:
            self.problem(where, "spatial_uri", f"'{value}' ist kein Gebiet in Thüringen (Vokabular regions)",
                         f"'{value}' is not an area in Thüringen (vocabulary regions)")
        return value or None

    # ------------------------------------------------------- across entries

    def check_names(self, placed: list[tuple[str, Authority]]) -> None:
        seen: dict[str, str] = {}
        for where, authority in placed:
            self.duplicate(seen, authority.name, where)
            for source in authority.sources:
                self.duplicate(seen, source.name, f"{where} source {source.name}", source=True)

    def duplicate(self, seen: dict[str, str], name: str, what: str, source: bool = False) -> None:
        key = ("source:" if source else "authority:") + name
        if name and key in seen:
            self.problem(what, "name", f"'{name}' kommt doppelt vor (auch bei {seen[key]})",
                         f"duplicate name '{name}' (also at {seen[key]})")
        seen.setdefault(key, what)

    def check_hierarchy(self, placed: list[tuple[str, Authority]]) -> None:
        by_name = {a.name: a for _, a in placed if a.name}
        for where, authority in placed:
            if authority.parent is None:
                continue
            parent = by_name.get(authority.parent)
            if parent is None:
                self.problem(where, "parent", f"unbekannte übergeordnete Stelle '{authority.parent}'",
                             f"unknown parent '{authority.parent}'")
                continue
            chain = self.cycle(authority, by_name)
            if chain:
                self.problem(where, "parent", "Kreis in der Hierarchie: " + " -> ".join(chain),
                             "parent cycle: " + " -> ".join(chain))
                continue
            self.check_parent(authority, parent, where)

    @staticmethod
    def cycle(authority: Authority, by_name: dict[str, Authority]) -> list[str]:
        chain = [authority.name]
        current = authority
        while current.parent in by_name:
            current = by_name[current.parent]
            chain.append(current.name)
            if current.name == authority.name:
                return chain
            if current.name in chain[:-1]:
                return []  # a cycle further up; reported at its own members
        return []

    def check_parent(self, authority: Authority, parent: Authority, where: str) -> None:
        if parent.demo != authority.demo:
            self.problem(where, "parent", f"'{parent.name}' ist {'eine' if parent.demo else 'keine'} Demo-Stelle, "
                                          f"'{authority.name}' {'eine' if authority.demo else 'keine'}",
                         f"'{parent.name}' is {'a' if parent.demo else 'not a'} demo entry, "
                         f"'{authority.name}' {'is' if authority.demo else 'is not'}")
        ranks = {a.name: self.rank(a) for a in (authority, parent)}
        if None not in ranks.values() and ranks[parent.name] > ranks[authority.name]:
            self.problem(where, "parent", f"eine Stelle der Ebene '{parent.level}' kann nicht über einer der Ebene "
                                          f"'{authority.level}' stehen",
                         f"an authority of level '{parent.level}' cannot be the parent of one of level "
                         f"'{authority.level}'")
        if authority.regional_key and parent.regional_key and \
                not authority.regional_key.startswith(parent.regional_key):
            self.problem(where, "regional_key", f"'{authority.regional_key}' liegt nicht im Gebiet von "
                                                f"'{parent.name}' ({parent.regional_key})",
                         f"'{authority.regional_key}' is not within the area of "
                         f"'{parent.name}' ({parent.regional_key})")

    def rank(self, authority: Authority) -> int | None:
        concept = self.levels.get(authority.level_uri) if authority.level_uri else None
        geocoding = _GEOCODING.get(concept.property("level") or "") if concept else None
        return geocoding.rank if geocoding else None
