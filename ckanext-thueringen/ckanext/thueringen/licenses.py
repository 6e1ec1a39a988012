"""CKAN's licence register, filled from the DCAT-AP.de licence vocabulary.

CKAN keeps its licences in `model.Package`'s licence register (the licence
select of the form, `license_title`, `isopen`). The portal's licences are the
DCAT-AP.de list in schemas/vocabularies, so the register is built from that
vocabulary instead of a second licence file. Licence ids follow CKAN's
convention, a short id: the code of the DCAT-AP.de list ("dl-by-de/2.0",
"cc-by/4.0"); `url` is the licence text's page; the DCAT-AP.de URI is the
dataset's `license_uri` (normalize/ckan_form.py).
"""
from __future__ import annotations

import ckan.model as model
from ckan.model.license import LicenseRegister

from ckanext.thueringen import vocabularies


class VocabularyLicenseRegister(LicenseRegister):
    def __init__(self):  # noqa: D107 - replaces loading from licenses_group_url
        entries = []
        for concept in vocabularies.vocabulary("licenses").current():
            entries.append({
                "id": concept.code,
                "title": concept.label("de"),
                "url": concept.property("homepage") or concept.uri,
                "od_conformance": "approved" if concept.flag("open") else "not reviewed",
                "osd_conformance": "not reviewed",
                "status": "active",
            })
        entries.sort(key=lambda entry: entry["title"].casefold())
        self._create_license_list(entries)


def install_license_register() -> None:
    model.Package._license_register = VocabularyLicenseRegister()
