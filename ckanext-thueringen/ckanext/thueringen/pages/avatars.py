"""Images from the portal only: a user's profile image or an authority's logo
on another host (an image URL typed into the profile or the authority's form,
one harvested from a CKAN, or made up by a test factory) would make every
visitor's browser that shows it contact that host. Such images give way to
CKAN's placeholders; uploaded images (served by the portal) stay."""
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


def thueringen_local_image(url: str | None, placeholder: str) -> str:
    """`url` when the portal serves it, else the static `placeholder` (a path
    under CKAN's public folder, e.g. /base/images/placeholder-organization.png)."""
    if url and is_local(url, toolkit.config.get("ckan.site_url") or ""):
        return url
    return toolkit.h.url_for_static(placeholder)
