"""Template helpers: vocabulary choices and labels for forms, pages and facets."""
from __future__ import annotations

from typing import Any

from ckanext.thueringen import vocabularies


def thueringen_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """ckanext-scheming `choices_helper`: the choices of the field's `vocabulary`."""
    return vocabularies.vocabulary(field["vocabulary"]).choices()


def thueringen_vocabulary_label(vocabulary: str, uri: str, language: str = "de") -> str:
    return vocabularies.vocabulary(vocabulary).label(uri, language)


def thueringen_format_label(value: str | None) -> str:
    """The short name of a file type ("CSV") for its EU URI; other values as they are."""
    concept = vocabularies.vocabulary("filetypes").get(value or "")
    return concept.label("de") if concept else (value or "")


def thueringen_format_code(value: str | None) -> str:
    """The lower-case code of a file type ("csv"), which CKAN's styles colour by."""
    concept = vocabularies.vocabulary("filetypes").get(value or "")
    return (concept.code if concept else (value or "")).lower()


def get_helpers() -> dict[str, Any]:
    return {
        "thueringen_vocabulary_choices": thueringen_vocabulary_choices,
        "thueringen_vocabulary_label": thueringen_vocabulary_label,
        "thueringen_format_label": thueringen_format_label,
        "thueringen_format_code": thueringen_format_code,
    }
