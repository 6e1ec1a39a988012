"""Harvest sources that may not be seen stay unseen, and a purged one is gone.

ckanext-harvest 1.6.3:
- `harvest_source_list` gives anonymous users every source (title, URL,
  config), private and deleted ones included (its filter only knows the old
  "publisher" groups); here it keeps the sources the user may see
  (`harvest_source_show`, i.e. package_show of the source);
- `harvest_object_show` is open to everyone; here it takes the same right as
  the object's source;
- purging a source's dataset (`dataset_purge`) leaves its row in
  harvest_source and its jobs, objects and errors; and the portal's page
  memory (thueringen_harvest_page). Here the purge of a harvest source clears
  them too (ckanext-harvest's job history clear, which the portal chains to
  clear the page memory, then the source row). The datasets it harvested stay.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckanext.harvest.model import HarvestObject, HarvestSource

from ckanext.thueringen.guard.logic.chaining import allowed
from ckanext.thueringen.guard.validators import text_parameters

_ = toolkit._


@toolkit.chained_action
@toolkit.side_effect_free
def harvest_source_list(original_action, context, data_dict):
    # ckanext-harvest's action checks no auth function itself; CKAN's auth audit
    # then refuses the chained one unless it does
    toolkit.check_access("harvest_source_list", context, data_dict)
    return [source for source in original_action(context, data_dict)
            if allowed("harvest_source_show", context, source["id"])]


@toolkit.chained_auth_function
@toolkit.auth_allow_anonymous_access
def harvest_object_show(next_auth, context, data_dict):
    object_id = (data_dict or {}).get("id")
    harvest_object = HarvestObject.get(object_id) if isinstance(object_id, str) else None
    if harvest_object is None or not allowed("harvest_source_show", context, harvest_object.harvest_source_id):
        return {"success": False, "msg": _("Not authorised to see this harvest object")}
    return next_auth(context, data_dict)


@toolkit.chained_action
def dataset_purge(original_action, context, data_dict):
    text_parameters(data_dict, "id")
    package = model.Package.get(data_dict.get("id") or "")
    source = HarvestSource.get(package.id) if package is not None and package.type == "harvest" else None
    if source is None:
        return original_action(context, data_dict)
    toolkit.check_access("dataset_purge", context, data_dict)
    toolkit.get_action("harvest_source_job_history_clear")(dict(context), {"id": source.id})
    result = original_action(context, data_dict)
    model.Session.query(HarvestSource).filter(HarvestSource.id == source.id).delete()
    model.repo.commit()
    return result


def get_actions() -> dict[str, Any]:
    return {"harvest_source_list": harvest_source_list, "dataset_purge": dataset_purge}


def get_auth_functions() -> dict[str, Any]:
    return {"harvest_object_show": harvest_object_show}
