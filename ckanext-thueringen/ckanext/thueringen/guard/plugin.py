"""The plugin `thueringen_guard`: private data stays private, bad input gets a
clear German 4xx and changes nothing. What is enforced where: docs/security.md,
section "Private data and bad input"."""
from __future__ import annotations

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from flask import Blueprint, before_render_template

from ckanext.thueringen.guard import catalog, request_guard, validators
from ckanext.thueringen.guard.logic import auth_checks, harvest_sources, prechecks, privacy


def _blueprint() -> Blueprint:
    blueprint = Blueprint("thueringen_guard", __name__)
    blueprint.before_app_request(request_guard.check_request)
    blueprint.after_app_request(request_guard.search_error_status)
    before_render_template.connect(request_guard.note_search_error)
    catalog.register(blueprint)
    return blueprint


@toolkit.blanket.config_declarations
class ThueringenGuardPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.IValidators)

    # IActions
    def get_actions(self):
        return {**privacy.get_actions(), **harvest_sources.get_actions(), **prechecks.get_actions(),
                **catalog.get_actions()}

    # IAuthFunctions
    def get_auth_functions(self):
        return {**privacy.get_auth_functions(), **harvest_sources.get_auth_functions(),
                **auth_checks.get_auth_functions()}

    # IBlueprint
    def get_blueprint(self):
        return [_blueprint()]

    # IValidators
    def get_validators(self):
        return validators.get_validators()
