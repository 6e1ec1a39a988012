"""The dataset search that answers questions, and the home page that starts one,
through the real portal and API: facets (level, area tree, open licences,
frequency, document type), time filters, bounding-box search, sorting, the
Atom feed of a search, the search page's filter panel, and the home page's
tiles, figures and newest items."""
from __future__ import annotations

import json
import re
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

import pytest
import requests
from bs4 import BeautifulSoup

from conftest import wait_until
from publication_samples import complete_publication

LEVEL = "https://opendata.thueringen.de/def/authority-level/"
STATE = "http://dcat-ap.de/def/politicalGeocoding/stateKey/16"
JENA_DISTRICT = "http://dcat-ap.de/def/politicalGeocoding/districtKey/16053"
JENA_TOWN = "http://dcat-ap.de/def/politicalGeocoding/regionalKey/160530000000"
GOVE = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
JUST = "http://publications.europa.eu/resource/authority/data-theme/JUST"
ANNUAL = "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
OPEN = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
CLOSED = "http://dcat-ap.de/def/licenses/other-closed"
ATOM = "{http://www.w3.org/2005/Atom}"


def _polygon(west, south, east, north) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north],
                                                           [west, north], [west, south]]]})


def _names(result) -> list[str]:
    return [pkg["name"] for pkg in result["results"]]


@pytest.fixture
def org(sysadmin_api):
    """A Gemeinde-level authority of its own for each test."""
    marker = uuid.uuid4().hex[:8]
    return sysadmin_api("organization_create", name=f"gemeinde-{marker}", title=f"Gemeinde Test {marker}",
                        authority_level=f"{LEVEL}gemeinde")


def _create(api, org, suffix, **fields):
    return api("package_create", name=f"{org['name']}-{suffix}", title=fields.pop("title", f"Datensatz {suffix}"),
               notes="Testdaten", owner_org=org["id"], **fields)


def _search(api, org, **params):
    return api("package_search", fq=f"organization:{org['name']}", rows=50, **params)


def test_facets_tell_level_area_tree_open_licence_and_frequency(sysadmin_api, anonymous_api, org):
    _create(sysadmin_api, org, "town", spatial_coverage=[{"uri": JENA_TOWN}], license_id=OPEN, frequency=ANNUAL)
    _create(sysadmin_api, org, "district", spatial_coverage=[{"uri": JENA_DISTRICT}], license_id=CLOSED)

    fields = ["vocab_authority_level", "vocab_area", "isopen", "vocab_frequency"]
    result = _search(anonymous_api, org, **{"facet.field": json.dumps(fields)})
    facets = {name: {item["name"]: (item["display_name"], item["count"]) for item in facet["items"]}
              for name, facet in result["search_facets"].items()}

    assert facets["vocab_authority_level"] == {f"{LEVEL}gemeinde": ("Gemeinde", 2)}
    # The Gemeinde's dataset counts for its Kreis and the Land as well.
    assert facets["vocab_area"] == {STATE: ("Thüringen", 2), JENA_DISTRICT: ("Jena", 2), JENA_TOWN: ("Jena", 1)}
    assert facets["isopen"] == {"true": ("nur offene Lizenzen", 1), "false": ("andere Lizenzen", 1)}
    assert facets["vocab_frequency"] == {ANNUAL: ("jährlich", 1)}
    # Filtering by the Kreis finds the Gemeinde's dataset; by the Gemeinde, only that one.
    assert len(_names(_search(anonymous_api, org, fq_list=[f'vocab_area:"{JENA_DISTRICT}"']))) == 2
    assert _names(_search(anonymous_api, org, fq_list=[f'vocab_area:"{JENA_TOWN}"'])) == [f"{org['name']}-town"]
    assert _names(_search(anonymous_api, org, fq_list=["isopen:true"])) == [f"{org['name']}-town"]


def test_time_filters_find_overlapping_periods_and_publication_dates(sysadmin_api, anonymous_api, org):
    _create(sysadmin_api, org, "old", temporal_coverage=[{"start": "2010-01-01", "end": "2012-12-31"}],
            issued="2013-02-01")
    _create(sysadmin_api, org, "open", temporal_coverage=[{"start": "2018-06-01"}], issued="2019-05-15")
    _create(sysadmin_api, org, "none")

    def names(**extras):
        return sorted(n.rsplit("-", 1)[1] for n in _names(_search(anonymous_api, org, **extras)))

    assert names(ext_temporal_from="2012", ext_temporal_to="2012") == ["old"]
    assert names(ext_temporal_from="01.01.2013", ext_temporal_to="31.05.2018") == []
    assert names(ext_temporal_from="2030") == ["open"]
    assert names(ext_temporal_to="2011-06") == ["old"]
    assert names(ext_temporal_from="2000", ext_temporal_to="2100") == ["old", "open"]
    assert names(ext_published_from="2013-02-01", ext_published_to="2019-05-14") == ["old"]
    assert names(ext_published_from="05.2019") == ["open"]
    assert names(ext_published_to="2012") == []

    refused = anonymous_api.raw("package_search", ext_temporal_from="gestern")
    assert refused.status_code == 400
    assert "ist kein Datum" in refused.json()["error"]["message"]


def test_time_filter_on_the_search_page_keeps_its_values_and_refuses_no_date(stack, sysadmin_api, org):
    _create(sysadmin_api, org, "period", temporal_coverage=[{"start": "2001-01-01", "end": "2001-12-31"}])
    params = {"organization": org["name"], "ext_temporal_from": "2001", "ext_temporal_to": "2001"}
    page = requests.get(f"{stack['web_url']}/dataset/", params=params, timeout=30)
    html = BeautifulSoup(page.text, "html.parser")
    assert html.find("input", {"name": "ext_temporal_from"})["value"] == "2001"
    assert f"{org['name']}-period" in page.text

    refused = requests.get(f"{stack['web_url']}/dataset/", params={"ext_published_to": "morgen"}, timeout=30)
    assert refused.status_code == 400
    assert "ist kein Datum" in refused.text


def test_bounding_box_finds_a_dataset_inside_and_not_one_outside(sysadmin_api, anonymous_api, org):
    jena = _polygon(11.53, 50.87, 11.67, 50.98)
    bremen = _polygon(8.48, 53.01, 8.99, 53.23)
    _create(sysadmin_api, org, "jena", spatial_coverage=[{"uri": JENA_DISTRICT, "geom": jena}])
    _create(sysadmin_api, org, "bremen", spatial_coverage=[{"text": "Bremen", "geom": bremen}])
    _create(sysadmin_api, org, "nogeom", spatial_coverage=[{"uri": JENA_DISTRICT}])

    assert _names(_search(anonymous_api, org, ext_bbox="11.0,50.5,12.0,51.5")) == [f"{org['name']}-jena"]
    assert _names(_search(anonymous_api, org, ext_bbox="8,52.5,9.5,53.5")) == [f"{org['name']}-bremen"]
    assert _names(_search(anonymous_api, org, ext_bbox="13,47,14,48")) == []
    assert len(_names(_search(anonymous_api, org))) == 3

    refused = anonymous_api.raw("package_search", ext_bbox="Jena")
    assert refused.status_code == 400
    assert "ist kein Gebiet" in refused.json()["error"]["message"]


def test_sorting_by_title_newest_and_last_changed(stack, sysadmin_api, anonymous_api, org):
    for suffix, title in (("b", "Bäume"), ("a", "Abfall"), ("c", "Citybus")):
        _create(sysadmin_api, org, suffix, title=title)
    sysadmin_api("package_patch", id=f"{org['name']}-a", notes="geändert")

    def order(sort):
        return [name.rsplit("-", 1)[1] for name in _names(_search(anonymous_api, org, sort=sort))]

    assert order("title_string asc") == ["a", "b", "c"]
    assert order("metadata_created desc") == ["c", "a", "b"]
    assert order("metadata_modified desc") == ["a", "c", "b"]

    html = BeautifulSoup(requests.get(f"{stack['web_url']}/dataset/", timeout=30).text, "html.parser")
    options = {option["value"]: option.get_text(strip=True) for option in html.select("#field-order-by option")}
    assert options == {"score desc, metadata_modified desc": "Relevanz", "metadata_created desc": "Neueste",
                       "metadata_modified desc": "Zuletzt geändert", "title_string asc": "Titel A–Z",
                       "quality_score desc, metadata_modified desc": "Beste Metadatenqualität"}


def test_atom_feed_of_a_search_is_linked_and_holds_only_matches(stack, sysadmin_api, org):
    _create(sysadmin_api, org, "gove", theme=[GOVE], temporal_coverage=[{"start": "2020-01-01", "end": "2020-12-31"}])
    _create(sysadmin_api, org, "just", theme=[JUST], temporal_coverage=[{"start": "2020-01-01", "end": "2020-12-31"}])
    _create(sysadmin_api, org, "gove-old", theme=[GOVE], temporal_coverage=[{"start": "1990-01-01", "end": "1991-12-31"}])

    params = {"organization": org["name"], "vocab_theme": GOVE, "ext_temporal_from": "2020", "page": "1"}
    page = BeautifulSoup(requests.get(f"{stack['web_url']}/dataset/", params=params, timeout=30).text, "html.parser")
    link = page.find("link", {"rel": "alternate", "type": "application/atom+xml"})
    assert link is not None
    assert "page=" not in link["href"]

    feed = requests.get(requests.compat.urljoin(stack["web_url"] + "/", link["href"]), timeout=30)
    assert feed.status_code == 200
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    titles = [entry.findtext(f"{ATOM}title") for entry in ET.fromstring(feed.content).iter(f"{ATOM}entry")]
    assert titles == ["Datensatz gove"]

    refused = requests.get(f"{stack['web_url']}/feeds/custom.atom", params={"ext_published_to": "morgen"}, timeout=30)
    assert refused.status_code == 400


def _feed_page(app, url: str) -> tuple[list[str], dict[str, str]]:
    """Titles and paging links (rel -> address) of one page of a feed, read in-process."""
    parts = urllib.parse.urlsplit(url)
    response = app.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
    assert response.status_code == 200, response.data[:300]
    root = ET.fromstring(response.data)
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")], links


@pytest.mark.ckan_config("ckan.feeds.limit", 2)
def test_the_feed_of_a_search_pages_through_every_match_keeping_the_search(app, sysadmin_api, org):
    for suffix in ("a", "b", "c", "d", "e"):
        _create(sysadmin_api, org, f"feed-{suffix}", theme=[GOVE])
    _create(sysadmin_api, org, "feed-other", theme=[JUST])
    search = [("q", "Datensatz"), ("organization", org["name"]), ("vocab_theme", GOVE), ("vocab_theme", GOVE)]

    url, seen, pages = "/feeds/custom.atom?" + urllib.parse.urlencode(search), [], []
    while url:
        titles, links = _feed_page(app, url)
        seen += titles
        pages.append(links)
        for rel in ("self", "first", "last", "next", "previous"):
            if rel in links:
                kept = urllib.parse.parse_qsl(urllib.parse.urlsplit(links[rel]).query)
                assert [pair for pair in kept if pair[0] != "page"] == search, (rel, links[rel])
        url = links.get("next")
    assert sorted(seen) == [f"Datensatz feed-{suffix}" for suffix in "abcde"]
    assert len(pages) == 3
    assert pages[0]["last"].endswith("page=3") and "prev" not in pages[0]
    assert "page=" not in pages[0]["first"] and pages[1]["prev"] == pages[0]["first"]
    assert pages[2]["prev"].endswith("page=2") and "next" not in pages[2]

    beyond, links = _feed_page(app, pages[0]["first"] + "&page=7")
    assert beyond == [] and links["prev"].endswith("page=3")
    assert app.get("/feeds/custom.atom?page=0").status_code == 400
    assert "Datensätze: neu und geändert" in app.get(pages[0]["first"]).data.decode()


@pytest.mark.ckan_config("ckan.datasets_per_page", 2)
def test_every_pager_link_has_a_german_name(app, sysadmin_api, org):
    """CKAN 2.12 draws the pager's arrows as bare icons: links without a name."""
    for suffix in ("a", "b", "c"):
        _create(sysadmin_api, org, f"pager-{suffix}")
    pages = {"search": f"/dataset/?q=Datensatz&organization={org['name']}",
             "search, page 2": f"/dataset/?q=Datensatz&organization={org['name']}&page=2",
             "authority": f"/organization/{org['name']}", "authorities": "/organization/"}
    for what, path in pages.items():
        html = BeautifulSoup(app.get(path).data, "html.parser")
        links = html.select(".pagination a")
        assert links, what
        for link in links:
            assert link.get_text(" ", strip=True), (what, str(link))
        arrows = {link.get_text(" ", strip=True) for link in links if link.select("i.fa-solid")}
        assert arrows and arrows <= {"Vorherige Seite", "Nächste Seite"}, (what, arrows)


def test_search_page_facets_are_whole_german_and_the_filter_panel_is_a_button(stack, sysadmin_api, org):
    _create(sysadmin_api, org, "facets", theme=[GOVE], spatial_coverage=[{"uri": JENA_TOWN}], license_id=OPEN,
            frequency=ANNUAL)
    page = requests.get(f"{stack['web_url']}/dataset/", params={"organization": org["name"]}, timeout=30)
    html = BeautifulSoup(page.text, "html.parser")

    facet_labels = [label.get_text(strip=True) for label in html.select("#search-facets .item-label")]
    assert "Regierung und öffentlicher Sektor" in facet_labels
    assert not [label for label in facet_labels if label.endswith("...")]
    assert not html.select('#search-facets a[aria-label]')
    assert "Search datasets by" not in page.text
    titles = [heading.get_text(strip=True) for heading in html.select("#search-facets h2")]
    for title in ("Kategorien", "Veröffentlichende Stellen", "Ebene", "Gebiete", "Formate", "Lizenzen",
                  "Offene Lizenz", "Aktualisierung", "Zeitraum"):
        assert title in titles

    # The area tree: Thüringen, under it the Kreis Jena, under that the town.
    tree = [(item["data-depth"], item.select_one(".item-label").get_text(strip=True))
            for item in html.select('[data-facet="vocab_area"] li')]
    assert tree == [("0", "Thüringen"), ("1", "Jena"), ("2", "Jena")]
    toggle = html.select_one('[data-facet="isopen"] a[data-toggle-value="true"]')
    assert toggle.get_text(" ", strip=True) == "nur offene Lizenzen 1"
    assert "isopen=true" in toggle["href"] and not toggle.has_attr("aria-current")

    opener = html.select_one("button.show-filters")
    assert opener.get_text(strip=True) == "Ergebnisse filtern"
    assert opener["aria-expanded"] == "false" and opener["aria-controls"] == "search-facets"
    closer = html.select_one("#search-facets button.hide-filters")
    assert closer.get_text(strip=True) == "Filter schließen"
    script = html.find("script", src=re.compile(r"thueringen-search/filters\.js"))
    assert requests.get(requests.compat.urljoin(stack["web_url"], script["src"]), timeout=30).status_code == 200


def _home(stack) -> BeautifulSoup:
    page = requests.get(f"{stack['web_url']}/", timeout=30)
    assert page.status_code == 200
    return BeautifulSoup(page.text, "html.parser")


def _figure(html, label) -> int:
    for item in html.select(".thueringen-figures div"):
        if item.dt.get_text(strip=True) == label:
            return int(item.dd.get_text(strip=True).replace(".", ""))
    raise AssertionError(f"no figure {label}")


def _level_row(html, level):
    row = html.select_one(f'[data-level="{LEVEL}{level}"]')
    numbers = [int(re.match(r"\d+", span.get_text(strip=True)).group()) for span in row.select("span")]
    return tuple(numbers)


def test_home_page_tiles_figures_levels_and_newest_items(stack, sysadmin_api, anonymous_api):
    before = _home(stack)
    authorities_before, datasets_before = _level_row(before, "gemeinde")
    marker = uuid.uuid4().hex[:6]
    org = sysadmin_api("organization_create", name=f"gemeinde-home-{marker}", title=f"Gemeinde Start {marker}",
                       authority_level=f"{LEVEL}gemeinde")
    _create(sysadmin_api, org, "home", title=f"Neuester Datensatz {marker}", theme=[JUST],
            resources=[{"url": "https://example.org/daten.csv", "format": "CSV"}])
    sysadmin_api("package_create", **complete_publication(org["id"], marker, title=f"Neueste Veröffentlichung {marker}"))

    def showing_the_new_items():
        html = _home(stack)
        newest = html.select_one(".thueringen-newest-publications a")
        counted = _level_row(html, "gemeinde") == (authorities_before + 1, datasets_before + 2)
        return html if counted and newest and newest.get_text(strip=True).endswith(marker) else None

    # the cached figures follow a change once it is searchable (home.is_fresh: a few seconds)
    html = wait_until(showing_the_new_items, timeout=30, what="home page with the new authority and items")
    tiles = {tile["data-theme"]: tile for tile in html.select(".thueringen-tile")}
    assert len(tiles) == 13 and "OP_DATPRO" not in tiles
    for code in ("JUST", "GOVE"):
        uri = f"http://publications.europa.eu/resource/authority/data-theme/{code}"
        expected = anonymous_api("package_search", rows=0, fq=f'vocab_theme:"{uri}" +dataset_type:(dataset OR publication)')["count"]
        text = tiles[code].get_text(" ", strip=True)
        assert re.search(rf"\b{expected} Datens", text), text
        href = urllib.parse.urlsplit(tiles[code].a["href"])
        assert (href.path, urllib.parse.parse_qs(href.query)) == ("/dataset/", {"vocab_theme": [uri]})
    assert tiles["JUST"].select_one(".thueringen-tile-label").get_text(strip=True) == \
        "Justiz, Rechtssystem und öffentliche Sicherheit"

    assert _figure(html, "Datensätze") == anonymous_api("package_search", rows=0, fq="+dataset_type:dataset")["count"]
    assert _figure(html, "Veröffentlichungen") == \
        anonymous_api("package_search", rows=0, fq="+dataset_type:publication")["count"]
    assert _figure(html, "Behörden") == len(anonymous_api("organization_list"))
    formats = anonymous_api("package_search", rows=0, **{"facet.field": '["res_format"]', "facet.limit": -1})
    assert _figure(html, "Formate") == len(formats["search_facets"]["res_format"]["items"])
    assert _level_row(html, "gemeinde") == (authorities_before + 1, datasets_before + 2)

    newest = [a.get_text(strip=True) for a in html.select(".thueringen-newest-datasets a")]
    assert newest[0] == f"Neuester Datensatz {marker}"
    publications = [a.get_text(strip=True) for a in html.select(".thueringen-newest-publications a")]
    assert publications[0] == f"Neueste Veröffentlichung {marker}"
    assert html.select_one('a[href="/transparenz"]') is not None
    assert html.select_one('form[action="/dataset/"] input[name="q"]') is not None
