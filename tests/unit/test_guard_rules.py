"""The pure input rules of the plugin thueringen_guard (no services)."""
from __future__ import annotations

import decimal
import json

import pytest

from ckanext.thueringen.guard import rules


@pytest.mark.parametrize("text, found", [
    ("Haushalt 2024", None), ("Zeile 1\nZeile 2\tTab\r", None), ("ä ß € 😀", None),
    ("a\x00b", "U+0000"), ("\x07", "U+0007"), ("\x1f", "U+001F"), ("a\ud800", "U+D800"), ("\udfff", "U+DFFF"),
    ("\ufffe", "U+FFFE"),
])
def test_characters_that_cannot_be_stored(text, found):
    assert rules.bad_character(text) == found


@pytest.mark.parametrize("value, finite", [
    (1.5, True), (10**400, True), ("NaN", True), (float("nan"), False), (float("inf"), False),
    (float("-inf"), False), (decimal.Decimal("Infinity"), False), (decimal.Decimal("1.5"), True),
])
def test_finite_numbers(value, finite):
    assert rules.is_finite_number(value) is finite


def test_value_problem_looks_into_nested_values_and_keys():
    assert rules.value_problem({"a": [1, {"b": "ok"}]}) is None
    assert rules.value_problem({"a": [1, {"b": "n\x00"}]}) == ("character", "U+0000")
    assert rules.value_problem({"k\x00": "v"}) == ("character", "U+0000")
    assert rules.value_problem([[[float("nan")]]]) == ("number", "nan")


@pytest.mark.parametrize("text, depth", [
    ("1", 0), ("{}", 1), ('{"a": [1, [2]]}', 3), ('["[[[[", "{{{{"]', 1), ('"\\"[[["', 0),
    ("[" * 50_000 + "]" * 50_000, 50_000), ("[[[", 3), ("]]][", 1),
])
def test_json_depth_without_parsing(text, depth):
    assert rules.json_depth(text) == depth


def test_json_depth_agrees_with_the_parser():
    value = {"resources": [{"extras": {"geom": {"coordinates": [[[[1, 2]]]]}}}]}
    assert rules.json_depth(json.dumps(value)) == 9


@pytest.mark.parametrize("value, real", [
    ("2024-02-29", True), ("2023-02-29", False), ("2024-02-30", False), ("2024-04-31", False),
    ("2024-12-31T23:59:59", True), ("2024-02-30T10:00:00", False), ("2024-05", True), ("2024-13", False),
    ("2024-00", False), ("2024", True), ("31.12.2024", True), ("irgendwann", True),
])
def test_calendar_dates(value, real):
    assert rules.is_calendar_date(value) is real
