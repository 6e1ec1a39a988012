"""A small static file server for catalogues on this machine.

`make run` serves the demo catalogues in config/demo/catalogs with it, and the
tests serve reference catalogues with it. Unlike `python -m http.server` it
names RDF and feed media types correctly and logs no client addresses (the portal
keeps no personal data of its visitors, ThürTPVO). With `--demo-documents DIR` it
first writes the documents of the demo feeds into DIR (generated, so under var/,
not in git) and serves them beside the catalogues.
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


FEED_MEDIA_TYPES = {".atom": "application/atom+xml", ".rss": "application/rss+xml"}


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **RDF_MEDIA_TYPES, **FEED_MEDIA_TYPES}
    more_directories: tuple[str, ...] = ()

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def translate_path(self, path):
        """The file in the first directory that has it (generated files beside the checked-in ones)."""
        primary = super().translate_path(path)
        if Path(primary).exists():
            return primary
        for directory in self.more_directories:
            self.directory = directory
            candidate = super().translate_path(path)
            if Path(candidate).exists():
                return candidate
        return primary


def make_server(directory: Path | str, port: int = 0, host: str = "127.0.0.1",
                more_directories: tuple[Path | str, ...] = ()) -> ThreadingHTTPServer:
    """A server bound to host:port (0 picks a free port) that serves `directory`,
    and files missing there from `more_directories`."""
    handler = functools.partial(type("_Handler", (_QuietHandler,), {
        "more_directories": tuple(str(d) for d in more_directories)}), directory=str(directory))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_thread(directory: Path | str, port: int = 0,
                    more_directories: tuple[Path | str, ...] = ()) -> ThreadingHTTPServer:
    server = make_server(directory, port, more_directories=more_directories)
    threading.Thread(target=server.serve_forever, name="static-server", daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--demo-documents", type=Path, help="write the documents of the demo feeds in "
                        "`directory` into this folder (demo_documents.py) and serve them too")
    parser.add_argument("directory", type=Path)
    args = parser.parse_args()
    for suffix, media_type in {**RDF_MEDIA_TYPES, **FEED_MEDIA_TYPES}.items():
        mimetypes.add_type(media_type, suffix)
    more: tuple[Path, ...] = ()
    if args.demo_documents:
        from demo_documents import write_documents
        write_documents(args.directory, args.demo_documents)
        more = (args.demo_documents,)
    make_server(args.directory, args.port, more_directories=more).serve_forever()


if __name__ == "__main__":
    main()
