"""Payloads × fields: bad input gets a clear German 4xx and changes nothing.

Each payload (control characters, lone surrogates, numbers that are not finite,
a list or an object for one value, texts over the limits, dates the calendar
does not have) is sent in each field it could hide in, for datasets and
publications: through the Action API over HTTP (the request guard answers
400, or the schema 409) and in-process through `package_create` (the schema's
validators, as harvesters and the web form reach them). Nothing may be
stored: a refused create leaves no dataset, a refused update leaves the
dataset as it was.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as toolkit
import pytest
from ckan.tests import helpers

from security.world import World, dataset_dict

LONG = "x" * 100_000
# name -> (value as JSON text, value as Python for in-process calls, German words of the message)
PAYLOADS: dict[str, tuple[str, Any, str]] = {
    "NUL": (json.dumps("a\x00b"), "a\x00b", "U+0000"),
    "lone surrogate": ('"a\\ud800b"', "a\ud800b", "U+D800"),
    "bell": (json.dumps("a\x07b"), "a\x07b", "U+0007"),
    "NaN": ("NaN", float("nan"), "endliche Zahl"),
    "Infinity": ("Infinity", float("inf"), "endliche Zahl"),
    "1e400": ("1e400", float("inf"), "endliche Zahl"),
    "100 KB": (json.dumps(LONG), LONG, "Höchstens"),
}
ONE_VALUE_PAYLOADS = {
    "object": ('{"de": "Titel"}', {"de": "Titel"}, "einzelner Wert"),
    "list": ('["Titel"]', ["Titel"], "einzelner Wert"),
}


def _field(path: tuple) -> Callable[[dict, Any], None]:
    """Put a value at a path of a dataset dict (keys and list positions)."""
    def put(record: dict, value: Any) -> None:
        target = record
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return put


def _base(kind: str) -> dict[str, Any]:
    record = dataset_dict("Prüffall", tags=[{"name": "pruefung"}], extras=[{"key": "hinweis", "value": "frei"}],
                          resources=[{"url": "https://example.org/a.csv", "name": "Datei", "description": "Text"}],
                          contact=[{"name": "Stelle", "email": "stelle@example.org"}], version="1.0")
    if kind == "publication":
        record.update(type="publication", document_type="gutachten-studien", legal_basis="§ 6 ThürTG",
                      file_reference="AZ 1")
    return record


FIELDS = {
    "title": ("title",), "notes": ("notes",), "version": ("version",), "tag": ("tags", 0, "name"),
    "extra": ("extras", 0, "value"), "resource name": ("resources", 0, "name"),
    "resource description": ("resources", 0, "description"), "resource url": ("resources", 0, "url"),
    "contact name": ("contact", 0, "name"),
}
PUBLICATION_FIELDS = {**FIELDS, "legal_basis": ("legal_basis",), "file_reference": ("file_reference",)}
CASES = [(kind, field, payload) for kind, fields in (("dataset", FIELDS), ("publication", PUBLICATION_FIELDS))
         for field in fields for payload in PAYLOADS]
ONE_VALUE_CASES = [(kind, field, payload) for kind in ("dataset", "publication")
                   for field in ("title", "notes", "version", "extra", "resource name", "contact name")
                   for payload in ONE_VALUE_PAYLOADS]


def _json_with(record: dict, path: tuple, raw: str) -> str:
    """The record as JSON text with the raw JSON `raw` at `path` (NaN, 1e400 and
    lone surrogates cannot be made by json.dumps as a client may send them)."""
    marker = f"@@{uuid.uuid4().hex}@@"
    _field(path)(record, marker)
    return json.dumps(record).replace(f'"{marker}"', raw)


def _stored(name: str) -> bool:
    try:
        helpers.call_action("package_show", id=name)
        return True
    except toolkit.ObjectNotFound:
        return False


@pytest.mark.parametrize("kind, field, payload", CASES + ONE_VALUE_CASES)
def test_api_refuses_and_stores_nothing(world: World, kind, field, payload):
    raw, _value, words = {**PAYLOADS, **ONE_VALUE_PAYLOADS}[payload]
    fields = PUBLICATION_FIELDS if kind == "publication" else FIELDS
    record = {**_base(kind), "owner_org": world.org_b["id"]}
    response = world.roles["sysadmin"].post_json("package_create", _json_with(record, fields[field], raw))
    assert response.status_code in (400, 409), response.text[:300]
    assert words in json.dumps(response.json()["error"], ensure_ascii=False)
    assert not _stored(record["name"])


@pytest.mark.usefixtures("with_plugins")   # the portal's schemas in this process
def test_schema_refuses_in_process_and_stores_nothing(world: World):
    """Harvesters and the web form reach the schema without the request guard:
    every payload in every field is refused at that field (one test: loading
    the plugins for each case would take minutes)."""
    not_refused = []
    for kind, field, payload in CASES + ONE_VALUE_CASES:
        value = {**PAYLOADS, **ONE_VALUE_PAYLOADS}[payload][1]
        fields = PUBLICATION_FIELDS if kind == "publication" else FIELDS
        record = {**_base(kind), "owner_org": world.org_b["id"]}
        _field(fields[field])(record, value)
        try:
            helpers.call_action("package_create", context={"user": world.admin_name}, **record)
            not_refused.append((kind, field, payload))
        except toolkit.ValidationError as refused:
            if fields[field][0] not in refused.error_dict:
                not_refused.append((kind, field, payload, refused.error_dict))
        assert not _stored(record["name"]), (kind, field, payload)
    assert not_refused == []


def test_a_refused_update_changes_nothing(world: World):
    admin = world.roles["sysadmin"]
    stored = world.admin("package_create", owner_org=world.org_b["id"], **_base("dataset"))
    for raw in ('"a\\u0000"', '"a\\ud800"', '{"x": 1}', json.dumps(LONG)):
        body = _json_with({"id": stored["id"], "title": "neu"}, ("title",), raw)
        assert admin.post_json("package_patch", body).status_code in (400, 409)
    resource = _json_with({"package_id": stored["id"], "url": "https://example.org/b.csv", "name": "x"},
                          ("name",), '"b\\u0000"')
    assert admin.post_json("resource_create", resource).status_code == 400
    after = world.admin("package_show", id=stored["id"])
    assert (after["title"], after["metadata_modified"], len(after["resources"])) == \
        (stored["title"], stored["metadata_modified"], 1)


def test_dates_are_checked_against_the_calendar(world: World):
    for field, value in [("issued", "2024-02-30"), ("modified", "2023-02-29"), ("issued", "2024-13"),
                         ("temporal_coverage", [{"start": "2024-04-31"}])]:
        record = {**_base("dataset"), "owner_org": world.org_b["id"], field: value}
        response = world.roles["sysadmin"].api.raw("package_create", **record)
        assert response.status_code == 409, (field, value)
        assert "kein Datum des Kalenders" in json.dumps(response.json()["error"], ensure_ascii=False)
        assert not _stored(record["name"])
    # what the calendar has passes, in every form dcat_date takes
    record = {**_base("dataset"), "owner_org": world.org_b["id"], "issued": "2024-02-29", "modified": "2024-05",
              "temporal_coverage": [{"start": "2024-01-01", "end": "2024-12-31T23:59:59"}]}
    stored = world.admin("package_create", **record)
    assert (stored["issued"], stored["modified"]) == ("2024-02-29", "2024-05")


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_contract_values_must_be_finite(world: World, value):
    record = {**_base("publication"), "owner_org": world.org_b["id"], "contract_value": "@"}
    body = json.dumps(record).replace('"@"', value)
    response = world.roles["sysadmin"].post_json("package_create", body)
    assert response.status_code == 400 and "endliche Zahl" in response.json()["error"]["message"]
    with pytest.raises(toolkit.ValidationError):
        helpers.call_action("package_create", context={"user": world.admin_name},
                            **{**record, "contract_value": float(value)})
    assert not _stored(record["name"])


# --- limits ------------------------------------------------------------------------------

def test_limits_have_defaults_that_fit_real_records():
    config = toolkit.config
    assert (config["thueringen.limits.title_length"], config["thueringen.limits.notes_length"],
            config["thueringen.limits.text_length"], config["thueringen.limits.tags"],
            config["thueringen.limits.resources"], config["thueringen.limits.json_depth"]) == \
        (1000, 50000, 8000, 100, 100, 32)


@pytest.mark.parametrize("over, words", [
    ({"title": "T" * 1001}, "Höchstens 1000 Zeichen"),
    ({"notes": "N" * 50_001}, "Höchstens 50000 Zeichen"),
    ({"version": "V" * 8001}, "Höchstens 8000 Zeichen"),
    ({"tags": [{"name": f"wort{i}"} for i in range(101)]}, "Höchstens 100 Schlagwörter"),
    ({"tag_string": ",".join(f"wort{i}" for i in range(101))}, "Höchstens 100 Schlagwörter"),
    ({"resources": [{"url": f"https://example.org/{i}.csv"} for i in range(101)]}, "Höchstens 100 Ressourcen"),
])
def test_over_the_limits_is_refused(world: World, over, words):
    record = {**_base("dataset"), "owner_org": world.org_b["id"], **over}
    response = world.roles["sysadmin"].api.raw("package_create", **record)
    assert response.status_code == 409
    assert words in json.dumps(response.json()["error"], ensure_ascii=False)
    assert not _stored(record["name"])


def test_at_the_limits_is_stored(world: World):
    record = {**_base("dataset"), "owner_org": world.org_b["id"], "title": "T" * 1000, "notes": "N" * 50_000,
              "tags": [{"name": f"wort{i}"} for i in range(100)],
              "resources": [{"url": f"https://example.org/{i}.csv"} for i in range(100)]}
    stored = world.admin("package_create", **record)
    assert (len(stored["tags"]), len(stored["resources"])) == (100, 100)
    response = world.roles["sysadmin"].api.raw("resource_create", package_id=stored["id"],
                                               url="https://example.org/101.csv")
    assert response.status_code == 409 and "Höchstens 100 Ressourcen" in response.json()["error"]["message"]
    assert len(world.admin("package_show", id=stored["id"])["resources"]) == 100


@pytest.mark.parametrize("depth", [33, 50_000])
def test_deep_json_is_refused_before_it_is_read(world: World, depth):
    for role in ("anonymous", "sysadmin"):
        nested = "[" * (depth - 1) + "]" * (depth - 1)   # in the request's object
        response = world.roles[role].post_json("package_create", '{"name": "tief", "extras": ' + nested + "}")
        assert response.status_code == 400
        assert f"{depth} Ebenen" in response.json()["error"]["message"]
    # 32 levels (the object and 31 lists) reach CKAN, which answers itself
    nested = "[" * 31 + "]" * 31
    response = world.roles["anonymous"].post_json("package_search", '{"q": "x", "facet.field": ' + nested + "}")
    assert "Ebenen" not in response.text and response.status_code < 500


@pytest.mark.parametrize("action", ["thueringen_fulltext_status", "thueringen_harvest_report"])
@pytest.mark.parametrize("value", [["a", "b"], {"id": "x"}, ["x"], {"a": 1}])
def test_ids_as_lists_or_objects_are_refused(world: World, action, value):
    response = world.roles["anonymous"].api.raw(action, id=value)
    assert response.status_code in (400, 404, 409), response.text[:300]
    assert response.json()["success"] is False


@pytest.mark.parametrize("path", ["/api/3/action/package_search?q=a%00b", "/dataset/?q=a%00b"])
def test_nul_in_the_address_is_refused(world: World, path):
    response = world.roles["anonymous"].get(path)
    assert response.status_code == 400
    assert "U+0000" in response.text


# Addresses a browser would run as script, or that read local files: never stored
# in a field that pages show as a link (a tab inside the scheme, as browsers ignore it).
SCRIPT_ADDRESSES = ["javascript:alert(1)", " JavaScript:alert(document.domain)", "java\tscript:alert(1)",
                    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd"]
LINK_FIELDS = {"contact web page": ("contact", 0, "url"), "publisher web page": ("publisher", 0, "url"),
               "creator web page": ("creator", 0, "url"), "contact e-mail": ("contact", 0, "email")}


@pytest.mark.parametrize("kind", ["dataset", "publication"])
@pytest.mark.parametrize("field", LINK_FIELDS)
def test_script_addresses_in_link_fields_are_refused(world: World, kind, field):
    path = LINK_FIELDS[field]
    for address in SCRIPT_ADDRESSES:
        record = {**_base(kind), "owner_org": world.org_b["id"], "publisher": [{"name": "Stelle"}],
                  "creator": [{"name": "Stelle"}]}
        _field(path)(record, address)
        response = world.roles["sysadmin"].post_json("package_create", json.dumps(record))
        assert response.status_code == 409, (address, response.text[:300])
        error = json.dumps(response.json()["error"], ensure_ascii=False)
        assert path[0] in response.json()["error"], (address, error)
        assert "Webadresse" in error or "gültiges Format" in error, (address, error)
        assert not _stored(record["name"]), address


def test_web_pages_and_e_mail_addresses_are_kept(world: World):
    record = {**_base("dataset"), "owner_org": world.org_b["id"],
              "contact": [{"name": "Poststelle", "email": "poststelle@erfurt.de", "url": "https://www.erfurt.de/"}],
              "publisher": [{"name": "Stadt Erfurt", "url": "http://www.erfurt.de/rathaus"}]}
    response = world.roles["sysadmin"].post_json("package_create", json.dumps(record))
    assert response.status_code == 200, response.text[:300]
    stored = response.json()["result"]
    assert stored["contact"][0]["url"] == "https://www.erfurt.de/"
    assert stored["contact"][0]["email"] == "poststelle@erfurt.de"
    assert stored["publisher"][0]["url"] == "http://www.erfurt.de/rathaus"


def test_an_authoritys_script_homepage_or_e_mail_is_refused(world: World):
    for field, address in (("homepage", "javascript:alert(1)"), ("email", "javascript:alert(1)//@x.de"),
                           ("homepage", "data:text/html,x")):
        body = {"id": world.org_b["id"], field: address}
        response = world.roles["sysadmin"].post_json("organization_patch", json.dumps(body))
        assert response.status_code == 409, (field, address, response.text[:300])
        assert field in response.json()["error"], response.text[:300]
