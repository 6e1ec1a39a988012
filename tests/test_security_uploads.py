"""Uploaded files leave the disk with their resource, on the real stack.

resource_delete and dataset_purge (through the API of the running CKAN)
remove the files of the uploaded resources; `ckan thueringen uploads clean`
removes files that belong to no active uploaded resource any more (an upload
replaced by a link, a resource dropped by package_update) and keeps the others.
"""
from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
import requests

from ckanext.thueringen.security.uploads import upload_path
from conftest import run_stack


@pytest.fixture(scope="module")
def storage(stack) -> Path:
    return Path(stack["state"]) / "storage"


@pytest.fixture
def dataset(api) -> dict:
    org = api("organization_create", name=f"dateien-{uuid.uuid4().hex[:6]}", title="Dateiamt")
    return api("package_create", name=f"dateien-{uuid.uuid4().hex[:8]}", title="Dateien", owner_org=org["id"],
               license_id="cc-by", notes="Test.")


def _upload(api, dataset, filename: str = "tabelle.csv") -> dict:
    response = requests.post(f"{api.base_url}/resource_create", headers={"Authorization": api.token}, timeout=60,
                             data={"package_id": dataset["id"], "name": filename},
                             files={"upload": (filename, io.BytesIO(b"a;b\n1;2\n"))})
    assert response.status_code == 200, response.text
    return response.json()["result"]


def test_resource_delete_removes_the_uploaded_file(api, dataset, storage):
    kept, deleted = _upload(api, dataset), _upload(api, dataset)
    assert upload_path(storage, deleted["id"]).is_file()
    api("resource_delete", id=deleted["id"])
    assert not upload_path(storage, deleted["id"]).exists()
    assert upload_path(storage, kept["id"]).is_file()


def test_dataset_purge_removes_every_uploaded_file(api, dataset, storage):
    first, second = _upload(api, dataset), _upload(api, dataset)
    api("package_delete", id=dataset["id"])    # deleted, not purged: it can come back, so its files stay
    assert upload_path(storage, first["id"]).is_file()
    api("dataset_purge", id=dataset["id"])
    assert not upload_path(storage, first["id"]).exists() and not upload_path(storage, second["id"]).exists()


def test_clean_command_removes_orphaned_files_only(api, dataset, storage):
    active = _upload(api, dataset)
    replaced = _upload(api, dataset)
    dropped = _upload(api, dataset)
    api("resource_patch", id=replaced["id"], url="https://example.org/jetzt-ein-link.csv", url_type="")
    current = api("package_show", id=dataset["id"])
    api("package_update", **{**current, "resources": [r for r in current["resources"] if r["id"] != dropped["id"]]})
    stray = upload_path(storage, str(uuid.uuid4()))   # a file of a resource that never existed here
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"x")

    dry = run_stack("ckan", "thueringen", "uploads", "clean", "--dry-run")
    assert "würde löschen" in dry.stdout and upload_path(storage, replaced["id"]).is_file()

    result = run_stack("ckan", "thueringen", "uploads", "clean")
    assert "verwaiste Datei(en) gelöscht" in result.stdout, result.stdout + result.stderr
    for gone in (replaced, dropped):
        assert not upload_path(storage, gone["id"]).exists(), gone["id"]
        assert gone["id"] in result.stdout
    assert not stray.exists()
    assert upload_path(storage, active["id"]).is_file()
    assert requests.get(active["url"], timeout=30).status_code == 200
