"""A small static file server for catalogues on this machine.

`make run` serves the demo catalogues in config/demo/catalogs with it, and the
tests serve reference catalogues with it. Unlike `python -m http.server` it
names RDF media types correctly and logs no client addresses (the portal keeps
no personal data of its visitors, ThürTPVO).
"""
from __future__ import annotations

import argparse
import functools
import mimetypes
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RDF_MEDIA_TYPES = {
    ".rdf": "application/rdf+xml",
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".n3": "text/n3",
}


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **RDF_MEDIA_TYPES}

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def make_server(directory: Path | str, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server bound to host:port (0 picks a free port) that serves `directory`."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_thread(directory: Path | str, port: int = 0) -> ThreadingHTTPServer:
    server = make_server(directory, port)
    threading.Thread(target=server.serve_forever, name="static-server", daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("directory", type=Path)
    args = parser.parse_args()
    for suffix, media_type in RDF_MEDIA_TYPES.items():
        mimetypes.add_type(media_type, suffix)
    make_server(args.directory, args.port).serve_forever()


if __name__ == "__main__":
    main()
