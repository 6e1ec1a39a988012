"""Background processes: ports (free, or whose), waiting for readiness, and
`Service`, a process with a pid file and a log under the profile's state folder.
"""
from __future__ import annotations

import os
import pwd
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from portal_stack.messages import die, say
from portal_stack.profiles import ROOT, Profile


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def port_holder(port: int) -> str:
    """Name the process that listens on a TCP port, as far as /proc tells."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{inode}]")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (proc / "fd").iterdir()}
        except OSError:
            continue
        if links & inodes:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            owner = pwd.getpwuid((proc).stat().st_uid).pw_name
            return f"pid {proc.name} ({cmdline[:120]}), user {owner}"
    return "a process this user cannot see (try as root: ss -ltnp)"


def busy_port_message(service: str, port: int) -> str:
    return (f"port {port} for {service} is already in use by {port_holder(port)}. "
            f"Stop that process or choose another port, e.g. "
            f"{{RUN,TEST}}_{service.upper()}_PORT={port + 100}")


def wait_for(check, what: str, timeout: float, proc: subprocess.Popen | None = None,
             log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if proc is not None and proc.poll() is not None:
            die(f"{what} exited with code {proc.returncode}" + log_tail(log))
        time.sleep(0.3)
    die(f"{what} did not become ready within {timeout:.0f} s" + log_tail(log))


def log_tail(log: Path | None, lines: int = 15) -> str:
    """The last lines of a log, to end an error message with (empty without a log)."""
    if log is None or not log.exists():
        return ""
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return f"\n--- last lines of {log}:\n" + "\n".join(tail)


def http_ok(url: str, timeout: float = 3) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def process_alive(pid: int) -> bool:
    """True for a running process. A child of this script that died is a zombie
    until it is reaped, and os.kill(pid, 0) still finds it: reap it and say no."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    if state == "Z":
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        return False
    return True


class Service:
    """A background process with a pid file and a log under the state folder."""

    name = "service"
    port_key: str | None = None

    def __init__(self, profile: Profile):
        self.profile = profile

    @property
    def pidfile(self) -> Path:
        return self.profile.state / "pids" / f"{self.name}.pid"

    @property
    def log(self) -> Path:
        return self.profile.logs / f"{self.name}.log"

    @property
    def port(self) -> int | None:
        return self.profile.ports[self.port_key] if self.port_key else None

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if process_alive(pid) else None

    def healthy(self) -> bool:
        return self.pid() is not None

    def describe_down(self) -> str:
        if self.pid() is None:
            return "stopped (no process)"
        return f"process {self.pid()} runs but does not answer"

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ, CKAN_INI=str(self.profile.ckan_ini))

    def ready_timeout(self) -> float:
        return 60

    def start(self) -> None:
        if self.healthy():
            return
        if self.pid() is not None:
            self.stop()
        if self.port is not None and not port_is_free(self.port):
            die(busy_port_message(self.name, self.port))
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.pidfile.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, cwd=ROOT, env=self.env(),
                                    start_new_session=True)
        self.pidfile.write_text(str(proc.pid))
        wait_for(self.healthy, self.name, self.ready_timeout(), proc, self.log)
        say(f"{self.name} started (pid {proc.pid}{self._port_text()})")

    def _port_text(self) -> str:
        return f", 127.0.0.1:{self.port}" if self.port else ""

    def stop(self) -> None:
        pid = self.pid()
        if pid is None:
            self.pidfile.unlink(missing_ok=True)
            return
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        for _ in range(100):
            if self.pid() is None:
                break
            time.sleep(0.1)
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.pidfile.unlink(missing_ok=True)
        say(f"{self.name} stopped")
