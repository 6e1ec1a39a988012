"""What held in the review stays under test: HTML from stored data is escaped
in titles, descriptions and search snippets; those without rights cannot
write; upload names cannot leave the storage folder."""
from __future__ import annotations

import uuid

import pytest
import requests

from conftest import STATE_DIR
from security.world import World, dataset_dict

SCRIPT = "<script>alert('xss')</script>"
IMAGE = '<img src="x" onerror="alert(1)">'


@pytest.fixture(scope="module")
def scripted(world: World) -> dict:
    word = f"Skripttest{world.suffix}"
    return world.admin("package_create", owner_org=world.org_a["id"], **dataset_dict(
        f"{word} {SCRIPT}", notes=f"{word} {IMAGE} {SCRIPT}",
        resources=[{"url": "https://example.org/x.csv", "name": f"Datei {SCRIPT}", "description": IMAGE}]))


@pytest.mark.parametrize("path", ["/dataset/{name}", "/dataset/?q={word}", "/transparenz?q={word}",
                                  "/dataset/{name}/resource/{resource}", "/organization/{org}?q={word}"])
def test_stored_html_is_escaped(world: World, scripted, path):
    word = f"Skripttest{world.suffix}"
    html = world.roles["anonymous"].get(path.format(name=scripted["name"], word=word, org=world.org_a["name"],
                                                    resource=scripted["resources"][0]["id"])).text
    # the tags never arrive as tags (as text, escaped, they may)
    assert "<script>alert(" not in html and '<img src="x" onerror' not in html
    if "transparenz" not in path:
        assert "&lt;script&gt;alert(" in html


WRITES = {
    "package_update": lambda w: {"id": w.public["id"], "title": "Übernommen", "notes": "x", "name": w.public["name"],
                                 "owner_org": w.org_a["id"]},
    "package_patch": lambda w: {"id": w.public["id"], "title": "Übernommen"},
    "resource_create": lambda w: {"package_id": w.public["id"], "url": "https://example.org/fremd.csv"},
    "resource_patch": lambda w: {"id": w.public["resources"][0]["id"], "name": "Übernommen"},
    "package_delete": lambda w: {"id": w.public["id"]},
    "package_create": lambda w: {**dataset_dict("Fremd"), "owner_org": w.org_a["id"]},
    "organization_patch": lambda w: {"id": w.org_a["id"], "title": "Übernommen"},
    "harvest_source_patch": lambda w: {"id": w.public_source["id"], "title": "Übernommen"},
    "package_collaborator_create": lambda w: {"id": w.public["id"], "user_id": "admin", "capacity": "editor"},
    "package_collaborator_delete": lambda w: {"id": w.public["id"], "user_id": "admin"},
    "package_collaborator_list": lambda w: {"id": w.public["id"]},
    "api_token_create": lambda w: {"user": w.admin_name, "name": "fremd"},
}


@pytest.mark.parametrize("role", ["anonymous", "non_member", "member", "other_editor"])
@pytest.mark.parametrize("action", WRITES)
def test_writes_without_rights_are_refused_and_change_nothing(world: World, role, action):
    before = world.admin("package_show", id=world.public["id"])
    response = world.roles[role].api.raw(action, **WRITES[action](world))
    assert response.status_code in (400, 403, 409), response.text[:300]
    after = world.admin("package_show", id=world.public["id"])
    assert (after["title"], after["state"], len(after["resources"]), after["metadata_modified"]) == \
        (before["title"], before["state"], len(before["resources"]), before["metadata_modified"])
    assert world.admin("organization_show", id=world.org_a["id"])["title"] == world.org_a["title"]


def test_upload_names_cannot_leave_the_storage(world: World):
    target = f"entkommen-{uuid.uuid4().hex[:8]}.txt"
    storage = STATE_DIR / "storage"
    response = requests.post(
        f"{world.roles['sysadmin'].api.base_url}/resource_create",
        data={"package_id": world.public["id"], "name": "Hochgeladen"},
        files={"upload": (f"../../../../../../tmp/{target}", b"Inhalt der Datei\n", "text/plain")},
        headers={"Authorization": world.roles["sysadmin"].token}, timeout=60)
    assert response.status_code == 200, response.text[:300]
    resource = response.json()["result"]
    assert ".." not in resource["url"] and resource["url"].endswith(target)
    assert not (storage / "resources" / f"../../../../../../tmp/{target}").resolve().exists()
    assert not list(storage.parent.rglob(target))
    stored = storage / "resources" / resource["id"][:3] / resource["id"][3:6] / resource["id"][6:]
    assert stored.read_bytes() == b"Inhalt der Datei\n"
    assert requests.get(resource["url"].replace("localhost", "127.0.0.1"), timeout=30).content == \
        b"Inhalt der Datei\n"
