"""A harvest source's configuration: the keys every portal harvester knows, checked.

`parse_source_config` reads a source's config JSON into a `SourceConfig`; a
harvester adds keys of its own through `PortalHarvester.config_options`. Every
key is documented in harvesters/README.md.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ckanext.thueringen import normalize

from . import fetch as fetching

if TYPE_CHECKING:
    from ckanext.harvest.model import HarvestSource

class ConfigError(ValueError):
    """An invalid source configuration; the message is German, one sentence per problem."""


@dataclass(frozen=True)
class SourceConfig:
    """The harvest source's config JSON, checked and normalised.

    contributor_id, spatial_uri, political_geocoding_level_uri, publisher:
        applied to each record that lacks them;
    priority: decides between equally new duplicates of different sources;
    max_bytes, timeout: limits of each download (bytes; seconds for the whole page);
    delete_threshold: vanished records are withdrawn only when the source still
        gives at least this share of the records it had;
    max_pages: the most pages one gather reads; keep_jobs: jobs kept per source;
    import_batch: records stored per transaction by the import (1: one at a time);
    rdf_format: the media type to read pages as, whatever the server says;
    options: the checked values of a harvester's own keys (`PortalHarvester.config_options`).
    """

    contributor_id: tuple[str, ...] = ()
    spatial_uri: str | None = None
    political_geocoding_level_uri: str | None = None
    publisher: dict[str, str] | None = None
    priority: int = 0
    max_bytes: int = fetching.DEFAULT_MAX_BYTES
    timeout: float = fetching.DEFAULT_TOTAL_TIMEOUT
    delete_threshold: float = 0.5
    max_pages: int = 500
    keep_jobs: int = 10
    import_batch: int = 50
    rdf_format: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def fetch_limits(self) -> dict[str, float]:
        return {"max_bytes": self.max_bytes, "total_timeout": self.timeout,
                "connect_timeout": min(fetching.DEFAULT_CONNECT_TIMEOUT, self.timeout),
                "read_timeout": min(fetching.DEFAULT_READ_TIMEOUT, self.timeout)}


RDF_FORMATS = ("application/rdf+xml", "text/turtle", "application/ld+json", "application/n-triples")
_PUBLISHER_FIELDS = {"name": None, "uri": normalize.uri, "url": normalize.uri,
                     "email": normalize.email_address, "type": normalize.publisher_type}


_COMMON_KEYS = tuple(name for name in SourceConfig.__dataclass_fields__ if name != "options")


def parse_source_config(text: str | None, options: dict[str, Any] | None = None, *,
                        ignore_unknown: bool = False) -> SourceConfig:
    """The SourceConfig of a config JSON text; raises ConfigError with every problem found.

    options: a harvester's own keys, name -> check (a function that returns the
    value to use or raises ConfigError); ignore_unknown: skip keys that are
    neither common nor in `options` (to read the priority of any source)."""
    options = options or {}
    if not text or not text.strip():
        return SourceConfig(options=_option_defaults(options))
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"Die Konfiguration ist kein gültiges JSON ({exc}).") from None
    if not isinstance(raw, dict):
        raise ConfigError("Die Konfiguration muss ein JSON-Objekt sein, z. B. {\"priority\": 10}.")
    problems: list[str] = []
    values: dict[str, Any] = {}
    own: dict[str, Any] = _option_defaults(options)
    unknown = sorted(set(raw) - set(_COMMON_KEYS) - set(options))
    if unknown and not ignore_unknown:
        problems.append(f"Unbekannte Angabe(n) {', '.join(unknown)}; erlaubt sind "
                        f"{', '.join([*_COMMON_KEYS, *options])}.")
    for name, value in raw.items():
        check = _CHECKS.get(name) if name in _COMMON_KEYS else options.get(name)
        if check is not None and value is not None:
            try:
                (values if name in _COMMON_KEYS else own)[name] = check(value)
            except ConfigError as exc:
                problems.append(f"„{name}“: {exc}")
    if problems:
        raise ConfigError(" ".join(problems))
    return SourceConfig(**values, options=own)


def _option_defaults(options: dict[str, Any]) -> dict[str, Any]:
    """A harvester's own keys with their defaults: a check may carry `default`."""
    return {name: getattr(check, "default", None) for name, check in options.items()}


def _number(kind: type, low: float, high: float | None = None, what: str = ""):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
            raise ConfigError(f"erwartet {what}, nicht {json.dumps(value, ensure_ascii=False)}.")
        if value < low or (high is not None and value > high):
            bounds = f"zwischen {low:g} und {high:g}" if high is not None else f"mindestens {low:g}"
            raise ConfigError(f"{value:g} liegt nicht im erlaubten Bereich ({bounds}).")
        return kind(value)
    return check


def _vocabulary_uri(function, what: str):
    def check(value):
        found = function(value) if isinstance(value, str) else None
        if not found:
            raise ConfigError(f"{json.dumps(value, ensure_ascii=False)} ist {what}.")
        return found
    return check


def _contributors(value) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    check = _vocabulary_uri(normalize.contributor, "keine gültige URI einer Datenbereitsteller-ID")
    return tuple(check(item) for item in values)


def _publisher(value) -> dict[str, str]:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not value["name"].strip():
        raise ConfigError("erwartet ein Objekt mit mindestens „name“, z. B. {\"name\": \"Stadt Jena\", "
                          "\"uri\": \"https://www.jena.de\"}.")
    unknown = sorted(set(value) - set(_PUBLISHER_FIELDS))
    if unknown:
        raise ConfigError(f"unbekannte Angabe(n) {', '.join(unknown)}; erlaubt sind "
                          f"{', '.join(_PUBLISHER_FIELDS)}.")
    publisher = {}
    for key, function in _PUBLISHER_FIELDS.items():
        if value.get(key) in (None, ""):
            continue
        publisher[key] = function(value[key]) if function else str(value[key]).strip()
        if not publisher[key]:
            raise ConfigError(f"„{key}“ {json.dumps(value[key], ensure_ascii=False)} ist ungültig.")
    return publisher


def _rdf_format(value) -> str:
    if value not in RDF_FORMATS:
        raise ConfigError(f"erwartet einen dieser Medientypen: {', '.join(RDF_FORMATS)}.")
    return value


_CHECKS = {
    "contributor_id": _contributors,
    "spatial_uri": _vocabulary_uri(normalize.spatial, "kein Gebiet der politischen Geokodierung und keine "
                                                      "gültige URI"),
    "political_geocoding_level_uri": _vocabulary_uri(normalize.geocoding_level, "keine Ebene der Liste "
                                                     "politicalGeocoding/Level (z. B. …/Level/municipality)"),
    "publisher": _publisher,
    "priority": _number(int, -1000, 1000, "eine ganze Zahl"),
    "max_bytes": _number(int, 1024, what="eine Zahl von Bytes"),
    "timeout": _number(float, 1, 3600, "eine Zahl von Sekunden"),
    "delete_threshold": _number(float, 0, 1, "einen Anteil zwischen 0 und 1, z. B. 0.5"),
    "max_pages": _number(int, 1, 100_000, "eine ganze Zahl"),
    "import_batch": _number(int, 1, 500, "eine ganze Zahl"),
    "keep_jobs": _number(int, 1, 1000, "eine ganze Zahl"),
    "rdf_format": _rdf_format,
}


def settings_or_default(source: HarvestSource) -> SourceConfig:
    """The common settings of any source (its priority, say), whatever harvester it has."""
    try:
        return parse_source_config(source.config, ignore_unknown=True)
    except ConfigError:
        return SourceConfig()
