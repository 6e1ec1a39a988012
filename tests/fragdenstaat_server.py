"""A local stand-in for FragDenStaat's request API, for the harvester's tests.

Serves tests/fixtures/fragdenstaat/requests.json the way froide does (see that
file's comment): the list view `/api/v1/request/` with froide's filters
(jurisdiction, status, resolution) and its limit/offset paging
(`{"meta": {limit, next, offset, previous, total_count}, "objects": [...]}`,
at most `max_limit` per page, like froide's CustomLimitOffsetPagination), the
detail view `/api/v1/request/<id>/`, and the attachments' files (PDFs written by
`pdf_writer`). Tests change what it serves through `hidden`, `changes` and
`failing` to play a source that changes or breaks.
"""
from __future__ import annotations

import copy
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from pdf_writer import write_pdf

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fragdenstaat" / "requests.json"
LIST_FIELDS = ("resource_uri", "id", "url", "jurisdiction", "is_foi", "checked", "refusal_reason", "costs", "public",
               "law", "description", "redacted_description", "summary", "same_as_count", "same_as", "due_date",
               "resolved_on", "last_message", "created_at", "last_modified_at", "status", "public_body",
               "resolution", "slug", "title", "reference", "user", "project", "campaign", "tags")


class FragDenStaatServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, max_limit: int = 50):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.data = json.loads(FIXTURES.read_text(encoding="utf-8"))
        self.max_limit = max_limit
        self.hidden: set[int] = set()        # request ids the API no longer shows
        self.changes: dict[int, dict] = {}   # request id -> fields that differ from the fixture
        self.failing = False                 # the list view answers 500
        self.requests_served: list[str] = []

    @property
    def site(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> FragDenStaatServer:
        threading.Thread(target=self.serve_forever, name="fragdenstaat", daemon=True).start()
        return self

    # --- froide's serializers --------------------------------------------------

    def detail(self, raw: dict) -> dict:
        site = self.site
        request = copy.deepcopy({**raw, **self.changes.get(raw["id"], {})})
        law = next(law for law in self.data["laws"] if law["id"] == request["law"])
        body = next(body for body in self.data["public_bodies"] if body["id"] == request["public_body"])
        request.update({
            "resource_uri": f"{site}/api/v1/request/{request['id']}/",
            "url": f"/anfrage/{request['slug']}/",
            "jurisdiction": f"{site}/api/v1/jurisdiction/{request['jurisdiction']}/",
            "redacted_description": [[False, request["description"]]],
            "law": {**law, "resource_uri": f"{site}/api/v1/law/{law['id']}/",
                    "jurisdiction": f"{site}/api/v1/jurisdiction/{law['jurisdiction']}/",
                    "site_url": f"{site}/gesetz/{law['slug']}/", "last_modified_at": "2024-01-01T00:00:00+01:00"},
            "public_body": {**body, "resource_uri": f"{site}/api/v1/publicbody/{body['id']}/",
                            "jurisdiction": f"{site}/api/v1/jurisdiction/{body['jurisdiction']}/",
                            "site_url": f"{site}/behoerde/{body['slug']}/", "classification": None,
                            "geo": None, "last_modified_at": "2024-01-01T00:00:00+01:00"},
        })
        for message in request["messages"]:
            message.update({"resource_uri": f"{site}/api/v1/message/{message['id']}/",
                            "request": request["resource_uri"],
                            "url": f"{site}/a/{request['id']}#nachricht-{message['id']}"})
            for attachment in message["attachments"]:
                attachment.update({
                    "resource_uri": f"{site}/api/v1/attachment/{attachment['id']}/",
                    "belongs_to": message["resource_uri"],
                    "site_url": f"{site}/anfrage/{request['slug']}/{message['id']}/anhang/{attachment['name']}",
                    "anchor_url": f"{site}/anfrage/{request['slug']}/#nachricht-{message['id']}",
                    "file_url": site + attachment["file_url"],
                    "redacted": (attachment["redacted"] or "").replace("{site}", site) or None,
                })
        return request

    def listed(self, raw: dict) -> dict:
        detail = self.detail(raw)
        return {key: (detail["law"]["resource_uri"] if key == "law" else detail.get(key)) for key in LIST_FIELDS}

    def matching(self, query: dict[str, str]) -> list[dict]:
        found = []
        for raw in self.data["requests"]:
            request = {**raw, **self.changes.get(raw["id"], {})}
            if request["id"] in self.hidden or not request.get("public", True):
                continue
            if all(str(request.get(key)) == value for key, value in query.items()
                   if key in ("jurisdiction", "status", "resolution")):
                found.append(raw)
        return found


class _Handler(BaseHTTPRequestHandler):
    server: FragDenStaatServer

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        self.server.requests_served.append(self.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        if parts.path == "/api/v1/request/":
            if self.server.failing:
                return self.send(500, b"Internal Server Error", "text/plain")
            return self.send_json(self.page(query))
        if parts.path == "/api/v1/jurisdiction/":
            jurisdictions = self.server.data["jurisdictions"]
            return self.send_json({"meta": {"limit": 50, "next": None, "offset": 0, "previous": None,
                                            "total_count": len(jurisdictions)}, "objects": jurisdictions})
        match = re.fullmatch(r"/api/v1/request/(\d+)/", parts.path)
        if match:
            raw = next((r for r in self.server.data["requests"] if r["id"] == int(match.group(1))), None)
            if raw is None or raw["id"] in self.server.hidden:
                return self.send_json({"detail": "Nicht gefunden."}, 404)
            return self.send_json(self.server.detail(raw))
        if parts.path.startswith("/files/") and parts.path.endswith(".pdf"):
            name = parts.path.rsplit("/", 1)[-1]
            return self.send(200, write_pdf([f"Anlage {name} einer Anfrage nach dem Thüringer Transparenzgesetz."],
                                            title=name), "application/pdf")
        return self.send_json({"detail": "Nicht gefunden."}, 404)

    def page(self, query: dict[str, str]) -> dict:
        matching = self.server.matching(query)
        limit = min(int(query.get("limit", 20)), self.server.max_limit)
        offset = int(query.get("offset", 0))
        base = f"{self.server.site}/api/v1/request/"

        def link(new_offset: int) -> str:
            return base + "?" + urlencode({**query, "limit": limit, "offset": new_offset})

        return {"meta": {"limit": limit,
                         "next": link(offset + limit) if offset + limit < len(matching) else None,
                         "offset": offset,
                         "previous": link(max(offset - limit, 0)) if offset > 0 else None,
                         "total_count": len(matching)},
                "objects": [self.server.listed(raw) for raw in matching[offset:offset + limit]]}

    def send_json(self, body, status: int = 200) -> None:
        self.send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json")

    def send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
