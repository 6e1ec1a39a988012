"""harvesters/sources/<type>.json: every sample source configuration of
harvesters/README.md passes its harvester's `validate_config`, and there is one
sample per source type, so that the samples cannot rot. No stack needed:
    .venv/bin/python -m pytest tests/unit/test_sample_sources.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ckanext.thueringen.harvesters.ckan import CkanApiHarvester
from ckanext.thueringen.harvesters.config import parse_source_config
from ckanext.thueringen.harvesters.dcat import DCATAPDEHarvester
from ckanext.thueringen.harvesters.feed import FeedHarvester
from ckanext.thueringen.harvesters.fragdenstaat import FragDenStaatHarvester

SAMPLES = Path(__file__).resolve().parents[2] / "harvesters" / "sources"
HARVESTERS = [DCATAPDEHarvester, CkanApiHarvester, FeedHarvester, FragDenStaatHarvester]
BY_TYPE = {harvester().info()["name"]: harvester for harvester in HARVESTERS}


def test_one_sample_per_source_type():
    assert sorted(path.stem for path in SAMPLES.glob("*.json")) == sorted(BY_TYPE)


@pytest.mark.parametrize("source_type", sorted(BY_TYPE))
def test_the_sample_passes_its_harvesters_validation(source_type):
    text = (SAMPLES / f"{source_type}.json").read_text(encoding="utf-8")
    harvester = BY_TYPE[source_type]()
    assert harvester.validate_config(text) == text   # raises ConfigError (German) for a bad sample


def test_the_readme_names_every_sample_and_key():
    readme = (SAMPLES.parent / "README.md").read_text(encoding="utf-8")
    for source_type, harvester in BY_TYPE.items():
        assert f"sources/{source_type}.json" in readme, source_type
        for key in harvester.config_options:
            assert f"`{key}`" in readme, key
    for key in parse_source_config("").__dataclass_fields__:
        if key != "options":
            assert f"`{key}`" in readme, key
