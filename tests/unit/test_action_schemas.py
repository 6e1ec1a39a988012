"""The input schemas of the portal's actions (logic/schema.py), without services."""
from __future__ import annotations

import pytest
from ckan.lib.navl.dictization_functions import Invalid

from ckanext.thueringen.harvest_report import DEFAULT_LIMIT, MAX_LIMIT
from ckanext.thueringen.logic.schema import report_limit


@pytest.mark.parametrize("value, expected", [("", DEFAULT_LIMIT), (None, DEFAULT_LIMIT), ("1", 1), (7, 7),
                                             (str(MAX_LIMIT), MAX_LIMIT)])
def test_report_limit_takes_whole_numbers_in_range(value, expected):
    assert report_limit(value) == expected


@pytest.mark.parametrize("value", ["viele", "2.5", [3], {"n": 3}, 0, -1, MAX_LIMIT + 1])
def test_report_limit_refuses_everything_else(value):
    with pytest.raises(Invalid):
        report_limit(value)
