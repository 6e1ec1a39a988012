"""Anonymous access (ThürTPVO): no log the stack writes holds a visitor's address.

The visitor here connects from 127.0.0.2, an address of the loopback network
that no service of the stack uses itself, and claims further addresses in the
headers a reverse proxy sets (documentation addresses of RFC 5737 and
RFC 3849). Any of them in a log file, or in the PostgreSQL log, is a leak:
an access log switched on, a request logged with its environ, a forwarded
header written into an error report.
"""
from __future__ import annotations

import http.client
import json
import uuid
from pathlib import Path

import pytest

from conftest import STATE_DIR, wait_until

VISITOR_ADDRESS = "127.0.0.2"
FORWARDED_ADDRESSES = ("203.0.113.77", "198.51.100.23", "2001:db8::7e57")
BAD_TOKEN_VISITS = 3

# Pages, API calls, errors and a download: what a visitor does, and what makes
# servers write log lines (not-found pages, failed actions, a bad search).
VISITOR_REQUESTS = [
    ("GET", "/"),
    ("GET", "/dataset/"),
    ("GET", "/dataset/?q=Haushalt&sort=score+desc"),
    ("GET", "/en/dataset/"),
    ("GET", "/organization/"),
    ("GET", "/dataset/diesen-datensatz-gibt-es-nicht"),
    ("GET", "/api/3/action/package_search?q=Wasser"),
    ("GET", "/api/3/action/package_show?id=gibt-es-nicht"),
    ("GET", "/api/3/action/package_search?q=title:(&rows=abc"),
    ("POST", "/api/3/action/package_create"),
    ("GET", "/catalog.ttl"),
    ("GET", "/harvest/"),
    ("GET", "/user/login"),
    ("GET", "/nicht/vorhanden/seite"),
]


def _visit(port: int, method: str, path: str, **more_headers: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(VISITOR_ADDRESS, 0))
    headers = {
        "X-Forwarded-For": f"{FORWARDED_ADDRESSES[0]}, {FORWARDED_ADDRESSES[1]}",
        "X-Real-IP": FORWARDED_ADDRESSES[0],
        "Forwarded": f'for="[{FORWARDED_ADDRESSES[2]}]";proto=https',
        "User-Agent": "Datenschutzpruefung/1.0",
        **more_headers,
    }
    body = None
    if method == "POST":
        body = json.dumps({"name": "x"})
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _postgres_error_with(marker: str) -> None:
    """A failing statement: PostgreSQL logs it (log_min_error_statement) with the marker."""
    import ckan.model as model
    import sqlalchemy as sa

    model.Session.remove()
    with pytest.raises(sa.exc.DataError):
        model.Session.execute(sa.text("SELECT CAST(:marker AS integer)"), {"marker": marker})
    model.Session.rollback()


def _log_files() -> list[Path]:
    logs = STATE_DIR / "log"
    files = [path.resolve() for path in logs.iterdir() if path.is_file() or path.is_symlink()]
    return [path for path in files if path.is_file()]


def test_the_visitor_address_is_what_a_server_sees():
    """The premise of the test: a connection made as the visitor reaches a server
    on 127.0.0.1 with 127.0.0.2 as its peer address, so an access log of CKAN
    would write 127.0.0.2."""
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), source_address=(VISITOR_ADDRESS, 0)):
            accepted, peer = server.accept()
            accepted.close()
    assert peer[0] == VISITOR_ADDRESS


def test_no_client_address_in_any_log(stack):
    port = stack["ports"]["ckan"]
    sizes_before = {path: path.stat().st_size for path in _log_files()}
    statuses = {path: _visit(port, method, path) for method, path in VISITOR_REQUESTS}
    # the visits reached the portal: pages, not-found pages and API errors
    assert statuses["/"] == 200 and statuses["/dataset/diesen-datensatz-gibt-es-nicht"] == 404
    assert statuses["/api/3/action/package_show?id=gibt-es-nicht"] == 404
    assert statuses["/api/3/action/package_create"] in (400, 403)

    logs = _log_files()
    names = {path.name for path in logs}
    # every service of the stack writes a log here, so the search covers them all
    assert {"ckan.log", "postgres.log", "redis.log", "solr.log"} <= names, names

    # Marker lines written after the visits: the search below runs only once the
    # logs hold them, so it never reads logs that have not caught up.
    for _ in range(BAD_TOKEN_VISITS):
        # CKAN logs "Cannot decode JWT token" at ERROR for a token it cannot read
        _visit(port, "GET", "/api/3/action/status_show", Authorization="kein-gueltiges-token")
    marker = f"Datenschutz-Marke {uuid.uuid4().hex}"
    _postgres_error_with(marker)

    def bad_tokens_logged() -> int:
        with (STATE_DIR / "log" / "ckan.log").open("rb") as file:
            file.seek(sizes_before.get((STATE_DIR / "log" / "ckan.log").resolve(), 0))
            return file.read().count(b"Cannot decode JWT token")

    wait_until(lambda: bad_tokens_logged() >= BAD_TOKEN_VISITS, timeout=30, interval=0.5,
               what="the web server's marker lines in ckan.log")
    wait_until(lambda: marker in (STATE_DIR / "log" / "postgres.log").read_text(errors="replace"), timeout=30,
               interval=0.5, what="the marker in postgres.log")
    leaks = []
    for path in logs:
        text = path.read_text(errors="replace")
        for address in (VISITOR_ADDRESS, *FORWARDED_ADDRESSES):
            if address in text:
                line = next(line for line in text.splitlines() if address in line)
                leaks.append(f"{path.name}: {line[:200]}")
    assert not leaks, "client addresses in the logs:\n" + "\n".join(leaks)


@pytest.mark.parametrize("setting", ["ckan.tracking_enabled"])
def test_no_visitor_tracking(setting):
    """CKAN's page-view tracking stores a hash of address and user agent per visit."""
    import ckan.plugins.toolkit as toolkit

    assert not toolkit.asbool(toolkit.config.get(setting))
