"""Fuzzing the Action API's writes with hypothesis: whatever JSON values arrive
in whichever fields of package_create, package_update and resource_create, the
answer is never a 500, and a refused request stores nothing.

The values are any JSON (nested lists and objects, texts with control
characters and lone surrogates, NaN, infinities, huge integers); the fields
are those of the dataset and publication schemas, CKAN's own and unknown ones.
A bounded, derandomised number of examples keeps the run well under a minute.
"""
from __future__ import annotations

import json
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from security.world import World, dataset_dict

SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40)
           | st.sampled_from(["2024-02-30", "", " ", "NaN", "{!lucene}x", "javascript:alert(1)", "ä\x00ö", "\ud800"]))
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
DATASET_FIELDS = ["title", "notes", "name", "tags", "tag_string", "extras", "resources", "version", "url",
                  "issued", "modified", "temporal_coverage", "contact", "publisher", "spatial_coverage", "theme",
                  "language", "license_id", "private", "state", "type", "groups", "owner_org", "document_type",
                  "contract_value", "contract_start", "legal_basis", "identifier", "unbekannt"]
RESOURCE_FIELDS = ["url", "name", "description", "format", "size", "issued", "language", "hash", "mimetype",
                   "position", "unbekannt"]
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _post(world: World, action: str, body: dict):
    text = json.dumps(body, allow_nan=True)   # NaN, Infinity and lone surrogates as a client may send them
    return world.roles["sysadmin"].post_json(action, text)


def _exists(world: World, name: str) -> bool:
    return world.admin.raw("package_show", id=name).status_code == 200


@SETTINGS
@given(fields=st.dictionaries(st.sampled_from(DATASET_FIELDS), JSON_VALUES, min_size=1, max_size=4))
def test_package_create_never_fails_with_500(world: World, fields):
    name = f"fuzz-{uuid.uuid4().hex[:12]}"
    body = {**dataset_dict("Fuzz"), "owner_org": world.org_b["id"], **fields, "name": name}
    response = _post(world, "package_create", body)
    assert response.status_code < 500, (fields, response.text[:300])
    if response.status_code != 200:
        assert not _exists(world, name)


@SETTINGS
@given(fields=st.dictionaries(st.sampled_from(DATASET_FIELDS), JSON_VALUES, min_size=1, max_size=4))
def test_package_update_never_fails_with_500_and_a_refusal_changes_nothing(world: World, fuzz_target, fields):
    before = world.admin("package_show", id=fuzz_target["id"])
    body = {**fields, "id": fuzz_target["id"]}
    response = _post(world, "package_patch", body)
    assert response.status_code < 500, (fields, response.text[:300])
    if response.status_code != 200:
        after = world.admin("package_show", id=fuzz_target["id"])
        assert after["metadata_modified"] == before["metadata_modified"]


@SETTINGS
@given(fields=st.dictionaries(st.sampled_from(RESOURCE_FIELDS), JSON_VALUES, min_size=1, max_size=4))
def test_resource_create_never_fails_with_500_and_a_refusal_changes_nothing(world: World, fuzz_target, fields):
    before = world.admin("package_show", id=fuzz_target["id"])
    body = {"url": "https://example.org/fuzz.csv", **fields, "package_id": fuzz_target["id"]}
    response = _post(world, "resource_create", body)
    assert response.status_code < 500, (fields, response.text[:300])
    after = world.admin("package_show", id=fuzz_target["id"])
    if response.status_code != 200:
        assert (after["metadata_modified"], len(after["resources"])) == \
            (before["metadata_modified"], len(before["resources"]))
