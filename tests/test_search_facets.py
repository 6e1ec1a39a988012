"""Search facets carry vocabulary URIs and show their labels from the vocabularies."""
from __future__ import annotations

import json
import uuid

import requests

ECON = "http://publications.europa.eu/resource/authority/data-theme/ECON"
JENA = "http://dcat-ap.de/def/politicalGeocoding/districtKey/16053"


def test_theme_region_and_format_facets_are_labelled(sysadmin_api, anonymous_api, stack):
    org = sysadmin_api("organization_create", name=f"jena-{uuid.uuid4().hex[:6]}", title="Stadt Jena")
    sysadmin_api("package_create", name=f"haushalt-jena-{uuid.uuid4().hex[:6]}", title="Haushalt Jena",
                 notes="Haushaltsdaten", owner_org=org["id"], theme=[ECON], license_id="dl-de-by-2.0",
                 spatial_coverage=[{"uri": JENA}],
                 resources=[{"url": "https://jena.de/haushalt.csv", "format": "CSV"}])

    result = anonymous_api("package_search", fq=f"organization:{org['name']}",
                           **{"facet.field": json.dumps(["vocab_theme", "vocab_region", "res_format", "license_id"])})
    facets = {name: {item["name"]: item["display_name"] for item in facet["items"]}
              for name, facet in result["search_facets"].items()}

    assert facets["vocab_theme"] == {ECON: "Wirtschaft und Finanzen"}
    assert facets["vocab_region"][JENA].endswith("Jena")
    assert facets["res_format"] == {"CSV": "CSV"}          # CKAN's convention: formats by short name
    # "dl-de-by-2.0" as a CKAN portal sends it, stored as the short id of the DCAT-AP.de list.
    assert facets["license_id"] == {"dl-by-de/2.0": "Datenlizenz Deutschland Namensnennung 2.0"}


def test_search_page_shows_german_facet_titles(stack):
    html = requests.get(f"{stack['web_url']}/dataset/", timeout=30).text
    for title in ("Kategorien", "Veröffentlichende Stellen", "Formate", "Lizenzen"):
        assert title in html


def test_search_results_show_format_names_not_uris(sysadmin_api, stack):
    org = sysadmin_api("organization_create", name=f"gera-{uuid.uuid4().hex[:6]}", title="Stadt Gera")
    name = f"baumkataster-gera-{uuid.uuid4().hex[:6]}"
    sysadmin_api("package_create", name=name, title="Baumkataster Gera", notes="Bäume der Stadt Gera",
                 owner_org=org["id"], resources=[{"url": "https://gera.de/baeume.geojson", "format": "GeoJSON"}])

    html = requests.get(f"{stack['web_url']}/dataset/", params={"q": f"name:{name}"}, timeout=30).text

    assert 'data-format="geojson">GeoJSON</a>' in html
    assert "authority/file-type/GEOJSON</a>" not in html
