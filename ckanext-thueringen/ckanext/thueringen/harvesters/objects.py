"""The portal's bookkeeping on ckanext-harvest's harvest objects.

The state of a record lives in ckanext-harvest's tables, not in the datasets:
its objects' extras (`content_hash`, `import_hash`, `warnings`, `action`,
`duplicate_of`), its errors, and `current`. See docs/harvesting.md
("Change detection: where the hash lives").
"""
from __future__ import annotations

import json
from datetime import datetime

import ckan.model as model
from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError, HarvestObjectExtra

# extras of a harvest object
CONTENT_HASH = "content_hash"   # the hash of the record as gathered (records.record_hash)
IMPORT_HASH = "import_hash"     # the hash its import stored, or WITHDRAWN; written with the dataset
WARNINGS = "warnings"           # JSON list of German notes: the record was stored all the same
ACTION = "action"               # WITHDRAW for an object that withdraws a vanished record
DUPLICATE_OF = "duplicate_of"   # an object stored but withheld as the duplicate of this dataset
WITHDRAW = "withdraw"
WITHDRAWN = "withdrawn"
GATHERING = "GATHERING"   # the state of an object until its gather has ended


def extra_value(obj: HarvestObject, key: str) -> str | None:
    """The value of one of the object's extras, or None."""
    return next((item.value for item in obj.extras if item.key == key), None)


def object_error(obj: HarvestObject, message: str) -> None:
    HarvestObjectError.create(message, obj, "Import")


def gather_error(job, message: str) -> None:
    HarvestGatherError.create(message, job)


def mark_complete(obj: HarvestObject, report_status: str, when: datetime | None = None) -> None:
    """Set the object COMPLETE with `report_status`, every stage's time `when`
    (now by default): what a record that needs no import of its own gets."""
    when = when or datetime.utcnow()
    obj.fetch_started = obj.fetch_finished = obj.import_started = obj.import_finished = when
    obj.state, obj.report_status = "COMPLETE", report_status


def unset_current(package_id: str, except_id: str | None = None) -> None:
    """No object of the dataset is ckanext-harvest's `current` one any more (but `except_id`)."""
    query = model.Session.query(HarvestObject).filter(HarvestObject.package_id == package_id)
    if except_id is not None:
        query = query.filter(HarvestObject.id != except_id)
    query.update({"current": False}, synchronize_session=False)


def add_warning(obj: HarvestObject, message: str, duplicate_of: str | None = None) -> None:
    """Note a German warning on the object (and the dataset it is a duplicate of); commits."""
    if duplicate_of:
        obj.extras.append(HarvestObjectExtra(key=DUPLICATE_OF, value=duplicate_of))
    current = next((item for item in obj.extras if item.key == WARNINGS), None)
    if current is None:
        obj.extras.append(HarvestObjectExtra(key=WARNINGS, value=json.dumps([message], ensure_ascii=False)))
    else:
        current.value = json.dumps([*json.loads(current.value), message], ensure_ascii=False)
    model.Session.add(obj)
    model.Session.commit()


def report_status(obj: HarvestObject) -> str:
    """ckanext-harvest's report status of an object after its import."""
    if obj.state == "ERROR":
        return "errored"
    if obj.current is False:
        return "deleted"
    imports = model.Session.query(HarvestObject.id).filter(HarvestObject.package_id == obj.package_id).limit(2)
    return "updated" if imports.count() == 2 else "added"
