"""A citizen's search, as in a browser: a query from the home page, a facet,
the dataset, its download link; every step stays on the portal's own host."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import headless_chrome as chrome

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_query_facet_dataset_download(width, site, browser, session, screenshots):
    session.ensure(False)
    chrome.set_width(browser, width)
    requested = chrome.visit(browser, site.url("/"))

    boxes = [box for box in browser.find_elements(By.CSS_SELECTOR, "main input[name=q], input[name=q]")
             if box.is_displayed()]
    assert boxes, "the home page has no visible search box"
    before = browser.current_url
    boxes[0].send_keys(site.word, Keys.ENTER)
    requested += chrome.follow(browser, before)
    assert "/dataset" in browser.current_url and f"q={site.word}" in browser.current_url
    browser.save_screenshot(str(screenshots / f"flow-{width}-1-results.png"))

    facet = browser.find_element(By.CSS_SELECTOR, f"a[href*='organization={site.org['name']}']")
    before = browser.current_url
    browser.get(facet.get_attribute("href")) if not facet.is_displayed() else facet.click()
    requested += chrome.follow(browser, before)
    assert f"organization={site.org['name']}" in browser.current_url
    browser.save_screenshot(str(screenshots / f"flow-{width}-2-facet.png"))

    before = browser.current_url
    browser.find_element(By.LINK_TEXT, site.dataset["title"]).click()
    requested += chrome.follow(browser, before)
    assert browser.current_url.rstrip("/").endswith(f"/dataset/{site.dataset['name']}")
    browser.save_screenshot(str(screenshots / f"flow-{width}-3-dataset.png"))

    download_url = site.dataset["resources"][0]["url"]
    links = browser.find_elements(By.CSS_SELECTOR, f"a[href='{download_url}']")
    assert links, "the dataset page has no link to its download"
    assert not chrome.foreign_requests(requested, site.web)


def test_the_facet_column_keeps_its_items_inside_and_its_close_button_for_phones(site, browser, session):
    """At desktop width the filter panel's close button is not shown, no facet
    item reaches out of the column, and the area tree indents a Kreis under its
    Land and a Gemeinde under its Kreis."""
    session.ensure(False)
    chrome.set_width(browser, "desktop")
    chrome.visit(browser, site.url(f"/dataset/?q={site.word}"))
    assert not browser.find_element(By.CSS_SELECTOR, "#search-facets .hide-filters").is_displayed()
    column = browser.find_element(By.CSS_SELECTOR, "#search-facets").rect
    labels = browser.find_elements(By.CSS_SELECTOR, "#search-facets .item-label")
    assert labels
    for label in labels:
        assert label.rect["x"] >= column["x"], (label.text, label.rect, column)
    tree = [(int(item.get_attribute("data-depth")), item.find_element(By.CSS_SELECTOR, ".item-label").rect["x"])
            for item in browser.find_elements(By.CSS_SELECTOR, '[data-facet="vocab_area"] li[data-depth]')]
    assert [depth for depth, _ in tree[:3]] == [0, 1, 2], tree   # Thüringen, Jena (Kreis), Jena (town)
    assert tree[0][1] < tree[1][1] < tree[2][1], tree
