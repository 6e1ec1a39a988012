"""One installable project for the whole portal: `pip install -e .`

The Python packages live in the top-level folders of the design card and are
mapped into the `ckanext.thueringen` namespace:

  ckanext-thueringen/ckanext/thueringen  ->  ckanext.thueringen          (plugin, CLI, profiles)
  schemas/                               ->  ckanext.thueringen.schemas  (scheming YAML, vocabularies)
  harvesters/                            ->  ckanext.thueringen.harvesters  (harvesters, pipeline stages)

Every CKAN plugin is registered below as an entry point.
"""
from setuptools import setup

setup(
    name="ckanext-thueringen",
    version="0.1.0",
    description="Thüringen Open Data & Transparency Portal (CKAN 2.12, DCAT-AP.de)",
    license="AGPL-3.0-or-later",
    python_requires=">=3.11",
    package_dir={
        "ckanext.thueringen": "ckanext-thueringen/ckanext/thueringen",
        "ckanext.thueringen.schemas": "schemas",
        "ckanext.thueringen.harvesters": "harvesters",
    },
    packages=["ckanext.thueringen", "ckanext.thueringen.schemas", "ckanext.thueringen.harvesters",
              "ckanext.thueringen.fulltext", "ckanext.thueringen.german_search",
              "ckanext.thueringen.guard", "ckanext.thueringen.guard.logic", "ckanext.thueringen.security"],
    package_data={
        "ckanext.thueringen": ["config_declaration.yaml", "i18n/*/LC_MESSAGES/*.mo",
                               "migration/*.py", "migration/*/*.ini", "migration/*/*.py", "migration/*/versions/*.py"],
        "ckanext.thueringen.schemas": ["*.yaml", "vocabularies/*"],
        "ckanext.thueringen.fulltext": ["config_declaration.yaml", "templates/*/*.html", "templates/*/*/*.html"],
        "ckanext.thueringen.german_search": ["config_declaration.yaml"],
        "ckanext.thueringen.guard": ["config_declaration.yaml"],
        "ckanext.thueringen.security": ["templates/*.html", "templates/*/*.html", "templates/*/*/*.html",
                                        "public/*/*.js"],
    },
    entry_points={
        "ckan.plugins": [
            "thueringen = ckanext.thueringen.plugin:ThueringenPlugin",
            "thueringen_search = ckanext.thueringen.german_search.plugin:ThueringenSearchPlugin",
            "thueringen_dcat = ckanext.thueringen.harvesters.dcat:DCATAPDEHarvester",
            "thueringen_ckan = ckanext.thueringen.harvesters.ckan:CkanApiHarvester",
            "thueringen_feed = ckanext.thueringen.harvesters.feed:FeedHarvester",
            "thueringen_fragdenstaat = ckanext.thueringen.harvesters.fragdenstaat:FragDenStaatHarvester",
            "thueringen_transparency = ckanext.thueringen.transparency:TransparencyPlugin",
            "thueringen_fulltext = ckanext.thueringen.fulltext.plugin:ThueringenFulltextPlugin",
            "thueringen_guard = ckanext.thueringen.guard.plugin:ThueringenGuardPlugin",
            "thueringen_security = ckanext.thueringen.security.plugin:ThueringenSecurityPlugin",
        ],
        "ckan.rdf.profiles": [
            "dcatap_de = ckanext.thueringen.profiles:DCATAPDEProfile",
        ],
    },
)
