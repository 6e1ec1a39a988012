"""Transparency publications (dataset type `publication`): the rules on their values.

A publication is a CKAN dataset of type `publication` (schemas/publication.yaml)
whose resources are the documents. What its fields may hold, and how a record
of another system becomes a publication, is decided here, as pure functions on
plain values and dataset dicts (no database, no CKAN configuration), so that
the form's validators, the harvesters, the RDF profile and the search index use
the same rules (tests/unit/test_publication_rules.py):

- `document_type`: a value (URI, slug, label or alias such as "Gutachten",
  "IFG-Antwort") -> the concept URI of the vocabulary `document_types`;
- `legal_basis_law`: a law's code (ThürTG, ThürUIG, ThürIFG-alt, other), given
  or derived from the legal basis text ("§ 6 Abs. 3 Nr. 2 ThürTG");
- `euro_amount`: a contract value as sent ("1.234.567,89 €") -> "1234567.89";
- `document_type_in`: the document type named by a record's dct:type or
  dct:subject values, if any (2a: DCAT-AP.de records that are transparency
  documents);
- `as_publication`: a harvested or parsed dataset dict turned into a publication;
- `index_fields`: the facet fields of a publication for Solr.
"""
from __future__ import annotations

import copy
import datetime
import functools
import json
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from ckanext.thueringen import normalize, vocabularies

PUBLICATION_TYPE = "publication"
DOCUMENT_TYPE_SCHEME = "https://opendata.thueringen.de/def/document-type"
DOCUMENT_TYPE_OTHER = f"{DOCUMENT_TYPE_SCHEME}/sonstige"
LAW_OTHER = "other"

# The dates that give a publication's year (the year facet), the first one present.
_YEAR_SOURCES = ("document_date", "publication_date", "decision_date", "issued")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def document_type(value: Any) -> str | None:
    """The concept URI for a document type given as URI (http or https, with or
    without a trailing slash), slug, label or alias; None if it names none."""
    text = _text(value)
    if not text:
        return None
    types = vocabularies.vocabulary("document_types")
    concept = types.lookup(text) or types.lookup(text.rstrip("/"))
    if concept is None and text.lower().startswith("http"):
        path = text.rstrip("/").split("://", 1)[-1]
        concept = types.get(f"https://{path}")
    return concept.uri if concept is not None else None


def _laws() -> vocabularies.Vocabulary:
    return vocabularies.vocabulary("legal_basis_laws")


def legal_basis_law(value: Any) -> str | None:
    """The code of a law given by its code, name or abbreviation; None if unknown."""
    concept = _laws().lookup(_text(value))
    return concept.code if concept is not None else None


@functools.cache
def _law_patterns() -> list[tuple[re.Pattern, str]]:
    """Every code and alias as a whole-word pattern, longest first ("ThürIFG"
    before "IFG")."""
    names = [(name, concept.code) for concept in _laws() if concept.code != LAW_OTHER
             for name in (concept.code, *concept.labels.values(), *concept.alt_labels)]
    names.sort(key=lambda item: len(item[0]), reverse=True)
    return [(re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE), code) for name, code in names]


def law_from_legal_basis(text: Any) -> str | None:
    """The law a legal basis text cites ("§ 6 Abs. 3 Nr. 2 ThürTG" -> ThürTG);
    `other` for a text citing none of the listed laws; None without text."""
    text = _text(text)
    if not text:
        return None
    for pattern, code in _law_patterns():
        if pattern.search(text):
            return code
    return LAW_OTHER


_AMOUNT = re.compile(r"(?:EUR|€|Euro)?\s*(?P<number>[0-9][0-9.,' ]*)\s*(?:EUR|€|Euro)?", re.IGNORECASE)


def euro_amount(value: Any) -> str | None:
    """A sum of euros as a decimal text with two places ("1234567.89") from the
    forms people write: "1.234.567,89 €", "1234567,89", "1,234,567.89", "EUR 500",
    "125.000" (three digits after the only separator group thousands: euros have
    two decimal places). None for text that is no amount, a negative amount, or
    more than two decimal places, and for NaN and infinite numbers."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = Decimal(str(value))
        return f"{number:.2f}" if number.is_finite() and number >= 0 else None
    match = _AMOUNT.fullmatch(_text(value))
    if not match:
        return None
    digits = re.sub(r"[' ]", "", match.group("number"))
    separators = [c for c in digits if c in ".,"]
    if separators:
        last = digits.rfind(separators[-1])
        decimals = len(digits) - last - 1
        if len(set(separators)) == 2:
            # Both: the last one is the decimal separator; the other groups thousands.
            if digits.count(separators[-1]) > 1:
                return None
            digits = digits[:last].replace(separators[0], "") + "." + digits[last + 1:]
        elif len(separators) > 1:
            # One kind, several times: thousands groups ("1.234.567").
            if not re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits):
                return None
            digits = digits.replace(separators[0], "")
        elif decimals == 3:
            # Euros have two decimal places: "125.000" and "125,000" are thousands.
            digits = digits.replace(separators[0], "")
        elif decimals > 3:
            return None
        else:
            digits = digits.replace(separators[0], ".")
    try:
        number = Decimal(digits)
    except InvalidOperation:
        return None
    return f"{number:.2f}"


def field_values(value: Any) -> list[str]:
    """A field's values from a list, one value or a JSON-encoded list."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    values = value if isinstance(value, (list, tuple)) else [value]
    return [_text(v) for v in values if _text(v)]


def document_type_in(values: Iterable[Any]) -> str | None:
    """The first document type that one of `values` (dct:type, dct:subject, a
    feed's category) names, as concept URI; None if none does."""
    for value in values:
        found = document_type(value)
        if found:
            return found
    return None


def as_publication(dataset: dict, document_type_uri: str | None = None) -> dict:
    """A copy of `dataset` as a publication: type `publication`, the document type
    (the one given, the one it has, else "Sonstige Veröffentlichungen"), the law
    derived from the legal basis text when missing, and a report period given as
    `temporal_start`/`temporal_end` moved into `temporal_coverage`."""
    result = copy.deepcopy(dataset)
    result["type"] = PUBLICATION_TYPE
    result["document_type"] = (document_type_uri or document_type(result.get("document_type"))
                               or result.get("document_type") or DOCUMENT_TYPE_OTHER)
    # dct:type was the document type: it is not also the EU dataset type.
    if document_type_in(field_values(result.get("dcat_type"))):
        result.pop("dcat_type", None)
    if not result.get("legal_basis_law") and result.get("legal_basis"):
        result["legal_basis_law"] = law_from_legal_basis(result["legal_basis"])
    start, end = result.pop("temporal_start", None), result.pop("temporal_end", None)
    if (start or end) and not result.get("temporal_coverage"):
        result["temporal_coverage"] = [{key: value for key, value in (("start", start), ("end", end)) if value}]
    return result


def year(dataset: dict) -> str | None:
    """The year a publication belongs to: of its document date, else its
    publication date, decision date or (catalogue) issue date."""
    for field in _YEAR_SOURCES:
        found = normalize.date(dataset.get(field)) if dataset.get(field) else None
        if found:
            return found[:4]
    return None


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Add the publication facets to a dataset about to be indexed: document type,
    law and year (as `vocab_*`, CKAN's multi-valued string fields)."""
    if pkg_dict.get("type") != PUBLICATION_TYPE:
        return pkg_dict
    pkg_dict["vocab_document_type"] = field_values(pkg_dict.get("document_type"))
    law = pkg_dict.get("legal_basis_law") or law_from_legal_basis(pkg_dict.get("legal_basis"))
    pkg_dict["vocab_legal_basis_law"] = [law] if law else []
    found = year(pkg_dict)
    pkg_dict["vocab_publication_year"] = [found] if found else []
    # the date the year comes from, as a Solr date (the obligations overview's "newest")
    reference = reference_date(pkg_dict)
    if reference:
        pkg_dict["reference_date"] = reference
    return pkg_dict


def reference_date(dataset: dict) -> str | None:
    """The date that gives a publication's year (see `year`), as a Solr date."""
    for field in _YEAR_SOURCES:
        found = normalize.date(dataset.get(field)) if dataset.get(field) else None
        if found:
            return solr_date(found)
    return None


def solr_date(text: str | None) -> str | None:
    """A date as normalize.date gives it ("2024", "2024-05", "2024-05-01", or
    with a time) as a Solr date at midnight UTC of its first day."""
    if not text or len(text) < 4 or not text[:4].isdigit():
        return None
    day = (text[:10] + "-01-01"[len(text[:10]) - 4:]) if len(text) < 10 else text[:10]
    try:
        datetime.date.fromisoformat(day)
    except ValueError:
        return None
    return f"{day}T00:00:00Z"
