"""A harvest job's report: counts, errors, warnings, duplicates and findings."""
from __future__ import annotations

import json
import re
from typing import Any

import ckan.model as model
from ckanext.harvest.model import HarvestGatherError, HarvestObject

from .objects import DUPLICATE_OF, IMPORT_HASH, WARNINGS, extra_value, report_status


def job_report(job_id: str) -> dict[str, Any]:
    """A job's counts, errors and warnings: `counts` (added, updated, unchanged,
    withdrawn, failed, not_processed), `errors` (per record), `job_errors` (gather
    errors, warnings among them) and `warnings` (per record, the record was stored).

    not_processed: records the job ended without (aborted, timed out, or a
    consumer killed in their import). ckanext-harvest sets them to ERROR like a
    failed record, but a record that failed always has its error message here."""
    objects = model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job_id).all()
    statuses = {"added": "added", "updated": "updated", "not modified": "unchanged", "deleted": "withdrawn",
                "errored": "failed"}
    counts = dict.fromkeys([*statuses.values(), "not_processed"], 0)
    errors, warnings, duplicates = [], [], []
    findings = FindingsSummary()
    for obj in objects:
        if obj.state != "ERROR" or extra_value(obj, IMPORT_HASH):
            findings.add_object(obj)
        if extra_value(obj, DUPLICATE_OF):
            duplicates.append({"guid": obj.guid, "duplicate_of": extra_value(obj, DUPLICATE_OF)})
        if obj.state == "ERROR" and not obj.errors and not extra_value(obj, IMPORT_HASH):
            counts["not_processed"] += 1
            continue
        status = "errored" if obj.state == "ERROR" else obj.report_status
        if status is None and obj.state == "COMPLETE" and extra_value(obj, IMPORT_HASH):
            # ckanext-harvest saves COMPLETE and the report status in two commits: a
            # consumer killed between them leaves an imported object without one
            # (bookkeeping objects, such as the CKAN harvester's marker, have no import)
            status = report_status(obj)
        if status in statuses:
            counts[statuses[status]] += 1
        errors += [{"guid": obj.guid, "message": error.message} for error in obj.errors]
        if obj.state != "ERROR":   # a failed record's error says what was wrong
            warnings += [{"guid": obj.guid, "message": text} for text in json.loads(extra_value(obj, WARNINGS) or "[]")]
    job_errors = [error.message for error in model.Session.query(HarvestGatherError)
                  .filter(HarvestGatherError.harvest_job_id == job_id).order_by(HarvestGatherError.created)]
    return {"counts": counts, "errors": errors, "job_errors": job_errors, "warnings": warnings,
            "duplicates": duplicates, "findings": findings.summary()}


FINDING_KINDS = {
    "unmapped": "nicht zugeordnet",
    "cleaned": "bereinigt",
    "dropped": "verworfen",
    "missing": "fehlt in der Quelle",
    "derived": "abgeleitet",
}
FINDING_EXAMPLES = 3


class FindingsSummary:
    """A job's findings (normaliser, missing values, derived values) by kind and
    field ("resources[2].format" counts as "resources[].format"), with counts
    and a few example values, for the report."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], dict[str, Any]] = {}

    def add_object(self, obj: HarvestObject) -> None:
        try:
            items = json.loads(obj.content or "{}").get("unmapped") or []
        except ValueError:
            return
        for item in items:
            if isinstance(item, dict):
                self.add(item.get("kind") or "unmapped", str(item.get("field", "")), str(item.get("value", "")),
                         str(item.get("message", "")))

    def add(self, kind: str, field_name: str, value: str, message: str) -> None:
        where = re.sub(r"\[\d+\]", "[]", field_name)
        group = self.groups.setdefault((kind, where), {
            "kind": kind, "kind_label": FINDING_KINDS.get(kind, kind), "field": where, "count": 0,
            "examples": [], "message": message})
        group["count"] += 1
        if value and value not in group["examples"] and len(group["examples"]) < FINDING_EXAMPLES:
            group["examples"].append(value[:200])

    def summary(self) -> list[dict[str, Any]]:
        order = list(FINDING_KINDS)
        return sorted(self.groups.values(), key=lambda g: (order.index(g["kind"]) if g["kind"] in order
                                                            else len(order), -g["count"], g["field"]))
