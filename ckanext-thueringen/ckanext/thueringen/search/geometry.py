"""A dataset's geometry as the bounding-box search (ckanext-spatial) indexes it.

ckanext-spatial 2.3.2 (`SolrBBoxSearchBackend.index_dataset`) logs a geometry
that is not valid JSON and then passes None on to shapely, which raises
AttributeError: the dataset is not indexed at all, and a harvested record or
an edit fails with it. The portal's plugins run before `spatial_query`, so an
unreadable geometry is left out of what is indexed (the stored record keeps
it); the dataset is found by everything but the map search. This can go when
ckanext-spatial skips an unreadable geometry itself.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import shapely.geometry

log = logging.getLogger(__name__)


def readable(value: Any) -> bool:
    """True for GeoJSON text that shapely can make a shape of."""
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        shapely.geometry.shape(json.loads(value))
    except Exception:  # noqa: BLE001 - any failure means ckanext-spatial would fail on it too
        return False
    return True


def drop_unreadable(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """`pkg_dict` (about to be indexed) without a geometry ckanext-spatial cannot read."""
    if pkg_dict.get("extras_spatial") and not readable(pkg_dict.get("spatial")):
        log.warning("dataset %s: geometry is not readable GeoJSON; indexed without it", pkg_dict.get("id"))
        pkg_dict.pop("extras_spatial", None)
        pkg_dict.pop("spatial", None)
    return pkg_dict
