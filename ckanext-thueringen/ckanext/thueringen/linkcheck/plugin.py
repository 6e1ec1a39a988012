"""Plugin `thueringen_linkcheck`: the answers of the access and download URLs,
checked in the background (docs/quality.md, "Link checks"). Loading the plugin
is what makes `ckan db upgrade` create its table (migration/thueringen_linkcheck).

Saving a dataset or publication (by a form, the API or a harvest import)
queues its new addresses in the same transaction; the worker
(`ckan thueringen linkcheck worker`) checks them within its poll time and
every URL again on its day of the interval."""
from __future__ import annotations

import logging

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckanext.thueringen.linkcheck import cli, logic, store

log = logging.getLogger(__name__)


@toolkit.blanket.config_declarations
class ThueringenLinkcheckPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IClick)
    plugins.implements(plugins.IPackageController, inherit=True)

    # IActions, IAuthFunctions
    def get_actions(self):
        return {"thueringen_link_check_show": logic.thueringen_link_check_show}

    def get_auth_functions(self):
        return {"thueringen_link_check_show": logic.thueringen_link_check_show_auth}

    # IClick
    def get_commands(self):
        return cli.get_commands()

    # IPackageController: the model's hooks, which see the saved resources
    def create(self, entity: model.Package):
        _enqueue(entity)

    def edit(self, entity: model.Package):
        _enqueue(entity)


def _enqueue(package: model.Package) -> None:
    """Queue the package's new addresses; never fails the save (a savepoint
    keeps a failing insert, e.g. before `ckan db upgrade`, out of its transaction)."""
    if package.type == "harvest" or package.state != "active":
        return
    try:
        with model.Session.begin_nested():
            store.enqueue(store.package_urls(package))
    except Exception:  # noqa: BLE001 - the discovery of the worker catches up
        log.exception("Linkprüfung: Adressen von Datensatz %s nicht eingereiht", package.id)
