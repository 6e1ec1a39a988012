"""HTTP caching on the real stack (ckanext.thueringen.security.http_cache).

- What every anonymous visitor gets alike (home, search, a public dataset, the
  catalogue, the API) is `public` with a short max-age, sets no cookie,
  carries no CSRF token, has a validator and answers a conditional request
  with 304; the validators change when the data changes.
- Nothing that depends on the user is public: a logged-in user's pages, a
  member's private dataset, an API call with a token, a page with a form
  (CSRF token, session cookie), a refusal.
- Vary names Cookie and the token header, and Accept where the format is
  negotiated.
"""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
import requests
from ckan.tests import factories
from werkzeug.http import parse_date

import conftest
from conftest import ActionApi

PUBLIC = "public, max-age=60"
PRIVATE = "private, no-store"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def api(stack) -> ActionApi:
    return ActionApi(stack["api_url"], (conftest.STATE_DIR / "sysadmin-token").read_text().strip())


@pytest.fixture(scope="module")
def world(api, stack) -> dict:
    """An organisation with a public and a private dataset, and a member who logged in through the form."""
    marker = uuid.uuid4().hex[:8]
    password = f"Pw-{uuid.uuid4().hex}"
    member = factories.User(password=password)
    org = api("organization_create", name=f"zwischenspeicher-{marker}", title="Amt für Zwischenspeicher",
              users=[{"name": member["name"], "capacity": "editor"}])
    public = api("package_create", name=f"oeffentlich-{marker}", title="Öffentliche Haushaltsdaten",
                 owner_org=org["id"], license_id="cc-by", notes="Haushalt der Gemeinde.",
                 resources=[{"name": "Tabelle", "url": "https://example.org/haushalt.csv", "format": "CSV"}])
    private = api("package_create", name=f"geheim-{marker}", title="Geheime Haushaltsdaten", private=True,
                  owner_org=org["id"], license_id="cc-by", notes="Nur für Mitglieder.")
    browser = requests.Session()
    web = stack["web_url"]
    login = browser.get(f"{web}/user/login", timeout=30).text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', login).group(1)
    browser.post(f"{web}/user/login", data={"login": member["name"], "password": password, "_csrf_token": token},
                 timeout=30)
    assert browser.get(f"{web}/dashboard/datasets", timeout=30, allow_redirects=False).status_code == 200, \
        "the login did not work"
    member_token = factories.APIToken(user=member["name"])["token"]
    return {"web": web, "org": org, "public": public, "private": private, "browser": browser,
            "member_token": member_token}


def anonymous_pages(world) -> list[str]:
    return ["/", "/dataset", "/dataset?q=Haushaltsdaten%20Gemeinde", f"/dataset/{world['public']['name']}",
            f"/dataset/{world['public']['name']}.ttl", f"/organization/{world['org']['name']}",
            "/catalog.ttl", "/catalog.rdf?q=Haushalt", "/api/3/action/package_search?q=Haushalt",
            f"/api/3/action/package_show?id={world['public']['name']}"]


def get(world, path: str, **headers) -> requests.Response:
    """An anonymous request: a fresh client, no cookie."""
    return requests.get(world["web"] + path, headers={**HTML, **headers}, timeout=60)


def utc_seconds(iso: str) -> datetime:
    """CKAN's metadata_modified (UTC, no zone) to the second, as HTTP dates are."""
    return datetime.fromisoformat(iso).replace(tzinfo=UTC, microsecond=0)


def vary(response: requests.Response) -> set[str]:
    return {part.strip().lower() for part in response.headers.get("Vary", "").split(",") if part.strip()}


# --- anonymous visitors: public, validators, 304 ---------------------------------

def test_what_every_anonymous_visitor_gets_alike_is_public_and_sets_no_cookie(world):
    for path in anonymous_pages(world):
        response = get(world, path)
        assert response.status_code == 200, (path, response.status_code)
        assert response.headers.get("Cache-Control") == PUBLIC, (path, response.headers.get("Cache-Control"))
        assert "Set-Cookie" not in response.headers, path
        assert response.headers.get("ETag"), path
        assert {"cookie", "authorization"} <= vary(response), (path, response.headers.get("Vary"))
        assert "_csrf_token" not in response.text, path


def test_a_conditional_request_for_an_unchanged_page_gets_304_without_a_body(world):
    for path in anonymous_pages(world):
        first = get(world, path)
        again = get(world, path, **{"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, (path, again.status_code)
        assert again.content == b"", path
        assert again.headers.get("ETag") == first.headers["ETag"], path
        assert again.headers.get("Cache-Control") == PUBLIC, path


def test_a_dataset_page_has_its_last_modified_and_answers_if_modified_since(world, api):
    path = f"/dataset/{world['public']['name']}"
    shown = api("package_show", id=world["public"]["id"])
    first = get(world, path)
    assert parse_date(first.headers["Last-Modified"]) == utc_seconds(shown["metadata_modified"])
    again = get(world, path, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 304


def test_the_catalogue_has_the_newest_dataset_as_last_modified(world, api):
    newest = api("package_search", q="*:*", sort="metadata_modified desc", rows=1,
                 fq="-dataset_type:harvest")["results"][0]
    response = get(world, "/catalog.ttl")
    assert parse_date(response.headers["Last-Modified"]) == utc_seconds(newest["metadata_modified"])


def test_a_changed_dataset_changes_its_page_and_the_catalogue(world, api):
    path = f"/dataset/{world['public']['name']}"
    page, catalogue = get(world, path), get(world, "/catalog.ttl")
    api("package_patch", id=world["public"]["id"], notes="Haushalt der Gemeinde, berichtigt.")
    page_again = get(world, path, **{"If-None-Match": page.headers["ETag"]})
    assert page_again.status_code == 200
    assert "berichtigt" in page_again.text
    assert page_again.headers["ETag"] != page.headers["ETag"]
    catalogue_again = get(world, "/catalog.ttl", **{"If-None-Match": catalogue.headers["ETag"]})
    assert catalogue_again.status_code == 200
    assert "berichtigt" in catalogue_again.text


def test_a_dataset_leaving_the_catalogue_changes_its_etag_although_the_newest_date_stays(world, api):
    leaving = api("package_create", name=f"geht-{uuid.uuid4().hex[:8]}", title="Bald privat",
                  owner_org=world["org"]["id"], license_id="cc-by", notes="x")
    api("package_patch", id=world["public"]["id"], notes="Jetzt der neueste.")
    before = get(world, "/catalog.ttl")
    api("package_patch", id=leaving["id"], private=True)   # newer date, but no longer in the catalogue
    after = get(world, "/catalog.ttl", **{"If-None-Match": before.headers["ETag"],
                                          "If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200
    assert after.headers["Last-Modified"] == before.headers["Last-Modified"]
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "Bald privat" not in after.text


# --- nothing that depends on the user is public -----------------------------------

def test_a_logged_in_users_pages_are_private_and_keep_their_csrf_token(world):
    browser = world["browser"]
    for path in ("/", f"/dataset/{world['public']['name']}", f"/dataset/{world['private']['name']}",
                 "/catalog.ttl", "/dashboard/datasets"):
        response = browser.get(world["web"] + path, headers=HTML, timeout=60)
        assert response.status_code == 200, (path, response.status_code)
        assert response.headers.get("Cache-Control") == PRIVATE, (path, response.headers.get("Cache-Control"))
        assert "ETag" not in response.headers, path
        assert "cookie" in vary(response), path
        if "html" in response.headers.get("Content-Type", ""):
            assert re.search(r'<meta name="_csrf_token" content="[^"]+"', response.text), path


def test_a_conditional_request_of_a_logged_in_user_is_answered_in_full(world):
    anonymous = get(world, f"/dataset/{world['public']['name']}")
    response = world["browser"].get(f"{world['web']}/dataset/{world['public']['name']}",
                                    headers={**HTML, "If-None-Match": anonymous.headers["ETag"],
                                             "If-Modified-Since": anonymous.headers["Last-Modified"]}, timeout=60)
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") == PRIVATE


def test_api_calls_with_a_token_are_private(world):
    for path in (f"/api/3/action/package_show?id={world['private']['name']}",
                 f"/api/3/action/package_show?id={world['public']['name']}", "/api/3/action/package_search"):
        response = get(world, path, Authorization=world["member_token"])
        assert response.status_code == 200, path
        assert response.headers.get("Cache-Control") == PRIVATE, (path, response.headers.get("Cache-Control"))
        assert "ETag" not in response.headers


def test_private_datasets_and_refusals_are_never_public(world):
    for path in (f"/dataset/{world['private']['name']}", f"/dataset/{world['private']['name']}.ttl",
                 f"/api/3/action/package_show?id={world['private']['name']}", "/dataset/gibt-es-nicht",
                 "/catalog.ttl?page=0"):
        response = get(world, path)
        assert response.status_code >= 400, path
        assert response.headers.get("Cache-Control") == PRIVATE, (path, response.headers.get("Cache-Control"))


def test_a_page_with_a_form_is_private_and_its_cookie_is_not_cached(world):
    response = get(world, "/user/login")
    assert response.status_code == 200
    assert "_csrf_token" in response.text
    assert response.headers.get("Cache-Control") == PRIVATE
    assert "ETag" not in response.headers


def test_negotiated_pages_vary_on_accept(world):
    path = f"/dataset/{world['public']['name']}"
    page, turtle = get(world, path), get(world, path, Accept="text/turtle")
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    assert "accept" in vary(page) and "accept" in vary(turtle)
    assert turtle.headers["ETag"] != page.headers["ETag"]
    assert get(world, path, **{"Accept": "text/turtle", "If-None-Match": page.headers["ETag"]}).status_code == 200
    assert "accept" in vary(get(world, "/"))


def test_the_language_switch_works_without_a_csrf_token(world):
    page = get(world, "/dataset")
    switch = re.search(r'<form class="lang-select" action="([^"]+)"[^>]*method="get"', page.text)
    assert switch, "the footer's language switch is not a GET form"
    target = re.search(r'<option value="([^"]+)" lang="en"', page.text).group(1)
    response = requests.get(world["web"] + switch.group(1), params={"url": target}, allow_redirects=False,
                            timeout=30)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/en/dataset")


# docker/nginx/ in front of the test stack's web server (scripts/nginx_local.py):
# the production cache rules, run for real.

@pytest.fixture(scope="module")
def nginx(world):
    from nginx_local import LocalNginx

    proxy = LocalNginx(conftest.STATE_DIR / "nginx", world["web"].removeprefix("http://"))
    with proxy:
        yield proxy


def through(nginx, path: str, session=None, **headers) -> requests.Response:
    return (session or requests).get(nginx.url + path, headers={**HTML, **headers}, timeout=60)


def test_nginx_answers_what_every_anonymous_visitor_gets_alike_from_its_cache(world, nginx):
    for path in ("/", "/dataset?q=Haushaltsdaten%20Gemeinde", f"/dataset/{world['public']['name']}",
                 "/catalog.ttl"):
        first, second = through(nginx, path), through(nginx, path)
        assert first.status_code == second.status_code == 200, path
        assert first.headers.get("X-Cache-Status") in ("MISS", "EXPIRED"), (path, first.headers)
        assert second.headers.get("X-Cache-Status") == "HIT", (path, second.headers)
        assert second.content == first.content, path


def test_nginx_keeps_the_formats_of_a_negotiated_page_apart(world, nginx):
    path = f"/dataset/{world['public']['name']}"
    through(nginx, path)
    turtle = through(nginx, path, Accept="text/turtle")
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle"), turtle.headers
    html = through(nginx, path)
    assert html.headers.get("X-Cache-Status") == "HIT" and html.headers["Content-Type"].startswith("text/html")


def test_nginx_never_stores_nor_serves_what_a_logged_in_user_gets(world, nginx):
    private = f"/dataset/{world['private']['name']}"
    for session, headers in ((world["browser"], {}), (None, {"Authorization": world["member_token"]})):
        for _ in range(2):
            response = through(nginx, private, session, **headers)
            assert response.status_code == 200, response.status_code
            assert response.headers.get("X-Cache-Status") == "BYPASS", response.headers
        # what the member got is not what an anonymous visitor then gets
        anonymous = through(nginx, private)
        assert anonymous.status_code == 404 and anonymous.headers.get("X-Cache-Status") != "HIT"
        public = through(nginx, f"/dataset/{world['public']['name']}", session, **headers)
        assert public.headers.get("X-Cache-Status") == "BYPASS"


def test_nginx_does_not_store_pages_with_a_form(world, nginx):
    for _ in range(2):
        login = through(nginx, "/user/login")
        assert login.status_code == 200 and login.headers.get("X-Cache-Status") != "HIT", login.headers


def test_nginx_answers_anonymous_api_reads_from_its_cache_and_token_calls_fresh(world, nginx):
    path = "/api/3/action/package_search?q=Haushalt"
    through(nginx, path)
    assert through(nginx, path).headers.get("X-Cache-Status") == "HIT"
    with_token = through(nginx, path, Authorization=world["member_token"])
    assert with_token.status_code == 200 and with_token.headers.get("X-Cache-Status") == "BYPASS"
    written = requests.post(nginx.url + "/api/3/action/package_search", json={"q": "Haushalt"}, timeout=60)
    assert written.status_code == 200 and written.headers.get("X-Cache-Status") != "HIT"
