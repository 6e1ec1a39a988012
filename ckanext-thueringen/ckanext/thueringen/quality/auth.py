"""Who may see quality scores: a dataset's score whoever may see the dataset;
the summaries everyone (they count public datasets only, unless the user is a
member of the authority asked about)."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit


@toolkit.auth_allow_anonymous_access
def thueringen_quality_show(context, data_dict):
    try:
        toolkit.check_access("package_show", context, {"id": (data_dict or {}).get("id")})
    except toolkit.NotAuthorized:
        return {"success": False, "msg": toolkit._("Sie dürfen diesen Datensatz nicht sehen.")}
    return {"success": True}


@toolkit.auth_allow_anonymous_access
def thueringen_quality_summary(context, data_dict):
    return {"success": True}
