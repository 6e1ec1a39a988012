"""Uploaded documents, scans and reading them, on the real stack.

An authority's editor uploads documents as a clerk without a harvesting
system does: `resource_create` with a multipart file through the web server,
and the resource form of /publication/new. The stack's full-text worker reads
the file from CKAN's storage (never over HTTP), recognises scans with
Tesseract, stores the text and re-indexes the publication; /transparenz finds
it, and its text view and PDF preview show it — to whoever may see it.
"""
from __future__ import annotations

import io
import re
import time
import uuid

import pytest
import requests
from ckan.tests import factories

import fulltext_documents as documents
from conftest import ActionApi, run_stack, wait_until
from pdf_writer import render_pages, write_pdf, write_scanned_pdf
from publication_samples import DL_BY

JOB_TIMEOUT = 180
DOC = "https://opendata.thueringen.de/def/document-type/"


def _csrf(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def editor(stack):
    """An authority and its editor: an API token, and a browser logged in through the login form."""
    password = f"Pw-{uuid.uuid4().hex}"
    user = factories.User(password=password, fullname="Clara Sachbearbeiterin")
    token = factories.APIToken(user=user["name"])["token"]
    org = factories.Organization(title=f"Gemeinde Beispielstadt {uuid.uuid4().hex[:6]}",
                                 users=[{"name": user["name"], "capacity": "editor"}])
    browser = requests.Session()
    web = stack["web_url"]
    login = browser.get(f"{web}/user/login", timeout=30).text
    browser.post(f"{web}/user/login", data={"login": user["name"], "password": password,
                                            "_csrf_token": _csrf(login)}, timeout=30)
    return {"user": user, "api": ActionApi(stack["api_url"], token), "token": token, "org": org,
            "browser": browser, "web": web}


def _publication(editor, title: str, **fields) -> dict:
    return editor["api"]("package_create", type="publication", name=f"upload-{uuid.uuid4().hex[:10]}", title=title,
                         notes="Ein hochgeladenes Dokument.", owner_org=editor["org"]["id"],
                         document_type=f"{DOC}gutachten-studien", license_id=DL_BY, **fields)


def _upload(editor, action: str, filename: str, data: bytes, **fields) -> dict:
    """resource_create / resource_update with a multipart file, through the web server."""
    response = requests.post(f"{editor['api'].base_url}/{action}", headers={"Authorization": editor["token"]},
                             data=fields, files={"upload": (filename, io.BytesIO(data))}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def _status(api, resource_id: str) -> dict:
    return api("thueringen_fulltext_status", id=resource_id)


def _settled(api, resource_id: str, since: str | None = None):
    """The document's status once it is done or failed (and newer than `since`)."""
    status = _status(api, resource_id)
    if status["status"] == "pending" or (since and (status["extracted_at"] or "") <= since):
        return None
    return status


def _transparenz(web: str, q: str, session=None) -> str:
    return (session or requests).get(f"{web}/transparenz", params={"q": q}, timeout=60).text


def _solr_fulltext(stack, dataset_id: str) -> str:
    found = requests.get(f"{stack['solr_url']}/select", timeout=30,
                         params={"q": f"id:{dataset_id}", "fl": "fulltext", "wt": "json"}).json()
    docs = found["response"]["docs"]
    return docs[0].get("fulltext", "") if docs else ""


def test_an_uploaded_pdf_is_found_on_transparenz_within_a_minute(editor, anonymous_api, stack):
    """The done-criterion: upload through the API, searchable within a minute with a
    highlighted passage on /transparenz, and from there readable with the word marked."""
    word = f"upload{uuid.uuid4().hex[:8]}"
    publication = _publication(editor, "Gutachten Lärmschutz")
    pdf = write_pdf([f"Gutachten zum Lärmschutz an der Landesstraße. Prüfvermerk {word}.", "Seite zwei"])
    started = time.monotonic()
    resource = _upload(editor, "resource_create", "gutachten.pdf", pdf, package_id=publication["id"],
                       name="Gutachten (PDF)")
    assert resource["url_type"] == "upload"

    wait_until(lambda: f"<mark>{word}</mark>" in _transparenz(stack["web_url"], word), timeout=60, interval=1,
               what="the uploaded document found on /transparenz with a highlighted passage")
    assert time.monotonic() - started < 60
    status = _status(anonymous_api, resource["id"])
    assert (status["status"], status["pages"], status["url"], status["mime_type"]) == \
        ("done", 2, "gutachten.pdf", "application/pdf")

    page = _transparenz(stack["web_url"], word)
    assert f"<mark>{word}</mark>" in page
    # the result leads into the document's text, with the word passed on and marked there
    link = re.search(rf'href="(/dokument/{resource["id"]}/text\?q={word})"', page)
    assert link, "no link from the search result into the document's text"
    text_view = requests.get(stack["web_url"] + link.group(1).replace("&amp;", "&"), timeout=30)
    assert text_view.status_code == 200
    assert f'<mark id="treffer-1">{word}</mark>' in text_view.text
    assert "Gutachten zum Lärmschutz an der Landesstraße" in text_view.text
    assert f"1 Treffer für „{word}“" in text_view.text


def test_the_text_view_escapes_the_document_and_the_query(editor, stack):
    publication = _publication(editor, "Bekanntmachung mit Sonderzeichen")
    hostile = "<script>alert(1)</script> Satzung & <b>Gebühren</b>"
    resource = _upload(editor, "resource_create", "satzung.txt", hostile.encode(), package_id=publication["id"],
                       name="Satzung", format="TXT")
    wait_until(lambda: _settled(editor["api"], resource["id"]), timeout=JOB_TIMEOUT, interval=1,
               what="the text extracted")
    page = requests.get(f"{stack['web_url']}/dokument/{resource['id']}/text",
                        params={"q": 'Satzung "><img src=x onerror=alert(2)>'}, timeout=30).text
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<b>Gebühren</b>" not in page and "&lt;b&gt;Gebühren&lt;/b&gt;" in page
    assert re.search(r'<mark id="treffer-\d+">Satzung</mark>', page)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page


def test_replacing_the_file_or_switching_to_a_link_and_back_follows_the_document(editor, anonymous_api, stack):
    old, new, linked, back = (f"{kind}{uuid.uuid4().hex[:8]}" for kind in ("alt", "neu", "link", "zurueck"))
    publication = _publication(editor, "Haushaltsplan")
    resource = _upload(editor, "resource_create", "haushalt.pdf", write_pdf([f"Haushaltsplan {old}"]),
                       package_id=publication["id"], name="Haushaltsplan")
    first = wait_until(lambda: _settled(anonymous_api, resource["id"]), timeout=JOB_TIMEOUT, interval=1,
                       what="the first upload extracted")
    assert old in _solr_fulltext(stack, publication["id"])

    # a new file for the same resource (same name): the old words leave the table and Solr
    _upload(editor, "resource_update", "haushalt.pdf", write_pdf([f"Nachtragshaushalt {new}"]), id=resource["id"],
            name="Haushaltsplan")
    replaced = wait_until(lambda: _settled(anonymous_api, resource["id"], since=first["extracted_at"]),
                          timeout=JOB_TIMEOUT, interval=1, what="the replaced upload extracted")
    assert replaced["status"] == "done" and replaced["content_hash"] != first["content_hash"]
    wait_until(lambda: new in _solr_fulltext(stack, publication["id"]), timeout=30, what="the new text indexed")
    assert old not in _solr_fulltext(stack, publication["id"])
    assert publication["id"] in [r["id"] for r in anonymous_api("package_search", q=new)["results"]]
    assert anonymous_api("package_search", q=old)["count"] == 0
    assert old not in requests.get(f"{stack['web_url']}/dokument/{resource['id']}/text", timeout=30).text

    # the upload becomes a link to a document elsewhere: that one is fetched
    server = documents.DocumentServer()
    url = server.put("/extern.txt", f"Extern {linked}".encode(), "text/plain")
    try:
        editor["api"]("resource_patch", id=resource["id"], url=url, clear_upload="true")
        wait_until(lambda: linked in _solr_fulltext(stack, publication["id"]), timeout=JOB_TIMEOUT, interval=1,
                   what="the linked document indexed")
        assert new not in _solr_fulltext(stack, publication["id"])
        assert _status(anonymous_api, resource["id"])["url"] == url
    finally:
        server.close()

    # and back to an upload
    _upload(editor, "resource_update", "zurueck.pdf", write_pdf([f"Wieder hochgeladen {back}"]), id=resource["id"],
            name="Haushaltsplan")
    wait_until(lambda: back in _solr_fulltext(stack, publication["id"]), timeout=JOB_TIMEOUT, interval=1,
               what="the new upload indexed")
    assert linked not in _solr_fulltext(stack, publication["id"])
    assert _status(anonymous_api, resource["id"])["url"] == "zurueck.pdf"

    # deleting the resource takes its text out of Solr and the table
    import ckan.model as model

    from ckanext.thueringen.fulltext import storage

    editor["api"]("resource_delete", id=resource["id"])
    assert back not in _solr_fulltext(stack, publication["id"])
    assert anonymous_api("package_search", q=back)["count"] == 0

    def row_gone() -> bool:
        model.Session.remove()
        return storage.get(resource["id"]) is None

    wait_until(row_gone, timeout=JOB_TIMEOUT, interval=1, what="the deleted document's row dropped")


def test_the_upload_of_a_private_publication_is_read_from_storage_and_stays_private(editor, anonymous_api, stack):
    """A private publication's download address answers 404 to everyone without rights,
    the worker too: that its text is extracted shows it is read from the storage."""
    word = f"intern{uuid.uuid4().hex[:8]}"
    publication = _publication(editor, "Interner Vermerk", private=True)
    resource = _upload(editor, "resource_create", "vermerk.pdf", write_pdf([f"Interner Vermerk {word}"]),
                       package_id=publication["id"], name="Vermerk")
    status = wait_until(lambda: _settled(editor["api"], resource["id"]), timeout=JOB_TIMEOUT, interval=1,
                        what="the private upload extracted")
    assert status["status"] == "done", status
    download = requests.get(resource["url"], timeout=30)
    assert download.status_code in (403, 404)

    web = stack["web_url"]
    outsider = factories.User()
    outsider_token = factories.APIToken(user=outsider["name"])["token"]
    for path in ("text", "vorschau", "pdf"):
        url = f"{web}/dokument/{resource['id']}/{path}"
        for headers in ({}, {"Authorization": outsider_token}):
            refused = requests.get(url, params={"q": "Vermerk"}, headers=headers, timeout=30)
            assert refused.status_code == 404, (path, headers, refused.status_code)
            assert word not in refused.text and "Interner Vermerk" not in refused.text
        allowed = editor["browser"].get(url, params={"q": "Vermerk"}, timeout=30)
        assert allowed.status_code == 200, (path, allowed.status_code)
    assert word in editor["browser"].get(f"{web}/dokument/{resource['id']}/text", timeout=30).text
    assert anonymous_api("package_search", q=word)["count"] == 0
    assert "Interner Vermerk" not in _transparenz(web, word)
    assert requests.get(f"{web}/dokument/{uuid.uuid4()}/text", timeout=30).status_code == 404


def test_the_pdf_preview_is_served_by_the_portal_with_script_from_self_only(editor, stack):
    publication = _publication(editor, "Vertrag Winterdienst")
    pdf = write_pdf(["Vertrag über den Winterdienst", "Anlage"])
    resource = _upload(editor, "resource_create", "vertrag.pdf", pdf, package_id=publication["id"], name="Vertrag")
    wait_until(lambda: _settled(editor["api"], resource["id"]), timeout=JOB_TIMEOUT, interval=1,
               what="the document extracted")
    web = stack["web_url"]

    resource_page = requests.get(f"{web}/publication/{publication['name']}/resource/{resource['id']}",
                                 params={"q": "Winterdienst"}, timeout=30).text
    assert f'href="/dokument/{resource["id"]}/vorschau?q=Winterdienst"' in resource_page
    assert f'href="/dokument/{resource["id"]}/text?q=Winterdienst"' in resource_page

    preview = requests.get(f"{web}/dokument/{resource['id']}/vorschau", timeout=30)
    assert preview.status_code == 200
    csp = preview.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'self'" in script_src and "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    html = preview.text
    assert f'data-thueringen-pdf="/dokument/{resource["id"]}/pdf"' in html
    for label in ("Vorherige Seite", "Nächste Seite", "Vergrößern", "Verkleinern", "Seite"):
        assert f">{label}<" in html, label
    assert '<label for="thueringen-pdf-page"' in html
    # every script of the page is a file of the portal: none inline, none from elsewhere
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'type="application/json"' in tag or re.search(r'src="/', tag), tag
    module = re.search(r'<script type="module" src="([^"]+)"', html).group(1)
    viewer = requests.get(web + module, timeout=30)
    assert viewer.status_code == 200 and "javascript" in viewer.headers["Content-Type"]
    for name in ("pdf.min.mjs", "pdf.worker.min.mjs"):
        library = requests.get(web + module.rsplit("/", 1)[0] + "/pdfjs/" + name, timeout=30)
        assert library.status_code == 200 and "javascript" in library.headers["Content-Type"], name
        assert len(library.content) > 100_000

    document = requests.get(f"{web}/dokument/{resource['id']}/pdf", timeout=30)
    assert document.status_code == 200
    assert document.headers["Content-Type"] == "application/pdf" and document.content == pdf
    assert document.headers["X-Content-Type-Options"] == "nosniff"

    # a document that is no PDF has the text view, but no preview
    text_resource = _upload(editor, "resource_create", "notiz.txt", b"Nur Text", package_id=publication["id"],
                            name="Notiz", format="TXT")
    wait_until(lambda: _settled(editor["api"], text_resource["id"]), timeout=JOB_TIMEOUT, interval=1,
               what="the note extracted")
    assert requests.get(f"{web}/dokument/{text_resource['id']}/vorschau", timeout=30).status_code == 404
    assert requests.get(f"{web}/dokument/{text_resource['id']}/text", timeout=30).status_code == 200


def test_a_document_uploaded_with_the_publication_form_is_found(editor, stack):
    """/publication/new and its resource form with a file, as a browser posts them
    (multipart, the form's CSRF token), by the authority's editor."""
    browser, web = editor["browser"], editor["web"]
    word = f"formular{uuid.uuid4().hex[:8]}"
    name = f"formular-{uuid.uuid4().hex[:8]}"
    form = browser.get(f"{web}/publication/new", timeout=30).text
    created = browser.post(f"{web}/publication/new", timeout=30, data={
        "_csrf_token": _csrf(form), "title": "Sitzungsniederschrift Gemeinderat", "name": name,
        "notes": "Die Niederschrift der Sitzung.", "owner_org": editor["org"]["id"],
        "document_type": f"{DOC}gutachten-studien", "license_id": DL_BY, "save": "continue"})
    assert created.status_code == 200, created.status_code
    resource_form = browser.get(f"{web}/publication/{name}/resource/new", timeout=30).text
    assert 'type="file" name="upload"' in resource_form
    save = re.search(r'<button class="btn btn-primary" name="save" value="([^"]+)"', resource_form).group(1)
    done = browser.post(f"{web}/publication/{name}/resource/new", timeout=60, data={
        "_csrf_token": _csrf(resource_form), "id": "", "url": "niederschrift.pdf", "name": "Niederschrift",
        "format": "", "save": save},
        files={"upload": ("niederschrift.pdf", io.BytesIO(write_pdf([f"Niederschrift der Sitzung {word}"])),
                          "application/pdf")})
    assert done.status_code == 200, done.status_code
    stored = editor["api"]("package_show", id=name)
    assert stored["state"] == "active"
    assert stored["resources"][0]["url_type"] == "upload"
    wait_until(lambda: f"<mark>{word}</mark>" in _transparenz(web, word), timeout=60, interval=1,
               what="the form's upload found on /transparenz with a highlighted passage")


# --- scans ----------------------------------------------------------------------------

def test_a_scanned_pdf_and_a_png_are_read_by_ocr_and_found(editor, anonymous_api, stack):
    publication = _publication(editor, "Gescannte Bekanntmachung")
    scan = _upload(editor, "resource_create", "bekanntmachung.pdf",
                   write_scanned_pdf(["Öffentliche Bekanntmachung der Gemeinde", "Straßenausbaubeitragssatzung"]),
                   package_id=publication["id"], name="Bekanntmachung (Scan)")
    image = _upload(editor, "resource_create", "lageplan.png",
                    render_pages(["Lageplan Kläranlage Wiesengrund"], "png", dpi=200)[0],
                    package_id=publication["id"], name="Lageplan", format="PNG")
    statuses = {key: wait_until(lambda resource=resource: _settled(anonymous_api, resource["id"]),
                                timeout=JOB_TIMEOUT, interval=2, what=f"{key} read by OCR")
                for key, resource in (("scan", scan), ("image", image))}
    assert (statuses["scan"]["status"], statuses["scan"]["pages"], statuses["scan"]["ocr_pages"]) == ("done", 2, [1, 2])
    assert (statuses["image"]["status"], statuses["image"]["mime_type"], statuses["image"]["ocr_pages"]) == \
        ("done", "image/png", [1])
    for word in ("Straßenausbaubeitragssatzung", "Kläranlage"):
        assert publication["id"] in [r["id"] for r in anonymous_api("package_search", q=word)["results"]], word
    page = requests.get(f"{stack['web_url']}/publication/{publication['name']}/resource/{scan['id']}", timeout=30).text
    assert "per Texterkennung (OCR) gelesen: Seiten 1–2" in page


def test_scans_beyond_the_limits_are_refused_with_a_german_reason_and_the_worker_lives_on(editor, anonymous_api):
    publication = _publication(editor, "Zu große Scans")
    huge = _upload(editor, "resource_create", "riesig.png", documents.white_png(20000, 20000), package_id=publication["id"],
                   name="Riesiges Bild", format="PNG")
    many = _upload(editor, "resource_create", "dick.pdf", write_scanned_pdf(["x"] * 51, dpi=10),
                   package_id=publication["id"], name="Dicker Scan")
    huge_status = wait_until(lambda: _settled(anonymous_api, huge["id"]), timeout=JOB_TIMEOUT, interval=1,
                             what="the huge image refused")
    many_status = wait_until(lambda: _settled(anonymous_api, many["id"]), timeout=JOB_TIMEOUT, interval=1,
                             what="the long scan refused")
    assert huge_status["status"] == "failed"
    assert "20000 × 20000 Pixeln zu groß für die Texterkennung" in huge_status["reason"]
    assert many_status["status"] == "failed"
    assert many_status["reason"] == ("Das PDF hat 51 Seiten ohne Textebene (Scans); per Texterkennung gelesen "
                                     "werden höchstens 50.")
    assert "fulltext-worker  -                running" in run_stack("status", check=False).stdout
