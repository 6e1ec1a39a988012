"""Every TCP connection this test process attempts, seen through Python's audit
hook `socket.connect` (sys.addaudithook), and a safety net for the rule that
tests only talk to this machine: a connection to an address outside
127.0.0.0/8 and ::1 is stopped before it leaves (the hook raises).

    with connections() as attempted:
        ...
    assert attempted == []

Audit hooks cannot be removed; the one hook is installed once per process and
records only while a `connections()` block is open.
"""
from __future__ import annotations

import contextlib
import ipaddress
import sys
import threading

_lock = threading.Lock()
_open_logs: list[list[tuple[str, int]]] = []
_installed = False


class LeavingThisMachine(ConnectionRefusedError):
    """A test tried to connect to an address that is not on this machine."""


def _hook(event: str, args: tuple) -> None:
    if event != "socket.connect":
        return
    address = args[1]
    if not isinstance(address, tuple) or len(address) < 2:
        return   # Unix sockets
    host, port = str(address[0]), int(address[1])
    with _lock:
        for log in _open_logs:
            log.append((host, port))
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return
    mapped = getattr(ip, "ipv4_mapped", None)
    if not (ip.is_loopback or (mapped is not None and mapped.is_loopback)):
        raise LeavingThisMachine(f"test tried to connect to {host}:{port}, which is not on this machine")


def install() -> None:
    global _installed
    with _lock:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True


@contextlib.contextmanager
def connections():
    """The (address, port) of every connection attempted in this process while the block runs."""
    install()
    log: list[tuple[str, int]] = []
    with _lock:
        _open_logs.append(log)
    try:
        yield log
    finally:
        with _lock:
            _open_logs.remove(log)
