"""Whole datasets: the value rules applied to a CKAN dataset dict (the portal
schema's field names, schemas/dataset.yaml), and every change reported.

What the normaliser does with a value it cannot map depends on the field:
- a vocabulary value (licence, language, frequency, ...) stays as sent and is
  reported (kind "unmapped");
- a theme outside the EU list leaves `theme` and becomes a keyword (kind
  "unmapped", "nicht zugeordnet"), so that no foreign theme is exported;
- a value that cannot be used at all (an address that is not one, a placeholder
  date, a keyword with nothing usable left) is removed (kind "dropped");
- a value that is repaired (HTML, a keyword, a cut title, an address split off
  a name) is replaced (kind "cleaned");
- a value filled in from another (a format from the media type) is "derived".
Each finding holds the value as it was sent, so nothing is lost silently.
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ckanext.thueringen.normalize import ckan_form
from ckanext.thueringen.normalize import text as texts
from ckanext.thueringen.normalize.values import (
    _vocabulary,
    access_right,
    availability,
    conformance,
    contributor,
    date,
    distribution_status,
    email_address,
    emails_in,
    file_type,
    file_type_of_url,
    frequency,
    geocoding_level,
    hash_algorithm,
    http_url,
    hvd_category,
    is_open_end,
    is_placeholder_date,
    language,
    last_segment,
    licence,
    media_type,
    publisher_type,
    spatial,
    theme,
    uri,
)

# The kinds of finding (Unmapped.kind).
UNMAPPED = "unmapped"   # kept as sent, not in the vocabulary
CLEANED = "cleaned"     # replaced by a repaired form
DROPPED = "dropped"     # removed, nothing usable
DERIVED = "derived"     # filled in from another value of the record
MISSING = "missing"     # DCAT-AP.de makes it mandatory, the source has none (missing_mandatory)
KINDS = (UNMAPPED, CLEANED, DROPPED, DERIVED, MISSING)


@dataclass(frozen=True)
class Unmapped:
    """One finding about one value: `field` e.g. "license_id",
    "resources[2].format", "contact[0].email"; `value` the value as sent;
    `message` German; `kind` one of KINDS."""
    field: str
    value: str
    message: str
    kind: str = UNMAPPED


@dataclass
class Normalized:
    value: Any
    unmapped: list[Unmapped] = field(default_factory=list)


_DROP = object()  # a rule's result: remove the value


@dataclass(frozen=True)
class _Rule:
    normalise: Callable[[Any], str | None]
    message: str                        # German, with {value}
    vocabulary: str | None = None
    drop: bool = False                  # an unusable value is removed, not kept
    placeholder: Callable[[str], bool] | None = None   # a mapped value that means "none"
    placeholder_message: str = ""

    def explain(self, value: Any) -> str:
        if self.vocabulary and _vocabulary(self.vocabulary) is None:
            return (f"'{value}' wurde nicht geprüft: das Vokabular '{self.vocabulary}' "
                    "ist im Portal noch nicht vorhanden")
        return self.message.format(value=value)


def _listed(what: str, where: str, function: Callable[[Any], str | None], name: str) -> _Rule:
    return _Rule(function, f"{what} '{{value}}' steht nicht in {where}", name)


_URI = _Rule(uri, "'{value}' ist keine gültige URI (erwartet eine absolute Adresse wie https://…)")
_IDENTIFIER_URI = _Rule(uri, "'{value}' ist keine gültige URI (erwartet eine absolute Adresse wie https://…); "
                             "verworfen", drop=True)
_URL = _Rule(http_url, "Adresse '{value}' ist keine absolute http(s)-Adresse; verworfen", drop=True)
_DATE_MESSAGE = "'{value}' ist kein gültiges Datum (erwartet ISO 8601 wie 2024-12-31 oder 2024-12-31T14:30:00, " \
                "oder TT.MM.JJJJ)"
_DATE = _Rule(date, _DATE_MESSAGE + "; verworfen", drop=True, placeholder=is_placeholder_date,
              placeholder_message="Datum '{value}' ist ein Platzhalter (Vorgabewert eines Systems), kein "
                                  "Veröffentlichungs- oder Änderungsdatum; verworfen")
_PERIOD_DATE = _Rule(date, _DATE_MESSAGE + "; verworfen", drop=True, placeholder=is_open_end,
                     placeholder_message="Datum '{value}' steht für ein offenes Ende des Zeitraums; "
                                         "als offen übernommen (Angabe entfernt)")


def byte_size(value: Any) -> int | None:
    """A size in bytes from "48213", "48.213" or "48 213" (digit groups); None
    for anything else ("1,2 MB" says too little to be exact)."""
    text = str(value).strip()
    if re.fullmatch(r"\d{1,3}(?:[. \u00a0]\d{3})+|\d+", text):
        return int(re.sub(r"\D", "", text))
    return None


_SIZE = _Rule(byte_size, "Größe '{value}' ist keine Zahl von Bytes; verworfen", drop=True)
_EMAIL_RULE = _Rule(email_address, "'{value}' ist keine gültige E-Mail-Adresse; verworfen", drop=True)
_LICENCE = _Rule(licence, "Lizenz '{value}' steht nicht in der DCAT-AP.de-Lizenzliste; sie wird als eigenes "
                          "Lizenzdokument (dct:LicenseDocument mit dem Text als Bezeichnung) exportiert",
                 "licenses")
_LANGUAGE = _listed("Sprache", "der EU-Sprachliste (language)", language, "languages")
_AVAILABILITY = _listed("Geplante Verfügbarkeit", "der EU-Liste planned-availability", availability,
                        "availability")
_PUBLISHER_TYPE = _listed("Art der Stelle", "der ADMS-Liste publishertype", publisher_type, "publisher_types")
_AGENT = {"email": _EMAIL_RULE, "uri": _URI, "url": _URL, "type": _PUBLISHER_TYPE}
_THEME = _listed("Kategorie", "der EU-Themenliste (data-theme)", theme, "themes")

# field -> rule, or (for lists of objects such as contact) sub-field -> rule.
# A field's value may be one value, a list or a JSON-encoded list; what comes
# back is a list unless there is exactly one value in a field meant for one.
_MANY = {"theme", "language", "hvd_category", "contributor_id", "conforms_to", "applicable_legislation",
         "documentation", "is_referenced_by"}
_DATASET_FIELDS: dict[str, _Rule | dict[str, _Rule]] = {
    "license_id": _LICENCE,
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
    "url": _URL,
    "documentation": _URL,
    "is_referenced_by": _IDENTIFIER_URI,
    "spatial_coverage": {"uri": _Rule(spatial, "Raumbezug '{value}' ist weder ein Thüringer Gebiet der "
                                               "politischen Geokodierung noch eine andere gültige URI", "regions")},
    "temporal_coverage": {"start": _PERIOD_DATE, "end": _PERIOD_DATE},
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
    "access_url": _URL,
    "download_url": _URL,
    "documentation": _URL,
    "uri": _IDENTIFIER_URI,
    "size": _SIZE,
    "hash_algorithm": _Rule(hash_algorithm, "Prüfsummenverfahren '{value}' ist weder ein SPDX-Verfahren "
                                            "noch aus der DCAT-AP.de-Liste hashAlgorithms"),
    "conforms_to": _DATASET_FIELDS["conforms_to"],
    "applicable_legislation": _URI,
}
_AGENT_FIELDS = ("contact", "publisher", "creator")
_RESOURCE_URL_SOURCES = (("download_url", "Download-Adresse"), ("access_url", "Zugangsadresse"))


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


def _apply(rule: _Rule, value: Any, where: str, findings: list[Unmapped]) -> Any:
    if isinstance(value, (dict, list)):
        findings.append(Unmapped(where, json.dumps(value, ensure_ascii=False),
                                 "Feld erwartet einen einzelnen Wert, keine Liste und kein Objekt"))
        return value
    result = rule.normalise(value)
    if result is None:
        if rule.drop:
            findings.append(Unmapped(where, str(value), rule.explain(value), DROPPED))
            return _DROP
        findings.append(Unmapped(where, str(value), rule.explain(value)))
        return value
    if rule.placeholder is not None and rule.placeholder(result):
        findings.append(Unmapped(where, str(value), rule.placeholder_message.format(value=value), DROPPED))
        return _DROP
    return result


def _normalise_record(record: dict, fields: dict[str, _Rule | dict[str, _Rule]], prefix: str,
                      findings: list[Unmapped]) -> None:
    """Normalise `record`'s fields in place (it is the caller's copy)."""
    for name, rule in fields.items():
        values = _as_list(record.get(name))
        if not values:
            continue
        if isinstance(rule, dict):  # a list of objects (contact, temporal_coverage, ...)
            kept = []
            for index, item in enumerate(values):
                if isinstance(item, dict):
                    where = f"{prefix}{name}[{index}]"
                    if name in _AGENT_FIELDS:
                        _split_agent_email(item, where, findings)
                    dated = any(item.get(key) for key in ("start", "end"))
                    _normalise_record(item, rule, where + ".", findings)
                    if name == "temporal_coverage" and dated and not any(item.get(key) for key in ("start", "end")):
                        continue  # its only dates were open ends: no period (DCAT-AP.de needs a start or an end)
                else:
                    findings.append(Unmapped(f"{prefix}{name}[{index}]", str(item), "Feld erwartet Objekte mit "
                                             "Unterfeldern (z. B. name, email), keinen einzelnen Wert"))
                kept.append(item)
            _store(record, name, kept, many=True)
            continue
        results = [_apply(rule, value, prefix + name, findings) for value in values]
        _store(record, name, [r for r in results if r is not _DROP], many=name in _MANY)


def _store(record: dict, name: str, values: list, many: bool) -> None:
    if not values:
        record.pop(name, None)
    else:
        record[name] = values if many or len(values) != 1 else values[0]


def _split_agent_email(agent: dict, where: str, findings: list[Unmapped]) -> None:
    """An e-mail address glued to an agent's name goes to its `email` (when that is
    empty); an `email` that holds a name besides one address keeps the address."""
    given = agent.get("email")
    if isinstance(given, str) and given.strip() and email_address(given) is None:
        found = emails_in(given)
        if len(found) == 1:
            agent["email"] = found[0]
            findings.append(Unmapped(f"{where}.email", given, f"E-Mail-Adresse '{found[0]}' aus '{given}' "
                                     "herausgelöst", CLEANED))
    name = agent.get("name")
    split = texts.split_glued_email(name) if isinstance(name, str) else None
    if split is None:
        return
    rest, address = split
    current = email_address(agent.get("email")) if agent.get("email") else None
    if current is None and not agent.get("email"):
        agent["email"] = address
        message = f"E-Mail-Adresse '{address}' vom Namen getrennt und als E-Mail übernommen; Name jetzt '{rest}'"
    elif current and current.casefold() == address.casefold():
        message = f"E-Mail-Adresse '{address}' aus dem Namen entfernt (steht schon im Feld E-Mail); Name jetzt '{rest}'"
    else:
        message = (f"E-Mail-Adresse '{address}' aus dem Namen entfernt und verworfen: das Feld E-Mail nennt schon "
                   f"'{agent.get('email')}'; Name jetzt '{rest}'")
    agent["name"] = rest
    findings.append(Unmapped(f"{where}.name", name, message, CLEANED))


# --- themes and keywords --------------------------------------------------------

def _themes(record: dict, findings: list[Unmapped]) -> list[str]:
    """Map `theme`; what maps to no EU theme leaves it. Returns the readable names
    of those values, to be kept as keywords."""
    values = _as_list(record.get("theme"))
    if not values:
        return []
    kept, keywords = [], []
    for value in values:
        if isinstance(value, (dict, list)):
            findings.append(Unmapped("theme", json.dumps(value, ensure_ascii=False),
                                     "Feld erwartet einen einzelnen Wert, keine Liste und kein Objekt; verworfen",
                                     DROPPED))
            continue
        found = theme(value)
        if found:
            kept.append(found)
            continue
        if _vocabulary("themes") is None:
            kept.append(value)
            findings.append(Unmapped("theme", str(value), _THEME.explain(value)))
            continue
        label = last_segment(value)
        tag = texts.clean_tag(label)
        if tag:
            keywords.append(tag)
            message = (f"Kategorie '{label}' ist keiner EU-Kategorie zugeordnet (nicht zugeordnet); "
                       f"als Schlagwort '{tag}' übernommen")
        else:
            message = (f"Kategorie '{label}' ist keiner EU-Kategorie zugeordnet (nicht zugeordnet); kein "
                       "verwendbares Schlagwort, verworfen")
        findings.append(Unmapped("theme", str(value), message))
    _store(record, "theme", list(dict.fromkeys(kept)), many=True)
    return keywords


def _tag_names(values: list, where: str, findings: list[Unmapped]) -> list[str]:
    """Keywords CKAN accepts, each once, from raw keyword values (one finding per
    raw value that is changed or dropped)."""
    names: list[str] = []
    for index, raw in enumerate(values):
        location = where.format(index=index)
        text = "" if raw is None else str(raw)
        cleaned = [c for c in (texts.clean_tag(part) for part in texts.split_keywords(text)) if c]
        if not cleaned:
            findings.append(Unmapped(location, text, f"Schlagwort '{text}' ist zu kurz oder besteht nur aus Zeichen, "
                                     "die CKAN in Schlagwörtern nicht zulässt; verworfen", DROPPED))
        elif cleaned != [text]:
            shown = ", ".join(f"'{c}'" for c in cleaned)
            findings.append(Unmapped(location, text, f"Schlagwort '{text}' enthält Zeichen, die CKAN nicht zulässt, "
                                     f"oder ist zu lang; übernommen als {shown}", CLEANED))
        names += [c for c in cleaned if c not in names]
    return names


def _keywords(record: dict, extra: list[str], findings: list[Unmapped]) -> None:
    """Clean `tags` (list of {"name": ...} or of strings, as ckanext-dcat and
    CKAN give them) and `tag_string` (comma-separated, as forms and the CKAN
    harvester give it); add `extra` keywords to whichever the record uses."""
    tags = record.get("tags")
    if isinstance(tags, list):
        raw = [t.get("name") if isinstance(t, dict) else t for t in tags]
        cleaned: list[dict] = []
        for index, value in enumerate(raw):
            source = tags[index]
            for name in _tag_names([value], f"tags[{index}]", findings):
                if name not in [c["name"] for c in cleaned]:
                    cleaned.append({**source, "name": name} if isinstance(source, dict) else {"name": name})
        for name in extra:
            if name not in [c["name"] for c in cleaned]:
                cleaned.append({"name": name})
        record["tags"] = cleaned
    elif isinstance(record.get("tag_string"), str) or (extra and "tags" not in record and "tag_string" in record):
        parts = [p.strip() for p in (record.get("tag_string") or "").split(",") if p.strip()]
        names = _tag_names(parts, "tag_string", findings)
        names += [name for name in extra if name not in names]
        record["tag_string"] = ",".join(names)
    elif extra:
        record["tags"] = [{"name": name} for name in extra]


# --- free text ---------------------------------------------------------------------

def _description(record: dict, key: str, where: str, findings: list[Unmapped]) -> None:
    value = record.get(key)
    if isinstance(value, str) and texts.contains_html(value):
        record[key] = texts.html_to_markdown(value)
        findings.append(Unmapped(where, value, "Beschreibung enthielt HTML; in Markdown umgewandelt "
                                 "(Absätze, Listen und Links erhalten, übrige Auszeichnung entfernt)", CLEANED))


def _title(record: dict, findings: list[Unmapped]) -> None:
    value = record.get("title")
    if isinstance(value, str) and texts.contains_html(value):
        record["title"] = texts.plain_text(value)
        findings.append(Unmapped("title", value, "Titel enthielt HTML; als reiner Text übernommen", CLEANED))
        value = record["title"]
    if isinstance(value, str) and len(value) > texts.MAX_TITLE_LENGTH:
        record["title"] = texts.cut_at_word(value, texts.MAX_TITLE_LENGTH)
        findings.append(Unmapped("title", value, f"Titel ist länger als {texts.MAX_TITLE_LENGTH} Zeichen "
                                 f"({len(value)}); an einer Wortgrenze gekürzt", CLEANED))


# --- resources --------------------------------------------------------------------

def guess_file_type(resource: dict) -> tuple[str, str] | None:
    """(EU file-type URI, German reason) for a distribution that names no format:
    from its media type, else from the file ending of its download URL or URL;
    None when neither tells."""
    mimetype = resource.get("mimetype")
    if isinstance(mimetype, str) and mimetype.strip():
        found = file_type(mimetype)
        if found:
            return found, f"aus dem Medientyp '{mimetype}'"
    for key in ("download_url", "url"):
        address = resource.get(key)
        if isinstance(address, str):
            found = file_type_of_url(address)
            if found:
                return found, f"aus der Dateiendung der Adresse '{address}'"
    return None


def _resource(resource: dict, where: str, findings: list[Unmapped]) -> None:
    url = resource.get("url")
    if isinstance(url, str) and url.strip() and http_url(url) is None:
        replacement = next(((label, http_url(resource.get(key))) for key, label in _RESOURCE_URL_SOURCES
                            if http_url(resource.get(key))), None)
        if replacement:
            resource["url"] = replacement[1]
            findings.append(Unmapped(where + "url", url, f"Adresse '{url}' ist keine absolute http(s)-Adresse; "
                                     f"ersetzt durch die {replacement[0]} '{replacement[1]}'", CLEANED))
        else:
            resource["url"] = ""
            findings.append(Unmapped(where + "url", url, _URL.explain(url), DROPPED))
    elif isinstance(url, str) and url.strip() and http_url(url) != url:
        resource["url"] = http_url(url)
    _normalise_record(resource, _RESOURCE_FIELDS, where, findings)
    _description(resource, "description", where + "description", findings)
    if not (isinstance(resource.get("format"), str) and resource["format"].strip()):
        guess = guess_file_type(resource)
        if guess:
            resource["format"] = guess[0]
            findings.append(Unmapped(where + "format", "", f"Format fehlt in der Quelle; {guess[1]} abgeleitet: "
                                     f"{guess[0].rsplit('/', 1)[-1]}", DERIVED))


# --- the whole dataset ------------------------------------------------------------

def field_value(field: str, value: Any, resource: bool = False) -> Any:
    """One field's value normalised as normalize_dataset() does it (for the form
    and the API: "text/csv" becomes "CSV", "CC BY 4.0" "cc-by/4.0", "de" the EU
    language URI); what cannot be mapped comes
    back unchanged (also where normalize_dataset would drop it: the form shows
    the validator's error instead). Fields of objects (contact, ...) are not
    handled here."""
    rule = _THEME if field == "theme" and not resource else \
        (_RESOURCE_FIELDS if resource else _DATASET_FIELDS).get(field)
    values = _as_list(value)
    if not isinstance(rule, _Rule) or not values:
        return value
    results = [_apply(rule, item, field, []) for item in values]
    results = [item if result is _DROP else result for item, result in zip(values, results)]
    short = _CKAN_FORMS.get((field, resource))
    if short:
        results = [short(item)[0] for item in results]
    return results if field in _MANY or len(results) != 1 else results[0]


# Fields kept in CKAN's short form rather than as the vocabulary URI (normalize.ckan_form).
_CKAN_FORMS = {("license_id", False): ckan_form.licence_fields, ("format", True): ckan_form.format_fields}


def normalize_dataset(data: dict) -> Normalized:
    """A normalised copy of the CKAN dataset dict `data` (left untouched), with
    every finding (each kind of KINDS but "missing") in `unmapped`; licence and
    formats in CKAN's form, their URIs beside them (normalize.ckan_form)."""
    result = copy.deepcopy(data)
    findings: list[Unmapped] = []
    keywords = _themes(result, findings)
    _normalise_record(result, _DATASET_FIELDS, "", findings)
    _keywords(result, keywords, findings)
    _title(result, findings)
    _description(result, "notes", "notes", findings)
    resources = result.get("resources")
    for index, resource in enumerate(resources if isinstance(resources, list) else []):
        if isinstance(resource, dict):
            _resource(resource, f"resources[{index}].", findings)
    return Normalized(ckan_form.to_ckan_form(result), findings)


def missing_mandatory(dataset: dict) -> list[Unmapped]:
    """What DCAT-AP.de 3.0 makes mandatory and the record lacks (kind "missing"),
    for the harvest report: title, description (dct:description), publisher
    (dct:publisher), per distribution its access URL (dcat:accessURL; a download
    URL or URL serves) and its licence (dct:license; the dataset's licence
    serves). Pure; reads a dataset dict as normalize_dataset() returns it."""
    def empty(value: Any) -> bool:
        return not _as_list(value)

    found: list[Unmapped] = []
    if empty(dataset.get("title")):
        found.append(Unmapped("title", "", "Titel fehlt in der Quelle", MISSING))
    if empty(dataset.get("notes")):
        found.append(Unmapped("notes", "", "Beschreibung fehlt in der Quelle", MISSING))
    publishers = [p for p in _as_list(dataset.get("publisher"))
                  if isinstance(p, dict) and (p.get("name") or p.get("uri"))]
    if not publishers:
        found.append(Unmapped("publisher", "", "Herausgeber (dct:publisher) fehlt in der Quelle", MISSING))
    resources = dataset.get("resources")
    for index, resource in enumerate(resources if isinstance(resources, list) else []):
        if not isinstance(resource, dict):
            continue
        where = f"resources[{index}]."
        if not any(http_url(resource.get(key)) for key in ("access_url", "download_url", "url")):
            found.append(Unmapped(where + "access_url", "", "Zugangs-URL der Distribution fehlt in der Quelle",
                                  MISSING))
        if empty(resource.get("license")) and empty(dataset.get("license_id")):
            found.append(Unmapped(where + "license", "", "Lizenz der Distribution fehlt in der Quelle (auch "
                                  "der Datensatz nennt keine)", MISSING))
    return found
