"""Make CKAN match the source registry (`ckanext.thueringen.registry`).

For every authority of the chosen part of the registry (real entries, demo
entries or both): the organisation with its scheming fields, its place in the
Land -> Kreis -> Gemeinde hierarchy, and its harvest sources. Used by
`ckan thueringen sources sync|list` and `ckan thueringen demo`.

- Everything is planned first and applied afterwards: the plan reads CKAN only,
  so a dry run and a refused plan (a harvester that is not installed, a name
  taken by a dataset) change nothing.
- Idempotent: what already matches is left alone and counted as unchanged.
- Nothing is deleted. A harvest source that was synced from the registry and is
  no longer in it (or is `enabled: false`) is deactivated: its dataset state
  becomes `draft`, which ckanext-harvest reads as `active: false`; the
  scheduler no longer runs it and its datasets stay as they are. Organisations
  that leave the registry stay too.
- The hierarchy is stored as ckanext-hierarchy and CKAN's `Group.get_parent_groups`
  read it: a membership of the parent in the child organisation's group, with
  capacity "parent" (`member_create(id=<child>, object=<parent>,
  object_type='group', capacity='parent')`).
- The names of the harvest sources synced so far are kept in CKAN's
  system_info table (`MANAGED_SOURCES`), so that a source dropped from the file
  is recognised; sources made by hand are never touched.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckanext.harvest.model import HarvestSource

from ckanext.thueringen.bootstrap import action, last_job
from ckanext.thueringen.registry import DEMO_CATALOGS, Authority, Registry, Source

MANAGED_SOURCES = "thueringen.registry.sources"
HARVEST_TYPE = "harvest"  # dataset type of ckanext-harvest's sources
INACTIVE_STATE = "draft"
# What harvest_source_update needs of a source; it replaces the whole dataset.
SOURCE_KEYS = ("id", "name", "title", "url", "notes", "source_type", "frequency", "config", "owner_org",
               "private", "state")

ORGANISATION = "organisation"
HARVEST_SOURCE = "harvest source"
ACTIONS = ("created", "updated", "unchanged", "deactivated", "skipped")


class SyncError(Exception):
    """The registry cannot be applied; `problems` says why, `report` what was done."""

    def __init__(self, problems: list[str], report: SyncReport | None = None):
        self.problems = problems
        self.report = report
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Change:
    kind: str    # ORGANISATION or HARVEST_SOURCE
    name: str
    action: str  # one of ACTIONS
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.kind} {self.name}: {self.action}"
        return f"{text} ({'; '.join(self.details)})" if self.details else text


@dataclass
class SyncReport:
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False

    def count(self, action_name: str) -> int:
        return sum(1 for change in self.changes if change.action == action_name)

    @property
    def changed(self) -> bool:
        return any(change.action in ("created", "updated", "deactivated") for change in self.changes)

    def summary(self) -> str:
        counts = ", ".join(f"{name} {self.count(name)}" for name in ACTIONS
                           if name != "skipped" or self.count(name))
        if self.dry_run:
            return f"Dry run, nothing was changed. Would be: {counts}."
        if not self.changed:
            return f"{counts}: nothing to change, CKAN matches the registry."
        return counts + "."


@dataclass
class _Step:
    change: Change
    apply: Callable[[], None] | None = None


# ------------------------------------------------------------------- sync

def sync(registry: Registry, *, demo: bool, real: bool = True, catalogs_url: str | None = None,
         dry_run: bool = False) -> SyncReport:
    """Bring the organisations and harvest sources of the selected entries
    (demo and/or real) in line with the registry; see the module docstring."""
    authorities = registry.select(demo=demo, real=real)
    sources = [source for authority in authorities for source in authority.sources]
    _preflight(authorities, sources, catalogs_url)
    managed = _managed_sources()
    steps = [_organisation_step(authority) for authority in authorities]
    steps += [_source_step(source, catalogs_url) for source in sources]
    in_file = {source.name for source in registry.sources()}
    steps += [step for name, info in sorted(managed.items())
              if name not in in_file and (demo if info.get("demo") else real)
              for step in _dropped_source_steps(name)]
    report = SyncReport([step.change for step in steps], dry_run)
    if dry_run:
        return report
    done = SyncReport(dry_run=False)
    for step in steps:
        if step.apply is not None:
            try:
                step.apply()
            except (toolkit.ValidationError, toolkit.ObjectNotFound, toolkit.NotAuthorized) as error:
                model.Session.rollback()
                detail = getattr(error, "error_dict", None) or error
                raise SyncError([f"{step.change.kind} {step.change.name}: {detail}"], done) from error
        done.changes.append(step.change)
    managed.update({source.name: {"demo": source.demo} for source in sources})
    model.set_system_info(MANAGED_SOURCES, json.dumps(managed, sort_keys=True))
    return report


def _preflight(authorities: list[Authority], sources: list[Source], catalogs_url: str | None) -> None:
    """What would make the sync fail half-way, found before anything changes."""
    problems = []

    def problem(kind: str, name: str, de: str, en: str) -> None:
        problems.append(f"{kind} {name}: {de} / {en}")

    available = sorted(info["name"] for info in action("harvesters_info_show", {}))
    for source in sources:
        demo_url = source.url.startswith(DEMO_CATALOGS)
        if source.enabled and source.type not in available:
            problem(HARVEST_SOURCE, source.name, f"der Harvester '{source.type}' ist in diesem CKAN nicht installiert",
                    f"the harvester '{source.type}' is not installed in this CKAN (installed: "
                    f"{', '.join(available)}); enable its plugin or set 'enabled: false'")
        if source.enabled and demo_url and not catalogs_url:
            problem(HARVEST_SOURCE, source.name, "keine Adresse des Demo-Katalogservers",
                    "no base URL for the demo catalogues (--catalogs-url or thueringen.demo_catalogs_url)")
        package = model.Package.get(source.name)
        if package is not None and package.type != HARVEST_TYPE:
            problem(HARVEST_SOURCE, source.name, "der Name gehört einem Datensatz",
                    f"the name belongs to a dataset of type '{package.type}'")
        twin = _same_url_and_config(source, catalogs_url) if source.enabled and (catalogs_url or not demo_url) \
            else None
        if twin:
            problem(HARVEST_SOURCE, source.name, f"dieselbe Adresse und Konfiguration wie die Quelle {twin}",
                    f"harvest source {twin} has the same URL and config, which ckanext-harvest refuses")
    for authority in authorities:
        group = model.Group.get(authority.name)
        if group is not None and not group.is_organization:
            problem(ORGANISATION, authority.name, "der Name gehört einer Gruppe",
                    "the name belongs to a group, not an organisation")
    if problems:
        raise SyncError(problems)


def _same_url_and_config(source: Source, catalogs_url: str | None) -> str | None:
    """Another harvest source with this source's URL and config (ckanext-harvest
    allows one source per URL and config), by name."""
    wanted = harvest_source_fields(source, catalogs_url)
    rows = model.Session.query(model.Package.name, HarvestSource.config) \
        .join(HarvestSource, HarvestSource.id == model.Package.id) \
        .filter(model.Package.type == HARVEST_TYPE, model.Package.url == wanted["url"],
                model.Package.name != source.name).all()
    for name, config in rows:
        try:
            if json.loads(config or "{}") == json.loads(wanted["config"]):
                return name
        except ValueError:
            continue
    return None


def _show(name: str, data: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return action(name, data)
    except toolkit.ObjectNotFound:
        return None


def _show_source(name_or_id: str) -> dict[str, Any] | None:
    """A harvest source as its schema shows it. Not from the search index:
    ckanext-harvest 1.6.3 reindexes a source after each job with its raw
    extras as the validated dict, which CKAN 2.12's package_show would return
    (and harvest_source_patch would fail on)."""
    try:
        return action("harvest_source_show", {"id": name_or_id}, use_cache=False)
    except toolkit.ObjectNotFound:
        return None


def _update_source(source_id: str, changes: dict[str, Any]) -> None:
    current = _show_source(source_id) or {}
    kept = {key: current[key] for key in SOURCE_KEYS if current.get(key) is not None}
    action("harvest_source_update", {**kept, **changes})


# ---------------------------------------------------------- organisations

def organisation_fields(authority: Authority) -> dict[str, str]:
    """The organisation's fields (schemas/organization.yaml) for an authority."""
    return {
        "title": authority.title,
        "description": authority.description,
        "publisher_type": authority.publisher_type_uri,
        "authority_level": authority.level_uri,
        "regional_key": authority.regional_key or "",
        "homepage": authority.website,
        "email": authority.contact.email,
        "contact_name": authority.contact.name,
    }


def parents(org_name: str) -> list[tuple[str, str]]:
    """(name, capacity) of the organisations an organisation hangs below."""
    child = model.Group.get(org_name)
    if child is None:
        return []
    rows = model.Session.query(model.Group.name, model.Member.capacity) \
        .join(model.Member, model.Member.table_id == model.Group.id) \
        .filter(model.Member.group_id == child.id, model.Member.table_name == "group",
                model.Member.state == "active", model.Group.is_organization.is_(True)) \
        .all()
    return sorted((name, capacity) for name, capacity in rows)


def _organisation_step(authority: Authority) -> _Step:
    wanted = organisation_fields(authority)
    current = _show("organization_show", {"id": authority.name, "include_datasets": False,
                                          "include_users": False, "include_followers": False})
    wanted_parents = [(authority.parent, "parent")] if authority.parent else []
    if current is None:
        details = (f"parent {authority.parent}",) if authority.parent else ()

        def create() -> None:
            action("organization_create", {"name": authority.name, **wanted})
            _set_parent(authority.name, authority.parent)

        return _Step(Change(ORGANISATION, authority.name, "created", details), create)
    current_parents = parents(authority.name)
    differences = {key: value for key, value in wanted.items() if (current.get(key) or "") != value}
    if current.get("state") != "active":
        differences["state"] = "active"
    details = [f"{key}: {current.get(key) or '-'} -> {value or '-'}" for key, value in differences.items()]
    if current_parents != wanted_parents:
        before = ", ".join(name for name, _ in current_parents) or "-"
        details.append(f"parent: {before} -> {authority.parent or '-'}")
    if not details:
        return _Step(Change(ORGANISATION, authority.name, "unchanged"))

    def update() -> None:
        if differences:
            # organization_patch would rewrite the parent memberships with the
            # default capacity; they are passed as they are and set below.
            keep = [{"name": name, "capacity": capacity} for name, capacity in current_parents]
            action("organization_patch", {"id": current["id"], **differences, "groups": keep})
        _set_parent(authority.name, authority.parent)

    return _Step(Change(ORGANISATION, authority.name, "updated", tuple(details)), update)


def _set_parent(child: str, parent: str | None) -> None:
    """Make `parent` the only parent organisation of `child` (None: top level)."""
    for name, capacity in parents(child):
        if name != parent:
            action("member_delete", {"id": child, "object": name, "object_type": "group"})
        elif capacity == "parent":
            return
    if parent:
        action("member_create", {"id": child, "object": parent, "object_type": "group", "capacity": "parent"})


# --------------------------------------------------------- harvest sources

def harvest_source_fields(source: Source, catalogs_url: str | None) -> dict[str, str]:
    """The harvest source's fields (ckanext-harvest) for a registry source."""
    return {
        "title": source.title,
        "url": source.url_for(catalogs_url),
        "source_type": source.type,
        "frequency": source.schedule,
        "config": json.dumps(source.harvest_config(), sort_keys=True, ensure_ascii=False),
        "notes": source.notes,
    }


def _differences(current: dict[str, Any], wanted: dict[str, str]) -> dict[str, str]:
    differences = {}
    for key, value in wanted.items():
        if key == "config":
            try:
                same = json.loads(current.get("config") or "{}") == json.loads(value)
            except ValueError:
                same = False
        else:
            same = (current.get(key) or "") == value
        if not same:
            differences[key] = value
    return differences


def _source_step(source: Source, catalogs_url: str | None) -> _Step:
    current = _show_source(source.name)
    if not source.enabled:
        if current is not None and current.get("active"):
            return _deactivate_step(current, "disabled in the registry")
        return _Step(Change(HARVEST_SOURCE, source.name, "skipped", ("disabled in the registry",)))
    wanted = harvest_source_fields(source, catalogs_url)
    if current is None:
        def create() -> None:
            action("harvest_source_create", {"name": source.name, "owner_org": source.authority, **wanted})

        return _Step(Change(HARVEST_SOURCE, source.name, "created", (f"{source.type} {wanted['url']}",)), create)
    differences = _differences(current, wanted)
    owner = (current.get("organization") or {}).get("name")
    if owner != source.authority:
        differences["owner_org"] = source.authority
    if not current.get("active"):
        differences["state"] = "active"
    if not differences:
        return _Step(Change(HARVEST_SOURCE, source.name, "unchanged"))
    shown = {"owner_org": owner, "state": current.get("state")}
    details = tuple(f"{key}: {shown.get(key, current.get(key)) or '-'} -> {value or '-'}"
                    for key, value in differences.items())

    def update() -> None:
        _update_source(current["id"], differences)

    return _Step(Change(HARVEST_SOURCE, source.name, "updated", details), update)


def _dropped_source_steps(name: str) -> list[_Step]:
    current = _show_source(name)
    if current is None or not current.get("active"):
        return []
    return [_deactivate_step(current, "no longer in the registry")]


def _deactivate_step(current: dict[str, Any], reason: str) -> _Step:
    def deactivate() -> None:
        _update_source(current["id"], {"state": INACTIVE_STATE})

    return _Step(Change(HARVEST_SOURCE, current["name"], "deactivated", (reason,)), deactivate)


def _managed_sources() -> dict[str, dict[str, Any]]:
    try:
        return json.loads(model.get_system_info(MANAGED_SOURCES) or "{}")
    except ValueError:
        return {}


# ----------------------------------------------------------------- listing

def listing(registry: Registry) -> list[str]:
    """The registry as a tree, with each organisation's and source's state in CKAN."""
    lines: list[str] = []

    def walk(authority: Authority, depth: int) -> None:
        indent = "  " * depth
        exists = model.Group.get(authority.name) is not None
        facts = [authority.level, authority.regional_key or "-", "demo" if authority.demo else "",
                 "in CKAN" if exists else "not in CKAN"]
        lines.append(f"{indent}{authority.title} ({authority.name}): {', '.join(f for f in facts if f)}")
        for source in authority.sources:
            lines.append(f"{indent}  - source {source.name} [{source.type}, {source.schedule}] {source.url}: "
                         f"{source_state(source)}")
        for child in registry.children(authority.name):
            walk(child, depth + 1)

    for top in registry.children(None):
        walk(top, 0)
    return lines


def source_state(source: Source) -> str:
    """Whether the source is in CKAN, active, and how its last job went."""
    current = _show_source(source.name)
    if current is None:
        return "disabled in the registry, not in CKAN" if not source.enabled else "not in CKAN yet (run sync)"
    state = "active" if current.get("active") else "inactive"
    job = last_job(current["id"])
    if job is None:
        return f"{state}, never harvested"
    stats = job.get("stats") or {}
    when = job.get("finished") or job.get("created") or ""
    counts = ", ".join(f"{key} {stats.get(key, 0)}" for key in ("added", "updated", "deleted", "errored"))
    return f"{state}, last job {job['status']} {when[:19]} ({counts})"
