"""`ckan thueringen sources sync|list` and `ckan thueringen demo` against the
real test stack: organisations with their fields and hierarchy, harvest
sources, idempotence, deactivation, and refused files. The commands run
in-process through CKAN's `cli` fixture (same database and Solr core as the
running server), harvests through the stack's real consumers; one test runs
the `ckan` CLI as a subprocess, on the real config/sources.yaml."""
from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import pytest
import yaml
from ckan.tests import factories
from ckanext.harvest.logic import HarvestJobExists

from ckanext.thueringen import bootstrap, registry_sync
from ckanext.thueringen.cli import thueringen
from conftest import ROOT, run_stack
from static_server import serve_in_thread

# The portal's plugins (harvest, scheming, the thueringen commands) in this process too.
pytestmark = pytest.mark.usefixtures("with_plugins")

PG = "http://dcat-ap.de/def/politicalGeocoding/"
LEVEL = "https://opendata.thueringen.de/def/authority-level/"
ADMS = "http://purl.org/adms/publishertype/"
GEMEINDE_KEY = "160760004004"  # a municipality of the Landkreis Greiz (16076)
DATASETS = 2


def catalogue(prefix: str) -> str:
    """A small DCAT-AP.de catalogue in RDF/XML with DATASETS datasets."""
    datasets = "".join(f"""
    <dcat:dataset><dcat:Dataset rdf:about="https://example.org/{prefix}/dataset/{n}">
      <dct:title>Registertest {prefix} Datensatz {n}</dct:title>
      <dct:description>Datensatz {n} aus dem Test des Quellenverzeichnisses.</dct:description>
      <dct:identifier>{prefix}-{n}</dct:identifier>
      <dcat:distribution><dcat:Distribution rdf:about="https://example.org/{prefix}/dataset/{n}/csv">
        <dcat:accessURL rdf:resource="https://example.org/{prefix}/data-{n}.csv"/>
        <dct:license rdf:resource="http://dcat-ap.de/def/licenses/dl-by-de/2.0"/>
      </dcat:Distribution></dcat:distribution>
    </dcat:Dataset></dcat:dataset>""" for n in range(1, DATASETS + 1))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#"
         xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Catalog rdf:about="https://example.org/{prefix}/catalog">
    <dct:title>Testkatalog {prefix}</dct:title>{datasets}
  </dcat:Catalog>
</rdf:RDF>
"""


@pytest.fixture
def suffix() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def catalogs(tmp_path, suffix):
    """A local web server with a small catalogue, like an authority's server."""
    folder = tmp_path / "catalogs"
    folder.mkdir()
    # Named per test: ckanext-harvest refuses a second source with a URL (and config)
    # that a source of an earlier run on the same port already has.
    (folder / f"{suffix}.rdf").write_text(catalogue(suffix), encoding="utf-8")
    server = serve_in_thread(folder)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def entries(suffix, catalogs) -> list[dict]:
    """Land -> Landkreis -> Gemeinde, and a kreisfreie Stadt with a DCAT source."""
    land = f"land-{suffix}"
    return [
        {"name": land, "title": f"Freistaat {suffix}", "level": "land", "regional_key": "16",
         "website": "https://www.thueringen.de", "publisher_type": "RegionalAuthority"},
        {"name": f"kreis-{suffix}", "title": f"Landkreis {suffix}", "level": "landkreis", "parent": land,
         "regional_key": "16076", "website": "https://www.landkreis-greiz.de", "publisher_type": "LocalAuthority"},
        {"name": f"gemeinde-{suffix}", "title": f"Gemeinde {suffix}", "level": "gemeinde",
         "parent": f"kreis-{suffix}", "regional_key": GEMEINDE_KEY, "publisher_type": "LocalAuthority"},
        {"name": f"stadt-{suffix}", "title": f"Stadt {suffix}", "level": "kreisfreie-stadt", "parent": land,
         "regional_key": "16053", "website": "https://www.jena.de", "publisher_type": "LocalAuthority",
         "contact": {"name": "Open-Data-Team", "email": "opendata@example.org"},
         "sources": [{"name": f"stadt-{suffix}-dcat", "title": f"Stadt {suffix} DCAT", "type": "dcat_rdf",
                      "url": f"{catalogs}/{suffix}.rdf", "schedule": "WEEKLY", "priority": 10,
                      "contributor_id": "http://dcat-ap.de/def/contributors/openDataHRO",
                      "config": {"rdf_format": "application/rdf+xml"}}]},
    ]


def write(tmp_path: Path, authorities: list[dict]) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"authorities": authorities}, allow_unicode=True), encoding="utf-8")
    return path


def sync(cli, path: Path, *options: str, exit_code: int = 0) -> str:
    result = cli.invoke(thueringen, ["sources", "sync", str(path), *options])
    assert result.exit_code == exit_code, result.output
    return result.output


def show(action: str, name: str) -> dict | None:
    """The object as stored (not the search index's copy: ckanext-harvest 1.6.3
    reindexes a harvest source after each job without its schema)."""
    try:
        return bootstrap.action(action, {"id": name}, use_cache=False)
    except toolkit.ObjectNotFound:
        return None


def parent_names(name: str) -> list[str]:
    """The parents as ckanext-hierarchy and CKAN's model read them."""
    model.Session.remove()
    return [group.name for group in model.Group.get(name).get_parent_groups(type="organization")]


# ----------------------------------------------------------------- the sync

def test_the_first_sync_creates_organisations_with_fields_hierarchy_and_sources(cli, tmp_path, suffix,
                                                                               entries, catalogs):
    output = sync(cli, write(tmp_path, entries))

    assert f"organisation land-{suffix}: created\n" in output
    assert f"organisation kreis-{suffix}: created (parent land-{suffix})" in output
    assert f"organisation gemeinde-{suffix}: created (parent kreis-{suffix})" in output
    assert f"harvest source stadt-{suffix}-dcat: created (dcat_rdf {catalogs}/{suffix}.rdf)" in output
    assert "created 5, updated 0, unchanged 0," in output

    stadt = show("organization_show", f"stadt-{suffix}")
    assert (stadt["title"], stadt["publisher_type"], stadt["authority_level"], stadt["regional_key"],
            stadt["homepage"], stadt["email"], stadt["contact_name"]) == \
        (f"Stadt {suffix}", ADMS + "LocalAuthority", LEVEL + "kreisfreie-stadt", "16053",
         "https://www.jena.de", "opendata@example.org", "Open-Data-Team")
    assert show("organization_show", f"land-{suffix}")["publisher_type"] == ADMS + "RegionalAuthority"

    assert parent_names(f"stadt-{suffix}") == [f"land-{suffix}"]
    assert parent_names(f"kreis-{suffix}") == [f"land-{suffix}"]
    assert parent_names(f"gemeinde-{suffix}") == [f"kreis-{suffix}"]
    assert parent_names(f"land-{suffix}") == []
    assert registry_sync.parents(f"gemeinde-{suffix}") == [(f"kreis-{suffix}", "parent")]
    children = model.Group.get(f"land-{suffix}").get_children_groups(type="organization")
    assert sorted(group.name for group in children) == [f"kreis-{suffix}", f"stadt-{suffix}"]

    source = show("harvest_source_show", f"stadt-{suffix}-dcat")
    assert (source["url"], source["source_type"], source["frequency"], source["title"], source["active"]) == \
        (f"{catalogs}/{suffix}.rdf", "dcat_rdf", "WEEKLY", f"Stadt {suffix} DCAT", True)
    assert source["organization"]["name"] == f"stadt-{suffix}"
    assert json.loads(source["config"]) == {
        "rdf_format": "application/rdf+xml", "priority": 10,
        "contributor_id": "http://dcat-ap.de/def/contributors/openDataHRO",
        "spatial_uri": PG + "districtKey/16053", "political_geocoding_level_uri": PG + "Level/administrativeDistrict",
    }


def test_a_second_sync_changes_nothing_and_says_so(cli, tmp_path, suffix, entries):
    path = write(tmp_path, entries)
    sync(cli, path)
    before = [show("organization_show", f"kreis-{suffix}"), show("harvest_source_show", f"stadt-{suffix}-dcat")]

    output = sync(cli, path)

    assert output.strip() == "created 0, updated 0, unchanged 5, deactivated 0: nothing to change, " \
                             "CKAN matches the registry."
    after = [show("organization_show", f"kreis-{suffix}"), show("harvest_source_show", f"stadt-{suffix}-dcat")]
    assert after[0] == before[0]
    fields = ("metadata_modified", "title", "url", "source_type", "frequency", "config", "owner_org", "state")
    assert {key: after[1][key] for key in fields} == {key: before[1][key] for key in fields}


def test_a_dry_run_says_what_would_change_and_changes_nothing(cli, tmp_path, suffix, entries):
    output = sync(cli, write(tmp_path, entries), "--dry-run")

    assert f"organisation land-{suffix}: created" in output
    assert "Dry run, nothing was changed. Would be: created 5," in output
    assert show("organization_show", f"land-{suffix}") is None
    assert show("harvest_source_show", f"stadt-{suffix}-dcat") is None


def test_a_changed_entry_is_updated(cli, tmp_path, suffix, entries, catalogs):
    path = write(tmp_path, entries)
    sync(cli, path)
    changed = copy.deepcopy(entries)
    changed[1]["website"] = "https://www.kreis.example.org"           # a field
    changed[3]["parent"] = f"kreis-{suffix}"                         # a new parent ...
    changed[3]["regional_key"] = "16076"                             # ... and an area within it
    changed[3]["level"] = "landkreis"
    changed[3]["sources"][0].update(schedule="DAILY", title="Neuer Titel", url=f"{catalogs}/{suffix}.rdf?v=2")
    changed[3]["sources"][0].pop("priority")

    output = sync(cli, write(tmp_path, changed))

    assert f"organisation kreis-{suffix}: updated (homepage: https://www.landkreis-greiz.de -> " \
           f"https://www.kreis.example.org)" in output
    assert f"organisation stadt-{suffix}: updated (" in output and \
        f"parent: land-{suffix} -> kreis-{suffix})" in output
    assert f"harvest source stadt-{suffix}-dcat: updated (" in output
    assert "created 0, updated 3, unchanged 2," in output
    assert show("organization_show", f"kreis-{suffix}")["homepage"] == "https://www.kreis.example.org"
    stadt = show("organization_show", f"stadt-{suffix}")
    assert (stadt["regional_key"], stadt["authority_level"]) == ("16076", LEVEL + "landkreis")
    assert parent_names(f"stadt-{suffix}") == [f"kreis-{suffix}"]
    source = show("harvest_source_show", f"stadt-{suffix}-dcat")
    assert (source["frequency"], source["title"], source["url"]) == \
        ("DAILY", "Neuer Titel", f"{catalogs}/{suffix}.rdf?v=2")
    assert "priority" not in json.loads(source["config"])
    assert json.loads(source["config"])["spatial_uri"] == PG + "districtKey/16076"
    assert "nothing to change" in sync(cli, write(tmp_path, changed))


def test_a_removed_entry_deactivates_its_source_and_its_datasets_stay(cli, tmp_path, suffix, entries):
    sync(cli, write(tmp_path, entries))
    source = show("harvest_source_show", f"stadt-{suffix}-dcat")
    job = bootstrap.run_harvests([source["id"]], timeout=300)[source["id"]]
    assert job["stats"]["added"] == DATASETS and job["stats"]["errored"] == 0
    datasets = bootstrap.action("package_search", {"fq": f"organization:stadt-{suffix}", "rows": 10})
    assert datasets["count"] == DATASETS

    without = copy.deepcopy(entries)
    without[3].pop("sources")
    output = sync(cli, write(tmp_path, without))

    assert f"harvest source stadt-{suffix}-dcat: deactivated (no longer in the registry)" in output
    source = show("harvest_source_show", f"stadt-{suffix}-dcat")
    assert source["active"] is False
    with pytest.raises(Exception, match="inactive"):
        bootstrap.action("harvest_job_create", {"source_id": source["id"], "run": True})
    after = bootstrap.action("package_search", {"fq": f"organization:stadt-{suffix}", "rows": 10})
    assert after["count"] == DATASETS
    for dataset in datasets["results"]:
        assert show("package_show", dataset["id"])["state"] == "active"
    assert "nothing to change" in sync(cli, write(tmp_path, without))

    # Back in the file: active again, with its datasets.
    output = sync(cli, write(tmp_path, entries))
    assert f"harvest source stadt-{suffix}-dcat: updated (state: {registry_sync.INACTIVE_STATE} -> active)" \
        in output
    assert show("harvest_source_show", f"stadt-{suffix}-dcat")["active"] is True


def test_a_disabled_source_is_not_created_and_an_existing_one_is_deactivated(cli, tmp_path, suffix, entries):
    disabled = copy.deepcopy(entries)
    disabled[3]["sources"][0]["enabled"] = False
    output = sync(cli, write(tmp_path, disabled))
    assert f"harvest source stadt-{suffix}-dcat: skipped (disabled in the registry)" in output
    assert show("harvest_source_show", f"stadt-{suffix}-dcat") is None

    sync(cli, write(tmp_path, entries))
    output = sync(cli, write(tmp_path, disabled))
    assert f"harvest source stadt-{suffix}-dcat: deactivated (disabled in the registry)" in output
    assert show("harvest_source_show", f"stadt-{suffix}-dcat")["active"] is False


def test_a_harvest_source_made_by_hand_is_left_alone(cli, tmp_path, suffix, entries, catalogs):
    org = factories.Organization(name=f"hand-{suffix}")
    by_hand = bootstrap.action("harvest_source_create", {
        "name": f"hand-{suffix}-dcat", "title": "Von Hand", "url": f"{catalogs}/{suffix}.rdf?hand",
        "source_type": "dcat_rdf", "owner_org": org["id"], "frequency": "MANUAL"})
    output = sync(cli, write(tmp_path, entries))
    assert f"hand-{suffix}-dcat" not in output
    assert show("harvest_source_show", by_hand["id"])["active"] is True


# --------------------------------------------------------- refused files

def test_an_invalid_file_gives_a_clear_error_and_changes_nothing(cli, tmp_path, suffix, entries):
    broken = copy.deepcopy(entries)
    broken[1]["level"] = "kreis"
    broken[2]["parent"] = f"nirgendwo-{suffix}"
    broken[3]["sources"][0].update(type="dcat", url="catalog.rdf", schedule="HOURLY")

    output = sync(cli, write(tmp_path, broken), exit_code=1)

    assert "5 Fehler im Quellenverzeichnis / 5 error(s) in the source registry" in output
    assert f"authorities[1] (kreis-{suffix}), level: unbekannte Verwaltungsebene 'kreis'" in output
    assert f"authorities[2] (gemeinde-{suffix}), parent: unbekannte übergeordnete Stelle " \
           f"'nirgendwo-{suffix}' / unknown parent" in output
    assert f"authorities[3] (stadt-{suffix}) sources[0] (stadt-{suffix}-dcat), type: unbekannter Harvester " \
           f"'dcat'" in output
    assert "url: 'catalog.rdf' ist keine vollständige Webadresse" in output
    assert "schedule: unbekannter Zeitplan 'HOURLY'" in output
    for name in (f"land-{suffix}", f"kreis-{suffix}", f"stadt-{suffix}"):
        assert show("organization_show", name) is None


def test_a_file_ckan_cannot_apply_is_refused_before_any_change(cli, tmp_path, suffix, entries):
    # The source's name is taken by a dataset.
    factories.Dataset(name=f"stadt-{suffix}-dcat", owner_org=factories.Organization()["id"])

    output = sync(cli, write(tmp_path, entries), exit_code=1)

    assert "nothing was changed:" in output
    assert f"harvest source stadt-{suffix}-dcat: der Name gehört einem Datensatz / the name belongs to a " \
           f"dataset of type 'dataset'" in output
    assert show("organization_show", f"land-{suffix}") is None


def test_an_organisation_name_taken_by_a_group_is_refused_before_any_change(cli, tmp_path, suffix, entries):
    factories.Group(name=f"kreis-{suffix}")

    output = sync(cli, write(tmp_path, entries), exit_code=1)

    assert "nothing was changed:" in output
    assert f"organisation kreis-{suffix}: der Name gehört einer Gruppe / the name belongs to a group, " \
           "not an organisation" in output
    assert show("organization_show", f"land-{suffix}") is None


@pytest.fixture
def without_fragdenstaat():
    """This CKAN without the FragDenStaat harvester's plugin, for one test."""
    import ckan.plugins as plugins

    plugins.unload("thueringen_fragdenstaat")
    yield
    plugins.load("thueringen_fragdenstaat")


def test_a_source_whose_harvester_is_not_installed_is_refused_before_any_change(cli, tmp_path, suffix, entries,
                                                                               catalogs, without_fragdenstaat):
    entries[-1]["sources"].append({"name": f"stadt-{suffix}-fds", "title": "Anfragen", "type": "fragdenstaat",
                                   "url": f"{catalogs}/api/v1/", "schedule": "WEEKLY"})

    output = sync(cli, write(tmp_path, entries), exit_code=1)

    assert "nothing was changed:" in output
    assert f"harvest source stadt-{suffix}-fds: der Harvester 'fragdenstaat' ist in diesem CKAN nicht installiert" \
        in output
    assert show("organization_show", f"land-{suffix}") is None
    assert show("harvest_source_show", f"stadt-{suffix}-dcat") is None


def test_a_source_with_the_url_of_another_is_refused_before_any_change(cli, tmp_path, suffix, entries,
                                                                       catalogs):
    org = factories.Organization()
    bootstrap.action("harvest_source_create", {
        "name": f"twin-{suffix}", "title": "Zwilling", "url": f"{catalogs}/{suffix}.rdf", "source_type": "dcat_rdf",
        "owner_org": org["id"], "config": json.dumps(
            {"rdf_format": "application/rdf+xml", "priority": 10, "spatial_uri": PG + "districtKey/16053",
             "political_geocoding_level_uri": PG + "Level/administrativeDistrict",
             "contributor_id": "http://dcat-ap.de/def/contributors/openDataHRO"})})

    output = sync(cli, write(tmp_path, entries), exit_code=1)

    assert f"harvest source stadt-{suffix}-dcat: dieselbe Adresse und Konfiguration wie die Quelle twin-{suffix} " \
           f"/ harvest source twin-{suffix} has the same URL and config" in output
    assert show("organization_show", f"land-{suffix}") is None


# ------------------------------------------------------- list and demo

def test_list_shows_the_tree_and_each_sources_last_job(cli, tmp_path, suffix, entries, catalogs):
    path = write(tmp_path, entries)
    sync(cli, path)
    source = show("harvest_source_show", f"stadt-{suffix}-dcat")
    bootstrap.run_harvests([source["id"]], timeout=300)

    result = cli.invoke(thueringen, ["sources", "list", str(path)])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"Freistaat {suffix} (land-{suffix}): land, 16, in CKAN" in lines
    assert f"  Landkreis {suffix} (kreis-{suffix}): landkreis, 16076, in CKAN" in lines
    assert f"    Gemeinde {suffix} (gemeinde-{suffix}): gemeinde, {GEMEINDE_KEY}, in CKAN" in lines
    source_line = next(line for line in lines if f"source stadt-{suffix}-dcat" in line)
    assert source_line.startswith(f"    - source stadt-{suffix}-dcat [dcat_rdf, WEEKLY] {catalogs}/{suffix}.rdf: "
                                  f"active, last job Finished 20")
    assert source_line.endswith(f"(added {DATASETS}, updated 0, deleted 0, errored 0)")


def test_a_source_the_scheduler_queued_already_is_waited_for_not_refused(cli, tmp_path, suffix, entries):
    # The scheduler gives every new source that is not MANUAL a job on its next
    # round; harvesting it right after the sync must not fail on that job.
    sync(cli, write(tmp_path, entries))
    source = show("harvest_source_show", f"stadt-{suffix}-dcat")
    try:
        queued = bootstrap.action("harvest_job_create", {"source_id": source["id"], "run": True})
    except HarvestJobExists:  # the scheduler was quicker still
        queued = bootstrap.last_job(source["id"])
    said = []

    job = bootstrap.run_harvests([source["id"]], timeout=300, progress=said.append)[source["id"]]

    assert job["id"] == queued["id"]
    assert job["stats"]["added"] == DATASETS
    assert f"{source['id']}: a job is queued or running already; waiting for it" in said


def test_the_demo_command_registers_the_demo_entries_and_harvests_them_once(cli, tmp_path, suffix, entries,
                                                                            catalogs):
    demo = {"name": f"demo-{suffix}", "title": f"Demo {suffix}", "demo": True, "level": "kreisfreie-stadt",
            "regional_key": "13003", "publisher_type": "LocalAuthority",
            "sources": [{"name": f"demo-{suffix}-dcat", "title": "Demo", "type": "dcat_rdf",
                         "url": f"{{demo_catalogs_url}}/{suffix}.rdf",
                         "config": {"rdf_format": "application/rdf+xml"}}]}
    path = write(tmp_path, [*entries, demo])

    result = cli.invoke(thueringen, ["demo", str(path), "--catalogs-url", catalogs + "/"])

    assert result.exit_code == 0, result.output
    assert f"organisation demo-{suffix}: created" in result.output
    assert f"land-{suffix}" not in result.output  # only the demo entries
    assert "Demo harvest finished (0 error(s))." in result.output
    assert show("harvest_source_show", f"demo-{suffix}-dcat")["url"] == f"{catalogs}/{suffix}.rdf"
    found = bootstrap.action("package_search", {"fq": f"organization:demo-{suffix}", "rows": 0})
    assert found["count"] == DATASETS

    again = cli.invoke(thueringen, ["demo", str(path), "--catalogs-url", catalogs])
    assert again.exit_code == 0, again.output
    assert "All demo sources were harvested before; nothing to do." in again.output
    # A sync without --demo neither creates nor deactivates demo entries.
    output = sync(cli, path)
    assert f"demo-{suffix}" not in output


def test_the_ckan_cli_checks_the_real_registry_against_the_stack():
    result = run_stack("ckan", "thueringen", "sources", "sync", "--dry-run", "--demo",
                       str(ROOT / "config" / "sources.yaml"), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Dry run, nothing was changed. Would be: created " in result.stdout
    assert "harvest source jena-opendata: skipped (disabled in the registry)" in result.stdout
