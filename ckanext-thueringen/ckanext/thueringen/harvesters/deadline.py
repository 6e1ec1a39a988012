"""The total deadline of one download: a watchdog that shuts its sockets down.

A read timeout bounds each wait for data, not a server that sends one byte at
a time; `Watchdog` ends any read of a fetch once `total_timeout` has passed
(harvesters/fetch.py registers every connection of a download with it).
"""
from __future__ import annotations

import socket
import threading


class Watchdog:
    """Shuts down every socket of one fetch once the deadline has passed.

    Each connection registers a duplicate of its socket (the same TCP
    connection, a descriptor of our own, so it is still valid after TLS has
    taken over the original); shutdown() on it wakes a read that is waiting on
    any descriptor of that connection.
    """

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(timeout, self._expire)
        self._timer.daemon = True

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        self._timer.cancel()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            sock.close()

    def watch(self, sock: socket.socket) -> None:
        duplicate = sock.dup()
        with self._lock:
            self._sockets.append(duplicate)
            expired = self.expired
        if expired:
            _shutdown(duplicate)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
