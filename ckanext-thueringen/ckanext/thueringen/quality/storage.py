"""Reading and writing the quality tables (model/quality.py)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import JSONB, insert

from ckanext.thueringen.model.quality import PORTAL, quality_daily_table, quality_table
from ckanext.thueringen.quality import metrics

T = quality_table
D = quality_daily_table


@dataclass(frozen=True)
class Row:
    """A dataset's score as stored."""
    package_id: str
    owner_org: str | None
    private: bool
    score: metrics.Score
    advice: list[metrics.Advice]
    shacl: list[dict[str, str]]
    violations: int
    warnings: int


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def save(rows: Iterable[Row]) -> int:
    """Store the rows (the caller commits)."""
    count = 0
    scored_at = now()
    for row in rows:
        values = {
            "package_id": row.package_id, "owner_org": row.owner_org, "private": row.private,
            "score": row.score.total, "band": row.score.band, "dimensions": row.score.dimensions,
            "metrics": [vars(m) for m in row.score.metrics], "advice": [vars(a) for a in row.advice],
            "shacl": row.shacl, "violations": row.violations, "warnings": row.warnings, "scored_at": scored_at,
        }
        statement = insert(T).values(**values)
        model.Session.execute(statement.on_conflict_do_update(
            index_elements=[T.c.package_id], set_={k: v for k, v in values.items() if k != "package_id"}))
        count += 1
    return count


def forget(package_ids: Iterable[str]) -> None:
    ids = list(package_ids)
    if ids:
        model.Session.execute(sa.delete(T).where(T.c.package_id.in_(ids)))


def get(package_id: str) -> dict[str, Any] | None:
    row = model.Session.execute(sa.select(T).where(T.c.package_id == package_id)).mappings().first()
    return as_dict(row) if row else None


def get_many(package_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    ids = list(package_ids)
    if not ids:
        return {}
    rows = model.Session.execute(sa.select(T).where(T.c.package_id.in_(ids))).mappings()
    return {row["package_id"]: as_dict(row) for row in rows}


def as_dict(row) -> dict[str, Any]:
    result = dict(row)
    result["scored_at"] = result["scored_at"].isoformat()
    result["max_score"] = metrics.MAX_POINTS
    result["band_label"] = metrics.BAND_LABELS[result["band"]]
    return result


P = model.package_table
# the scores of datasets that exist: a deleted dataset's row counts no more
SCORED = T.join(P, P.c.id == T.c.package_id)


def _scope(owner_org: str | None, include_private: bool):
    """The WHERE of a summary: active datasets of one authority (or of the
    portal), public ones only unless asked; privacy as the dataset has it now."""
    condition = P.c.state == "active"
    if owner_org is not None:
        condition = sa.and_(condition, P.c.owner_org == owner_org)
    if not include_private:
        condition = sa.and_(condition, P.c.private.is_(False))
    return condition


def summary(owner_org: str | None = None, include_private: bool = False, top: int = 10) -> dict[str, Any]:
    """Average, bands, points per dimension and the advice that gains the most points."""
    where = _scope(owner_org, include_private)
    count, average = model.Session.execute(
        sa.select(sa.func.count(), sa.func.avg(T.c.score)).select_from(SCORED).where(where)).one()
    bands = dict(model.Session.execute(
        sa.select(T.c.band, sa.func.count()).select_from(SCORED).where(where).group_by(T.c.band)).all())
    dimensions = {}
    for name in metrics.DIMENSIONS:
        value = model.Session.execute(
            sa.select(sa.func.avg(T.c.dimensions[name].astext.cast(sa.Float))).select_from(SCORED).where(where)).scalar()
        dimensions[name] = round(value or 0.0, 1)
    item = sa.func.jsonb_array_elements(T.c.advice).table_valued(sa.column("value", JSONB)).alias("item")
    gain = sa.func.sum(item.c.value["gain"].astext.cast(sa.Float))
    advice_rows = model.Session.execute(
        sa.select(item.c.value["metric"].astext.label("metric"), sa.func.count().label("datasets"),
                  gain.label("gain"))
        .select_from(SCORED).join(item, sa.true()).where(where)
        .group_by(sa.text("1")).order_by(gain.desc(), sa.text("1")).limit(top)).all()
    return {
        "owner_org": owner_org,
        "datasets": count,
        "average": round(float(average), 1) if average is not None else None,
        "max_score": metrics.MAX_POINTS,
        "bands": {name: bands.get(name, 0) for name, _lowest in metrics.BANDS},
        "dimensions": dimensions,
        "top_advice": [_advice_summary(r.metric, r.datasets, r.gain) for r in advice_rows],
    }


def _advice_summary(metric_id: str, datasets: int, gain: float) -> dict[str, Any]:
    metric = metrics.METRICS_BY_ID[metric_id]
    return {"metric": metric_id, "dimension": metric.dimension, "datasets": datasets, "gain": round(gain, 1),
            "field": metric.field, "property": metric.property, "text": metric.fix}


def snapshot(owner_orgs: Iterable[str | None], day: dt.date | None = None) -> None:
    """Today's value of each authority and of the portal (public datasets; the caller commits)."""
    day = day or now().date()
    for org in {*(o for o in owner_orgs if o), None}:
        found = summary(org, top=0)
        if not found["datasets"]:
            model.Session.execute(sa.delete(D).where(D.c.day == day, D.c.owner_org == (org or PORTAL)))
            continue
        values = {"day": day, "owner_org": org or PORTAL, "datasets": found["datasets"],
                  "average": found["average"], "bands": found["bands"], "dimensions": found["dimensions"]}
        statement = insert(D).values(**values)
        model.Session.execute(statement.on_conflict_do_update(
            index_elements=[D.c.day, D.c.owner_org],
            set_={k: v for k, v in values.items() if k not in ("day", "owner_org")}))


def trend(owner_org: str | None = None, days: int = 365) -> list[dict[str, Any]]:
    since = now().date() - dt.timedelta(days=days)
    rows = model.Session.execute(
        sa.select(D.c.day, D.c.average, D.c.datasets)
        .where(D.c.owner_org == (owner_org or PORTAL), D.c.day >= since).order_by(D.c.day)).all()
    return [{"day": r.day.isoformat(), "average": r.average, "datasets": r.datasets} for r in rows]


def ranking() -> list[dict[str, Any]]:
    """Authorities by the average score of their public datasets, best first."""
    rows = model.Session.execute(
        sa.select(P.c.owner_org, sa.func.count().label("datasets"), sa.func.avg(T.c.score).label("average"))
        .select_from(SCORED).where(_scope(None, False), P.c.owner_org.isnot(None))
        .group_by(P.c.owner_org).order_by(sa.desc("average"), P.c.owner_org)).all()
    return [{"owner_org": r.owner_org, "datasets": r.datasets, "average": round(float(r.average), 1)}
            for r in rows]


def rows_of(owner_org: str, include_private: bool = False) -> list[dict[str, Any]]:
    """Every scored dataset of an authority, for its CSV."""
    result = model.Session.execute(
        sa.select(T, P.c.name, P.c.title).select_from(SCORED)
        .where(_scope(owner_org, include_private)).order_by(T.c.score, P.c.name)).mappings()
    return [dict(row) for row in result]
