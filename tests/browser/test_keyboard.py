"""The portal with the keyboard alone: the skip link moves focus to the main
content, every focused control shows a visible focus, the filters of a search
open on a phone and take focus (and give it back), a facet and a download link
are reached and followed, the dataset form names every control, and what
its scripts write is German."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

import headless_chrome as chrome

pytestmark = pytest.mark.timeout(120)


def press(driver, key, times: int = 1) -> dict:
    for _ in range(times):
        ActionChains(driver).send_keys(key).perform()
    return chrome.active_element_description(driver)


def tab_until(driver, wanted, limit: int = 120, reverse: bool = False) -> tuple[dict | None, list[dict]]:
    """Tab (or Shift+Tab) until the focused element satisfies `wanted`; it and every element passed."""
    passed = []
    for _ in range(limit):
        if reverse:
            ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        else:
            ActionChains(driver).send_keys(Keys.TAB).perform()
        element = chrome.active_element_description(driver)
        if element["tag"] == "body":
            break
        passed.append(element)
        if wanted(element):
            return element, passed
    return None, passed


def open_fresh(driver, session, url: str, width: str = "desktop") -> None:
    session.ensure(False)
    chrome.set_width(driver, width)
    chrome.visit(driver, url)
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")


@pytest.mark.parametrize("path", ["/", "/dataset/?q={word}", "/dataset/{dataset}", "/barrierefreiheit"],
                         ids=["home", "search", "dataset", "text-page"])
def test_skip_link_moves_focus_to_the_main_content(path, site, browser, session):
    open_fresh(browser, session, site.url(path.format(word=site.word, dataset=site.dataset["name"])))
    first = press(browser, Keys.TAB)
    assert "skip-link" in (first["cls"] or "") and first["visible"], f"the first Tab stop is {first['html']}"
    assert first["href"] == "#content"
    target = press(browser, Keys.ENTER)
    assert (target["tag"], target["id"]) == ("main", "content"), f"focus after the skip link: {target['html']}"
    after = press(browser, Keys.TAB)
    assert after["inMain"], f"the Tab after the skip link leaves the main content: {after['html']}"


@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize("path", ["/", "/dataset/{dataset}", "/organization/"], ids=["home", "dataset", "organisations"])
def test_every_focused_control_shows_its_focus(path, width, site, browser, session):
    open_fresh(browser, session, site.url(path.format(dataset=site.dataset["name"])), width)
    _, passed = tab_until(browser, lambda element: False, limit=60)
    assert len(passed) >= 5, "the keyboard reaches almost nothing"
    invisible = [element["html"] for element in passed if element["visible"] and not chrome.has_focus_indicator(element)]
    assert not invisible, "focused without a visible focus indicator:\n" + "\n".join(invisible)
    hidden = [element["html"] for element in passed if not element["visible"]]
    assert not hidden, "focus lands on invisible elements:\n" + "\n".join(hidden)


def test_filters_open_by_keyboard_on_a_phone(site, browser, session):
    open_fresh(browser, session, site.url(f"/dataset/?q={site.word}"), "phone")
    toggle, _ = tab_until(browser, lambda element: "show-filters" in (element["cls"] or ""))
    assert toggle is not None, "the filter button of the search cannot be reached with Tab"
    inside = press(browser, Keys.ENTER)
    in_panel = "return !!document.activeElement.closest('.filters, aside.secondary, [role=dialog]')"
    assert browser.execute_script(in_panel), f"focus after opening the filters: {inside['html']}"
    close, _ = tab_until(browser, lambda element: "hide-filters" in (element["cls"] or ""), limit=80)
    assert close is not None, "the filters' close control cannot be reached with Tab"
    assert close["text"] and "close" not in close["text"].lower(), f"the close control is not named in German: {close}"
    back = press(browser, Keys.ENTER)
    assert "show-filters" in (back["cls"] or ""), f"focus after closing the filters: {back['html']}"


def test_a_facet_is_chosen_by_keyboard(site, browser, session):
    open_fresh(browser, session, site.url(f"/dataset/?q={site.word}"))
    facet, _ = tab_until(browser, lambda element: f"organization={site.org['name']}" in (element["href"] or ""))
    assert facet is not None, "no facet link of the dataset's authority is reachable with Tab"
    before = browser.current_url
    press(browser, Keys.ENTER)
    chrome.follow(browser, before)
    assert f"organization={site.org['name']}" in browser.current_url
    assert site.dataset["title"] in browser.page_source


def test_the_download_link_is_reached_by_keyboard(site, browser, session):
    download_url = site.dataset["resources"][0]["url"]
    open_fresh(browser, session, site.url(f"/dataset/{site.dataset['name']}"))
    found, _ = tab_until(browser, lambda element: element["href"] == download_url or (
        element["tag"] in ("a", "button") and "dropdown-toggle" in (element["cls"] or "")
        and browser.execute_script("return !!document.activeElement.closest('.resource-item')")))
    assert found is not None, "neither the download link nor a resource's menu is reachable with Tab"
    if found["href"] != download_url:   # a resource's menu: open it, the link is in it
        press(browser, Keys.ENTER)
        found, _ = tab_until(browser, lambda element: element["href"] == download_url, limit=6)
    assert found is not None and found["visible"], "the download link is not reachable with Tab"


def test_the_dataset_form_names_every_control_and_adds_a_value(site, browser, session):
    """What a screen reader announces on the edit form: the licence and keyword
    widgets (select2) with their label and what is chosen, every input of a
    field of several values with its label; "Hinzufügen" adds a named input."""
    session.ensure(True)
    chrome.set_width(browser, "desktop")
    chrome.visit(browser, site.url(f"/dataset/edit/{site.dataset['name']}"))

    def control(selector: str):
        return browser.find_element("css selector", selector)

    licence = control("#field-license_id + .select2-container .select2-selection")
    assert licence.accessible_name.startswith("Lizenz") and site.dataset["license_title"] in licence.accessible_name, \
        licence.accessible_name
    keywords = control("#field-tags + .select2-container .select2-selection, "
                       "#field-tag_string + .select2-container .select2-selection")
    assert keywords.accessible_name.startswith("Schlagwörter"), keywords.accessible_name
    assert control("#field-tags + .select2-container .select2-search__field, "
                   "#field-tag_string + .select2-container .select2-search__field").accessible_name.startswith(
        "Schlagwörter")

    removers = browser.find_elements("css selector", "#field-tags + .select2-container .select2-selection__choice__remove, "
                                     "#field-tag_string + .select2-container .select2-selection__choice__remove")
    assert {remover.accessible_name for remover in removers} == {"Wasser entfernen", "Umwelt entfernen"}

    def documentation_inputs():
        return browser.find_elements("css selector", 'fieldset[name="documentation"] input[name="documentation"]')

    label = documentation_inputs()[0].accessible_name
    assert label and {field.accessible_name for field in documentation_inputs()} == {label}
    add = control('fieldset[name="documentation"] a[href*="multiple_add"]')
    add.send_keys(Keys.ENTER)
    assert len(documentation_inputs()) == 3
    assert browser.switch_to.active_element == documentation_inputs()[-1]
    assert documentation_inputs()[-1].accessible_name == label


def test_what_the_forms_scripts_write_is_german(site, browser, session):
    """CKAN's scripts take their words from /api/i18n/<language>, which only
    `ckan run` used to write: with gunicorn the URL preview's button said "Edit"."""
    session.ensure(True)
    chrome.set_width(browser, "desktop")
    chrome.visit(browser, site.url("/dataset/new"))
    preview = browser.find_element("css selector", ".slug-preview")
    assert "Bearbeiten" in preview.text and "Edit" not in preview.text, preview.text


def test_a_pager_drawn_by_a_template_of_ckan_gets_names(site, browser, session):
    """control-names.js names the bare arrows of pagers the portal's templates
    do not draw (CKAN's bulk editing, ckanext-harvest's list of sources), here
    one as those templates write it, added to a page."""
    open_fresh(browser, session, site.url("/about"))
    browser.execute_script(
        "const list = document.createElement('ul'); list.className = 'pagination';"
        "list.innerHTML = '<li class=\"page-item\"><a class=\"page-link\" href=\"?page=1\">"
        "<i class=\"fa-solid fa-chevron-left\"></i></a></li><li class=\"page-item\"><a class=\"page-link\""
        " href=\"?page=3\"><i class=\"fa-solid fa-chevron-right\"></i></a></li>';"
        "document.querySelector('main').appendChild(list);")
    links = browser.find_elements("css selector", "main .pagination a")
    WebDriverWait(browser, 5).until(lambda _: all(link.accessible_name for link in links))
    assert [link.accessible_name for link in links] == ["Vorherige Seite", "Nächste Seite"]
