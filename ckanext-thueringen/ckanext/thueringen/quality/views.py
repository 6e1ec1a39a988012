"""The quality pages: each authority's page (/organization/<id>/qualitaet, and
its CSV) and the portal-wide ranking (/qualitaet)."""
from __future__ import annotations

import csv
import io

import ckan.plugins.toolkit as toolkit
from flask import Blueprint, Response

from ckanext.thueringen.quality import action, metrics, storage

quality = Blueprint("thueringen_quality", __name__)


def _context() -> dict:
    return {"user": toolkit.current_user.name if toolkit.current_user.is_authenticated else None}


def _summary(org_id: str | None = None) -> dict:
    data = {"organization": org_id} if org_id else {}
    try:
        return toolkit.get_action("thueringen_quality_summary")(_context(), data)
    except toolkit.ObjectNotFound:
        toolkit.abort(404, toolkit._("Organisation nicht gefunden."))


def organization_page(id: str):
    summary = _summary(id)
    try:
        org = toolkit.get_action("organization_show")(_context(), {"id": id, "include_datasets": False})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        toolkit.abort(404, toolkit._("Organisation nicht gefunden."))
    return toolkit.render("quality/organization.html",
                          {"summary": summary, "group_dict": org, "group_type": "organization",
                           "dimension_labels": metrics.DIMENSION_LABELS, "band_labels": metrics.BAND_LABELS})


CSV_COLUMNS = ("name", "title", "score", "band", *metrics.DIMENSIONS, "violations", "warnings", "advice",
               "scored_at")


def organization_csv(id: str):
    """Every dataset of the authority with its score, dimensions and what to fix, for the clerk."""
    summary = _summary(id)
    rows = storage.rows_of(_org_id(id), include_private=summary["includes_private"])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(("Datensatz", "Titel", "Punkte", "Bewertung",
                     *(metrics.DIMENSION_LABELS[d] for d in metrics.DIMENSIONS),
                     "SHACL-Verstöße", "SHACL-Warnungen", "Was fehlt", "Bewertet am"))
    for row in rows:
        advice = " | ".join(f"{a['text']} ({a['field']}, {a['property']}: +{a['gain']:g})" for a in row["advice"])
        writer.writerow((row["name"], row["title"], row["score"], metrics.BAND_LABELS[row["band"]],
                         *(f"{row['dimensions'].get(d, 0):g}" for d in metrics.DIMENSIONS),
                         row["violations"], row["warnings"], advice, row["scored_at"].isoformat(timespec="seconds")))
    name = summary["organization"]
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="qualitaet-{name}.csv"'})


def _org_id(value: str) -> str:
    return action.organization(value).id


def ranking():
    return toolkit.render("quality/ranking.html", {"summary": _summary(None),
                                                   "dimension_labels": metrics.DIMENSION_LABELS,
                                                   "band_labels": metrics.BAND_LABELS})


quality.add_url_rule("/organization/<id>/qualitaet", view_func=organization_page)
quality.add_url_rule("/organization/<id>/qualitaet.csv", view_func=organization_csv)
quality.add_url_rule("/qualitaet", view_func=ranking)
