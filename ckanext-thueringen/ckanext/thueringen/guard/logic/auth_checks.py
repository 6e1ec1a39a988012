"""CKAN 2.12 auth functions that assert instead of refusing: the collaborator
functions assert that the user and the dataset exist, api_token_create that the
named user does. An anonymous caller (whose context carries Flask-Login's
anonymous user, so CKAN's own anonymous check lets it through) or an unknown
id then gets a 500. These chained auth functions refuse first; they can go
when CKAN's functions return a refusal themselves."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.guard.logic.chaining import chained_auth_functions

_ = toolkit._


def _known(getter, value: Any) -> bool:
    return isinstance(value, str) and bool(value) and getter(value) is not None


def _user_and_dataset_known(next_auth, context, data_dict) -> dict[str, Any]:
    if not _known(model.User.get, context.get("user")) or not _known(model.Package.get, (data_dict or {}).get("id")):
        return {"success": False, "msg": _("Not authorised to manage the collaborators of this dataset")}
    return next_auth(context, data_dict)


def _user_known(next_auth, context, data_dict) -> dict[str, Any]:
    if not _known(model.User.get, (data_dict or {}).get("user")):
        return {"success": False, "msg": _("Not authorised to create an API token for this user")}
    return next_auth(context, data_dict)


def get_auth_functions() -> dict[str, Any]:
    return {**chained_auth_functions(_user_and_dataset_known, "package_collaborator_create",
                                     "package_collaborator_delete", "package_collaborator_list"),
            **chained_auth_functions(_user_known, "api_token_create")}
