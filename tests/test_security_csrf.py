"""CSRF on the real stack, after requests with an API token.

CKAN 2.12.0 exempts a view from CSRF checks for the rest of the worker's life
once a request with an API token reached it (ckanext.thueringen.security.csrf
names the bug). Here token requests go to a form view and to the Action API
first, many times so that every gunicorn worker serves some; then a browser
session (a cookie, no token) posts to the same views without a CSRF token,
as a forged cross-site form would: refused, and nothing changed.
"""
from __future__ import annotations

import re
import uuid

import pytest
import requests
from ckan.tests import factories

ROUNDS = 12   # token requests per view: each of the stack's workers serves some


def _csrf(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def victim(stack):
    """A user with a password, logged in through the login form (a session cookie), and an API token."""
    password = f"Pw-{uuid.uuid4().hex}"
    user = factories.User(password=password, fullname="Erika Muster")
    token = factories.APIToken(user=user["name"])["token"]
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=org["id"], title="Unverändert", notes="Unverändert.",
                                license_id="cc-by")
    browser = requests.Session()
    web = stack["web_url"]
    login = browser.get(f"{web}/user/login", timeout=30).text
    browser.post(f"{web}/user/login", data={"login": user["name"], "password": password,
                                            "_csrf_token": _csrf(login)}, timeout=30)
    assert browser.get(f"{web}/dashboard/datasets", timeout=30, allow_redirects=False).status_code == 200, \
        "the login did not work"
    return {"user": user, "password": password, "token": token, "browser": browser, "web": web,
            "dataset": dataset, "api": f"{stack['api_url']}"}


def _token_requests(victim) -> None:
    headers = {"Authorization": victim["token"], "Connection": "close"}
    for _ in range(ROUNDS):
        page = requests.get(f"{victim['web']}/user/edit/{victim['user']['name']}", headers=headers, timeout=30)
        assert page.status_code == 200
        answer = requests.post(f"{victim['api']}/package_patch", headers=headers, timeout=30,
                               json={"id": victim["dataset"]["id"]})
        assert answer.status_code == 200, answer.text


def _user_fullname(victim) -> str:
    return requests.get(f"{victim['api']}/user_show", params={"id": victim["user"]["id"]},
                        headers={"Authorization": victim["token"]}, timeout=30).json()["result"]["fullname"]


def _dataset_title(victim) -> str:
    return requests.get(f"{victim['api']}/package_show", params={"id": victim["dataset"]["id"]},
                        headers={"Authorization": victim["token"]}, timeout=30).json()["result"]["title"]


def test_a_cookie_post_to_the_form_without_csrf_token_is_refused_after_token_requests(victim):
    _token_requests(victim)
    browser, web, name = victim["browser"], victim["web"], victim["user"]["name"]
    for _ in range(ROUNDS):
        # everything the form asks for (CKAN wants the password for any change), but no CSRF token
        forged = browser.post(f"{web}/user/edit/{name}", headers={"Connection": "close"}, timeout=30,
                              allow_redirects=False,
                              data={"name": name, "fullname": "Angreifer", "email": victim["user"]["email"],
                                    "old_password": victim["password"], "save": ""})
        assert forged.status_code == 400 and "CSRF token is missing" in forged.text, forged.status_code
    assert _user_fullname(victim) == "Erika Muster"


def test_a_cookie_post_to_the_action_api_without_csrf_token_is_refused_after_token_requests(victim):
    _token_requests(victim)
    browser = victim["browser"]
    for action, data in (("package_patch", {"id": victim["dataset"]["id"], "title": "Geändert"}),
                         ("api_token_create", {"user": victim["user"]["name"], "name": "gestohlen"})):
        for _ in range(ROUNDS):
            forged = browser.post(f"{victim['api']}/{action}", data=data, headers={"Connection": "close"},
                                  timeout=30)
            assert forged.status_code == 400 and "CSRF token is missing" in forged.text, \
                (action, forged.status_code, forged.text[:200])
    assert _dataset_title(victim) == "Unverändert"
    tokens = requests.get(f"{victim['api']}/api_token_list", params={"user_id": victim["user"]["name"]},
                          headers={"Authorization": victim["token"]}, timeout=30).json()["result"]
    assert "gestohlen" not in [token["name"] for token in tokens]


def test_the_form_still_works_with_its_csrf_token_and_the_api_with_a_token(victim):
    browser, web, name = victim["browser"], victim["web"], victim["user"]["name"]
    form = browser.get(f"{web}/user/edit/{name}", timeout=30).text
    saved = browser.post(f"{web}/user/edit/{name}", timeout=30, allow_redirects=False, data={
        "_csrf_token": _csrf(form), "name": name, "fullname": "Erika Beispiel", "email": victim["user"]["email"],
        "old_password": victim["password"], "save": ""})
    assert saved.status_code == 302, saved.status_code
    assert _user_fullname(victim) == "Erika Beispiel"
    patched = requests.post(f"{victim['api']}/package_patch", headers={"Authorization": victim["token"]},
                            json={"id": victim["dataset"]["id"], "title": "Per Token"}, timeout=30)
    assert patched.status_code == 200 and _dataset_title(victim) == "Per Token"
