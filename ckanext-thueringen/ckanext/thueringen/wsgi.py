"""WSGI entry point for gunicorn: `gunicorn ckanext.thueringen.wsgi:application`.

The configuration file comes from the CKAN_INI environment variable, as for the
`ckan` command.
"""
import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

_config_file = os.environ.get("CKAN_INI")
if not _config_file:
    raise RuntimeError("CKAN_INI must name the CKAN configuration file")

application = make_app(CKANConfigLoader(_config_file).get_config())
