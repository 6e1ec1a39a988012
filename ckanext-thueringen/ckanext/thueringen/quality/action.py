"""The API of the quality scores: `thueringen_quality_show` and `thueringen_quality_summary`,
and `include_quality=True` for package_show."""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.quality import links, storage


def _package(data_dict: dict) -> model.Package:
    package_id = str((data_dict or {}).get("id") or "").strip()
    if not package_id:
        raise toolkit.ValidationError({"id": [toolkit._("Bitte geben Sie den Datensatz an (id oder name).")]})
    package = model.Package.get(package_id)
    if package is None or package.state == "deleted":
        raise toolkit.ObjectNotFound(toolkit._("Datensatz nicht gefunden."))
    return package


def quality_of(package_id: str) -> dict[str, Any]:
    """The stored score, or a note that the dataset has not been scored yet."""
    found = storage.get(package_id)
    if found is None:
        return {"package_id": package_id, "score": None,
                "status": toolkit._("Noch nicht bewertet: die Bewertung läuft im Hintergrund.")}
    return found


@toolkit.side_effect_free
def thueringen_quality_show(context, data_dict):
    """The MQA score of one dataset: points per dimension and metric, the
    advice, every SHACL finding. Parameter: id (id or name)."""
    package = _package(data_dict)
    toolkit.check_access("thueringen_quality_show", context, {"id": package.id})
    return quality_of(package.id)


def organization(value: str) -> model.Group:
    org = model.Group.get(value)
    if org is None or not org.is_organization or org.state != "active":
        raise toolkit.ObjectNotFound(toolkit._("Organisation nicht gefunden."))
    return org


def is_member(org_id: str, user: str | None) -> bool:
    return bool(user) and authz.has_user_permission_for_group_or_org(org_id, user, "read")


@toolkit.side_effect_free
def thueringen_quality_summary(context, data_dict):
    """The quality of an authority (parameter organization: id or name) or of
    the whole portal (no parameter): average, bands, points per dimension, the
    advice that gains the most points, the trend (one value per day); for an
    authority also its broken links, for the portal the ranking of authorities.
    Private datasets count only for members of their authority."""
    toolkit.check_access("thueringen_quality_summary", context, data_dict)
    value = str((data_dict or {}).get("organization") or "").strip()
    if not value:
        result = storage.summary(None)
        result["trend"] = storage.trend(None)
        result["ranking"] = _named(storage.ranking())
        return result
    org = organization(value)
    member = is_member(org.id, context.get("user"))
    result = storage.summary(org.id, include_private=member)
    result.update(organization=org.name, organization_title=org.title, includes_private=member,
                  trend=storage.trend(org.id), broken_links=links.broken(org.id, include_private=member))
    return result


def _named(ranking: list[dict]) -> list[dict]:
    orgs = {g.id: g for g in model.Session.query(model.Group).filter(
        model.Group.id.in_([r["owner_org"] for r in ranking]))} if ranking else {}
    named = []
    for row in ranking:
        org = orgs.get(row["owner_org"])
        if org is not None and org.state == "active":
            named.append({**row, "organization": org.name, "title": org.title})
    return named


@toolkit.chained_action
@toolkit.side_effect_free
def package_show(up_func, context, data_dict):
    """package_show as CKAN's, plus the key `quality` when asked (include_quality=True)."""
    result = up_func(context, data_dict)
    if toolkit.asbool((data_dict or {}).get("include_quality", False)):
        result["quality"] = quality_of(result["id"])
    return result
