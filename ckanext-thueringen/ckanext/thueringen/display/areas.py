"""Areas in words: a political-geocoding URI of DCAT-AP.de as the name of its area.

Thüringen's districts and municipalities are in the regions vocabulary; the
sixteen Länder are named here (their two-digit keys are fixed by the
Amtlicher Gemeindeschlüssel); any other key of another Land reads
"Gebiet <key> (<Land>)", never as the URI.
"""
from __future__ import annotations

import re

from ckanext.thueringen import normalize, vocabularies

# Amtlicher Gemeindeschlüssel: the first two digits of every key name the Land.
STATES = {
    "01": ("Schleswig-Holstein", "Schleswig-Holstein"),
    "02": ("Hamburg", "Hamburg"),
    "03": ("Niedersachsen", "Lower Saxony"),
    "04": ("Bremen", "Bremen"),
    "05": ("Nordrhein-Westfalen", "North Rhine-Westphalia"),
    "06": ("Hessen", "Hesse"),
    "07": ("Rheinland-Pfalz", "Rhineland-Palatinate"),
    "08": ("Baden-Württemberg", "Baden-Württemberg"),
    "09": ("Bayern", "Bavaria"),
    "10": ("Saarland", "Saarland"),
    "11": ("Berlin", "Berlin"),
    "12": ("Brandenburg", "Brandenburg"),
    "13": ("Mecklenburg-Vorpommern", "Mecklenburg-Western Pomerania"),
    "14": ("Sachsen", "Saxony"),
    "15": ("Sachsen-Anhalt", "Saxony-Anhalt"),
    "16": ("Thüringen", "Thuringia"),
}
_AREA = {"de": "Gebiet", "en": "Area"}

_GEOCODING = re.compile(r"\s*https?://(?:www\.)?dcat-ap\.de/def/politicalGeocoding/(\w+)/(\d+)/?\s*$",
                        re.IGNORECASE)


def _in(language: str, texts: dict[str, str]) -> str:
    return texts.get(language, texts["de"])


def state_name(key: str, language: str = "de") -> str | None:
    """The Land whose key `key` starts with ("04" and "04011000" are Bremen)."""
    names = STATES.get(key[:2])
    if not names:
        return None
    return names[1] if language == "en" else names[0]


def geocoding_key(value: str) -> tuple[str, str] | None:
    """(kind, key) of a political-geocoding URI in any of its forms
    (http/https, www, a trailing slash), e.g. ("stateKey", "04"); else None."""
    match = _GEOCODING.match(value or "")
    return (match.group(1), match.group(2)) if match else None


def area_label(value: str | None, language: str = "de") -> str:
    """The area `value` names, in words: a Thüringen district or municipality by
    its name (regions vocabulary), a Land by its name, Germany, or "Gebiet
    <key> (<Land>)" for another key; a value that is no geocoding URI as it is."""
    text = (value or "").strip()
    if not text:
        return ""
    found = normalize.region(text)
    if found:
        return vocabularies.vocabulary("regions").label(found, language)
    parsed = geocoding_key(text)
    if parsed is None:
        return text
    kind, key = parsed
    state = state_name(key, language)
    if kind.casefold() == "statekey" and state and len(key) <= 2:
        return state
    suffix = f" ({state})" if state else ""
    return f"{_in(language, _AREA)} {key}{suffix}"
