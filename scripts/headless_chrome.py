"""Debian's Chromium driven through /usr/bin/chromedriver (Selenium), headless,
with axe-core from node_modules/ and a recorder of every request a page makes;
used by the browser tests (tests/browser/) and scripts/screenshots.py.

Nothing is downloaded: the driver path is given (Selenium Manager is never
asked, and is told to stay offline), and Chromium's own background traffic
(component updates, safe browsing, metrics) is switched off. Every host but
127.0.0.1 and localhost resolves to nothing, so a request to a third party is recorded (the
DevTools Network events come before the name lookup) but never leaves the machine.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG 2.1 A/AA rules of BITV 2.0 / EN 301 549.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def start_chromium() -> webdriver.Chrome:
    os.environ["SE_OFFLINE"] = "true"   # Selenium Manager, should anything ask it: no downloads
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-default-apps",
                     "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                     "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
                     "--metrics-recording-only", "--lang=de-DE", "--window-size=1366,900",
                     "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"):
        options.add_argument(argument)
    # No preconnects: an opened socket that never sends a request holds one of
    # gunicorn's sync workers until its timeout, and the portal stalls for everyone.
    options.add_experimental_option("prefs", {"net.network_prediction_options": 2})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def set_width(driver: webdriver.Chrome, width: str) -> None:
    """The viewport of a desktop screen or of a phone (a mobile viewport: the page's
    meta viewport applies, as on a real phone)."""
    w, h = WIDTHS[width]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": width == "phone"})


# --- requests ----------------------------------------------------------------------

def requested_urls(driver: webdriver.Chrome) -> list[str]:
    """The URLs requested since the last call (the DevTools performance log, drained)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
        elif message.get("method") == "Network.webSocketCreated":
            urls.append(message["params"]["url"])
    return urls


def foreign_requests(urls: list[str], portal_url: str) -> list[str]:
    """The requests to any host but the portal's (data: and blob: URLs stay in the page)."""
    portal = urlsplit(portal_url)
    return [url for url in urls if urlsplit(url).scheme not in ("data", "blob", "about")
            and urlsplit(url).netloc != portal.netloc]


def settle(driver: webdriver.Chrome, quiet: float = 0.25, timeout: float = 10) -> list[str]:
    """Wait until the page has loaded and made no new request for `quiet` seconds;
    the URLs it requested."""
    urls: list[str] = []
    deadline = time.monotonic() + timeout
    last_change = time.monotonic()
    while time.monotonic() < deadline:
        new = requested_urls(driver)
        if new:
            urls += new
            last_change = time.monotonic()
        elif (driver.execute_script("return document.readyState") == "complete"
              and time.monotonic() - last_change >= quiet):
            break
        time.sleep(0.1)
    return urls


def follow(driver: webdriver.Chrome, from_url: str, timeout: float = 15) -> list[str]:
    """After a click or key on a link: wait until the address has changed (CKAN's
    search links load through htmx, which changes it only once the answer is
    in), then until the page is quiet; the URLs requested meanwhile."""
    urls: list[str] = []
    deadline = time.monotonic() + timeout
    while driver.current_url == from_url and time.monotonic() < deadline:
        urls += requested_urls(driver)
        time.sleep(0.1)
    return urls + settle(driver)


def visit(driver: webdriver.Chrome, url: str) -> list[str]:
    """Open a page; every URL it requested (the page, its assets, its scripts' requests)."""
    requested_urls(driver)
    driver.get(url)
    return settle(driver)


# --- axe-core ----------------------------------------------------------------------

@dataclass
class AxeViolation:
    rule: str
    impact: str
    help: str
    targets: list[tuple[str, str]]   # (CSS selector, the element's HTML, shortened)

    def __str__(self) -> str:
        nodes = "\n".join(f"      {target}  {html}" for target, html in self.targets)
        return f"  {self.rule} ({self.impact}): {self.help}\n{nodes}"


# axe-core leaves text contrast "to review" where it cannot tell the background
# (an image behind the text) or where text and background have the same colour
# (perhaps hidden on purpose). Both hid real faults: white figures on a white
# card. This check decides them the way a reviewer would: the text's colour
# against the nearest ancestor that paints a solid colour (CKAN's patterned
# backgrounds lie on one), with WCAG's 4.5:1, or 3:1 for large text.
_CONTRAST_REVIEW = """
const [selectors] = arguments;
function rgba(value) {
  const m = value.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return null;
  const p = m[1].split(',').map(x => parseFloat(x));
  return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
}
function luminance(c) {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}
const failed = [];
for (const selector of selectors) {
  const element = document.querySelector(selector);
  if (!element) continue;
  const style = getComputedStyle(element);
  const rect = element.getBoundingClientRect();
  if (style.visibility === 'hidden' || style.opacity === '0' || rect.width < 2 || rect.height < 2) continue;
  if (!element.innerText || !element.innerText.trim()) continue;
  const fg = rgba(style.color);
  let node = element, bg = null;
  while (node && node.nodeType === 1) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if (c && c.a >= 1) { bg = c; break; }
    node = node.parentElement;
  }
  bg = bg || {r: 255, g: 255, b: 255, a: 1};
  if (!fg || fg.a < 1) continue;
  const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
  const ratio = (hi + 0.05) / (lo + 0.05);
  const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
  const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
  if (ratio < needed) failed.push([selector, ratio.toFixed(2) + ':1, ' + needed + ':1 needed', element.outerHTML]);
}
return failed;
"""


def axe_violations(driver: webdriver.Chrome) -> list[AxeViolation]:
    """axe-core's WCAG 2.1 A/AA violations of the open page, and the text
    contrasts axe leaves to review that fail when reviewed (_CONTRAST_REVIEW)."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations', 'incomplete']})"
        ".then(r => done(JSON.stringify({violations: r.violations, incomplete: r.incomplete})),"
        " e => done(JSON.stringify({error: String(e)})));",
        AXE_TAGS)
    found = json.loads(result)
    if "error" in found:
        raise AssertionError(f"axe-core failed: {found['error']}")
    violations = [AxeViolation(v["id"], v.get("impact") or "", v["help"],
                               [(" ".join(map(str, n["target"])), " ".join(n["html"].split())[:160])
                                for n in v["nodes"]])
                  for v in found["violations"]]
    to_review = [n["target"][-1] for v in found["incomplete"] if v["id"] == "color-contrast"
                 for n in v["nodes"] if len(n["target"]) == 1]   # not inside frames or shadow roots
    failed = driver.execute_script(_CONTRAST_REVIEW, to_review) if to_review else []
    if failed:
        violations.append(AxeViolation(
            "color-contrast (reviewed)", "serious",
            "Text that axe-core left to review has too little contrast with the colour behind it",
            [(f"{selector}  {ratio}", " ".join(html.split())[:160]) for selector, ratio, html in failed]))
    return violations


# --- keyboard and layout ----------------------------------------------------------

def active_element_description(driver: webdriver.Chrome) -> dict:
    return driver.execute_script(
        "const e = document.activeElement; const s = getComputedStyle(e); const r = e.getBoundingClientRect();"
        "return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className && String(e.className),"
        " text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 60),"
        " href: e.getAttribute('href'), outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),"
        " boxShadow: s.boxShadow, visible: r.width > 1 && r.height > 1,"
        " inMain: !!e.closest('main'), html: e.outerHTML.slice(0, 160)};")


def has_focus_indicator(element: dict) -> bool:
    """An outline of at least 2 px (the portal's style). Bootstrap's faint focus
    shadow alone does not count: it cannot be seen on the dark header."""
    return element["outlineStyle"] not in ("none", "") and element["outlineWidth"] >= 2


def sideways_overflow(driver: webdriver.Chrome) -> list[str]:
    """The elements wider than the viewport, when the page scrolls sideways."""
    return driver.execute_script(
        "const w = document.documentElement.clientWidth;"
        "if (document.documentElement.scrollWidth <= w) return [];"
        "return [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > w + 1"
        " && getComputedStyle(e).position !== 'fixed' && e.getClientRects().length)"
        ".slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
        " + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')"
        " + ' ' + Math.round(e.getBoundingClientRect().width) + 'px');")
