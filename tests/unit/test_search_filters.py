"""The dataset search's time filters, area tree, Atom-feed and home-page
search parameters: the pure parts (search/filters.py, search/regions.py,
search/query.py)."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.thueringen import vocabularies
from ckanext.thueringen.facets import index_fields, region_parent
from ckanext.thueringen.search.filters import (
    OPEN_END,
    OPEN_START,
    BBoxError,
    DateError,
    filter_queries,
    parse_span,
    period_bounds,
    solr_date,
)
from ckanext.thueringen.search.query import stock_home_params, time_filter_params
from ckanext.thueringen.search.regions import ancestors, flatten, tree, with_ancestors

STATE = "http://dcat-ap.de/def/politicalGeocoding/stateKey/16"
JENA_DISTRICT = "http://dcat-ap.de/def/politicalGeocoding/districtKey/16053"
JENA_TOWN = "http://dcat-ap.de/def/politicalGeocoding/regionalKey/160530000000"
SHK = "http://dcat-ap.de/def/politicalGeocoding/districtKey/16074"
BREMEN = "http://dcat-ap.de/def/politicalGeocoding/stateKey/04"


@pytest.mark.parametrize("text, first, last", [
    ("2020", "2020-01-01T00:00:00Z", "2020-12-31T23:59:59Z"),
    ("2020-02", "2020-02-01T00:00:00Z", "2020-02-29T23:59:59Z"),
    ("02.2021", "2021-02-01T00:00:00Z", "2021-02-28T23:59:59Z"),
    ("2020-05-17", "2020-05-17T00:00:00Z", "2020-05-17T23:59:59Z"),
    ("17.05.2020", "2020-05-17T00:00:00Z", "2020-05-17T23:59:59Z"),
    (" 7.5.2020 ", "2020-05-07T00:00:00Z", "2020-05-07T23:59:59Z"),
])
def test_typed_dates_stand_for_whole_periods(text, first, last):
    span = parse_span(text)
    assert (solr_date(span.first), solr_date(span.last)) == (first, last)


@pytest.mark.parametrize("text", ["", "gestern", "2020-13", "31.02.2020", "2020-00-10", "0000", "20200", "1.1.20"])
def test_what_is_no_date_is_refused_in_german(text):
    with pytest.raises(DateError, match="ist kein Datum"):
        parse_span(text)


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_every_day_parses_the_iso_and_the_german_way_alike(day):
    iso = parse_span(day.isoformat())
    german = parse_span(f"{day.day:02d}.{day.month:02d}.{day.year:04d}")
    assert iso == german
    assert iso.first.date() == day and iso.last.date() == day
    assert solr_date(iso.first) == f"{day.isoformat()}T00:00:00Z"


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=12))
def test_a_month_covers_its_days_and_nothing_else(year, month):
    span = parse_span(f"{year:04d}-{month:02d}")
    assert span.first.day == 1 and span.first.month == span.last.month == month
    next_day = span.last.replace(hour=0, minute=0, second=0).toordinal() + 1
    assert date.fromordinal(next_day).month != month


def test_period_bounds_span_all_periods_and_keep_open_ends_open():
    periods = [{"start": "2011-11-01", "end": None}, {"start": "2005-01-01", "end": "2008-12-31"}]
    assert period_bounds(periods) == ("2005-01-01T00:00:00Z", OPEN_END)
    assert period_bounds([{"end": "2010"}]) == (OPEN_START, "2010-12-31T23:59:59Z")
    assert period_bounds([{"start": "", "end": ""}, "2010"]) is None
    assert period_bounds([{"start": "2020-03-01T10:00:00+01:00"}]) == ("2020-03-01T09:00:00Z", OPEN_END)


def test_filter_queries_ask_for_overlap_and_for_a_publication_range():
    assert filter_queries({}) == []
    assert filter_queries({"ext_temporal_from": "2019", "ext_temporal_to": "2020"}) == [
        "+temporal_start_date:[* TO 2020-12-31T23:59:59Z] +temporal_end_date:[2019-01-01T00:00:00Z TO *]"]
    assert filter_queries({"ext_published_from": "01.03.2021"}) == [
        "+published_date:[2021-03-01T00:00:00Z TO *]"]
    assert filter_queries({"ext_published_to": "2021", "ext_temporal_from": " "}) == [
        "+published_date:[* TO 2021-12-31T23:59:59Z]"]


def test_time_filters_join_the_other_filter_queries_and_bad_dates_are_a_query_error():
    from ckan.lib.search.common import SearchQueryError

    params = time_filter_params({"q": "x", "fq_list": ["+a:b"], "extras": {"ext_published_from": "2020"}})
    assert params["fq_list"] == ["+a:b", "+published_date:[2020-01-01T00:00:00Z TO *]"]
    assert time_filter_params({"q": "x"}) == {"q": "x"}
    with pytest.raises(SearchQueryError, match="kein Datum"):
        time_filter_params({"extras": {"ext_temporal_to": "morgen"}})


def test_index_fields_add_dates_areas_and_level():
    pkg = index_fields({"type": "dataset", "spatial_coverage": [{"uri": JENA_TOWN}],
                        "temporal_coverage": [{"start": "2011-11-01"}], "issued": "2020-06-30",
                        "frequency": "http://publications.europa.eu/resource/authority/frequency/ANNUAL"},
                       authority_level="https://opendata.thueringen.de/def/authority-level/gemeinde")
    assert pkg["vocab_region"] == [JENA_TOWN]
    assert pkg["vocab_area"] == [JENA_TOWN, JENA_DISTRICT, STATE]
    assert (pkg["temporal_start_date"], pkg["temporal_end_date"]) == ("2011-11-01T00:00:00Z", OPEN_END)
    assert pkg["published_date"] == "2020-06-30T00:00:00Z"
    assert pkg["vocab_authority_level"] == ["https://opendata.thueringen.de/def/authority-level/gemeinde"]
    assert pkg["vocab_frequency"] == ["http://publications.europa.eu/resource/authority/frequency/ANNUAL"]
    publication = index_fields({"type": "publication", "publication_date": "2024-02-01", "issued": "2020-01-01"})
    assert publication["published_date"] == "2024-02-01T00:00:00Z"
    assert "temporal_start_date" not in publication and publication["vocab_area"] == []


def test_every_region_of_thueringen_has_the_state_above_it():
    regions = vocabularies.vocabulary("regions")
    for concept in regions:
        chain = ancestors(concept.uri, region_parent)
        if concept.uri != STATE:
            assert chain[-1] == STATE, concept.uri
            assert len(chain) <= 2


def _item(uri, count, active=False):
    return {"name": uri, "display_name": vocabularies.vocabulary("regions").label(uri), "count": count,
            "active": active}


def test_tree_puts_a_gemeinde_under_its_kreis_and_other_states_at_the_top():
    items = [_item(JENA_TOWN, 3), _item(SHK, 5), _item(STATE, 9), _item(BREMEN, 2), _item(JENA_DISTRICT, 4)]
    rows = [(depth, node.uri, node.count) for depth, node in flatten(tree(items, region_parent))]
    assert rows == [(0, STATE, 9), (1, SHK, 5), (1, JENA_DISTRICT, 4), (2, JENA_TOWN, 3), (0, BREMEN, 2)]


def test_tree_makes_a_parent_without_item_for_an_orphan():
    rows = [(depth, node.uri, node.item is None) for depth, node in flatten(tree([_item(JENA_TOWN, 1)], region_parent))]
    assert rows == [(0, STATE, True), (1, JENA_DISTRICT, True), (2, JENA_TOWN, False)]


_URIS = [concept.uri for concept in vocabularies.vocabulary("regions")][:80] + [BREMEN]


@given(st.lists(st.sampled_from(_URIS), unique=True), st.randoms())
def test_tree_shows_every_item_once_below_its_ancestors(uris, random):
    items = [_item(uri, random.randint(1, 50)) for uri in uris]
    rows = flatten(tree(items, region_parent))
    shown = [node.uri for _depth, node in rows if node.item]
    assert sorted(shown) == sorted(uris)
    positions = {node.uri: index for index, (_depth, node) in enumerate(rows)}
    for depth, node in rows:
        chain = ancestors(node.uri, region_parent)
        assert depth == len(chain)
        assert all(positions[above] < positions[node.uri] for above in chain)


@given(st.lists(st.sampled_from(_URIS)))
def test_with_ancestors_keeps_each_area_once_and_closes_upwards(uris):
    areas = with_ancestors(uris, region_parent)
    assert len(areas) == len(set(areas))
    assert set(uris) <= set(areas)
    assert all(set(ancestors(uri, region_parent)) <= set(areas) for uri in areas)


def test_only_the_stock_home_search_is_reduced_to_a_count():
    stock = {"q": "*:*", "rows": 4, "sort": "view_recent desc", "facet.field": ["tags"]}
    assert stock_home_params(stock) == {**stock, "rows": 0, "facet": "false", "facet.field": []}
    mine = {"q": "*:*", "rows": 5, "sort": "metadata_created desc"}
    assert stock_home_params(mine) is mine


def test_solr_dates_are_utc_with_four_digit_years():
    assert solr_date(date(33, 1, 2)) == "0033-01-02T00:00:00Z"
    assert solr_date(datetime(2020, 1, 1, 1, 0, tzinfo=UTC)) == "2020-01-01T01:00:00Z"


@pytest.mark.parametrize("bbox", ["foo", "1,2,3", "1,2,3,4,5", "12,50,11,51", "10,95,11,96", "-200,0,0,1", "a,b,c,d"])
def test_a_bounding_box_that_is_none_is_refused_in_german(bbox):
    with pytest.raises(BBoxError, match="ist kein Gebiet"):
        filter_queries({"ext_bbox": bbox})


def test_a_bounding_box_is_left_to_ckanext_spatial():
    assert filter_queries({"ext_bbox": "10.5,50.2,12.6,51.6"}) == []
