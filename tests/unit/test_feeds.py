"""Paging and parameters of the portal's search feeds (feeds.py, search/feed.py)."""
from __future__ import annotations

import urllib.parse

from hypothesis import given
from hypothesis import strategies as st

from ckanext.thueringen.feeds import last_page, navigation
from ckanext.thueringen.search.feed import feed_params, search_params

PARAMS = [("q", "Haushalt"), ("vocab_theme", "http://x/ECON")]


def _url(params):
    return "https://portal.example/feeds/custom.atom?" + urllib.parse.urlencode(params)


def _page(url: str | None) -> int | None:
    if url is None:
        return None
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    return int(query.get("page", 1))


@given(count=st.integers(0, 10_000), limit=st.integers(1, 100))
def test_the_last_page_holds_the_last_result(count, limit):
    last = last_page(count, limit)
    assert last >= 1
    assert (last - 1) * limit < count <= last * limit or (count == 0 and last == 1)


@given(last=st.integers(1, 50), page=st.integers(1, 60))
def test_paging_links_lead_from_each_page_to_its_neighbours_and_ends(last, page):
    links = navigation(_url, PARAMS, page, last)
    assert _page(links["first"]) == 1 and "page=" not in links["first"]
    assert _page(links["last"]) == last
    assert _page(links["self"]) == page
    assert _page(links["next"]) == (page + 1 if page < last else None)
    assert _page(links["previous"]) == (None if page == 1 else min(page - 1, last))
    for url in filter(None, links.values()):
        kept = urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query)
        assert [pair for pair in kept if pair[0] != "page"] == PARAMS
        assert "page=1" not in url.split("&") and not url.endswith("?page=1")


def test_feed_parameters_are_built_like_the_search_page():
    args = [("q", "Haushalt"), ("vocab_theme", "http://x/ECON"), ("vocab_theme", "http://x/GOVE"),
            ("res_format", 'C"SV'), ("ext_bbox", "10,50,12,51"), ("page", "2"), ("_tags_limit", "0"),
            ("bad field:x", "1"), ("tags", ""), ("sort", "title_string asc")]
    params = feed_params(args)
    assert params == [("q", "Haushalt"), ("vocab_theme", "http://x/ECON"), ("vocab_theme", "http://x/GOVE"),
                      ("res_format", 'C"SV'), ("ext_bbox", "10,50,12,51"), ("sort", "title_string asc")]
    data_dict = search_params(params, page=3, limit=20)
    assert data_dict["fq"] == 'vocab_theme:"http://x/ECON" vocab_theme:"http://x/GOVE" res_format:"C\\"SV"'
    assert data_dict["extras"] == {"ext_bbox": "10,50,12,51"}
    assert (data_dict["q"], data_dict["sort"], data_dict["start"], data_dict["rows"]) == \
        ("Haushalt", "title_string asc", 40, 20)
    assert search_params([], page=1, limit=20)["sort"] == "metadata_modified desc"


@given(st.text(min_size=1))
def test_any_filter_value_stays_one_quoted_solr_term(value):
    fq = search_params([("tags", value)], page=1, limit=20)["fq"]
    assert fq.startswith('tags:"') and fq.endswith('"')
    body, unescaped, position = fq[len('tags:"'):-1], [], 0
    while position < len(body):   # as Solr reads a quoted term: a backslash takes the next character
        assert body[position] != '"', fq
        if body[position] == "\\":
            position += 1
        unescaped.append(body[position])
        position += 1
    assert "".join(unescaped) == value
