"""Roles × read paths: nothing private reaches anyone without rights.

Every read path of the API and the web (search, show, listings, autocomplete,
member lists, activity, harvest sources and reports, full-text status, the
DCAT catalogue) is asked by each role. For roles without rights, the answer
must hold none of the private markers (ids, names, title words, keywords,
formats of the private datasets and the private harvest source) beyond what
the request itself named. For the roles with rights the same answer must
hold the marker (`shows`), so that a path that shows nothing to anyone cannot
pass for a guarded one.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from security.world import ROLES, SEES_PRIVATE, Role, World, leaked


@dataclass
class Probe:
    text: str
    asked: tuple[str, ...]


@dataclass
class ReadPath:
    name: str
    ask: Callable[[Role, World], Probe]
    shows: Callable[[World], str] | None = None   # a marker the roles with rights must get
    shown_to: frozenset = frozenset(SEES_PRIVATE)


def api(action: str, **params: Callable[[World], object]) -> Callable[[Role, World], Probe]:
    def ask(role: Role, world: World) -> Probe:
        values = {name: value(world) for name, value in params.items()}
        response = role.api.raw(action, **values)
        return Probe(response.text, tuple(str(v) for v in values.values()))
    return ask


def page(path: Callable[[World], str]) -> Callable[[Role, World], Probe]:
    def ask(role: Role, world: World) -> Probe:
        where = path(world)
        return Probe(role.get(where).text, (where,))
    return ask


def private(world: World) -> dict:
    return world.private


def title_word(world: World) -> str:
    return f"Verschlusssache{world.suffix}"


def tag(world: World) -> str:
    return world.markers["tag"][0]


def fmt(world: World) -> str:
    return world.markers["format"][1]   # lower case, as the autocompletes give it


def stored_format(world: World) -> str:
    return world.markers["format"][0]


SHOW_ID = lambda w: w.private["id"]                            # noqa: E731
SOURCE_TITLE = lambda w: f"Geheimquelle{w.suffix}"              # noqa: E731
SYSADMIN_ONLY = frozenset({"sysadmin"})

READ_PATHS = [
    ReadPath("package_show by id", api("package_show", id=lambda w: w.private["id"]), title_word),
    ReadPath("package_show by name", api("package_show", id=lambda w: w.private["name"]), SHOW_ID),
    ReadPath("package_show of a publication by name",
             api("package_show", id=lambda w: w.private_publication["name"]), lambda w: w.private_publication["id"]),
    ReadPath("resource_show", api("resource_show", id=lambda w: w.private["resources"][0]["id"]), stored_format),
    ReadPath("package_search", api("package_search", q=title_word, include_private=lambda w: "true",
                                   include_drafts=lambda w: "true"), SHOW_ID),
    ReadPath("package_search by tag", api("package_search", fq=lambda w: f"tags:{tag(w)}",
                                          include_private=lambda w: "true"), SHOW_ID),
    ReadPath("tag_list", api("tag_list"), tag),
    ReadPath("tag_list all fields", api("tag_list", all_fields=lambda w: "true"), tag),
    ReadPath("tag_list query", api("tag_list", query=lambda w: w.suffix), tag),
    ReadPath("tag_search", api("tag_search", query=lambda w: w.suffix), tag),
    ReadPath("tag_autocomplete", api("tag_autocomplete", q=lambda w: w.suffix), tag),
    ReadPath("format_autocomplete", api("format_autocomplete", q=lambda w: w.suffix), fmt),
    ReadPath("member_list", api("member_list", id=lambda w: w.org_a["id"], object_type=lambda w: "package"),
             SHOW_ID),
    # (it shows the newest 10 datasets only: no marker to expect once other tests added some)
    ReadPath("organization_show with datasets",
             api("organization_show", id=lambda w: w.org_a["id"], include_datasets=lambda w: "true")),
    ReadPath("package_activity_list", api("package_activity_list", id=lambda w: w.private["id"]), title_word),
    ReadPath("organization_activity_list", api("organization_activity_list", id=lambda w: w.org_a["id"])),
    ReadPath("recently_changed_packages_activity_list", api("recently_changed_packages_activity_list")),
    ReadPath("package_autocomplete", api("package_autocomplete", q=lambda w: "verschlusssache")),
    ReadPath("package_list", api("package_list")),
    ReadPath("current_package_list_with_resources", api("current_package_list_with_resources",
                                                        limit=lambda w: "1000")),
    ReadPath("resource_search", api("resource_search", query=lambda w: "name:Interne Liste")),
    ReadPath("harvest_source_list", api("harvest_source_list"), SOURCE_TITLE, SYSADMIN_ONLY),
    ReadPath("harvest_source_show", api("harvest_source_show", id=lambda w: w.private_source["name"]),
             lambda w: w.private_source["id"]),
    ReadPath("harvest_source_show_status", api("harvest_source_show_status", id=lambda w: w.private_source["id"])),
    ReadPath("package_search of harvest sources", api("package_search", fq=lambda w: "dataset_type:harvest",
                                                      include_private=lambda w: "true", rows=lambda w: "1000"),
             SOURCE_TITLE),
    ReadPath("thueringen_harvest_report", api("thueringen_harvest_report", id=lambda w: w.private_source["name"]),
             lambda w: w.private_source["id"]),
    ReadPath("thueringen_fulltext_status", api("thueringen_fulltext_status", id=lambda w: w.private["name"]),
             SHOW_ID),
    ReadPath("dcat_catalog_search", api("dcat_catalog_search", q=title_word, format=lambda w: "ttl")),
    ReadPath("/dataset search", page(lambda w: f"/dataset/?q={title_word(w)}"), lambda w: w.private["name"]),
    ReadPath("/transparenz search", page(lambda w: f"/transparenz?q=Geheimgutachten{w.suffix}"),
             lambda w: w.private_publication["name"]),
    ReadPath("/dataset page", page(lambda w: f"/dataset/{w.private['name']}"), title_word),
    ReadPath("/dataset resource page",
             page(lambda w: f"/dataset/{w.private['name']}/resource/{w.private['resources'][0]['id']}"), title_word),
    ReadPath("/dataset activity page", page(lambda w: f"/dataset/activity/{w.private['name']}")),
    ReadPath("/dataset .ttl", page(lambda w: f"/dataset/{w.private['name']}.ttl"), title_word),
    ReadPath("/catalog.ttl search", page(lambda w: f"/catalog.ttl?q={title_word(w)}")),
    ReadPath("/catalog.jsonld", page(lambda w: "/catalog.jsonld")),
    ReadPath("/organization page", page(lambda w: f"/organization/{w.org_a['name']}?q={title_word(w)}"),
             lambda w: w.private["name"]),
    ReadPath("/harvest list", page(lambda w: "/harvest/"), SOURCE_TITLE),
    ReadPath("/harvest source page", page(lambda w: f"/harvest/{w.private_source['name']}"), SOURCE_TITLE),
    ReadPath("/api/2 tag autocomplete", page(lambda w: f"/api/2/util/tag/autocomplete?incomplete={w.suffix}"), tag),
    ReadPath("/api/2 format autocomplete",
             page(lambda w: f"/api/2/util/resource/format_autocomplete?incomplete={w.suffix}"), fmt),
]


def _all_markers(world: World) -> list[str]:
    return [marker for markers in world.markers.values() for marker in markers]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", READ_PATHS, ids=lambda p: p.name)
def test_no_private_content_without_rights(world, path, role):
    probe = path.ask(world.roles[role], world)
    if role in SEES_PRIVATE:
        if path.shows and role in path.shown_to:
            assert path.shows(world) in probe.text, f"{path.name}: {role} should see the private data"
        return
    assert leaked(probe.text, _all_markers(world), probe.asked) == [], f"{path.name} leaks to {role}"


def test_a_refused_package_show_by_name_says_nothing_about_the_dataset(world):
    """The refusal names neither the id nor anything else of the dataset; it is
    the same text whether asked by id or by name."""
    anonymous = world.roles["anonymous"]
    by_name = anonymous.get("/api/3/action/package_show", id=world.private["name"]).json()
    by_id = anonymous.get("/api/3/action/package_show", id=world.private["id"]).json()
    assert by_name["error"] == by_id["error"]
    assert by_name["error"]["message"].endswith(": Keine Berechtigung, diesen Datensatz zu sehen")
