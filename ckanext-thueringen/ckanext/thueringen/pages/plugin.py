"""Plugin `thueringen_pages`: the portal's text pages (views.py), their helpers
and the feedback link of the footer (texts.py), avatars from the portal only
(avatars.py), and the portal's own static files (../public: the stylesheet
that templates/page.html and footer.html rely on)."""
from __future__ import annotations

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.pages import avatars, texts, views


class ThueringenPagesPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.ITemplateHelpers)

    # IBlueprint
    def get_blueprint(self):
        return views.pages

    # IConfigurer
    def update_config(self, config):
        toolkit.add_public_directory(config, "../public")

    # ITemplateHelpers
    def get_helpers(self):
        return {**texts.get_helpers(), "user_image": avatars.user_image,
                "thueringen_local_image": avatars.thueringen_local_image}
