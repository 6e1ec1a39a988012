"""The time filters of the dataset search: dates as people type them, and the
Solr range filters over the dates the portal indexes (facets.index_fields).

A period filter (`ext_temporal_from`, `ext_temporal_to`) keeps the datasets
whose temporal coverage overlaps the period; a publication-date filter
(`ext_published_from`, `ext_published_to`) those published within it. Either
end may be left open. A bare year or month stands for the whole year or month:
"to 2020" ends on 31 December 2020."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

# Index fields (Solr `*_date`, single-valued dates) written by facets.index_fields.
TEMPORAL_START = "temporal_start_date"
TEMPORAL_END = "temporal_end_date"
PUBLISHED = "published_date"

# Search parameters (CKAN passes `ext_*` through to the plugins untouched).
TEMPORAL_FROM, TEMPORAL_TO = "ext_temporal_from", "ext_temporal_to"
PUBLISHED_FROM, PUBLISHED_TO = "ext_published_from", "ext_published_to"
PARAMETERS = (TEMPORAL_FROM, TEMPORAL_TO, PUBLISHED_FROM, PUBLISHED_TO)

# Earliest and latest dates Solr is given: an open start or end of a period.
OPEN_START = "0001-01-01T00:00:00Z"
OPEN_END = "9999-12-31T23:59:59Z"

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_GERMAN = re.compile(r"^(?:(\d{1,2})\.)?(\d{1,2})\.(\d{4})$")


class DateError(ValueError):
    """A date the user typed that is no date; the message is German."""


class BBoxError(ValueError):
    """A bounding box that is none; the message is German."""


@dataclass(frozen=True)
class Span:
    """The first and the last moment a typed date stands for."""
    first: datetime
    last: datetime


def _span(year: int, month: int | None, day: int | None) -> Span:
    if month is None:
        return Span(datetime(year, 1, 1, tzinfo=UTC),
                    datetime(year, 12, 31, 23, 59, 59, tzinfo=UTC))
    if not 1 <= month <= 12:
        raise ValueError(month)
    if day is None:
        last_day = calendar.monthrange(year, month)[1]
        return Span(datetime(year, month, 1, tzinfo=UTC),
                    datetime(year, month, last_day, 23, 59, 59, tzinfo=UTC))
    start = datetime(year, month, day, tzinfo=UTC)
    return Span(start, start.replace(hour=23, minute=59, second=59))


def parse_span(text: str) -> Span:
    """The period a typed date names: "2020", "2020-05", "2020-05-17",
    "17.05.2020", "05.2020". Raises DateError with a German message."""
    value = (text or "").strip()
    iso = _ISO.match(value)
    german = _GERMAN.match(value)
    try:
        if iso:
            year, month, day = iso.groups()
            return _span(int(year), int(month) if month else None, int(day) if day else None)
        if german:
            day, month, year = german.groups()
            return _span(int(year), int(month), int(day) if day else None)
    except ValueError:
        pass
    raise DateError(f"„{value}“ ist kein Datum. Bitte als Jahr (2020), Monat (2020-05 oder 05.2020) "
                    f"oder Tag (2020-05-17 oder 17.05.2020) angeben.")


def solr_date(moment: datetime | date) -> str:
    """A date or time as Solr takes it: UTC, whole seconds, a trailing Z."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
            f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z")


def stored_span(value: Any) -> Span | None:
    """The period a stored date value (ISO date or date-time, as ckanext-dcat
    and the forms keep them) stands for; None when it is no date."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return parse_span(text)
    except DateError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Span(moment, moment)


def period_bounds(periods: list[dict[str, Any]]) -> tuple[str, str] | None:
    """The earliest start and the latest end of a dataset's temporal coverage
    (a list of {start, end}), open sides as OPEN_START/OPEN_END; None when no
    period has a date."""
    starts, ends, any_date = [], [], False
    for period in periods:
        if not isinstance(period, dict):
            continue
        start, end = stored_span(period.get("start")), stored_span(period.get("end"))
        if start is None and end is None:
            continue
        any_date = True
        starts.append(solr_date(start.first) if start else OPEN_START)
        ends.append(solr_date(end.last) if end else OPEN_END)
    if not any_date:
        return None
    return min(starts), max(ends)


def _range_end(extras: dict[str, Any], name: str, first: bool) -> str | None:
    text = extras.get(name)
    if text is None or not str(text).strip():
        return None
    span = parse_span(str(text))
    return solr_date(span.first if first else span.last)


BBOX = "ext_bbox"


def check_bbox(text: Any) -> None:
    """Refuse a bounding box that is not "west,south,east,north" in degrees
    before ckanext-spatial does, which answers it with a search error (a 500
    in CKAN 2.12's feed view)."""
    try:
        west, south, east, north = (float(part) for part in str(text).split(","))
    except ValueError:
        west = south = east = north = float("nan")
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise BBoxError(f"„{text}“ ist kein Gebiet. Bitte als West,Süd,Ost,Nord in Grad angeben, "
                        f"z. B. 10.5,50.2,12.6,51.6.")


def filter_queries(extras: dict[str, Any]) -> list[str]:
    """Solr filter queries for the time filters among a search's `extras`.
    Raises DateError for a date that is none, BBoxError for a bounding box
    (left to ckanext-spatial) that is none."""
    if extras.get(BBOX):
        check_bbox(extras[BBOX])
    queries = []
    t_from = _range_end(extras, TEMPORAL_FROM, first=True)
    t_to = _range_end(extras, TEMPORAL_TO, first=False)
    if t_from or t_to:
        # Overlap: the period starts before the filter ends and ends after it starts.
        queries.append(f"+{TEMPORAL_START}:[* TO {t_to or '*'}] +{TEMPORAL_END}:[{t_from or '*'} TO *]")
    p_from = _range_end(extras, PUBLISHED_FROM, first=True)
    p_to = _range_end(extras, PUBLISHED_TO, first=False)
    if p_from or p_to:
        queries.append(f"+{PUBLISHED}:[{p_from or '*'} TO {p_to or '*'}]")
    return queries
