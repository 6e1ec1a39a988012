"""Geometries that ckanext-spatial cannot read are left out of the index, and a
harvested geometry over the text limit is dropped whole, never cut."""
from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from ckanext.thueringen.harvesters.limits import Limits, fit_to_limits
from ckanext.thueringen.search.geometry import drop_unreadable, readable

POLYGON = json.dumps({"type": "Polygon", "coordinates": [[[10.0, 50.0], [12.0, 50.0], [12.0, 51.0], [10.0, 50.0]]]})


def test_a_geojson_geometry_is_readable_and_kept():
    assert readable(POLYGON)
    indexed = drop_unreadable({"id": "x", "spatial": POLYGON, "extras_spatial": POLYGON})
    assert indexed["spatial"] == POLYGON and indexed["extras_spatial"] == POLYGON


@given(st.integers(min_value=1, max_value=len(POLYGON) - 1))
def test_a_cut_geometry_is_left_out_of_the_index(length):
    cut = POLYGON[:length]
    indexed = drop_unreadable({"id": "x", "spatial": cut, "extras_spatial": cut, "title": "T"})
    assert "spatial" not in indexed and "extras_spatial" not in indexed and indexed["title"] == "T"


def test_json_that_is_no_geometry_is_left_out():
    for value in ('{"a": 1}', "[]", "null", '"text"', '{"type": "Polygon"}'):
        assert not readable(value), value
        assert "spatial" not in drop_unreadable({"spatial": value, "extras_spatial": value})


def test_a_geometry_over_the_text_limit_is_dropped_not_cut():
    big = json.dumps({"type": "MultiPoint", "coordinates": [[10.0 + i / 1000, 50.0] for i in range(1000)]})
    limits = Limits(title_length=1000, notes_length=100_000, text_length=8000, tags=100, resources=100)
    fitted, findings = fit_to_limits({"spatial_coverage": [{"geom": big, "text": "Thüringen"}]}, limits)
    assert fitted["spatial_coverage"][0]["geom"] is None
    assert fitted["spatial_coverage"][0]["text"] == "Thüringen"
    assert any("Geometrie" in finding.message for finding in findings), findings
