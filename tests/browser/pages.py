"""The page types of the portal the browser tests open: their paths on the test
site (conftest.Site) and whether they need a logged-in editor."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageType:
    name: str
    path: Callable   # Site -> path
    logged_in: bool = False
    status: int = 200


PAGE_TYPES = [
    PageType("home", lambda s: "/"),
    PageType("search", lambda s: f"/dataset/?q={s.word}"),
    PageType("dataset", lambda s: f"/dataset/{s.dataset['name']}"),
    PageType("resource", lambda s: f"/dataset/{s.dataset['name']}/resource/{s.dataset['resources'][0]['id']}"),
    PageType("publication", lambda s: f"/publication/{s.publication['name']}"),
    PageType("transparenz", lambda s: "/transparenz"),
    PageType("document-text", lambda s: f"/dokument/{s.document['id']}/text?q={s.word}"),
    PageType("document-preview", lambda s: f"/dokument/{s.document['id']}/vorschau?q={s.word}"),
    PageType("obligations", lambda s: "/transparenz/veroeffentlichungspflichten"),
    PageType("organisation-obligations", lambda s: f"/organization/{s.org['name']}/veroeffentlichungspflichten"),
    PageType("document-types", lambda s: "/def/document-type"),
    PageType("quality-ranking", lambda s: "/qualitaet"),
    PageType("organisation-quality", lambda s: f"/organization/{s.org['name']}/qualitaet"),
    PageType("organisations", lambda s: "/organization/"),
    PageType("organisation", lambda s: f"/organization/{s.org['name']}"),
    PageType("harvest-source", lambda s: f"/harvest/{s.source['name']}"),
    PageType("login", lambda s: "/user/login"),
    PageType("about", lambda s: "/about"),
    PageType("not-found", lambda s: "/diese-seite-gibt-es-nicht", status=404),
    PageType("accessibility", lambda s: "/barrierefreiheit"),
    PageType("easy-language", lambda s: "/leichte-sprache"),
    PageType("imprint", lambda s: "/impressum"),
    PageType("privacy", lambda s: "/datenschutz"),
    PageType("dataset-form", lambda s: f"/dataset/new?owner_org={s.org['id']}", logged_in=True),
    PageType("publication-form", lambda s: f"/publication/new?owner_org={s.org['id']}", logged_in=True),
    # filled in: chosen licence and keywords, several values in a multiple-text field
    PageType("dataset-edit", lambda s: f"/dataset/edit/{s.dataset['name']}", logged_in=True),
    PageType("resource-form", lambda s: f"/dataset/{s.dataset['name']}/resource/new", logged_in=True),
    PageType("dataset-logged-in", lambda s: f"/dataset/{s.dataset['name']}", logged_in=True),
    PageType("user", lambda s: f"/user/{s.editor['name']}", logged_in=True),
    PageType("dashboard", lambda s: "/dashboard/datasets", logged_in=True),
]
