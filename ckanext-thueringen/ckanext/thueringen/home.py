"""The figures of the home page: categories, authorities by level, newest
datasets and publications, totals.

The counts come from the facets of one package_search over every public
dataset and publication; the newest items from two small searches, the number
of authorities per level from the organisations' table (an organisation
without datasets is no facet item). Everything is kept in Redis for
`thueringen.home.cache_seconds`, so that the home page costs one Redis read
almost always.

Whatever changes the index (a form, the API, a harvest batch, the quality or
full-text worker) notes the time of the change (`note_change`); cached
figures computed before that change became searchable are computed again
(`is_fresh`). A harvest changes the index many times a second: then the
figures are computed at most every REFRESH_SECONDS."""
from __future__ import annotations

import json
import logging
import time
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckan.lib.redis import connect_to_redis
from redis.exceptions import RedisError
from sqlalchemy import func

from ckanext.thueringen import vocabularies

log = logging.getLogger(__name__)

DATASET_TYPE = "dataset"
PUBLICATION_TYPE = "publication"
HOME_FACETS = ("vocab_theme", "dataset_type", "organization", "res_format", "vocab_authority_level")
NEWEST = 5
# "Provisional data" is a data theme of the EU list but none of the 13
# categories (ThürTPVO, DCAT-AP.de): no tile.
NOT_A_CATEGORY = {"OP_DATPRO"}


# The change is noted as a dataset goes to the index (a harvest batch sends
# its documents a little later); Solr makes it searchable within its
# autoSoftCommit time (1 s, config/solr/configsets/ckan/conf/solrconfig.xml).
SEARCHABLE_AFTER_SECONDS = 5.0
REFRESH_SECONDS = 5.0


def _keys() -> tuple[str, str]:
    site = toolkit.config.get("ckan.site_id")
    return f"thueringen:home:{site}", f"thueringen:home:{site}:changed"


def is_fresh(computed_at: float, changed_at: float | None, now: float) -> bool:
    """Whether figures computed at `computed_at` may still be shown at `now`
    when the index last changed at `changed_at` (None: not since they were kept)."""
    if changed_at is None or computed_at >= changed_at + SEARCHABLE_AFTER_SECONDS:
        return True
    return now - computed_at < REFRESH_SECONDS


def _facet_counts(search: dict[str, Any], field: str) -> dict[str, int]:
    return {item["name"]: item["count"] for item in search["search_facets"].get(field, {}).get("items", [])}


def _item(pkg: dict[str, Any]) -> dict[str, Any]:
    organization = pkg.get("organization") or {}
    return {"name": pkg["name"], "title": pkg.get("title") or pkg["name"], "type": pkg.get("type"),
            "metadata_created": pkg.get("metadata_created"), "organization": organization.get("title")}


def _newest(dataset_type: str) -> list[dict[str, Any]]:
    search = toolkit.get_action("package_search")(
        {"ignore_auth": True, "user": ""},
        {"fq": f"+dataset_type:{dataset_type}", "rows": NEWEST, "sort": "metadata_created desc",
         "facet": "false"})
    return [_item(pkg) for pkg in search["results"]]


def authorities_by_level() -> dict[str, int]:
    """Active organisations per authority level (URI; "" for none)."""
    level = model.group_table.c.extras["authority_level"].astext
    rows = (model.Session.query(level, func.count(model.group_table.c.id))
            .filter(model.group_table.c.is_organization.is_(True), model.group_table.c.state == "active")
            .group_by(level).all())
    return {(uri or ""): count for uri, count in rows}


def compute() -> dict[str, Any]:
    """The home page's figures, as plain JSON data (see module docstring)."""
    search = toolkit.get_action("package_search")(
        {"ignore_auth": True, "user": ""},
        {"q": "*:*", "rows": 0, "fq": f"+dataset_type:({DATASET_TYPE} OR {PUBLICATION_TYPE})",
         "facet.field": json.dumps(list(HOME_FACETS)), "facet.limit": -1})
    types = _facet_counts(search, "dataset_type")
    authorities = authorities_by_level()
    return {
        "datasets": types.get(DATASET_TYPE, 0),
        "publications": types.get(PUBLICATION_TYPE, 0),
        "authorities": sum(authorities.values()),
        "publishing_authorities": len(_facet_counts(search, "organization")),
        "formats": len(_facet_counts(search, "res_format")),
        "themes": _facet_counts(search, "vocab_theme"),
        "levels": {"datasets": _facet_counts(search, "vocab_authority_level"), "authorities": authorities},
        "newest_datasets": _newest(DATASET_TYPE),
        "newest_publications": _newest(PUBLICATION_TYPE),
    }


def figures() -> dict[str, Any]:
    """The home page's figures from the cache, computed when missing or older
    than the index's last change. A failing Redis costs speed, not the page."""
    seconds = toolkit.config.get("thueringen.home.cache_seconds")
    if seconds <= 0:
        return compute()
    cache_key, changed_key = _keys()
    redis = connect_to_redis()
    try:
        cached, changed_at = redis.mget(cache_key, changed_key)
    except RedisError as error:
        log.warning("Home page cache unavailable: %s", error)
        cached, changed_at = None, None
    now = time.time()
    if cached:
        kept = json.loads(cached)
        if "computed_at" in kept and is_fresh(kept["computed_at"], float(changed_at) if changed_at else None, now):
            return kept["figures"]
    data = compute()
    try:
        redis.set(cache_key, json.dumps({"computed_at": now, "figures": data}), ex=seconds)
    except RedisError as error:
        log.warning("Home page cache unavailable: %s", error)
    return data


def note_change() -> None:
    """Note that the index changed now (a dataset was indexed or removed, an
    authority changed): figures computed before are computed again."""
    _cache_key, changed_key = _keys()
    try:
        connect_to_redis().set(changed_key, repr(time.time()), ex=24 * 3600)
    except RedisError as error:
        log.warning("Home page cache unavailable: %s", error)


def categories(counts: dict[str, int], language: str) -> list[dict[str, Any]]:
    """The 13 categories (EU data themes) with label and count, by label."""
    themes = [concept for concept in vocabularies.vocabulary("themes").current()
              if concept.code not in NOT_A_CATEGORY]
    tiles = [{"uri": c.uri, "code": c.code, "label": c.label(language), "count": counts.get(c.uri, 0)}
             for c in themes]
    return sorted(tiles, key=lambda tile: tile["label"].casefold())


def levels(level_counts: dict[str, dict[str, int]], language: str) -> list[dict[str, Any]]:
    """The authority levels, from Land down to Gemeinde, with the number of
    authorities and of their datasets and publications."""
    vocabulary = vocabularies.vocabulary("authority_levels")
    order = ["land", "landkreis", "kreisfreie-stadt", "gemeinde"]
    concepts = sorted(vocabulary.current(), key=lambda c: order.index(c.code) if c.code in order else len(order))
    return [{"uri": c.uri, "label": c.label(language),
             "authorities": level_counts["authorities"].get(c.uri, 0),
             "datasets": level_counts["datasets"].get(c.uri, 0)} for c in concepts]
