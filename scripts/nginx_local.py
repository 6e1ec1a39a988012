"""The production nginx of docker/nginx/, run on this machine in front of a
local web server of the portal: for the tests of its cache rules
(tests/test_nginx_cache.py) and for the load benchmark's "nginx" scenario.

The two configuration files of docker/nginx/ are used as they are, with only
what differs between a container and a local run replaced: the upstream
address (`web:5000`), the listening port, and the paths (cache, pid, logs,
temporary files) that go into a folder of the run's own. Every replacement
must find its text, so that a change of docker/nginx/ that this file does not
know fails here instead of being measured half. Debian's nginx (`nginx-light`
has every module the configuration uses); standard library only.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKER_NGINX = ROOT / "docker" / "nginx"


def _replace(text: str, old: str, new: str, where: str) -> str:
    if old not in text:
        raise ValueError(f"{where}: '{old}' not found; adapt scripts/nginx_local.py to docker/nginx/")
    return text.replace(old, new)


def render(folder: Path, listen_port: int, upstream: str) -> tuple[str, str]:
    """nginx.conf and portal.conf of docker/nginx/ for a local run in `folder`,
    listening on 127.0.0.1:`listen_port` and passing on to `upstream` (host:port)."""
    main = (DOCKER_NGINX / "nginx.conf").read_text()
    main = _replace(main, "user  nginx;", "user  root;" if os.geteuid() == 0 else "", "nginx.conf")
    main = _replace(main, "pid        /run/nginx.pid;", f"pid        {folder}/nginx.pid;", "nginx.conf")
    main = _replace(main, "error_log  /dev/stderr crit;", f"error_log  {folder}/error.log crit;", "nginx.conf")
    main = _replace(main, "access_log  /dev/stdout  portal;", f"access_log  {folder}/access.log  portal;\n"
                    f"    client_body_temp_path {folder}/tmp/body;\n"
                    f"    proxy_temp_path {folder}/tmp/proxy;\n"
                    f"    fastcgi_temp_path {folder}/tmp/fastcgi;\n"
                    f"    uwsgi_temp_path {folder}/tmp/uwsgi;\n"
                    f"    scgi_temp_path {folder}/tmp/scgi;", "nginx.conf")
    main = _replace(main, "include /etc/nginx/conf.d/*.conf;", f"include {folder}/portal.conf;", "nginx.conf")
    portal = (DOCKER_NGINX / "portal.conf").read_text()
    portal = _replace(portal, "server web:5000;", f"server {upstream};", "portal.conf")
    portal = _replace(portal, "proxy_cache_path /var/cache/nginx/portal", f"proxy_cache_path {folder}/cache",
                      "portal.conf")
    portal = _replace(portal, "listen 80 default_server;", f"listen 127.0.0.1:{listen_port} default_server;",
                      "portal.conf")
    return main, portal


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is `parent` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of `pids` so far, in seconds (from /proc)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalNginx:
    """docker/nginx/ in front of `upstream`, in `folder` (emptied first)."""

    def __init__(self, folder: Path, upstream: str, port: int | None = None):
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(self.binary).exists():
            raise FileNotFoundError("nginx is not installed (Debian package nginx-light; `make run` installs it)")
        self.folder, self.upstream = folder, upstream
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> LocalNginx:
        shutil.rmtree(self.folder, ignore_errors=True)
        (self.folder / "tmp").mkdir(parents=True)
        (self.folder / "cache").mkdir()
        main, portal = render(self.folder, self.port, self.upstream)
        (self.folder / "nginx.conf").write_text(main)
        (self.folder / "portal.conf").write_text(portal)
        command = [self.binary, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")]
        subprocess.run([*command, "-t", "-q"], check=True, capture_output=True, text=True)
        self.process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"nginx exited; see {self.folder}/error.log") from None
                time.sleep(0.1)
        raise RuntimeError(f"nginx did not listen on {self.port} within {timeout:.0f} s")

    def pids(self) -> list[int]:
        """The master and its workers."""
        return [self.process.pid, *child_pids(self.process.pid)] if self.process else []

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self) -> LocalNginx:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
