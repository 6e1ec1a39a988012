"""Plugin `thueringen_linkcheck`: the answers of the access and download URLs,
checked in the background (docs/quality.md). Loading the plugin is what makes
`ckan db upgrade` create its table (migration/thueringen_linkcheck)."""
from __future__ import annotations

import ckan.plugins as plugins


class ThueringenLinkcheckPlugin(plugins.SingletonPlugin):
    pass
