"""Compound splitting of the portal's free-text search (docs/search.md).

`query.german_search_params` chooses edismax and the query fields; here the
query's compounds are also asked for as their parts (analysis.expand_query).
Ranking comes from the query fields' boosts (word as typed, stemmed, parts)
and from the phrase fields `pf`, which CKAN does not pass on to Solr and which
are therefore defaults of the /select handler (config/solr/.../solrconfig.xml)."""
from __future__ import annotations

from typing import Any

from ckanext.thueringen.search import analysis


def with_compound_parts(chosen: dict[str, Any], given: dict[str, Any],
                        parts: frozenset[str] | set[str]) -> dict[str, Any]:
    """`chosen` (the parameters after german_search_params) with the query's
    compounds expanded, when the portal chose the parser: a caller that chose
    its own parser or fields gets its own search."""
    if chosen is given or chosen.get("defType") != "edismax":
        return chosen
    return {**chosen, "q": analysis.expand_query(chosen["q"], parts)}
