"""ckanext.thueringen.security.http_cache: the pure rules (no stack needed):
    .venv/bin/python -m pytest tests/unit/test_http_cache_rules.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import pytest

from ckanext.thueringen.security.http_cache import PRIVATE, cache_control, entity_tag

PUBLIC_CASE = {"anonymous": True, "method": "GET", "status": 200, "sets_cookie": False, "has_csrf_token": False,
               "max_age": 60}


def test_an_anonymous_get_without_cookie_or_token_is_public():
    assert cache_control(**PUBLIC_CASE) == "public, max-age=60"
    assert cache_control(**{**PUBLIC_CASE, "method": "HEAD", "status": 304}) == "public, max-age=60"


@pytest.mark.parametrize("change", [
    {"anonymous": False}, {"method": "POST"}, {"method": "PUT"}, {"status": 403}, {"status": 404},
    {"status": 500}, {"status": 302}, {"sets_cookie": True}, {"has_csrf_token": True}, {"max_age": 0},
])
def test_anything_that_may_differ_per_visitor_is_private(change):
    assert cache_control(**{**PUBLIC_CASE, **change}) == PRIVATE == "private, no-store"


def test_entity_tags_are_weak_and_change_with_every_part():
    tag = entity_tag("/dataset/x", "2024-05-01T10:00:00", 3)
    assert tag.startswith('W/"') and tag.endswith('"')
    assert tag == entity_tag("/dataset/x", "2024-05-01T10:00:00", 3)
    assert tag != entity_tag("/dataset/x", "2024-05-01T10:00:01", 3)
    assert tag != entity_tag("/dataset/x", "2024-05-01T10:00:00", 4)
