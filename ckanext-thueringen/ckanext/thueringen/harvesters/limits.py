"""A harvested record fitted to what the portal accepts from anyone.

The portal refuses input it cannot keep (ckanext.thueringen.guard: control
characters, texts over `thueringen.limits.*`, too many keywords or
distributions). An editor gets a German 4xx and corrects the form; a source
cannot, and one long text must not cost a record (docs/harvesting.md, "Keep,
clean, map, derive"). So before a harvested record is stored, what the guard
would refuse is cleaned here, each change a finding: characters that cannot be
stored are removed, texts are cut at a word boundary, keywords and
distributions over the limit are left out. Pure: the limits are passed in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ckanext.thueringen.guard import rules
from ckanext.thueringen.normalize import CLEANED, DROPPED, Unmapped, cut_at_word

_BAD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LONG_TEXT = ("notes", "description")
UNLIMITED = 10**9
# values that mean nothing when cut: addresses, identifiers and geometries are dropped instead
_WHOLE = ("url", "uri", "download_url", "access_url", "identifier", "alternate_identifier", "documentation",
          "endpoint_url", "landing_page", "email", "geom", "bbox", "centroid", "spatial")


@dataclass(frozen=True)
class Limits:
    title_length: int
    notes_length: int
    text_length: int
    tags: int
    resources: int

    @classmethod
    def from_config(cls, config) -> Limits:
        """The limits `thueringen.limits.*` (plugin thueringen_guard); none where it is off."""
        return cls(*(int(config.get(f"thueringen.limits.{name}") or UNLIMITED) for name in
                     ("title_length", "notes_length", "text_length", "tags", "resources")))


def _where(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _most(path: tuple, limits: Limits) -> int:
    if path == ("title",):
        return limits.title_length
    named = [part for part in path if isinstance(part, str)]
    return limits.notes_length if named and named[-1] in _LONG_TEXT else limits.text_length


def _fit_text(text: str, path: tuple, limits: Limits, findings: list[Unmapped]) -> str | None:
    cleaned = _BAD_CHARACTERS.sub("", text)
    if cleaned != text:
        findings.append(Unmapped(_where(path), text[:200], "enthielt Steuerzeichen, die nicht gespeichert werden "
                                 "können; entfernt", CLEANED))
    most = _most(path, limits)
    named = [part for part in path if isinstance(part, str)]
    if len(cleaned) > most and named and named[-1] in _WHOLE:
        findings.append(Unmapped(_where(path), cleaned[:200], f"ist {len(cleaned)} Zeichen lang, erlaubt sind "
                                 f"{most}; gekürzt wäre es eine andere Adresse, Kennung oder Geometrie, daher "
                                 "verworfen",
                                 DROPPED))
        return None
    if len(cleaned) > most:
        findings.append(Unmapped(_where(path), cleaned[:200], f"ist {len(cleaned)} Zeichen lang, erlaubt sind "
                                 f"{most}; am Wortende gekürzt", CLEANED))
        cleaned = cut_at_word(cleaned, most)
    return cleaned


def _fit(value: Any, path: tuple, limits: Limits, findings: list[Unmapped]) -> Any:
    if isinstance(value, str):
        return _fit_text(value, path, limits, findings)
    if isinstance(value, dict):
        return {key: _fit(child, path + (key,), limits, findings) for key, child in value.items()}
    if isinstance(value, list):
        return [_fit(child, path + (index,), limits, findings) for index, child in enumerate(value)]
    if not rules.is_finite_number(value):
        findings.append(Unmapped(_where(path), str(value), "ist keine endliche Zahl; verworfen", DROPPED))
        return None
    return value


def fit_to_limits(dataset: dict, limits: Limits) -> tuple[dict, list[Unmapped]]:
    """A copy of `dataset` that the portal's input rules accept, and what was changed."""
    findings: list[Unmapped] = []
    fitted = {key: _fit(value, (key,), limits, findings) for key, value in dataset.items()}
    for name, most, what in (("tags", limits.tags, "Schlagwörter"), ("resources", limits.resources, "Distributionen")):
        values = fitted.get(name)
        if isinstance(values, list) and len(values) > most:
            findings.append(Unmapped(name, str(len(values)), f"{len(values)} {what}, erlaubt sind {most}; die "
                                     f"übrigen {len(values) - most} wurden nicht übernommen", DROPPED))
            fitted[name] = values[:most]
    return fitted, findings
