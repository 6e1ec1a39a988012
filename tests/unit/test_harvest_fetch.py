"""ckanext.thueringen.harvesters: fetching and parsing a catalogue page safely.

A misbehaving HTTP server on 127.0.0.1 (tests/fault_server.py, with the routes
of this module) plays every fault a remote catalogue can have; no other host is
contacted. Pure tests (no stack): run with
    .venv/bin/python -m pytest tests/unit/test_harvest_fetch.py -p no:ckan -p no:ckan_fixtures -q
"""
from __future__ import annotations

import gzip
import json
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ckanext.thueringen.harvesters import rdf_guard
from ckanext.thueringen.harvesters.fetch import FetchError, fetch
from ckanext.thueringen.harvesters.rdf_guard import ParseError, UnsafeDocument, check_safe, detect_format, parse_page
from ckanext.thueringen.security.outbound import OutboundPolicy
from fault_server import BILLION_LAUGHS, INVALID_XML, RDF_NS, XXE, FaultServer, send

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
BREMEN = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "bremen-catalog.rdf"
EXAMPLES = REFERENCE / "dcat-ap-de" / "examples-v2.0"

CAP = 64 * 1024            # max_bytes in the size tests
READ_TIMEOUT = 0.5
TOTAL_TIMEOUT = 1.0
SLOW = 1.5                 # the slow server waits this long before answering
TRICKLE = 0.05             # one byte every TRICKLE seconds
TRICKLE_BYTES = 400        # 20 s at most: far beyond TOTAL_TIMEOUT, but bounded

HTML_PAGE = "<!DOCTYPE html><html><body><h1>Wartungsarbeiten</h1></body></html>"


# --- the misbehaving server ---------------------------------------------------

def _redirect(location: str):
    return lambda h: send(h, b"", None, status=302, headers={"Location": location})


def _slow(h):
    time.sleep(SLOW)
    send(h, b"<rdf:RDF/>")


def _trickle_body(h):
    h.send_response(200)
    h.send_header("Content-Type", "application/rdf+xml")
    h.send_header("Content-Length", str(TRICKLE_BYTES))
    h.end_headers()
    for _ in range(TRICKLE_BYTES):
        h.wfile.write(b" ")
        h.wfile.flush()
        time.sleep(TRICKLE)


def _trickle_headers(h):
    h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    for _ in range(TRICKLE_BYTES):
        h.wfile.write(b"x")
        h.wfile.flush()
        time.sleep(TRICKLE)


def _truncated(declare_length: bool):
    body = BREMEN.read_bytes()
    half = body[: len(body) // 2]
    return lambda h: send(h, half, length=len(body) if declare_length else None)


def _stream(h, total: int, *, chunked: bool) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/turtle")
    if chunked:
        h.send_header("Transfer-Encoding", "chunked")
    else:
        h.send_header("Connection", "close")
        h.close_connection = True
    h.end_headers()
    block = b"<urn:a> <urn:b> <urn:c> .\n" * 160   # ~4 KB
    for _ in range(total // len(block) + 1):
        h.wfile.write(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
    if chunked:
        h.wfile.write(b"0\r\n\r\n")


def _gzip_bomb(h):
    packed = gzip.compress(b"\0" * (CAP * 64))   # 4 MB of zeros in a few KB
    send(h, packed, "application/rdf+xml", headers={"Content-Encoding": "gzip"})


def _example(name: str, content_type: str):
    return lambda h: send(h, (EXAMPLES / name).read_bytes(), content_type)


ROUTES = {
    "/bremen.rdf": lambda h: send(h, BREMEN.read_bytes(), "application/rdf+xml; charset=utf-8"),
    "/katalog": lambda h: send(h, BREMEN.read_bytes(), "application/octet-stream"),
    "/moved": _redirect("/bremen.rdf"),
    "/error": lambda h: send(h, b"Interner Fehler", "text/plain", status=500),
    "/slow": _slow,
    "/trickle-body": _trickle_body,
    "/trickle-headers": _trickle_headers,
    "/truncated-length.rdf": _truncated(declare_length=True),
    "/truncated-close.rdf": _truncated(declare_length=False),
    "/invalid.rdf": lambda h: send(h, INVALID_XML.encode()),
    "/xxe.rdf": lambda h: send(h, XXE.encode()),
    "/laughs.rdf": lambda h: send(h, BILLION_LAUGHS.encode()),
    "/big-length": lambda h: send(h, b" " * (CAP + 1)),
    "/big-close": lambda h: _stream(h, CAP * 4, chunked=False),
    "/big-chunked": lambda h: _stream(h, CAP * 4, chunked=True),
    "/big-gzip": _gzip_bomb,
    "/wartung.html": lambda h: send(h, HTML_PAGE.encode(), "text/html; charset=utf-8"),
    "/pdf": lambda h: send(h, b"%PDF-1.4", "application/pdf"),
    "/to-file": _redirect("file:///etc/passwd"),
    "/loop": _redirect("/loop"),
    "/simple.ttl": _example("dcat_ap_de-RefImp_TTL_SIMPLE.ttl", "text/plain"),
    "/advanced.ttl": _example("dcat_ap_de-RefImp_TTL_ADVANCED.ttl", "text/turtle"),
    "/simple.jsonld": _example("dcat_ap_de-RefImp_JSONLD_SIMPLE.jsonld", "application/octet-stream"),
    "/advanced.jsonld": _example("dcat_ap_de-RefImp_JSONLD_ADVANCED.jsonld", "application/ld+json"),
}


@pytest.fixture(scope="module")
def server():
    httpd = FaultServer(ROUTES)
    yield httpd.start()
    httpd.stop()


@pytest.fixture
def closed_port():
    """A port that is bound but not listening: connecting to it is refused, and nobody else can take it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def full_backlog_port():
    """A port whose listen queue is full: the kernel drops further connection attempts, so they time out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):
            filler = socket.socket()
            filler.settimeout(0.2)
            fillers.append(filler)
            try:
                filler.connect(("127.0.0.1", port))
            except TimeoutError:
                break
        else:
            pytest.skip("this kernel does not drop connections to a full listen queue")
        yield port
    finally:
        for sock in fillers + [listener]:
            sock.close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


# the misbehaving server is on this machine, which the outbound policy refuses unless allowed
LOCAL_SERVERS = OutboundPolicy("127.0.0.1")


def fast(**overrides):
    return {"connect_timeout": 1.0, "read_timeout": READ_TIMEOUT, "total_timeout": TOTAL_TIMEOUT,
            "policy": LOCAL_SERVERS, **overrides}


def fetch_fails(url: str, tmp_path: Path, kind: str, **options) -> FetchError:
    """fetch() raises FetchError(kind) naming the URL and leaves no file behind."""
    with pytest.raises(FetchError) as caught:
        fetch(url, tmp_path, **fast(**options))
    error = caught.value
    assert error.kind == kind, error.message
    assert url in error.message
    assert error.message == str(error)
    assert list(tmp_path.iterdir()) == [], "the partial download was not deleted"
    return error


# --- fetch: the good cases ----------------------------------------------------

def test_catalogue_is_fetched_and_parsed(server, tmp_path):
    url = f"{server}/bremen.rdf"
    fetched = fetch(url, tmp_path, **fast(total_timeout=10))
    assert fetched.url == url
    assert fetched.status == 200
    assert fetched.content_type == "application/rdf+xml; charset=utf-8"
    assert fetched.size == BREMEN.stat().st_size
    assert fetched.path.parent == tmp_path
    assert fetched.path.read_bytes() == BREMEN.read_bytes()
    import hashlib
    assert fetched.sha256 == hashlib.sha256(BREMEN.read_bytes()).hexdigest()
    page = parse_page(fetched.path, fetched.content_type, fetched.url)
    assert len(page.datasets) == 153
    assert page.next_page is None
    assert all(d.uri.startswith("https://www.transparenz.bremen.de/") for d in page.datasets)
    assert all(d.dataset.get("title") for d in page.datasets)


def test_redirect_is_followed(server, tmp_path):
    fetched = fetch(f"{server}/moved", tmp_path, **fast(total_timeout=10))
    assert fetched.url == f"{server}/bremen.rdf"
    assert fetched.size == BREMEN.stat().st_size


@pytest.mark.parametrize("path, titles", [
    ("/simple.ttl", {"Badegewässer (Daten) Hamburg"}),
    ("/advanced.ttl", {"Badegewässer in Hamburg", "Gebietsgrenzen Polizeikommissariate"}),
    ("/simple.jsonld", {"Badegewässer (Daten) Hamburg"}),
    ("/advanced.jsonld", {"Badegewässer in Hamburg", "Gebietsgrenzen Polizeikommissariate"}),
])
def test_official_examples_are_fetched_and_parsed(server, tmp_path, path, titles):
    fetched = fetch(server + path, tmp_path, **fast())
    page = parse_page(fetched.path, fetched.content_type, fetched.url)
    assert {d.dataset["title"] for d in page.datasets} == titles


# --- fetch: the faults --------------------------------------------------------

def test_connection_refused(closed_port, tmp_path):
    error = fetch_fails(f"http://127.0.0.1:{closed_port}/catalog.rdf", tmp_path, "connection")
    assert "lehnt die Verbindung ab" in error.message


def test_connect_timeout(full_backlog_port, tmp_path):
    started = time.monotonic()
    error = fetch_fails(f"http://127.0.0.1:{full_backlog_port}/catalog.rdf", tmp_path, "timeout", connect_timeout=0.5)
    assert time.monotonic() - started < TOTAL_TIMEOUT
    assert "Verbindung kam nicht innerhalb von 0,5 s zustande" in error.message


def test_unknown_host(monkeypatch, tmp_path):
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):   # no DNS query leaves this machine
        if host == "katalog.example.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    error = fetch_fails("http://katalog.example.invalid/catalog.rdf", tmp_path, "connection")
    assert "katalog.example.invalid ist unbekannt" in error.message


def test_tls_error(server, tmp_path):
    port = urlsplit(server).port   # speaks plain HTTP, not TLS
    error = fetch_fails(f"https://127.0.0.1:{port}/bremen.rdf", tmp_path, "connection")
    assert "TLS" in error.message


@pytest.mark.parametrize("path, kind, phrase", [
    ("/error", "http_status", "antwortete mit HTTP 500 (Internal Server Error)"),
    ("/nicht-da.rdf", "http_status", "antwortete mit HTTP 404 (Not Found)"),
    ("/truncated-length.rdf", "connection", "brach ab, bevor die Antwort vollständig war"),
    ("/wartung.html", "content_type", "liefert eine HTML-Seite (text/html) statt eines RDF-Katalogs"),
    ("/pdf", "content_type", "liefert den Inhaltstyp application/pdf"),
    ("/to-file", "scheme", "leitet auf file:///etc/passwd weiter"),
    ("/loop", "http_status", "leitet mehr als 5-mal weiter"),
])
def test_server_faults(server, tmp_path, path, kind, phrase):
    error = fetch_fails(server + path, tmp_path, kind)
    assert phrase in error.message
    assert "root:" not in error.message


def test_slow_answer_runs_into_the_read_timeout(server, tmp_path):
    started = time.monotonic()
    error = fetch_fails(f"{server}/slow", tmp_path, "timeout")
    assert time.monotonic() - started < SLOW
    assert "0,5 s lang kamen keine Daten" in error.message


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_trickling_server_is_cut_off_at_the_total_deadline(server, tmp_path, path):
    started = time.monotonic()
    error = fetch_fails(server + path, tmp_path, "timeout")
    elapsed = time.monotonic() - started
    assert TOTAL_TIMEOUT <= elapsed < TOTAL_TIMEOUT + READ_TIMEOUT, elapsed
    assert "länger als 1 s" in error.message


def test_truncated_response_without_content_length_fails_to_parse(server, tmp_path):
    url = f"{server}/truncated-close.rdf"
    fetched = fetch(url, tmp_path, **fast())
    assert fetched.size == BREMEN.stat().st_size // 2
    with pytest.raises(ParseError) as caught:
        parse_page(fetched.path, fetched.content_type, fetched.url)
    assert url in str(caught.value)
    assert "RDF/XML" in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("path, declared", [
    ("/big-length", True), ("/big-close", False), ("/big-chunked", False), ("/big-gzip", False)])
def test_response_over_the_size_cap(server, tmp_path, path, declared):
    error = fetch_fails(server + path, tmp_path, "too_large", max_bytes=CAP)
    assert "64 KB" in error.message
    assert ("Content-Length" in error.message) == declared


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/catalog.rdf"])
def test_other_schemes_are_refused(tmp_path, url):
    fetch_fails(url, tmp_path, "scheme")


def test_error_kinds_are_fixed():
    with pytest.raises(ValueError):
        FetchError("oops", "irgendwas")


# --- parse: the faults --------------------------------------------------------

@pytest.fixture
def no_parser(monkeypatch):
    """Records every call of the RDF parser (there must be none for unsafe documents)."""
    calls = []
    monkeypatch.setattr(rdf_guard, "parse_datasets", lambda *args, **kwargs: calls.append(args))
    return calls


def test_invalid_xml(server, tmp_path):
    url = f"{server}/invalid.rdf"
    fetched = fetch(url, tmp_path, **fast())
    with pytest.raises(ParseError) as caught:
        parse_page(fetched.path, fetched.content_type, fetched.url)
    message = str(caught.value)
    assert not isinstance(caught.value, UnsafeDocument)
    assert url in message and "RDF/XML" in message and "mismatched tag" in message


@pytest.mark.parametrize("path, what", [("/xxe.rdf", "externe Entität (xxe)"), ("/laughs.rdf", "Entität (lol)")])
def test_entity_declarations_are_refused_before_parsing(server, tmp_path, capsys, caplog, no_parser, path, what):
    url = server + path
    fetched = fetch(url, tmp_path, **fast())
    with pytest.raises(UnsafeDocument) as caught:
        parse_page(fetched.path, fetched.content_type, fetched.url)
    message = str(caught.value)
    assert url in message and what in message
    assert no_parser == []
    captured = capsys.readouterr()
    for output in (message, captured.out, captured.err, caplog.text):
        assert "root:" not in output


def test_secret_never_reaches_any_output(tmp_path, capsys, caplog):
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM-4711")
    document = tmp_path / "page"
    document.write_text(XXE.replace("file:///etc/passwd", secret.as_uri()))
    with pytest.raises(UnsafeDocument) as caught:
        parse_page(document, "text/plain", "https://example.org/katalog")
    captured = capsys.readouterr()
    for output in (str(caught.value), repr(caught.value), captured.out, captured.err, caplog.text):
        assert "GEHEIM-4711" not in output


@pytest.mark.parametrize("document", [
    # the same XXE in UTF-16, and in UTF-8 behind a declared encoding expat would read differently
    XXE.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16"),
    XXE.replace('version="1.0"', 'version="1.0" encoding="cp500"').encode(),
    # an external DTD, an internal subset without entities, a subset that breaks off
    f'<!DOCTYPE rdf:RDF SYSTEM "file:///etc/passwd"><rdf:RDF {RDF_NS}/>'.encode(),
    f'<!DOCTYPE rdf:RDF [<!ATTLIST rdf:RDF a CDATA "b">]><rdf:RDF {RDF_NS}/>'.encode(),
    b'<!DOCTYPE rdf:RDF [ <!-- ',
])
def test_check_safe_sees_through_encodings_and_dtd_variants(tmp_path, document):
    path = tmp_path / "page"
    path.write_bytes(document)
    for rdf_format in ("xml", "turtle"):   # whatever the format is taken to be
        with pytest.raises(UnsafeDocument):
            check_safe(path, rdf_format)


def test_check_safe_passes_ordinary_documents(tmp_path):
    path = tmp_path / "page.rdf"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF>\n<rdf:RDF {RDF_NS}/>\n')
    check_safe(path, "xml")
    for example in EXAMPLES.iterdir():
        check_safe(example, detect_format(example, None, None))
    check_safe(BREMEN, "xml")


def test_remote_jsonld_context_is_refused(tmp_path, no_parser, closed_port):
    path = tmp_path / "page"
    context = f"http://127.0.0.1:{closed_port}/context.jsonld"
    path.write_text(json.dumps({"@graph": [{"@context": [context, {}], "@id": "urn:x"}]}))
    with pytest.raises(UnsafeDocument) as caught:
        parse_page(path, "application/ld+json", "https://example.org/katalog.jsonld")
    assert context in str(caught.value) and "https://example.org/katalog.jsonld" in str(caught.value)
    assert no_parser == []


@pytest.mark.parametrize("content, content_type, reason", [
    (b"", "text/turtle", "leer"),
    (HTML_PAGE.encode(), "text/plain", "HTML-Seite"),
    (b'{"@id": "urn:x", "http://purl.org/dc/terms/title": ', "application/ld+json", "JSON-LD"),
    (b"@prefix dct: <http://purl.org/dc/terms/> .\n<urn:x> dct:title \"offen", "text/turtle", "Turtle"),
    (b"[" * 100_000, "application/json", "JSON-LD"),
])
def test_unreadable_pages(tmp_path, content, content_type, reason):
    path = tmp_path / "page"
    path.write_bytes(content)
    with pytest.raises(ParseError) as caught:
        parse_page(path, content_type, "https://example.org/katalog")
    message = str(caught.value)
    assert "https://example.org/katalog" in message and reason in message
    assert "\n" not in message and len(message) < 400


# --- format detection ---------------------------------------------------------

@pytest.mark.parametrize("content_type, url, head, expected", [
    ("application/rdf+xml; charset=utf-8", None, "", "xml"),
    ("text/turtle", None, "", "turtle"),
    ("application/ld+json", None, "", "json-ld"),
    ("application/n-triples", None, "", "nt"),
    ("text/plain", "https://example.org/katalog.ttl", "", "turtle"),
    ("application/octet-stream", "https://example.org/katalog.jsonld?page=2", "", "json-ld"),
    (None, "https://example.org/katalog.rdf", "", "xml"),
    ("text/plain", "https://example.org/katalog", '\ufeff<?xml version="1.0"?><rdf:RDF/>', "xml"),
    ("text/plain", "https://example.org/katalog", f"<rdf:RDF {RDF_NS}>", "xml"),
    ("text/plain", "https://example.org/katalog", '  {"@context": {}}', "json-ld"),
    ("text/plain", "https://example.org/katalog", '[{"@id": "urn:x"}]', "json-ld"),
    ("text/plain", "https://example.org/katalog", "# Kommentar\n@prefix dct: <http://purl.org/dc/terms/> .", "turtle"),
    ("text/plain", "https://example.org/katalog", "PREFIX dct: <http://purl.org/dc/terms/>", "turtle"),
    ("text/plain", "https://example.org/katalog", "<https://example.org/a> <https://example.org/b> \"c\" .", "turtle"),
])
def test_detect_format(tmp_path, content_type, url, head, expected):
    path = tmp_path / "page"
    path.write_text(head, encoding="utf-8")
    assert detect_format(path, content_type, url) == expected


def test_sniffed_catalogue(server, tmp_path):
    fetched = fetch(f"{server}/katalog", tmp_path, **fast(total_timeout=10))
    assert detect_format(fetched.path, fetched.content_type, fetched.url) == "xml"
