"""What the harvest history says of a source's records: their last imports, and pruning.

The last import of a record (or of a dataset) is its object with an
`import_hash` extra that was imported last (`import_started`), among objects
never imported the one gathered last; `last_imports_query` is the one place
that rule is written. The next gather compares a record with its last import,
the duplicate rule reads each dataset's source from it, and pruning keeps it.
"""
from __future__ import annotations

import logging

import ckan.model as model
import sqlalchemy as sa

from .objects import IMPORT_HASH, WITHDRAWN

log = logging.getLogger(__name__)


def last_imports_query(by: str, condition: str) -> str:
    """SQL of the last import per `by` ("guid" or "package_id") among the objects
    (alias `o`) that match `condition`; columns id, guid, package_id,
    harvest_source_id and value (the import_hash). Parameter :import_key."""
    assert by in ("guid", "package_id")
    return f"""
        SELECT DISTINCT ON (o.{by}) o.id, o.guid, o.package_id, o.harvest_source_id, e.value
        FROM harvest_object o
        JOIN harvest_object_extra e ON e.harvest_object_id = o.id AND e.key = :import_key
        WHERE {condition}
        ORDER BY o.{by}, o.import_started DESC NULLS LAST, o.gathered DESC"""


# Every record of the source whose last import (before this job) stored it rather
# than withdrew it: guid, package_id. Parameters :import_key, :source_id, :job_id, :withdrawn.
STORED_RECORDS = ("SELECT guid, package_id FROM ("
                  + last_imports_query("guid", "o.harvest_source_id = :source_id AND o.harvest_job_id <> :job_id")
                  + ") last_imports WHERE value <> :withdrawn")


def stored_guids(source_id: str) -> set[str]:
    """The records of a source whose last import stored them (not withdrawn):
    for harvesters whose sources list only part of what they have (feeds)."""
    rows = model.Session.execute(sa.text(STORED_RECORDS), {"import_key": IMPORT_HASH, "source_id": source_id,
                                                           "job_id": "", "withdrawn": WITHDRAWN})
    return {guid for guid, _package_id in rows}


def last_imports(source_id: str, guids: list[str]) -> dict[str, tuple[str, str]]:
    """guid -> (hash of its last import, dataset id), for the records of a page."""
    if not guids:
        return {}
    query = last_imports_query("guid", "o.harvest_source_id = :source_id AND o.guid = ANY(:guids)")
    rows = model.Session.execute(sa.text(f"SELECT guid, package_id, value FROM ({query}) last_imports"),
                                 {"import_key": IMPORT_HASH, "source_id": source_id, "guids": list(guids)})
    return {guid: (value, package_id) for guid, package_id, value in rows}


def _packages_in_place(package_ids: set[str]) -> set[str]:
    """The datasets among `package_ids` that are as their last import left them:
    public, or withdrawn as the duplicate of a public dataset."""
    if not package_ids:
        return set()
    Package = model.Package
    rows = model.Session.query(Package.id, Package.state, Package.extras["duplicate_of"].astext) \
        .filter(Package.id.in_(package_ids)).all()
    winners = {winner for _, state, winner in rows if state == "deleted" and winner}
    public = {package_id for (package_id,) in model.Session.query(Package.id)
              .filter(Package.id.in_(winners), Package.state == "active")} if winners else set()
    return {package_id for package_id, state, winner in rows
            if state == "active" or (state == "deleted" and winner in public)}


def last_imports_in_place(source_id: str, guids: list[str]) -> dict[str, tuple[str, str]]:
    """Like last_imports, for the records whose dataset is still as their last
    import left it: a record whose hash equals the one there is unchanged."""
    last = last_imports(source_id, guids)
    in_place = _packages_in_place({package_id for _, package_id in last.values()})
    return {guid: (value, package_id) for guid, (value, package_id) in last.items() if package_id in in_place}


def owner_org(source_id: str) -> str | None:
    """The organisation of a harvest source (the owner of its records' datasets)."""
    source_dataset = model.Package.get(source_id)
    return source_dataset.owner_org if source_dataset else None


_PRUNE = [
    f"""CREATE TEMP TABLE pruned_objects ON COMMIT DROP AS
       SELECT pruned.id FROM harvest_object pruned
       WHERE pruned.harvest_source_id = :source_id
         AND pruned.harvest_job_id IN (
             SELECT j.id FROM harvest_job j WHERE j.source_id = :source_id AND j.status = 'Finished'
               AND j.id NOT IN (SELECT id FROM harvest_job WHERE source_id = :source_id
                                ORDER BY created DESC LIMIT :keep))
         AND pruned.current IS NOT TRUE
         AND pruned.id NOT IN (SELECT id FROM ({last_imports_query("guid", "o.harvest_source_id = :source_id")})
                               last_imports)""",
    "DELETE FROM harvest_object_error WHERE harvest_object_id IN (SELECT id FROM pruned_objects)",
    "DELETE FROM harvest_object_extra WHERE harvest_object_id IN (SELECT id FROM pruned_objects)",
    "DELETE FROM harvest_object WHERE id IN (SELECT id FROM pruned_objects)",
    """CREATE TEMP TABLE pruned_jobs ON COMMIT DROP AS
       SELECT j.id FROM harvest_job j WHERE j.source_id = :source_id AND j.status = 'Finished'
         AND j.id NOT IN (SELECT id FROM harvest_job WHERE source_id = :source_id ORDER BY created DESC LIMIT :keep)
         AND NOT EXISTS (SELECT 1 FROM harvest_object o WHERE o.harvest_job_id = j.id)""",
    "DELETE FROM harvest_gather_error WHERE harvest_job_id IN (SELECT id FROM pruned_jobs)",
    "DELETE FROM harvest_job WHERE id IN (SELECT id FROM pruned_jobs)",
]


def prune_history(source_id: str, keep: int) -> None:
    """Delete the objects (with their errors and extras) of a source's finished jobs
    older than the last `keep` jobs, and those jobs once they are empty. Kept: the
    objects that are current, and each record's last import (what the next gather
    compares with)."""
    try:
        for statement in _PRUNE:
            model.Session.execute(sa.text(statement),
                                  {"source_id": source_id, "keep": keep, "import_key": IMPORT_HASH})
        model.Session.commit()
    except sa.exc.SQLAlchemyError:
        model.Session.rollback()
        log.exception("pruning the harvest history of source %s failed", source_id)
