"""Fixtures of the browser tests: one headless Chromium for the session, and a
small portal made through the Action API (an authority, a dataset with a
download, a publication with an uploaded PDF whose text the full-text worker
has read, a harvest source, an editor who logs in)."""
from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from ckan.tests import factories
from selenium.webdriver.common.by import By

import headless_chrome as chrome
from conftest import ActionApi, wait_until
from pdf_writer import write_pdf
from publication_samples import complete_publication

LICENSE = "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"


@dataclass
class Site:
    web: str
    word: str           # a word only this site's dataset and publication contain
    org: dict
    dataset: dict
    publication: dict
    document: dict      # the publication's uploaded PDF, its text read
    source: dict
    editor: dict
    password: str

    def url(self, path: str, lang: str = "de") -> str:
        return self.web + ("/en" if lang == "en" else "") + path


@pytest.fixture(scope="session")
def site(stack) -> Site:
    admin = ActionApi(stack["api_url"], factories.SysadminWithToken()["token"])
    suffix = uuid.uuid4().hex[:8]
    word = f"wasserwerk{suffix}"
    # its logo on another host: no page may load it (pages/avatars.py)
    org = admin("organization_create", name=f"browser-{suffix}", title="Stadtverwaltung Beispielstadt",
                description="Die Stadtverwaltung veröffentlicht hier ihre offenen Daten.",
                image_url=f"https://bilder-{suffix}.example/wappen.png")
    dataset = admin("package_create", owner_org=org["id"], name=f"trinkwasser-{suffix}",
                    title=f"Trinkwasserqualität {word}", notes="Messwerte der Trinkwasserqualität je Ortsteil.",
                    license_id=LICENSE, tags=[{"name": "Wasser"}, {"name": "Umwelt"}],
                    # the area facet's tree: Thüringen, the Kreis Jena, the town Jena
                    spatial_coverage=[{"uri": "http://dcat-ap.de/def/politicalGeocoding/regionalKey/160530000000"}],
                    documentation=[f"https://daten.beispielstadt.example/{suffix}/{name}.pdf"
                                   for name in ("methodik", "messstellen")],
                    resources=[{"url": f"https://daten.beispielstadt.example/{suffix}/trinkwasser.csv",
                                "name": "Messwerte 2024", "format": "CSV"}])
    publication = admin("package_create", **complete_publication(org["id"], suffix, title=f"Konzessionsvertrag {word}"))
    pdf = write_pdf([f"Konzessionsvertrag über die Wasserversorgung. Vertragsnummer {word}.", "Anlage 1"])
    response = requests.post(f"{stack['api_url']}/resource_create", headers={"Authorization": admin.token},
                             data={"package_id": publication["id"], "name": "Vertragstext (PDF)", "format": "PDF"},
                             files={"upload": ("vertrag.pdf", io.BytesIO(pdf))}, timeout=60)
    assert response.status_code == 200, response.text
    document = response.json()["result"]
    wait_until(lambda: admin("thueringen_fulltext_status", id=document["id"])["status"] == "done", 180,
               what="the uploaded PDF's text read by the full-text worker")
    source = admin("harvest_source_create", name=f"browser-quelle-{suffix}", title="Katalog der Beispielstadt",
                   url=f"https://katalog-{suffix}.example/katalog.rdf", source_type="dcat_ap_de",
                   frequency="MANUAL", owner_org=org["id"], config=json.dumps({}))
    password = f"Pw-{uuid.uuid4().hex}"
    editor = factories.User(password=password, fullname="Erika Redakteurin")
    admin("organization_member_create", id=org["id"], username=editor["name"], role="editor")
    # the portal as configured (ckan.site_url), the host its own scripts ask
    return Site(stack["site_url"], word, org, dataset, publication, document, source, editor, password)


@pytest.fixture(scope="package")
def browser():
    """Closed once the browser tests are done, with every connection it holds to the portal."""
    driver = chrome.start_chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def screenshots(stack):
    """Screenshots of the pages the tests open: artefacts of the run, never committed (var/<profile>/)."""
    folder = Path(stack["state"]) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Session:
    """Whether the browser is logged in as the site's editor; changes it through the login form."""

    def __init__(self, driver, site: Site):
        self.driver, self.site, self.logged_in = driver, site, False

    def ensure(self, logged_in: bool) -> None:
        if logged_in == self.logged_in:
            return
        self.driver.delete_all_cookies()
        if logged_in:
            chrome.visit(self.driver, self.site.url("/user/login"))
            self.driver.find_element(By.ID, "field-login").send_keys(self.site.editor["name"])
            self.driver.find_element(By.ID, "field-password").send_keys(self.site.password)
            self.driver.find_element(By.CSS_SELECTOR, "form.form-horizontal button[type=submit], "
                                                      "main form button[type=submit]").click()
            chrome.settle(self.driver)
            assert any(cookie["name"] == "ckan" for cookie in self.driver.get_cookies()) or \
                "/user/login" not in self.driver.current_url, "logging in failed"
        self.logged_in = logged_in


@pytest.fixture(scope="package")
def session(browser, site) -> Session:
    return Session(browser, site)
