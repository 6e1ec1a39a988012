"""A misbehaving HTTP server on 127.0.0.1 for tests of what the portal does with
remote catalogues: each test gives it a table of routes (path -> a function that
answers on the request handler), so one server can play every fault a remote
server has (slow, truncated, wrong type, hostile XML). No other host is contacted.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Route = Callable[[BaseHTTPRequestHandler], None]

RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/"'
XXE = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rdf:RDF {RDF_NS}>
  <rdf:Description rdf:about="https://example.org/dataset/1"><dct:title>&xxe;</dct:title></rdf:Description>
</rdf:RDF>
"""
BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY lol "lol">
  {"".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))}
]>
<rdf:RDF {RDF_NS}>
  <rdf:Description rdf:about="https://example.org/dataset/1"><dct:title>&lol9;</dct:title></rdf:Description>
</rdf:RDF>
"""
INVALID_XML = f'<?xml version="1.0"?>\n<rdf:RDF {RDF_NS}>\n  <rdf:Description>\n</rdf:RDF>\n'


def send(handler, body: bytes, content_type: str | None = "application/rdf+xml", *, status: int = 200,
         length: int | None = -1, headers: dict[str, str] | None = None) -> None:
    """One response; length -1: the true Content-Length, None: none (the body ends when the connection does).
    A Content-Length other than the body's closes the connection after the body."""
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    if length is None or length not in (-1, len(body)):
        handler.close_connection = True
    if length is None:
        handler.send_header("Connection", "close")
    else:
        handler.send_header("Content-Length", str(len(body) if length == -1 else length))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()


def body(data: bytes, content_type: str = "application/rdf+xml") -> Route:
    """A route that answers with `data`."""
    return lambda handler: send(handler, data, content_type)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - the base class's name
        route = self.server.routes.get(urlsplit(self.path).path)
        try:
            if route is None:
                send(self, b"", None, status=404)
            else:
                route(self)
        except OSError:   # the client gave up (that is what most tests want)
            self.close_connection = True

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class FaultServer(ThreadingHTTPServer):
    """Serves `routes` (read on every request, so a test may change them while it runs)."""

    daemon_threads = True

    def __init__(self, routes: dict[str, Route]):
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes = routes
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> str:
        """Serve in a background thread; the server's base URL."""
        threading.Thread(target=self.serve_forever, name="fault-server", daemon=True).start()
        return self.url

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address):
        pass   # clients that hang up (TLS handshakes on plain HTTP, cancelled downloads)
