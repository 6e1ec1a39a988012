"""The dataset form of the running portal: the DCAT-AP.de schema, German labels,
choices from the vocabularies, German validation messages."""
from __future__ import annotations

import re
import uuid

import pytest
import requests
from ckan.tests import factories

ECON = "http://publications.europa.eu/resource/authority/data-theme/ECON"
CSV = "http://publications.europa.eu/resource/authority/file-type/CSV"


@pytest.fixture
def editor(stack):
    """A logged-in browser session of a sysadmin (API token header) and an organisation."""
    user = factories.SysadminWithToken()
    session = requests.Session()
    session.headers["Authorization"] = user["token"]
    org = factories.Organization(title="Stadtverwaltung Weimar")
    return session, org, stack["web_url"]


def _csrf(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


def _errors(html: str) -> str:
    block = re.search(r'error-explanation[\s\S]*?</ul>', html)
    return re.sub(r"\s+", " ", block.group(0)) if block else ""


def test_new_dataset_form_is_the_german_dcat_ap_de_schema(editor):
    session, _org, web = editor
    html = session.get(f"{web}/dataset/new", timeout=30).text

    for label in ("Titel", "Beschreibung", "Kategorien", "Lizenz", "Räumlicher Bezug",
                  "Aktualisierungsintervall", "Politische Ebene", "Kontakt", "HVD-Kategorie"):
        assert label in html, label
    # Choices come from the vocabularies, labelled in German.
    assert f'value="{ECON}"' in html and "Wirtschaft und Finanzen" in html
    assert "http://publications.europa.eu/resource/authority/frequency/ANNUAL" in html and "jährlich" in html
    assert 'value="dl-by-de/2.0"' in html      # CKAN's short licence id (license_uri has the URI)
    assert "Datenlizenz Deutschland Namensnennung 2.0" in html
    assert "http://dcat-ap.de/def/politicalGeocoding/districtKey/16053" in html  # Jena


def test_form_errors_are_german(editor):
    session, org, web = editor
    html = session.get(f"{web}/dataset/new", timeout=30).text
    response = session.post(f"{web}/dataset/new", timeout=30, data={
        "_csrf_token": _csrf(html), "title": "Radwege", "name": f"radwege-{uuid.uuid4().hex[:8]}",
        "notes": "", "owner_org": org["id"], "url": "radwege-weimar", "save": "continue",
    })
    errors = _errors(response.text)

    assert "Das Formular enthält unzulässige Einträge" in errors
    assert "Bitte eine vollständige Webadresse angeben" in errors  # our validator, translated
    assert "Fehlender Wert" in errors  # the description is mandatory in DCAT-AP.de


def test_a_dataset_made_with_the_form_stores_vocabulary_uris_and_can_be_edited(editor):
    """Vocabulary URIs, but formats and licences in CKAN's short form with their URIs beside them."""
    session, org, web = editor
    name = f"radwege-{uuid.uuid4().hex[:8]}"
    html = session.get(f"{web}/dataset/new", timeout=30).text
    session.post(f"{web}/dataset/new", timeout=30, data={
        "_csrf_token": _csrf(html), "title": "Radwege in Weimar", "name": name,
        "notes": "Das Radwegenetz der Stadt Weimar.", "owner_org": org["id"],
        "license_id": "dl-by-de/2.0", "theme": ECON,
        "frequency": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
        "save": "continue",
    })
    html = session.get(f"{web}/dataset/{name}/resource/new", timeout=30).text
    session.post(f"{web}/dataset/{name}/resource/new", timeout=30, data={
        "_csrf_token": _csrf(html), "id": "", "url": "https://weimar.de/radwege.csv", "name": "Radwege (CSV)",
        "format": "csv", "save": "go-dataset-complete",
    })

    api = session.get(f"{web}/api/3/action/package_show", params={"id": name}, timeout=30).json()["result"]
    assert api["theme"] == [ECON]
    assert api["license_id"] == "dl-by-de/2.0"
    assert api["license_uri"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert api["license_title"] == "Datenlizenz Deutschland Namensnennung 2.0"
    assert api["resources"][0]["format"] == "CSV"  # "csv" typed by a person, CKAN's short name stored
    assert api["resources"][0]["format_uri"] == CSV  # and the EU URI beside it

    edit = session.get(f"{web}/dataset/edit/{name}", timeout=30).text
    assert re.search(rf'value="{re.escape(ECON)}"\s+selected', edit)


def _form_as_a_browser_sends_it(html: str, form_id: str) -> list[tuple[str, str]]:
    """The fields a browser submits for the form unchanged: text inputs,
    checked boxes, every selected option (the first where a single select has
    none selected), text areas."""
    from bs4 import BeautifulSoup

    form = BeautifulSoup(html, "html.parser").select_one(f"form#{form_id}")
    fields = []
    for element in form.select("input[name], select[name], textarea[name]"):
        name = element["name"]
        if element.name == "select":
            options = element.select("option")
            chosen = [o for o in options if o.has_attr("selected")]
            if not chosen and options and not element.has_attr("multiple"):
                chosen = options[:1]
            fields += [(name, o.get("value", o.get_text())) for o in chosen]
        elif element.name == "textarea":
            fields.append((name, element.get_text()))
        elif element.get("type") in ("checkbox", "radio"):
            if element.has_attr("checked"):
                fields.append((name, element.get("value", "on")))
        elif element.get("type") not in ("submit", "button", "file", "image", "reset"):
            fields.append((name, element.get("value", "")))
    return fields


def test_saving_the_form_unchanged_keeps_values_outside_its_choices(editor, stack):
    """A harvested dataset holds values the form does not offer (Low German, a
    language of the ISO table; a publisher's own licence): a clerk who opens it
    and saves keeps them all."""
    from conftest import ActionApi

    session, org, web = editor
    api = ActionApi(stack["api_url"], session.headers["Authorization"])
    low_german = "http://publications.europa.eu/resource/authority/language/NDS"
    created = api("package_create", name=f"platt-{uuid.uuid4().hex[:8]}", title="Plattdeutsche Ortsnamen",
                  notes="Ortsnamen auf Platt.", owner_org=org["id"], license_id="dl-by-de/2.0",
                  theme=[ECON], language=[low_german, "http://publications.europa.eu/resource/authority/language/DEU"])
    assert low_german in created["language"]
    api("package_patch", id=created["id"], license_id="nutzungsbedingungen-stadt-beispiel")
    before = api("package_show", id=created["id"])
    assert before["license_id"] == "nutzungsbedingungen-stadt-beispiel"

    html = session.get(f"{web}/dataset/edit/{created['name']}", timeout=30).text
    assert "Plattdeutsch" in html
    fields = _form_as_a_browser_sends_it(html, "dataset-edit")
    response = session.post(f"{web}/dataset/edit/{created['name']}", timeout=30,
                            data=[*fields, ("save", "")], allow_redirects=False)
    assert response.status_code in (302, 303), _errors(response.text)
    after = api("package_show", id=created["id"])
    for key in ("license_id", "title", "notes"):
        assert after[key] == before[key], key
    for key in ("language", "theme"):   # sets of values: the form lists them in its own order
        assert sorted(after[key]) == sorted(before[key]), key
