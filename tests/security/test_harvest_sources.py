"""Harvest sources: a deleted one is no longer listed for those without rights,
a purged one leaves no row behind, in ckanext-harvest's tables or the portal's."""
from __future__ import annotations

import uuid

import ckan.model as model
import pytest
import sqlalchemy as sa

from harvest_fixtures import harvest, numbered_catalogue
from security.world import World

# Every table that holds rows of a harvest source, and how a row names it.
SOURCE_ROWS = {
    "harvest_source": "SELECT count(*) FROM harvest_source WHERE id = :id",
    "harvest_job": "SELECT count(*) FROM harvest_job WHERE source_id = :id",
    "harvest_object": "SELECT count(*) FROM harvest_object WHERE harvest_source_id = :id",
    "harvest_object_extra": "SELECT count(*) FROM harvest_object_extra WHERE harvest_object_id IN "
                            "(SELECT id FROM harvest_object WHERE harvest_source_id = :id)",
    "harvest_gather_error": "SELECT count(*) FROM harvest_gather_error WHERE harvest_job_id IN "
                            "(SELECT id FROM harvest_job WHERE source_id = :id)",
    "thueringen_harvest_page": "SELECT count(*) FROM thueringen_harvest_page WHERE source_id = :id",
    "package": "SELECT count(*) FROM package WHERE id = :id",
}


def rows(source_id: str) -> dict[str, int]:
    model.Session.remove()
    return {table: model.Session.execute(sa.text(query), {"id": source_id}).scalar()
            for table, query in SOURCE_ROWS.items()}


def test_a_deleted_then_purged_source_leaves_nothing(world: World, served):
    folder, base = served
    name = f"purge-{uuid.uuid4().hex[:6]}"
    numbered_catalogue(folder, name, 2, "Bereinigt")
    admin = world.admin
    source = admin("harvest_source_create", name=name, title=f"Quelle {name}", url=f"{base}/{name}.rdf",
                   source_type="dcat_ap_de", frequency="MANUAL", owner_org=world.org_b["id"], private=True)
    harvest(admin, source["id"])
    before = rows(source["id"])
    assert before["harvest_job"] and before["harvest_object"] and before["thueringen_harvest_page"]

    admin("harvest_source_delete", id=source["id"])
    listed = [s["id"] for s in world.roles["anonymous"].api("harvest_source_list")]
    assert source["id"] not in listed

    admin("dataset_purge", id=source["id"])
    assert rows(source["id"]) == {table: 0 for table in SOURCE_ROWS}
    assert source["id"] not in [s["id"] for s in admin("harvest_source_list")]
    assert world.roles["anonymous"].api.raw("harvest_source_show", id=source["id"]).status_code == 404

    # an ordinary dataset is purged as before
    dataset = admin("package_create", owner_org=world.org_b["id"], name=f"weg-{uuid.uuid4().hex[:6]}",
                    title="Weg", notes="Weg", license_id="http://dcat-ap.de/def/licenses/dl-zero-de/2.0")
    admin("dataset_purge", id=dataset["name"])
    assert admin.raw("package_show", id=dataset["id"]).status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "non_member", "other_editor", "member"])
def test_only_sysadmins_purge(world: World, role):
    """(This held before: the purge of a source checks the right first.)"""
    response = world.roles[role].api.raw("dataset_purge", id=world.public_source["id"])
    assert response.status_code == 403
    assert rows(world.public_source["id"])["harvest_source"] == 1
