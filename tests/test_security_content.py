"""Nothing stored runs as script, on the real stack.

- URLs on save: resource and harvest source URLs are http(s) only (409 with a
  German message, nothing stored), through the API and the form.
- Links: a stored javascript: URL (saved before the check) is no link on the
  publication page or in the contact's web page.
- Uploads: an uploaded HTML page and SVG image are served as attachments with
  a valid media type, nosniff and a sandboxing policy; a stored media type URI
  is never sent as the Content-Type.
- Headers: Content-Security-Policy without inline script, X-Frame-Options,
  nosniff and Referrer-Policy on pages, API answers, downloads, static files
  and error pages; CKAN's pages carry no inline script and only the inline
  handlers whose hashes the policy names.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import uuid

import ckan.model as model
import pytest
import requests
from bs4 import BeautifulSoup

from publication_samples import complete_publication

JAVASCRIPT = "javascript:alert(document.domain)"
BAD_URLS = [JAVASCRIPT, " javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>", "file:///etc/passwd", "ftp://example.org/x.csv",
            "vbscript:msgbox(1)", "//example.org/ohne-schema", "example.org/ohne-schema", "http://"]
GERMAN_ERROR = "Bitte eine vollständige Webadresse angeben"


@pytest.fixture(scope="module")
def org(api) -> dict:
    return api("organization_create", name=f"sicher-{uuid.uuid4().hex[:6]}", title="Sicherheitsamt")


@pytest.fixture(scope="module")
def dataset(api, org) -> dict:
    return api("package_create", name=f"sicher-{uuid.uuid4().hex[:8]}", title="Sicherheitstest", owner_org=org["id"],
               license_id="cc-by", notes="Test.", resources=[{"name": "Gut", "url": "https://example.org/a.csv",
                                                               "format": "CSV"}])


# --- URLs on save ---------------------------------------------------------------

@pytest.mark.parametrize("url", BAD_URLS)
def test_resource_urls_other_than_http_are_refused_with_a_german_error(api, dataset, url):
    before = api("package_show", id=dataset["id"])
    created = api.raw("resource_create", package_id=dataset["id"], name="Böse", url=url)
    assert created.status_code == 409, created.text
    assert GERMAN_ERROR in json.dumps(created.json()["error"], ensure_ascii=False)
    updated = api.raw("resource_patch", id=dataset["resources"][0]["id"], url=url)
    assert updated.status_code == 409, updated.text
    whole = api.raw("package_create", name=f"boese-{uuid.uuid4().hex[:8]}", title="Böse",
                    owner_org=dataset["owner_org"], license_id="cc-by", notes="x", resources=[{"url": url}])
    assert whole.status_code == 409, whole.text
    after = api("package_show", id=dataset["id"])
    assert [r["url"] for r in after["resources"]] == [r["url"] for r in before["resources"]]


def test_http_urls_empty_urls_and_uploads_are_accepted(api, dataset):
    for url in ("https://example.org/daten.csv", "http://example.org/x?a=1#b", ""):
        response = api.raw("resource_create", package_id=dataset["id"], name="Gut", url=url)
        assert response.status_code == 200, response.text
        api("resource_delete", id=response.json()["result"]["id"])


def test_the_resource_form_shows_the_german_error(stack, api, dataset):
    session = requests.Session()
    session.headers["Authorization"] = api.token
    web = stack["web_url"]
    form = session.get(f"{web}/dataset/{dataset['name']}/resource/new", timeout=30).text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form).group(1)
    response = session.post(f"{web}/dataset/{dataset['name']}/resource/new", timeout=30, data={
        "_csrf_token": token, "id": "", "url": JAVASCRIPT, "name": "Böse", "save": "go-metadata"})
    assert response.status_code == 200 and GERMAN_ERROR in response.text
    assert len(api("package_show", id=dataset["id"])["resources"]) == 1


@pytest.mark.parametrize("url", [JAVASCRIPT, "file:///etc/passwd", "data:,x", "gopher://127.0.0.1:6379/_"])
def test_harvest_source_urls_other_than_http_are_refused(api, org, url):
    name = f"quelle-{uuid.uuid4().hex[:6]}"
    created = api.raw("harvest_source_create", name=name, title="Quelle", url=url, source_type="dcat_ap_de",
                      owner_org=org["id"], frequency="MANUAL")
    assert created.status_code == 409, created.text
    assert GERMAN_ERROR in json.dumps(created.json()["error"], ensure_ascii=False)
    assert api.raw("package_show", id=name).status_code == 404
    good = api("harvest_source_create", name=name, title="Quelle", url="https://example.org/katalog.rdf",
               source_type="dcat_ap_de", owner_org=org["id"], frequency="MANUAL")
    try:
        updated = api.raw("harvest_source_update", id=good["id"], name=name, title="Quelle", url=url,
                          source_type="dcat_ap_de", owner_org=org["id"], frequency="MANUAL")
        assert updated.status_code == 409, updated.text
        patched = api.raw("package_patch", id=good["id"], url=url)
        assert patched.status_code == 409, patched.text
        assert api("harvest_source_show", id=good["id"])["url"] == "https://example.org/katalog.rdf"
    finally:
        api("harvest_source_delete", id=good["id"], clear=True)


# --- links from stored data ---------------------------------------------------------

def _store_unchecked_url(resource_id: str, url: str) -> None:
    """What a record saved before the check looks like: the URL written to the database directly."""
    from ckan.lib.search import rebuild

    model.Session.remove()
    resource = model.Resource.get(resource_id)
    resource.url = url
    package_id = resource.package_id
    model.Session.commit()
    rebuild(package_id)   # pages read the package from the index
    model.Session.remove()


def test_a_stored_javascript_url_is_no_link_on_the_publication_page(stack, api, org):
    marker = uuid.uuid4().hex[:8]
    publication = api("package_create", **complete_publication(org["id"], marker))
    _store_unchecked_url(publication["resources"][0]["id"], JAVASCRIPT)
    html = requests.get(f"{stack['web_url']}/publication/{publication['name']}", timeout=60).text
    soup = BeautifulSoup(html, "html.parser")
    hrefs = [a.get("href", "") for a in soup.find_all("a")]
    assert not [href for href in hrefs if "javascript" in href.lower()], hrefs
    assert "Herunterladen" in html


def test_a_contact_web_page_with_a_script_url_is_refused(stack, api, org):
    name = f"kontakt-{uuid.uuid4().hex[:8]}"
    response = api.raw("package_create", name=name, title="Kontakttest", owner_org=org["id"], notes="x",
                       contact=[{"name": "Amt", "url": JAVASCRIPT}])
    assert response.status_code == 409, response.text
    assert GERMAN_ERROR in json.dumps(response.json()["error"], ensure_ascii=False)
    assert api.raw("package_show", id=name).status_code == 404


# --- uploads ------------------------------------------------------------------------

def _upload(api, dataset, filename: str, body: bytes, **fields) -> dict:
    response = requests.post(f"{api.base_url}/resource_create", headers={"Authorization": api.token}, timeout=60,
                             data={"package_id": dataset["id"], "name": filename, **fields},
                             files={"upload": (filename, io.BytesIO(body))})
    assert response.status_code == 200, response.text
    return response.json()["result"]


SCRIPTED = {
    "seite.html": (b"<html><body><script>alert(document.cookie)</script></body></html>", "text/html"),
    "bild.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
    "daten.xml": (b'<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>',
                  "application/xml"),
}


@pytest.mark.parametrize("filename", list(SCRIPTED))
def test_uploads_that_can_carry_script_are_attachments(api, dataset, filename):
    body, media = SCRIPTED[filename]
    resource = _upload(api, dataset, filename, body)
    download = requests.get(resource["url"], timeout=30)
    assert download.status_code == 200 and download.content == body
    headers = download.headers
    assert headers["Content-Type"].split(";")[0] == media
    assert headers["Content-Disposition"].startswith("attachment")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]


def test_a_media_type_uri_is_never_the_content_type(api, dataset):
    body = b"<h1>Hallo</h1>"
    resource = _upload(api, dataset, "hallo.html", body)
    _store_mimetype(resource["id"], "https://www.iana.org/assignments/media-types/text/html")
    headers = requests.get(resource["url"], timeout=30).headers
    assert headers["Content-Type"].split(";")[0] == "text/html"
    assert headers["Content-Disposition"].startswith("attachment")
    _store_mimetype(resource["id"], "kein Medientyp")
    assert requests.get(resource["url"], timeout=30).headers["Content-Type"].split(";")[0] == "text/html"


def test_plain_text_and_pdf_uploads_stay_viewable(api, dataset):
    text = _upload(api, dataset, "notiz.txt", "Grüße".encode())
    headers = requests.get(text["url"], timeout=30).headers
    assert headers["Content-Type"].startswith("text/plain") and headers["X-Content-Type-Options"] == "nosniff"
    assert not headers.get("Content-Disposition", "").startswith("attachment")


def _store_mimetype(resource_id: str, mimetype: str) -> None:
    model.Session.remove()
    model.Resource.get(resource_id).mimetype = mimetype
    model.Session.commit()
    model.Session.remove()


# --- security headers ---------------------------------------------------------------

def _script_src(policy: str) -> str:
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("script-src"))


@pytest.mark.parametrize("path", ["/", "/dataset/", "/transparenz", "/api/3/action/status_show",
                                  "/api/3/action/package_show?id=gibt-es-nicht", "/gibt-es-nicht",
                                  "/catalog.ttl", "/thueringen/view-data.js", "/base/robots.txt", "/user/login"])
def test_security_headers_on_every_answer(stack, path):
    response = requests.get(stack["web_url"] + path, timeout=60)
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    script_src = _script_src(policy)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src and "*" not in script_src
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers   # locally no TLS; production.ini sets it


def test_security_headers_on_downloads(api, dataset):
    resource = _upload(api, dataset, "tabelle.csv", b"a;b\n1;2\n")
    headers = requests.get(resource["url"], timeout=30).headers
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "Content-Security-Policy" in headers


def _hash(handler: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(handler.encode()).digest()).decode() + "'"


# javascript: links that CKAN and scheming bind with their JavaScript modules
# (no navigation happens), and scheming's "add" link (no-inline-script.js)
HARMLESS_JAVASCRIPT_LINKS = re.compile(r"^javascript:(;|void\(0\);|MultipleText\.multiple_add\('[a-z_]+'\);?)$")


def test_pages_have_no_inline_script_and_only_hashed_handlers(stack, api, dataset):
    upload = _upload(api, dataset, "vorhanden.csv", b"a;b\n")
    view = api("resource_view_create", resource_id=upload["id"], title="Text", view_type="text_view")
    session = requests.Session()
    session.headers["Authorization"] = api.token
    name, rid = dataset["name"], upload["id"]
    pages = ["/", "/dataset/", "/dataset/new", "/publication/new", "/transparenz", f"/dataset/{name}",
             f"/dataset/{name}/resource/new", f"/dataset/{name}/resource/{rid}", f"/dataset/{name}/resource/{rid}/edit",
             f"/dataset/{name}/resource/{rid}/view/{view['id']}", f"/dataset/edit/{name}", "/harvest/new",
             "/user/admin/api-tokens", "/user/edit/admin", "/ckan-admin/config", "/organization/new",
             f"/dataset/activity/{name}"]
    for path in pages:
        response = session.get(stack["web_url"] + path, timeout=60)
        assert response.status_code == 200, path
        assert "gravatar.com" not in response.text, path   # no third-party images (img-src, privacy)
        script_src = _script_src(response.headers["Content-Security-Policy"])
        soup = BeautifulSoup(response.text, "html.parser")
        inline = [s for s in soup.find_all("script")
                  if not s.get("src") and s.get("type") not in ("application/json", "application/ld+json")]
        assert inline == [], (path, inline)
        for element in soup.find_all(True):
            for attribute, value in element.attrs.items():
                if attribute.startswith("on"):
                    assert _hash(value) in script_src, (path, attribute, value)
                if attribute in ("href", "src", "action", "formaction") and isinstance(value, str) \
                        and value.strip().lower().startswith("javascript:"):
                    assert HARMLESS_JAVASCRIPT_LINKS.match(value.strip()), (path, value)


def test_the_text_view_gets_its_data_without_inline_script(stack, api, dataset):
    upload = _upload(api, dataset, "ansicht.txt", b"Hallo")
    view = api("resource_view_create", resource_id=upload["id"], title="Text", view_type="text_view")
    html = requests.get(f"{stack['web_url']}/dataset/{dataset['name']}/resource/{upload['id']}/view/{view['id']}",
                        headers={"Authorization": api.token}, timeout=60).text
    soup = BeautifulSoup(html, "html.parser")
    data = json.loads(soup.find("script", id="thueringen-view-data").string)
    assert data["preload_resource"]["id"] == upload["id"] and "resource_url" in data
    assert any(s.get("src", "").endswith("/thueringen/view-data.js") for s in soup.find_all("script"))
    assert requests.get(f"{stack['web_url']}/thueringen/view-data.js", timeout=30).status_code == 200


def test_jsonp_is_refused(stack):
    """JSONP would be script from the portal itself, which the policy allows."""
    response = requests.get(f"{stack['api_url']}/status_show", params={"callback": "alert(document.domain)//"},
                            timeout=30)
    assert response.status_code == 400 and "JSONP" in response.json()["error"]["message"]
    assert "javascript" not in response.headers["Content-Type"]
    assert requests.get(f"{stack['api_url']}/status_show", timeout=30).status_code == 200
