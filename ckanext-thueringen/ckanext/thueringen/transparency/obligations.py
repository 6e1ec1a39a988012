"""What an authority must publish and what it has (docs/transparency.md,
"Publication obligations").

The vocabulary `publication_obligations` says which document types apply to
which administrative level, with the norm. `overview` compares that with the
authority's public publications: per applicable type the count, the newest
date and whether anything was published for the current or the previous year.
Only public, active publications count, for every caller: the overview shows
what citizens can read, so a private publication never appears in it.
"""
from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from typing import Any

from ckanext.thueringen import vocabularies

PAGE_ROWS = 1000
CSV_COLUMNS = ("document_type", "label", "norm", "count", "newest", "count_recent", "missing")


def applicable(level_uri: str | None) -> list[vocabularies.Concept]:
    """The obligations of an authority of the level `level_uri`, in the order of the labels."""
    if not level_uri:
        return []
    found = [concept for concept in vocabularies.vocabulary("publication_obligations")
             if level_uri in concept.properties.get("applies_to", ())]
    return sorted(found, key=lambda concept: concept.label("de").casefold())


def summarise(obligations: Iterable[vocabularies.Concept], records: Iterable[dict[str, Any]], year: int,
              language: str = "de") -> list[dict[str, Any]]:
    """One row per obligation: `records` are the authority's public
    publications as {"document_type": uri, "date": "YYYY-MM-DD" or None,
    "year": "YYYY" or None}. `missing` is true when nothing of the type is
    there for `year` or the year before."""
    recent = {str(year), str(year - 1)}
    by_type: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_type.setdefault(record.get("document_type") or "", []).append(record)
    types = vocabularies.vocabulary("document_types")
    rows = []
    for obligation in obligations:
        uri = obligation.property("document_type") or ""
        found = by_type.get(uri, [])
        dates = [record["date"] for record in found if record.get("date")]
        count_recent = sum(1 for record in found if record.get("year") in recent)
        rows.append({
            "document_type": uri,
            "label": types.label(uri, language),
            "norm": obligation.property("norm") or "",
            "count": len(found),
            "newest": max(dates) if dates else None,
            "count_recent": count_recent,
            "missing": count_recent == 0,
        })
    return rows


def _record(doc: dict[str, Any]) -> dict[str, Any]:
    types = doc.get("vocab_document_type") or []
    years = doc.get("vocab_publication_year") or []
    date = doc.get("reference_date")
    return {"document_type": types[0] if types else None, "year": years[0] if years else None,
            "date": date[:10] if isinstance(date, str) else None}


def public_records(organization_id: str) -> list[dict[str, Any]]:
    """The authority's public, active publications, read from the search index
    (ignore_auth with include_private false: the same for every caller)."""
    import ckan.plugins.toolkit as toolkit
    from ckan.lib.search.query import solr_literal

    records: list[dict[str, Any]] = []
    start = 0
    while True:
        result = toolkit.get_action("package_search")(
            {"ignore_auth": True},
            {"q": "*:*", "fq": f"+dataset_type:publication +owner_org:{solr_literal(organization_id)}",
             "fl": ["id", "vocab_document_type", "vocab_publication_year", "reference_date"],
             "rows": PAGE_ROWS, "start": start, "include_private": False, "include_drafts": False,
             "sort": "id asc"})
        records += [_record(doc) for doc in result["results"]]
        start += PAGE_ROWS
        if start >= result["count"] or not result["results"]:
            return records


def overview(organization: dict[str, Any], today: datetime.date, language: str = "de") -> dict[str, Any]:
    """The obligations overview of an organization dict (organization_show)."""
    level_uri = organization.get("authority_level") or None
    levels = vocabularies.vocabulary("authority_levels")
    level = levels.get(level_uri) if level_uri else None
    rows = summarise(applicable(level_uri), public_records(organization["id"]), today.year, language)
    return {
        "organization": {"id": organization["id"], "name": organization["name"],
                         "title": organization.get("title") or organization["name"]},
        "level": {"uri": level.uri, "label": level.label(language)} if level else None,
        "years": [today.year - 1, today.year],
        "obligations": rows,
        "missing": [row["document_type"] for row in rows if row["missing"]],
    }


def as_csv(result: dict[str, Any]) -> str:
    """The overview's rows as CSV (comma, UTF-8, header line)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in result["obligations"]:
        writer.writerow({**row, "newest": row["newest"] or "", "missing": "ja" if row["missing"] else "nein"})
    return out.getvalue()
