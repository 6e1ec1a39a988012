"""The portal as one installable package: `pip install .` (or a wheel).

Everything importable lives in ckanext-thueringen/ckanext/thueringen/, at its
import path. Package data (templates, translations, migrations, the scheming
YAML, vocabularies and SHACL shapes under schemas/) is listed in package_data,
so that a wheel carries everything a `pip install -e .` sees.

The compiled translations (.mo) are not in git: building the wheel compiles each
.po with Babel (a build requirement in pyproject.toml) into the build tree. An
editable install skips that step; scripts/stack.py compiles them in place.
"""
from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

SOURCE = "ckanext-thueringen"


class BuildWithTranslations(build_py):
    """build_py that also writes a .mo beside every .po of the built packages."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in Path(SOURCE).glob("ckanext/**/i18n/*/LC_MESSAGES/*.po"):
            target = Path(self.build_lib) / po.relative_to(SOURCE).with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source, target.open("wb") as compiled:
                write_mo(compiled, read_po(source))

setup(
    name="ckanext-thueringen",
    version="0.1.0",
    description="Thüringen Open Data & Transparency Portal (CKAN 2.12, DCAT-AP.de)",
    license="AGPL-3.0-or-later",
    python_requires=">=3.11",
    cmdclass={"build_py": BuildWithTranslations},
    package_dir={"": SOURCE},
    packages=find_namespace_packages(where=SOURCE, include=["ckanext.thueringen", "ckanext.thueringen.*"],
                                     exclude=["*.templates*", "*.public*", "*.i18n*", "*.schemas*",
                                              "*.migration.*.versions", "*__pycache__*"]),
    package_data={
        "": ["config_declaration.yaml", "templates/**/*.html", "public/**/*", "i18n/**/*.po", "i18n/**/*.pot",
             "i18n/**/*.mo", "schemas/**/*", "migration/**/*.ini", "migration/**/*.py"],
    },
    entry_points={
        "ckan.plugins": [
            "thueringen = ckanext.thueringen.plugin:ThueringenPlugin",
            "thueringen_search = ckanext.thueringen.search.plugin:ThueringenSearchPlugin",
            "thueringen_dcat = ckanext.thueringen.harvesters.dcat:DCATAPDEHarvester",
            "thueringen_ckan = ckanext.thueringen.harvesters.ckan:CkanApiHarvester",
            "thueringen_feed = ckanext.thueringen.harvesters.feed:FeedHarvester",
            "thueringen_fragdenstaat = ckanext.thueringen.harvesters.fragdenstaat:FragDenStaatHarvester",
            "thueringen_transparency = ckanext.thueringen.transparency.plugin:TransparencyPlugin",
            "thueringen_fulltext = ckanext.thueringen.fulltext.plugin:ThueringenFulltextPlugin",
            "thueringen_linkcheck = ckanext.thueringen.linkcheck.plugin:ThueringenLinkcheckPlugin",
            "thueringen_quality = ckanext.thueringen.quality.plugin:ThueringenQualityPlugin",
            "thueringen_guard = ckanext.thueringen.guard.plugin:ThueringenGuardPlugin",
            "thueringen_security = ckanext.thueringen.security.plugin:ThueringenSecurityPlugin",
            "thueringen_pages = ckanext.thueringen.pages.plugin:ThueringenPagesPlugin",
        ],
        "ckan.rdf.profiles": [
            "dcatap_de = ckanext.thueringen.profiles.dcatap_de:DCATAPDEProfile",
            "dcatap_de_dqv = ckanext.thueringen.profiles.dqv:DQVProfile",
        ],
    },
)
