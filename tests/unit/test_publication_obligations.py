"""The publication obligations vocabulary and the overview's pure parts
(transparency/obligations.py, publications.reference_date)."""
from __future__ import annotations

import csv
import io

import pytest

from ckanext.thueringen import vocabularies
from ckanext.thueringen.transparency.obligations import applicable, as_csv, summarise
from ckanext.thueringen.transparency.publications import reference_date, solr_date

DOC = "https://opendata.thueringen.de/def/document-type/"
LEVEL = "https://opendata.thueringen.de/def/authority-level/"


def test_every_obligation_names_a_document_type_levels_and_a_norm():
    types, levels = vocabularies.vocabulary("document_types"), vocabularies.vocabulary("authority_levels")
    obligations = list(vocabularies.vocabulary("publication_obligations"))
    assert len(obligations) >= 13
    for obligation in obligations:
        assert obligation.property("document_type") in types
        assert obligation.properties["applies_to"] and all(level in levels for level in obligation.properties["applies_to"])
        assert "ThürTG" in obligation.property("norm")


@pytest.mark.parametrize("level, has, has_not", [
    ("land", "kabinettsbeschluesse", "sitzungsbeschluesse"),
    ("gemeinde", "sitzungsbeschluesse", "kabinettsbeschluesse"),
    ("landkreis", "beteiligungsberichte", "landtag-berichte"),
])
def test_obligations_depend_on_the_level(level, has, has_not):
    codes = {obligation.code for obligation in applicable(LEVEL + level)}
    assert has in codes and has_not not in codes
    assert "informationsantraege" not in codes and "sonstige" not in codes


def test_no_level_no_obligations():
    assert applicable(None) == [] and applicable("https://example.org/level") == []


def test_summary_counts_newest_and_missing():
    obligations = applicable(LEVEL + "gemeinde")
    records = [{"document_type": DOC + "sitzungsbeschluesse", "date": "2023-05-01", "year": "2023"},
               {"document_type": DOC + "sitzungsbeschluesse", "date": "2025-02-01", "year": "2025"},
               {"document_type": DOC + "gutachten-studien", "date": "2019-01-01", "year": "2019"},
               {"document_type": DOC + "kabinettsbeschluesse", "date": "2025-01-01", "year": "2025"}]
    rows = {row["document_type"].rsplit("/", 1)[-1]: row for row in summarise(obligations, records, 2026)}
    assert rows["sitzungsbeschluesse"] == {
        "document_type": DOC + "sitzungsbeschluesse", "label": "Beschlüsse öffentlicher Sitzungen mit Protokollen",
        "norm": "ThürTG § 6 Abs. 3 Nr. 8; Niederschriften: ThürKO § 42", "count": 2, "newest": "2025-02-01",
        "count_recent": 1, "missing": False}
    assert rows["gutachten-studien"]["missing"] and rows["gutachten-studien"]["count"] == 1
    assert rows["umweltinformationen"] == {**rows["umweltinformationen"], "count": 0, "newest": None, "missing": True}
    assert "kabinettsbeschluesse" not in rows
    table = list(csv.DictReader(io.StringIO(as_csv({"obligations": list(rows.values())}))))
    assert {row["missing"] for row in table} == {"ja", "nein"}


@pytest.mark.parametrize("text, date", [
    ("2024", "2024-01-01T00:00:00Z"), ("2024-05", "2024-05-01T00:00:00Z"), ("2024-05-03", "2024-05-03T00:00:00Z"),
    ("2024-05-03T10:00:00", "2024-05-03T00:00:00Z"), ("2024-13", None), ("", None), (None, None), ("x", None)])
def test_solr_date(text, date):
    assert solr_date(text) == date


def test_reference_date_follows_the_year_rule():
    assert reference_date({"publication_date": "2024-03-15", "document_date": "01.03.2024"}) == "2024-03-01T00:00:00Z"
    assert reference_date({"publication_date": "2024-03-15"}) == "2024-03-15T00:00:00Z"
    assert reference_date({}) is None
