"""The world of the security tests: two authorities, a user in each role, and
in authority A a public dataset, a private dataset and a publication, a private
draft, and a public and a private harvest source. Every private thing carries
markers (its id, name, a word of its title, a keyword, a format) that must
never reach anyone without rights.

Roles: anonymous, a logged-in user of no authority (`non_member`), a member of
A (`member`), an editor of B (`other_editor`), a sysadmin. Members of A and
sysadmins may see A's private datasets; for the harvest sources, the source
list shows private sources to sysadmins only (ckanext-harvest lists nothing to
other logged-in users).
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests
from ckan.tests import factories

from conftest import ActionApi

ROLES = ("anonymous", "non_member", "member", "other_editor", "sysadmin")
SEES_PRIVATE = {"member", "sysadmin"}
LICENSE = "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"


def dataset_dict(title: str, **fields: Any) -> dict[str, Any]:
    return {"name": f"sec-{uuid.uuid4().hex[:10]}", "title": title, "notes": f"{title}: Beschreibung",
            "license_id": LICENSE, **fields}


@dataclass
class Role:
    name: str
    api: ActionApi
    token: str | None
    web: str

    def get(self, path: str, **params) -> requests.Response:
        headers = {"Authorization": self.token} if self.token else {}
        return requests.get(self.web + path, params=params, headers=headers, timeout=120)

    def post_json(self, action: str, body: str | bytes) -> requests.Response:
        headers = {"Content-Type": "application/json", **({"Authorization": self.token} if self.token else {})}
        return requests.post(f"{self.api.base_url}/{action}", data=body, headers=headers, timeout=120)


@dataclass
class World:
    web: str
    roles: dict[str, Role] = field(repr=False)
    org_a: dict
    org_b: dict
    public: dict
    private: dict
    private_publication: dict
    draft: dict
    public_source: dict
    private_source: dict
    markers: dict[str, list[str]] = field(default_factory=dict)
    suffix: str = ""
    admin_name: str = ""

    @property
    def admin(self) -> ActionApi:
        return self.roles["sysadmin"].api


def make_world(stack) -> World:
    """Made through the API as the stack's users would (factories for the users)."""
    admin_user = factories.SysadminWithToken()
    admin = ActionApi(stack["api_url"], admin_user["token"])
    suffix = uuid.uuid4().hex[:8]
    org_a = admin("organization_create", name=f"sec-a-{suffix}", title="Sicherheitsamt A")
    org_b = admin("organization_create", name=f"sec-b-{suffix}", title="Sicherheitsamt B")
    users = {"non_member": factories.UserWithToken(), "member": factories.UserWithToken(),
             "other_editor": factories.UserWithToken()}
    admin("organization_member_create", id=org_a["id"], username=users["member"]["name"], role="member")
    admin("organization_member_create", id=org_b["id"], username=users["other_editor"]["name"], role="editor")

    secret_tag, secret_format = f"geheimwort{suffix}", f"GEHEIMFORMAT{suffix.upper()}"
    resource = {"url": "https://example.org/intern.csv", "format": secret_format, "name": f"Interne Liste {suffix}"}
    public = admin("package_create", owner_org=org_a["id"], **dataset_dict(
        "Öffentlicher Haushalt", tags=[{"name": f"offen{suffix}"}],
        resources=[{"url": "https://example.org/haushalt.csv", "format": "CSV"}]))
    private = admin("package_create", owner_org=org_a["id"], private=True, **dataset_dict(
        f"Verschlusssache{suffix} Personal", tags=[{"name": secret_tag}], resources=[resource]))
    private_publication = admin("package_create", owner_org=org_a["id"], private=True, type="publication",
                                document_type="gutachten-studien",
                                **dataset_dict(f"Geheimgutachten{suffix}", tags=[{"name": secret_tag}]))
    draft = admin("package_create", owner_org=org_a["id"], state="draft",
                  **dataset_dict(f"Entwurfsache{suffix}", tags=[{"name": f"entwurfwort{suffix}"}]))
    source_fields = {"source_type": "dcat_ap_de", "frequency": "MANUAL", "owner_org": org_a["id"],
                     "config": json.dumps({})}
    public_source = admin("harvest_source_create", name=f"sec-quelle-{suffix}", title="Offene Quelle",
                          url=f"https://offen-{suffix}.example/katalog.rdf", **source_fields)
    private_source = admin("harvest_source_create", name=f"sec-geheimquelle-{suffix}",
                           title=f"Geheimquelle{suffix}", url=f"https://geheim-{suffix}.example/katalog.rdf",
                           private=True, **source_fields)
    assert private_source["private"] is True

    web = stack["web_url"]
    tokens = {"anonymous": None, "sysadmin": admin_user["token"],
              **{name: user["token"] for name, user in users.items()}}
    roles = {name: Role(name, ActionApi(stack["api_url"], token), token, web) for name, token in tokens.items()}
    world = World(web, roles, org_a, org_b, public, private, private_publication, draft, public_source,
                  private_source, suffix=suffix, admin_name=admin_user["name"])
    world.markers = {
        "dataset": [private["id"], private["name"], f"Verschlusssache{suffix}", private_publication["id"],
                    private_publication["name"], f"Geheimgutachten{suffix}", draft["id"], f"Entwurfsache{suffix}"],
        "tag": [secret_tag, f"entwurfwort{suffix}"],
        "format": [secret_format, secret_format.lower()],
        "source": [private_source["id"], private_source["name"], f"Geheimquelle{suffix}", f"geheim-{suffix}"],
    }
    return world


def leaked(text: str, markers: list[str], asked: tuple[str, ...] = ()) -> list[str]:
    """The markers found in a response, except those the request itself named
    (an error message may repeat the id or name it was asked for)."""
    return [marker for marker in markers if marker in text and not any(marker in value for value in asked)]
