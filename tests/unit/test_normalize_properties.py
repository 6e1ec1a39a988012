"""Property-based tests of ckanext.thueringen.normalize: generated records that
mix every spelling of languages, themes, licences and formats with HTML
descriptions, placeholder dates, glued e-mail addresses, keywords CKAN refuses
and unusable addresses. For each record:

- every known variant maps to its canonical URI;
- normalising is idempotent: the result normalised again is the same and
  reports nothing new of kind unmapped or cleaned;
- no value is lost silently: each value sent is in the result (as sent or
  mapped) or in a finding;
- `theme` holds EU data themes only; every keyword passes CKAN's tag
  validators; no HTML remains in a description.

Pure tests (no stack):
    .venv/bin/python -m pytest tests/unit/test_normalize_properties.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import re

from ckan.logic.validators import tag_length_validator, tag_name_validator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.thueringen import normalize
from variants import EU_THEMES, dataset, raw_keyword

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TAG_LIKE = re.compile(r"<[A-Za-z/!]")


def _finding_values(result) -> set[str]:
    return {u.value for u in result.unmapped}


@SETTINGS
@given(dataset())
def test_known_variants_map_to_their_canonical_uri(generated):
    record, expected = generated
    value = normalize.normalize_dataset(record).value
    assert value.get("theme", []) == list(dict.fromkeys(expected["theme"]))
    assert (value.get("language") or []) == expected["language"]
    for resource, wanted in zip(value["resources"], expected["resources"]):
        if wanted["license"]:
            assert resource["license"] == wanted["license"]
        if "format" in wanted:   # the EU URI in format_uri, CKAN's short name in format
            assert resource["format_uri"] == wanted["format"]
            assert resource["format"] == wanted["format"].rsplit("/", 1)[-1]


@SETTINGS
@given(dataset())
def test_normalising_is_idempotent(generated):
    record, _ = generated
    first = normalize.normalize_dataset(record)
    second = normalize.normalize_dataset(first.value)
    assert second.value == first.value
    earlier = {(u.kind, u.value, u.message) for u in first.unmapped}
    new = {(u.kind, u.value, u.message) for u in second.unmapped if u.kind in ("unmapped", "cleaned")} - earlier
    assert not new


@SETTINGS
@given(dataset())
def test_no_value_is_lost_silently(generated):
    record, _ = generated
    result = normalize.normalize_dataset(record)
    value, reported = result.value, _finding_values(result)

    def accounted(raw, kept, mapped=None):
        """`raw` is in the result as sent, or as `mapped` (its canonical form), or in a finding."""
        assert raw in kept or (mapped is not None and mapped in kept) or raw in reported, raw

    themes_and_tags = set(value.get("theme", [])) | {t["name"] for t in value.get("tags", [])}
    for raw in record["theme"]:
        accounted(raw, themes_and_tags, normalize.theme(raw))
    for raw in record["language"]:
        accounted(raw, set(value.get("language") or []), normalize.language(raw))
    names = {t["name"] for t in value.get("tags", [])}
    for tag in record["tags"]:
        accounted(tag["name"], names)
    for key in ("title", "notes"):
        accounted(record[key], {value.get(key)})
    accounted(record["issued"], {value.get("issued")}, normalize.date(record["issued"]))
    period = (value.get("temporal_coverage") or [{}])[0]
    for side in ("start", "end"):
        raw = record["temporal_coverage"][0][side]
        accounted(raw, {period.get(side)}, normalize.date(raw))
    for key in ("contact", "publisher"):
        sent, kept = record[key][0], value[key][0]
        accounted(sent["name"], {kept.get("name")})
        if sent.get("email"):
            accounted(sent["email"], {kept.get("email")})
    accounted(record["url"], {value.get("url")}, normalize.http_url(record["url"]))
    for sent, kept in zip(record["resources"], value["resources"]):
        accounted(sent["url"], {kept.get("url")}, normalize.http_url(sent["url"]))
        accounted(sent["description"], {kept.get("description")})
        accounted(sent["license"], {kept.get("license")}, normalize.licence(sent["license"]))


@SETTINGS
@given(dataset())
def test_themes_are_eu_themes_tags_pass_ckan_and_no_html_remains(generated):
    record, _ = generated
    value = normalize.normalize_dataset(record).value
    assert set(value.get("theme", [])) <= EU_THEMES
    for tag in value.get("tags", []):
        assert tag_name_validator(tag["name"], {}) == tag["name"]
        assert tag_length_validator(tag["name"], {}) == tag["name"]
    assert not TAG_LIKE.search(value["notes"]), value["notes"]
    for resource in value["resources"]:
        assert not TAG_LIKE.search(resource["description"]), resource["description"]
    assert len(value["title"]) <= normalize.MAX_TITLE_LENGTH and not TAG_LIKE.search(value["title"])
    for period in value.get("temporal_coverage", []):
        assert period.get("start") or period.get("end")
        assert not any(normalize.is_open_end(period[side]) for side in ("start", "end") if side in period)
    for key in ("url",):
        assert key not in value or normalize.http_url(value[key]) == value[key]
    for resource in value["resources"]:
        assert resource["url"] == "" or normalize.http_url(resource["url"]) == resource["url"]


@SETTINGS
@given(st.lists(raw_keyword, max_size=8))
def test_every_keyword_is_kept_cleaned_or_reported(keywords):
    result = normalize.normalize_dataset({"tags": [{"name": k} for k in keywords]})
    names = [t["name"] for t in result.value["tags"]]
    assert len(names) == len(set(names))
    for keyword in keywords:
        assert keyword in names or keyword in _finding_values(result)
