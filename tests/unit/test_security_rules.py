"""ckanext.thueringen.security: the pure rules (no stack needed):
    .venv/bin/python -m pytest tests/unit/test_security_rules.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import flask
import pytest

from ckanext.thueringen.security import headers, outbound, uploads, urls
from ckanext.thueringen.security.csrf import RequestScopedExemptions

# --- outbound -------------------------------------------------------------------

@pytest.mark.parametrize("address, phrase", [
    ("127.0.0.1", "Loopback"), ("127.255.0.9", "Loopback"), ("::1", "Loopback"),
    ("::ffff:127.0.0.1", "Loopback"), ("10.1.2.3", "privaten Netzes"), ("172.31.255.255", "privaten Netzes"),
    ("192.168.178.1", "privaten Netzes"), ("fd12:3456::1", "privaten Netzes"), ("100.100.100.200", "Carrier-Grade"),
    ("169.254.169.254", "Link-local"), ("fe80::1", "Link-local"), ("::ffff:169.254.169.254", "Link-local"),
    ("64:ff9b::a9fe:a9fe", "Link-local"), ("2002:a9fe:a9fe::", "Link-local"), ("0.0.0.0", "unbestimmte"),
    ("::", "unbestimmte"), ("224.0.0.251", "Multicast"), ("ff02::fb", "Multicast"), ("239.255.255.250", "Multicast"),
    ("255.255.255.255", "Broadcast"), ("240.0.0.1", "reservierte"), ("192.0.2.10", "Dokumentation"),
    ("2001:db8::1", "Dokumentation"), ("198.18.0.1", "Netz-Messungen"), ("2001::1", "Teredo"),
    ("64:ff9b:1::1", "NAT64"), ("::127.0.0.1", "IPv4-kompatible"), ("fec0::1", "Site-local"),
])
def test_internal_addresses_are_refused_with_a_german_reason(address, phrase):
    reason = outbound.refusal_reason(address)
    assert reason is not None and phrase in reason, reason


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808", "2002:808:808::1"])
def test_public_addresses_are_allowed(address):
    assert outbound.refusal_reason(address) is None


def test_allow_list_parsing():
    entries = outbound.parse_allow_list("10.0.0.0/8, intranet.example:8443 [fd00::1]:80-90\n127.0.0.1:9")
    assert [e.text for e in entries] == ["10.0.0.0/8", "intranet.example:8443", "[fd00::1]:80-90", "127.0.0.1:9"]
    assert entries[1].host == "intranet.example" and entries[1].ports == (8443, 8443)
    assert entries[2].ports == (80, 90) and str(entries[2].network) == "fd00::1/128"
    assert outbound.parse_allow_list(["10.0.0.1", "10.0.0.2 10.0.0.3"])[2].text == "10.0.0.3"
    assert outbound.parse_allow_list("") == () and outbound.parse_allow_list(None) == ()


def test_a_name_with_any_refused_address_is_refused():
    policy = outbound.OutboundPolicy("", resolver=lambda host, port: ["93.184.215.14", "10.0.0.1"])
    with pytest.raises(outbound.OutboundRefused, match="aufgelöst zu 10.0.0.1"):
        policy.addresses("gemischt.example", 80)


# --- URLs -----------------------------------------------------------------------

@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "java\nscript:alert(1)",
                                 "\x00javascript:alert(1)", "jav\tascript:alert(1)",
                                 "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x", "file:///etc/passwd",
                                 "ftp://example.org/"])
def test_safe_url_makes_other_schemes_inert(url):
    assert urls.safe_url(url) == "#"
    assert not urls.is_web_address(url)


@pytest.mark.parametrize("url", ["https://example.org/a.pdf", "http://example.org", "mailto:amt@example.org",
                                 "/dataset/x", "x.csv", "?q=1", "//example.org/a"])
def test_safe_url_keeps_web_mail_and_relative_addresses(url):
    assert urls.safe_url(url) == url


def test_web_addresses():
    assert urls.is_web_address("https://example.org/x?y=1")
    for url in ("https://", "http:///x", "example.org", "https://exa mple.org", "https://example.org/\n"):
        assert not urls.is_web_address(url), url
    assert urls.safe_url(None) == ""


# --- uploads --------------------------------------------------------------------

@pytest.mark.parametrize("stored, filename, expected", [
    ("https://www.iana.org/assignments/media-types/text/html", "x.bin", "text/html"),
    ("http://www.iana.org/assignments/media-types/image/svg+xml", None, "image/svg+xml"),
    ("text/csv", "x.bin", "text/csv"),
    ("kein typ", "seite.html", "text/html"),
    (None, "bild.svg", "image/svg+xml"),
    ("https://example.org/text/html", "x", "application/octet-stream"),
    ("", "", "application/octet-stream"),
])
def test_media_type(stored, filename, expected):
    assert uploads.media_type(stored, filename) == expected


def test_download_headers():
    html = uploads.download_headers("https://www.iana.org/assignments/media-types/text/html", "böse seite.html")
    assert html["Content-Type"] == "text/html"
    assert html["Content-Disposition"] == 'attachment; filename="b_se_seite.html"'
    assert "sandbox" in html["Content-Security-Policy"]
    text = uploads.download_headers(None, "notiz.txt")
    assert text == {"Content-Type": "text/plain; charset=utf-8"}
    assert "Content-Disposition" in uploads.download_headers(None, "unbekannt.xyz")


def test_orphans_and_deletion(tmp_path):
    keep, orphan = "0123456789-aaaa", "abcdef0123-bbbb"
    for resource_id in (keep, orphan):
        path = uploads.upload_path(tmp_path, resource_id)
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x")
    assert [rid for rid, _ in uploads.orphaned_uploads(tmp_path, [keep])] == [orphan]
    assert uploads.delete_upload(tmp_path, orphan)
    assert not (tmp_path / "resources" / "abc").exists()   # emptied folders go too
    assert not uploads.delete_upload(tmp_path, orphan)
    assert not uploads.delete_upload(tmp_path, "../../etc/passwd")
    assert uploads.upload_path(tmp_path, keep).is_file()


# --- headers and CSRF -------------------------------------------------------------

def test_content_security_policy():
    policy = headers.content_security_policy()
    script_src = next(p for p in policy.split("; ") if p.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert script_src.count("'sha256-") == len(headers.CORE_HANDLERS)
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
    extended = headers.content_security_policy("img-src 'self' https://karten.example; media-src 'self'")
    assert "img-src 'self' https://karten.example" in extended and "media-src 'self'" in extended
    assert "img-src 'self' data: https:" not in extended


def test_csrf_exemptions_made_in_a_request_end_with_it():
    app = flask.Flask(__name__)
    exemptions = RequestScopedExemptions({"declared.view"})
    exemptions.add("also.declared")                  # outside a request: for good
    with app.test_request_context("/"):
        exemptions.add("views.edit")                 # what CKAN 2.12.0 does for a token request
        assert "views.edit" in exemptions and "declared.view" in exemptions
    with app.test_request_context("/"):
        assert "views.edit" not in exemptions
        assert "declared.view" in exemptions and "also.declared" in exemptions
    assert "views.edit" not in exemptions


def test_headers_on_an_app_and_hsts_only_when_configured():
    for max_age, expected in ((0, None), (31536000, "max-age=31536000; includeSubDomains")):
        app = flask.Flask(__name__)
        app.add_url_rule("/", "home", lambda: "Hallo")
        headers.install(app, headers.content_security_policy(), max_age)
        response = app.test_client().get("/")
        assert response.headers.get("Strict-Transport-Security") == expected
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        refused = app.test_client().get("/api/3/action/status_show?callback=alert")
        assert refused.status_code == 400 and "JSONP" in refused.get_json()["error"]["message"]
