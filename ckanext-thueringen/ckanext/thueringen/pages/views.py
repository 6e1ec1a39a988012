"""Blueprint `thueringen_pages`: the portal's text pages under German paths."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit
from flask import Blueprint

pages = Blueprint("thueringen_pages", __name__)


def accessibility():
    return toolkit.render("pages/accessibility.html")


def easy_language():
    return toolkit.render("pages/easy_language.html")


def imprint():
    return toolkit.render("pages/imprint.html")


def privacy():
    return toolkit.render("pages/privacy.html")


pages.add_url_rule("/barrierefreiheit", view_func=accessibility)
pages.add_url_rule("/leichte-sprache", view_func=easy_language)
pages.add_url_rule("/impressum", view_func=imprint)
pages.add_url_rule("/datenschutz", view_func=privacy)
