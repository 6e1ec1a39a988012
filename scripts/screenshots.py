"""The README's screenshots (docs/images/): the home page and a search of a
running portal, taken with the browser tests' headless Chromium.

    make screenshots                       # the portal of `make run`
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:5200 --query Wasser
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import quote

import headless_chrome

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"


def take(url: str, query: str, out: Path, width: str = "desktop") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    driver = headless_chrome.start_chromium()
    try:
        headless_chrome.set_width(driver, width)
        shots = []
        for name, path in (("home", "/"), ("search", f"/dataset/?q={quote(query)}")):
            requested = headless_chrome.visit(driver, url.rstrip("/") + path)
            foreign = headless_chrome.foreign_requests(requested, url)
            if foreign:
                raise SystemExit(f"{path} asks other hosts than the portal's: {', '.join(foreign)}")
            target = out / f"{name}.png"
            # the whole page, not only the first screen
            height = driver.execute_script("return document.documentElement.scrollHeight")
            w, _ = headless_chrome.WIDTHS[width]
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": w, "height": min(height, 2400), "deviceScaleFactor": 1, "mobile": False})
            driver.save_screenshot(str(target))
            headless_chrome.set_width(driver, width)
            shots.append(target)
        return shots
    finally:
        driver.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:5000",
                        help="the portal, at its ckan.site_url (default: `make run`'s)")
    parser.add_argument("--query", default="Haushalt", help="the search to show")
    parser.add_argument("--out", type=Path, default=IMAGES)
    args = parser.parse_args(argv)
    for path in take(args.url, args.query, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
