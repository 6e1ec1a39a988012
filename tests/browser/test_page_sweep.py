"""Every page type in German and English, on a desktop screen (1366 px) and on
a phone (390 px): 0 axe-core violations of WCAG 2.1 A/AA (BITV 2.0), no request
to any host but the portal's (no avatar service, web font or CDN), no sideways
scrolling on the phone; a screenshot of each as an artefact of the run
(var/<profile>/screenshots)."""
from __future__ import annotations

import pytest

import headless_chrome as chrome
from browser.pages import PAGE_TYPES


def check(browser, site, page, lang: str, width: str, requested: list[str], screenshots) -> list[str]:
    """What is wrong with the open page at this width."""
    browser.save_screenshot(str(screenshots / f"{page.name}-{lang}-{width}.png"))
    problems = []
    document_lang = browser.execute_script("return document.documentElement.lang")
    if not document_lang.startswith(lang):
        problems.append(f"the page's language is {document_lang!r}, not {lang!r}")
    foreign = chrome.foreign_requests(requested, site.web)
    if foreign:
        problems.append("requests to other hosts than the portal's:\n" + "\n".join(f"  {u}" for u in foreign))
    if width == "phone":
        wide = chrome.sideways_overflow(browser)
        if wide:
            problems.append("the page scrolls sideways; wider than the screen: " + ", ".join(wide))
    violations = chrome.axe_violations(browser)
    if violations:
        problems.append(f"{len(violations)} axe-core violations:\n" + "\n".join(map(str, violations)))
    return [f"[{width}] {problem}" for problem in problems]


PAGES = [pytest.param(page, id=page.name) for page in PAGE_TYPES]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_page(page, lang, site, browser, session, screenshots):
    session.ensure(page.logged_in)
    url = site.url(page.path(site), lang)
    chrome.set_width(browser, "desktop")
    problems = check(browser, site, page, lang, "desktop", chrome.visit(browser, url), screenshots)
    # the same page on the phone: what the narrower screen shows or loads in addition
    chrome.set_width(browser, "phone")
    problems += check(browser, site, page, lang, "phone", chrome.settle(browser), screenshots)
    assert not problems, f"{page.name} ({url}):\n" + "\n".join(problems)
