"""Avatars from the portal only: a user's profile image on another host (an
image URL typed into the profile, or made up by a test factory) would make every
visitor's browser that shows it contact that host. Such images give way to
CKAN's placeholder; uploaded images (served by the portal) stay."""
from __future__ import annotations

from urllib.parse import urlsplit

import ckan.plugins.toolkit as toolkit


def is_local(url: str, site_url: str) -> bool:
    """Whether the browser loads `url` from the portal (a path, or the site's own origin)."""
    parts, site = urlsplit(url), urlsplit(site_url)
    if not parts.scheme and not parts.netloc:
        return not url.startswith("//")
    return (parts.scheme, parts.netloc) == (site.scheme, site.netloc)


@toolkit.chained_helper
def user_image(next_helper, user_id: str, size: int = 100):
    try:
        user = toolkit.get_action("user_show")({"ignore_auth": True}, {"id": user_id})
    except toolkit.ObjectNotFound:
        return ""
    url = user.get("image_display_url") or ""
    if url and not is_local(url, toolkit.config.get("ckan.site_url") or ""):
        return toolkit.render_snippet("user/snippets/placeholder.html", {"size": size,
                                                                          "user_name": user["display_name"]})
    return next_helper(user_id, size)
