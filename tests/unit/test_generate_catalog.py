"""The benchmark's catalogue generator (tests/benchmarks/generate_catalog.py):
deterministic, Hydra-paged, and every dataset is read by the portal's own
DCAT-AP.de parser with three distributions and nothing left unmapped. No stack:
    .venv/bin/python -m pytest tests/unit/test_generate_catalog.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import sys
from pathlib import Path

from ckanext.thueringen import rdf
from ckanext.thueringen.harvesters.records import dataset_value

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from generate_catalog import generate  # noqa: E402

BASE = "http://127.0.0.1:8900/katalog"


def test_same_arguments_give_the_same_files(tmp_path):
    first = generate(tmp_path / "a", 30, BASE, "https://daten.example/a", page_size=10)
    second = generate(tmp_path / "b", 30, BASE, "https://daten.example/a", page_size=10)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    other = generate(tmp_path / "c", 30, BASE, "https://daten.example/c", page_size=10)
    assert other[0].read_bytes() != first[0].read_bytes()


def test_pages_chain_by_hydra_and_every_dataset_parses(tmp_path):
    pages = generate(tmp_path, 25, BASE, "https://daten.example/a", page_size=10)
    assert [p.name for p in pages] == ["catalog.ttl", "catalog-2.ttl", "catalog-3.ttl"]
    parsed = [rdf.parse_datasets(p.read_text(encoding="utf-8"), "turtle") for p in pages]
    assert [page.next_page for page in parsed] == [f"{BASE}/catalog-2.ttl", f"{BASE}/catalog-3.ttl", None]
    datasets = [item for page in parsed for item in page.datasets]
    assert [len(page.datasets) for page in parsed] == [10, 10, 5]
    assert len({item.uri for item in datasets}) == 25
    for item in datasets:
        assert not item.unmapped, (item.uri, item.unmapped)
        assert len(item.dataset["resources"]) == 3
        assert item.dataset["title"] and item.dataset["notes"]
        assert dataset_value(item.dataset, "identifier") == item.uri
    assert any("ä" in item.dataset["notes"] or "ü" in item.dataset["notes"] for item in datasets)
