"""Dates, periods and sizes as German (or English) readers write them."""
from __future__ import annotations

import re
from typing import Any

from ckanext.thueringen import normalize

MONTHS = {
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
_WORDS = {
    "de": {"since": "seit {start}", "until": "bis {end}", "range": "{start} bis {end}"},
    "en": {"since": "since {start}", "until": "until {end}", "range": "{start} to {end}"},
}
_ISO = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?(?:T.*)?")


def _iso(value: Any) -> str | None:
    """The ISO text of a stored or typed date (ISO 8601 or TT.MM.JJJJ); None if none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return normalize.date(value)


def date_text(value: Any, language: str = "de") -> str:
    """"1. November 2011" (English "1 November 2011"), "November 2011", "2011";
    "" for no date; a value that is no date as it is."""
    iso = _iso(value)
    if iso is None:
        return "" if value is None else str(value).strip()
    match = _ISO.match(iso)
    if not match:
        return iso
    months = MONTHS.get(language, MONTHS["de"])
    year, month, day = match.group("year"), match.group("month"), match.group("day")
    if not month:
        return year
    name = months[int(month) - 1]
    if not day:
        return f"{name} {year}"
    return f"{int(day)}. {name} {year}" if language != "en" else f"{int(day)} {name} {year}"


def _open(value: Any) -> bool:
    iso = _iso(value)
    return iso is None or normalize.is_open_end(iso)


def period_text(start: Any, end: Any, language: str = "de") -> str:
    """A period in words: "seit 1. November 2011" when it has no end (or a
    placeholder end such as 9999-01-01), "bis 31. Dezember 2020" when it has
    no start, else "1. Januar 2020 bis 31. Dezember 2020"; "" for neither."""
    words = _WORDS.get(language, _WORDS["de"])
    has_start, has_end = not _open(start), not _open(end)
    if has_start and has_end:
        return words["range"].format(start=date_text(start, language), end=date_text(end, language))
    if has_start:
        return words["since"].format(start=date_text(start, language))
    if has_end:
        return words["until"].format(end=date_text(end, language))
    return ""


def form_date(value: Any) -> str:
    """A day as the form shows it, TT.MM.JJJJ ("01.11.2011"); a value with a
    time, a month or a year only as stored (the form must not lose precision)."""
    iso = _iso(value)
    if iso and re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
        year, month, day = iso.split("-")
        return f"{day}.{month}.{year}"
    return "" if value is None else str(value)


_UNITS = ("Bytes", "KB", "MB", "GB", "TB")


def size_text(value: Any, language: str = "de") -> str:
    """A byte count as "1,5 MB" (English "1.5 MB"); "" when it is no count."""
    try:
        size = int(str(value).strip())
    except (TypeError, ValueError):
        return ""
    if size < 0:
        return ""
    amount, unit = float(size), 0
    while amount >= 1000 and unit < len(_UNITS) - 1:
        amount /= 1000
        unit += 1
    number = f"{amount:.0f}" if unit == 0 or amount >= 100 else f"{amount:.1f}"
    if language != "en":
        number = number.replace(".", ",")
    return f"{number} {_UNITS[unit]}"
