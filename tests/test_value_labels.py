"""Every value in words on the running portal, the API in CKAN's conventions,
and the migration of stored datasets to them.

Pages (dataset, resource, search, in German and English) show labels, never the
stored URIs or codes; empty subfields are left out; open periods read "seit …";
HTML of a source is never shown as tags. The API keeps `format` and `license_id`
in CKAN's short form (`fq=res_format:CSV` works) with the URIs in `format_uri`
and `license_uri`; `ckan thueringen migrate-values` brings datasets stored in
the old form there, and their DCAT-AP.de export stays the same.
"""
from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import ckan.model as model
import pytest
import requests
from ckan.lib import search
from ckan.tests import factories
from rdflib import Graph
from rdflib.compare import isomorphic

from ckanext.thueringen import conformance
from ckanext.thueringen.vocabularies import vocabulary
from conftest import wait_until_scored

EU = "http://publications.europa.eu/resource/authority/"
FT = EU + "file-type/"
LIC = "http://dcat-ap.de/def/licenses/"
PG = "http://dcat-ap.de/def/politicalGeocoding/"
BREMEN = PG + "stateKey/04"
JENA = PG + "districtKey/16053"
CONTRIBUTOR = "http://dcat-ap.de/def/contributors/auswaertigesAmt"
SCRIPTS = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


def visible(html: str) -> str:
    """The page without its scripts (the schema.org JSON-LD of structured_data is
    for machines and names the URIs on purpose)."""
    return SCRIPTS.sub("", html)


@pytest.fixture(scope="module")
def dataset(api) -> dict:
    org = api("organization_create", name=f"bremen-{uuid.uuid4().hex[:6]}", title="Senator für Finanzen Bremen",
              description="Die Finanzbehörde der Freien Hansestadt.")
    name = f"radwege-{uuid.uuid4().hex[:8]}"
    api("package_create", name=name, title="Radwege", owner_org=org["id"],
        notes="&lt;p&gt;Der Datensatz zeigt &lt;b&gt;alle&lt;/b&gt; Radwege.&lt;/p&gt;",
        license_id="CC BY 4.0", theme=[EU + "data-theme/TRAN"], language=[EU + "language/DEU"],
        frequency=EU + "frequency/ANNUAL", access_rights=EU + "access-right/PUBLIC",
        contributor_id=[CONTRIBUTOR],
        spatial_coverage=[{"uri": BREMEN}, {"uri": JENA}, {"uri": PG + "districtKey/03241"}],
        temporal_coverage=[{"start": "2011-11-01", "end": "9999-01-01"}],
        contact=[{"name": "Team Radverkehr", "email": "", "url": "", "uri": "", "identifier": ""}],
        publisher=[{"name": "Verkehrsamt", "url": "", "type": "http://purl.org/adms/publishertype/LocalAuthority"}],
        resources=[{"url": "https://example.org/radwege.csv", "name": "Radwege (CSV)", "format": "text/csv",
                    "size": 1534000},
                   {"url": "https://example.org/radwege.pdf", "name": "Radwege (PDF)", "format": FT + "PDF"}])
    return api("package_show", id=name)


# --- API: CKAN's conventions -----------------------------------------------------------

def test_format_and_licence_are_short_with_their_uris_beside_them(dataset):
    csv, pdf = dataset["resources"]
    assert (csv["format"], csv["format_uri"]) == ("CSV", FT + "CSV")
    assert (pdf["format"], pdf["format_uri"]) == ("PDF", FT + "PDF")
    assert dataset["license_id"] == "cc-by/4.0" and dataset["license_uri"] == LIC + "cc-by/4.0"
    assert dataset["license_title"] == vocabulary("licenses").get(LIC + "cc-by/4.0").label("de")
    assert dataset["license_url"].startswith("http")


def test_res_format_filters_and_facets_on_labels(anonymous_api, dataset):
    found = anonymous_api("package_search", fq=f"res_format:CSV AND name:{dataset['name']}",
                          **{"facet.field": '["res_format", "license_id"]'})
    assert [d["name"] for d in found["results"]] == [dataset["name"]]
    facets = {name: {i["name"]: i["display_name"] for i in facet["items"]}
              for name, facet in found["search_facets"].items()}
    assert facets["res_format"] == {"CSV": "CSV", "PDF": "PDF"}
    assert facets["license_id"] == {"cc-by/4.0": dataset["license_title"]}
    assert anonymous_api("package_search", fq=f"license_id:\"cc-by/4.0\" AND name:{dataset['name']}")["count"] == 1


def test_an_update_that_changes_the_format_changes_its_uri(api, dataset):
    resource = dict(dataset["resources"][1], format="xlsx")      # format_uri of PDF still sent
    updated = api("resource_update", **resource)
    assert (updated["format"], updated["format_uri"]) == ("XLSX", FT + "XLSX")
    unknown = api("resource_update", **dict(updated, format="Tabellenblatt"))
    assert unknown["format"] == "Tabellenblatt" and "format_uri" not in unknown
    api("resource_update", **dict(unknown, format="PDF"))


# --- pages ----------------------------------------------------------------------------

def test_dataset_page_shows_words_not_stored_values(stack, dataset):
    html = requests.get(f"{stack['web_url']}/dataset/{dataset['name']}", timeout=30).text
    page = visible(html)
    for words in ("Bremen", "Jena", "Gebiet 03241 (Niedersachsen)", "seit 1. November 2011", "Auswärtiges Amt",
                  dataset["license_title"], "Deutsch", "Verkehr", "1,5 MB", "Senator für Finanzen Bremen",
                  vocabulary("frequencies").get(EU + "frequency/ANNUAL").label("de"),
                  vocabulary("publisher_types").get("http://purl.org/adms/publishertype/LocalAuthority").label()):
        assert words in page, words
    for stored in (BREMEN, JENA, "stateKey/04", "9999", CONTRIBUTOR, LIC, "cc-by/4.0", FT, EU + "language",
                   EU + "frequency", "publishertype/LocalAuthority"):
        assert stored not in page, stored
    assert "&lt;p&gt;" not in page and "&lt;b&gt;" not in page
    assert "Der Datensatz zeigt" in page
    # the authority box (h.get_organization, asked for title, logo and description only)
    assert "Die Finanzbehörde der Freien Hansestadt." in page
    # empty subfields are not shown, and no link without an address or a name
    assert 'href=""' not in page and 'href="mailto:"' not in page
    assert not re.search(r"<a\b[^>]*>\s*</a>", page)
    # one download button per distribution, German names, no duplicate ids
    assert page.count("resource-url-analytics") == 2
    assert "Navigate to resource" not in page and 'id="dropdownExplorer"' not in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    # the record for machines
    for link in (f"/dataset/{dataset['name']}.rdf", f"/dataset/{dataset['name']}.ttl",
                 f"/dataset/{dataset['name']}.jsonld", f"package_show?id={dataset['name']}"):
        assert link in page, link


def test_dataset_page_in_english(stack, dataset):
    page = visible(requests.get(f"{stack['web_url']}/en/dataset/{dataset['name']}", timeout=30).text)
    assert "since 1 November 2011" in page and "Area 03241 (Lower Saxony)" in page and "German" in page


def test_resource_page_shows_the_format_in_words(stack, dataset):
    csv = dataset["resources"][0]
    page = visible(requests.get(f"{stack['web_url']}/dataset/{dataset['name']}/resource/{csv['id']}",
                                timeout=30).text)
    assert "CSV" in page and FT not in page and LIC not in page


def test_search_snippets_show_no_tags(stack, dataset):
    page = visible(requests.get(f"{stack['web_url']}/dataset/", params={"q": f"name:{dataset['name']}"},
                                timeout=30).text)
    assert "Der Datensatz zeigt alle Radwege." in page
    assert "&lt;p&gt;" not in page and "&lt;b&gt;" not in page


# --- forms -----------------------------------------------------------------------------

@pytest.fixture
def editor(stack):
    user = factories.SysadminWithToken()
    session = requests.Session()
    session.headers["Authorization"] = user["token"]
    return session, factories.Organization(title="Stadt Gotha (Test)"), stack["web_url"]


def _csrf(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


def test_dates_are_entered_and_shown_the_german_way(editor):
    session, org, web = editor
    name = f"gotha-{uuid.uuid4().hex[:8]}"
    html = session.get(f"{web}/dataset/new", timeout=30).text
    assert "TT.MM.JJJJ" in html
    assert "CKAN" not in re.search(r'<aside class="secondary.*?</aside>', html, re.DOTALL).group(0)
    session.post(f"{web}/dataset/new", timeout=30, data={
        "_csrf_token": _csrf(html), "title": "Gotha", "name": name, "notes": "Daten.", "owner_org": org["id"],
        "issued": "01.11.2011", "modified": "2024-02-29", "save": "continue"})
    stored = session.get(f"{web}/api/3/action/package_show", params={"id": name}, timeout=30).json()["result"]
    assert (stored["issued"], stored["modified"]) == ("2011-11-01", "2024-02-29")
    edit = session.get(f"{web}/dataset/edit/{name}", timeout=30).text
    assert 'value="01.11.2011"' in edit and 'value="29.02.2024"' in edit


def test_document_type_starts_empty_and_is_required(editor):
    session, org, web = editor
    html = session.get(f"{web}/publication/new", timeout=30).text
    select = re.search(r'<select[^>]*name="document_type".*?</select>', html, re.DOTALL).group(0)
    assert "selected" not in select and re.search(r'<option value=""', select)
    response = session.post(f"{web}/publication/new", timeout=30, data={
        "_csrf_token": _csrf(html), "title": "Gutachten", "name": f"gutachten-{uuid.uuid4().hex[:8]}",
        "notes": "Ein Gutachten.", "owner_org": org["id"], "document_type": "", "save": "continue"})
    assert re.search(r"Dokumentart:?\s*(?:</\w+>\s*)*Fehlender Wert", response.text), response.text[:3000]


# --- migration of stored datasets ------------------------------------------------------

def _export(stack, name: str) -> Graph:
    response = requests.get(f"{stack['web_url']}/dataset/{name}.ttl", timeout=30,
                            headers={"Cache-Control": "no-cache"})
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


def _store_in_old_form(package_id: str) -> None:
    """What the portal stored before: URIs in license_id and format, no URI fields."""
    package = model.Package.get(package_id)
    package.license_id = package.extras["license_uri"]
    package.extras = {k: v for k, v in package.extras.items() if k != "license_uri"}
    for resource in package.resources:
        extras = dict(resource.extras or {})
        if extras.get("format_uri"):
            resource.format = extras.pop("format_uri")
        resource.extras = extras
    model.Session.commit()
    search.rebuild(package_id)


def _migrate(stack, *args: str) -> str:
    ckan = Path(sys.executable).parent / "ckan"
    result = subprocess.run([str(ckan), "-c", stack["ckan_ini"], "thueringen", "migrate-values", *args],
                            capture_output=True, text=True, check=True)
    return result.stdout


def test_migration_brings_old_datasets_to_the_new_form_and_keeps_their_export(api, anonymous_api, stack):
    org = api("organization_create", name=f"alt-{uuid.uuid4().hex[:6]}", title="Altbestand")
    names = []
    for number in range(3):
        created = api("package_create", name=f"altbestand-{number}-{uuid.uuid4().hex[:6]}", title=f"Alt {number}",
                      notes="Alt.", owner_org=org["id"], license_id="dl-by-de/2.0",
                      resources=[{"url": "https://example.org/a.csv", "format": "CSV"},
                                 {"url": "https://example.org/a.odt", "format": "Eigenes Format"}])
        names.append(created["name"])
    new_exports = {name: _export(stack, name) for name in names}
    # stored "before" only once the quality worker has indexed the new datasets
    wait_until_scored(api("package_show", id=name)["id"] for name in names)
    for name in names:
        _store_in_old_form(api("package_show", id=name)["id"])
    old = api("package_show", id=names[0])
    assert old["license_id"] == LIC + "dl-by-de/2.0" and old["resources"][0]["format"] == FT + "CSV"
    in_org = f"organization:{org['name']}"
    assert anonymous_api("package_search", fq=f"res_format:CSV AND {in_org}")["count"] == 0
    old_exports = {name: _export(stack, name) for name in names}

    assert "changed" in _migrate(stack, "--batch-size", "2")

    for name in names:
        migrated = api("package_show", id=name)
        assert (migrated["license_id"], migrated["license_uri"]) == ("dl-by-de/2.0", LIC + "dl-by-de/2.0")
        assert [(r["format"], r.get("format_uri")) for r in migrated["resources"]] == \
            [("CSV", FT + "CSV"), ("Eigenes Format", None)]
        exported = _export(stack, name)
        assert isomorphic(exported, old_exports[name]) and isomorphic(exported, new_exports[name]), name
        assert conformance.validate(exported).violations == []
    assert anonymous_api("package_search", fq=f"res_format:CSV AND {in_org}")["count"] == 3
    assert re.search(r"\b0 changed", _migrate(stack))          # idempotent
