"""The portal plugin: configuration declarations and the `ckan thueringen` commands."""
from __future__ import annotations

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckanext.thueringen import cli


@toolkit.blanket.config_declarations
class ThueringenPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IClick)

    # IClick
    def get_commands(self):
        return cli.get_commands()
