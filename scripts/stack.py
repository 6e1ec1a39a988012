#!/usr/bin/env python3
"""Start, check and stop the portal's real services on this machine.

Two profiles share this code and never share state:

* ``run``  – the local portal of ``make run`` (state in ``var/run``)
* ``test`` – the isolated stack of ``make test`` (state in ``var/test``,
  other ports, other database and Solr core)

Services, in start order: PostgreSQL 15 (a project-local cluster run as an
unprivileged user, because ``initdb`` refuses root and CI runs as root),
Redis 7, Solr 9 (JettySolrRunner, see ``config/solr``), CKAN under gunicorn,
the ckanext-harvest gather and fetch consumers, the harvest scheduler and, for
``run``, the file server for the demo catalogues; test profiles also run
``source-ckan``, a second, plain CKAN to harvest from (config/source.ini).

Only the standard library is used: this script builds the virtualenv, so it
cannot depend on it.  Ports can be set with ``<PROFILE>_<SERVICE>_PORT``
(e.g. ``RUN_CKAN_PORT=8080``).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import hashlib
import json
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
SOLR_MODULE = ROOT / "config" / "solr"
SOLR_JAR = SOLR_MODULE / "target" / "portal-solr-1.0.0.jar"
PG_OS_USER = "thueringen-pg"
# source-ckan (test profiles): its database and Solr core, and its sysadmin.
SOURCE_CKAN_NAME = "ckan_source"
SOURCE_CKAN_ADMIN = "source-admin"

# Debian packages that provide each tool the stack needs.
SYSTEM_TOOLS = {
    "java": ("openjdk-17-jdk-headless", "Java 17 runs Solr"),
    "mvn": ("maven", "Maven resolves Solr from Maven Central"),
    "initdb": ("postgresql-15", "PostgreSQL 15 holds the portal's data"),
    "pg_ctl": ("postgresql-15", "PostgreSQL 15 holds the portal's data"),
    "psql": ("postgresql-client-15", "psql creates the databases"),
    "redis-server": ("redis-server", "Redis 7 carries the harvest queues and jobs"),
    "npm": ("npm", "npm installs the browser libraries the portal serves itself (package.json)"),
    "tesseract": ("tesseract-ocr", "Tesseract reads scanned documents (OCR)"),
    "pdftoppm": ("poppler-utils", "pdftoppm renders scanned PDF pages for the OCR"),
    "chromium": ("chromium", "Chromium runs the browser tests"),
    "chromedriver": ("chromium-driver", "chromedriver lets the browser tests drive Chromium"),
    "nginx": ("nginx-light", "nginx of docker/nginx/ runs in front of the test web server (cache rules)"),
}
# Needed to build the Python dependencies (psycopg2, lxml) and by python-magic.
BUILD_PACKAGES = ["libpq-dev", "gcc", "libmagic1", "libxml2-dev", "libxslt1-dev"]
# Data without a tool of its own: Tesseract's German model.
DATA_PACKAGES = ["tesseract-ocr-deu"]


@dataclass(frozen=True)
class Profile:
    name: str
    config_name: str  # config/<config_name>.ini
    ports: dict[str, int]
    database: str
    solr_core: str
    web_workers: int
    solr_heap: str
    durable: bool  # keep Redis snapshots and fsync PostgreSQL

    @property
    def state(self) -> Path:
        return ROOT / "var" / self.name

    @property
    def logs(self) -> Path:
        return self.state / "log"

    @property
    def ckan_ini(self) -> Path:
        return self.state / "ckan.ini"

    @property
    def site_url(self) -> str:
        return f"http://localhost:{self.ports['ckan']}"

    @property
    def has_source_ckan(self) -> bool:
        """Test stacks also run `source-ckan`, a plain CKAN to harvest from."""
        return "source_ckan" in self.ports

    @property
    def source_ini(self) -> Path:
        return self.state / "ckan-source.ini"

    @property
    def source_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['source_ckan']}"


def _ports(profile: str, defaults: dict[str, int]) -> dict[str, int]:
    ports = {}
    for service, port in defaults.items():
        env = f"{profile.upper()}_{service.upper()}_PORT"
        value = os.environ.get(env, str(port))
        if not value.isdigit() or not 0 < int(value) < 65536:
            die(f"{env}={value!r} is not a TCP port")
        ports[service] = int(value)
    return ports


def profile_named(name: str) -> Profile:
    """`run`, `test`, or `test1` ... `test9`: further test stacks (ports +100 each)
    so that several people or tools can run tests on one machine at once."""
    if name == "run":
        return Profile(
            "run", "run",
            _ports("run", {"ckan": 5000, "postgres": 5433, "redis": 6380,
                           "solr": 8983, "catalogs": 8900}),
            database="ckan", solr_core="ckan", web_workers=3,
            solr_heap="1g", durable=True,
        )
    if name == "bench":
        # The benchmarks (tests/benchmarks/, `make benchmark`): a test stack on
        # ports of its own (+1000), without source-ckan, which they do not use.
        return Profile(
            "bench", "test",
            _ports("bench", {"ckan": 6001, "postgres": 6434, "redis": 7381, "solr": 9984, "catalogs": 9901}),
            database="ckan_test", solr_core="ckan_test", web_workers=2,
            solr_heap="768m", durable=False,
        )
    offset = 100 * int(name[4:] or 0)
    return Profile(
        name, "test",
        _ports(name, {"ckan": 5001 + offset, "postgres": 5434 + offset, "redis": 6381 + offset,
                      "solr": 8984 + offset, "catalogs": 8901 + offset, "source_ckan": 5051 + offset}),
        database="ckan_test", solr_core="ckan_test", web_workers=2,
        solr_heap="768m", durable=False,
    )


# ---------------------------------------------------------------- messages

def say(message: str) -> None:
    print(f"[stack] {message}", flush=True)


class StackError(Exception):
    """A problem the operator has to act on; the message says what to do."""


def die(message: str) -> None:
    raise StackError(message)


# ------------------------------------------------------------------- tools

def pg_bindirs() -> list[str]:
    override = os.environ.get("PORTAL_PG_BINDIR")
    return [override] if override else ["/usr/lib/postgresql/15/bin"]


def find_tool(name: str) -> str | None:
    if name in ("initdb", "pg_ctl", "postgres", "psql", "pg_isready"):
        for bindir in pg_bindirs():
            candidate = Path(bindir) / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
        if os.environ.get("PORTAL_PG_BINDIR"):
            return None
    return shutil.which(name)


def missing_tools() -> dict[str, tuple[str, str]]:
    return {tool: need for tool, need in SYSTEM_TOOLS.items() if not find_tool(tool)}


def ensure_system_packages(may_install: bool) -> None:
    """Install missing Debian packages when we are root, else name them."""
    missing = missing_tools()
    missing_build = ([p for p in BUILD_PACKAGES + DATA_PACKAGES if not _dpkg_installed(p)]
                     if shutil.which("dpkg-query") else [])
    if not missing and not missing_build:
        return
    packages = sorted({pkg for pkg, _ in missing.values()} | set(missing_build))
    if may_install and os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Debian packages: " + " ".join(packages))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env)
        missing = missing_tools()
    if missing:
        lines = [f"  {tool}: {why} - install the Debian package '{pkg}'"
                 for tool, (pkg, why) in sorted(missing.items())]
        die("missing tools:\n" + "\n".join(lines) +
            f"\nas root: apt-get install {' '.join(sorted({p for p, _ in missing.values()}))}")


def _dpkg_installed(package: str) -> bool:
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                            capture_output=True, text=True)
    return result.returncode == 0 and "install ok installed" in result.stdout


def _newer(target: Path, sources: list[Path]) -> bool:
    """True when target exists and is newer than every source file."""
    if not target.exists():
        return False
    mtime = target.stat().st_mtime
    return all(p.stat().st_mtime <= mtime for p in sources if p.exists())


def drop_stray_namespace_init() -> None:
    """ckanext-spatial 2.3.2's wheel installs an empty ckanext/__init__.py,
    which turns the `ckanext` namespace shared by CKAN and every extension into
    a regular package of one directory: the portal's wheel installed in another
    site-packages (tests/test_wheel.py) is then not found. Removed after each
    install; this can go when ckanext-spatial ships no ckanext/__init__.py."""
    for init in VENV.glob("lib/python*/site-packages/ckanext/__init__.py"):
        if init.stat().st_size == 0:
            init.unlink()
            for compiled in init.parent.glob("__pycache__/__init__.*.pyc"):
                compiled.unlink()


def ensure_venv(with_tests: bool) -> None:
    requirements = [ROOT / "requirements-ckan.txt", ROOT / "requirements.txt", ROOT / "setup.py"]
    if with_tests:
        requirements.append(ROOT / "requirements-test.txt")
    stamp = VENV / (".installed-test" if with_tests else ".installed")
    if _newer(stamp, requirements):
        return
    if not (VENV / "bin" / "python").exists():
        say(f"creating the virtualenv {VENV.relative_to(ROOT)}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    say("installing Python dependencies (pinned)")
    subprocess.run(pip + ["-r", str(ROOT / "requirements.txt")], check=True)
    drop_stray_namespace_init()
    if with_tests:
        subprocess.run(pip + ["-r", str(ROOT / "requirements-test.txt")], check=True)
    subprocess.run(pip + ["--no-deps", "-e", str(ROOT)], check=True)
    stamp.touch()


def ensure_node_packages() -> None:
    """The browser libraries of package-lock.json into node_modules/ (npm, no scripts run)."""
    lock = ROOT / "package-lock.json"
    if _newer(ROOT / "node_modules" / ".package-lock.json", [lock, ROOT / "package.json"]):
        return
    say("installing the browser libraries (npm ci, pinned by package-lock.json)")
    subprocess.run([find_tool("npm") or "npm", "ci", "--ignore-scripts", "--omit=optional", "--no-audit", "--no-fund",
                    "--loglevel=error"], cwd=ROOT, check=True)


# pdf.js's build files that the document preview loads, copied into the full-text
# plugin's public folder (served by the portal itself; docker/Dockerfile copies the same).
PDFJS_FILES = ("pdf.min.mjs", "pdf.worker.min.mjs")
PDFJS_TARGET = (ROOT / "ckanext-thueringen" / "ckanext" / "thueringen" / "fulltext" / "public"
                / "thueringen-fulltext" / "pdfjs")


def install_pdfjs() -> None:
    source = ROOT / "node_modules" / "pdfjs-dist"
    PDFJS_TARGET.mkdir(parents=True, exist_ok=True)
    for name in (*(f"build/{file}" for file in PDFJS_FILES), "LICENSE"):
        target = PDFJS_TARGET / Path(name).name
        if not _newer(target, [source / name]):
            shutil.copyfile(source / name, target)


def ensure_translations() -> None:
    """Compile the extension's .po files (German is the portal's default language)."""
    i18n = ROOT / "ckanext-thueringen" / "ckanext" / "thueringen" / "i18n"
    for po in i18n.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not _newer(mo, [po]):
            subprocess.run([str(VENV / "bin" / "pybabel"), "-q", "compile", "-i", str(po), "-o", str(mo)],
                           check=True)


def ensure_solr_build() -> None:
    sources = [SOLR_MODULE / "pom.xml", *SOLR_MODULE.glob("src/**/*.java")]
    if _newer(SOLR_JAR, sources) and (SOLR_MODULE / "target" / "lib").is_dir():
        return
    say("building the Solr runner (Maven: solr-core and solr-test-framework 9.10.1)")
    subprocess.run([find_tool("mvn") or "mvn", "-B", "-q", "-f", str(SOLR_MODULE / "pom.xml"),
                    "package"], check=True)


# ------------------------------------------------------------------- ports

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
            die(f"{what} exited with code {proc.returncode}" + _log_tail(log))
        time.sleep(0.3)
    die(f"{what} did not become ready within {timeout:.0f} s" + _log_tail(log))


def _log_tail(log: Path | None, lines: int = 15) -> str:
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


# --------------------------------------------------------------- processes

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


class Postgres(Service):
    name = "postgres"
    port_key = "postgres"

    @property
    def home(self) -> Path:
        # Resolved: the cluster's owner may reach it only by its real path.
        return (self.profile.state / "postgres").resolve()

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def socket_dir(self) -> Path:
        return self.home / "socket"

    @property
    def log(self) -> Path:
        # Written by the cluster's owner, so it lives beside the cluster;
        # var/<profile>/log/postgres.log links to it.
        return self.home / "postgres.log"

    def _user(self) -> pwd.struct_passwd | None:
        """The unprivileged account that owns the cluster when we are root."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(PG_OS_USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                            "--shell", "/usr/sbin/nologin", PG_OS_USER], check=True)
            return pwd.getpwnam(PG_OS_USER)

    def _as_owner(self, cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
        user = self._user()
        if user is not None:
            kwargs.update(user=user.pw_uid, group=user.pw_gid, extra_groups=[])
        return subprocess.run(cmd, cwd="/", **kwargs)

    def _chown(self, path: Path) -> None:
        user = self._user()
        if user is not None:
            os.chown(path, user.pw_uid, user.pw_gid)

    def pid(self) -> int | None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if process_alive(pid) else None

    def healthy(self) -> bool:
        if self.pid() is None:
            return False
        result = subprocess.run([find_tool("pg_isready") or "pg_isready", "-q", "-h", str(self.socket_dir),
                                 "-p", str(self.port)], capture_output=True)
        return result.returncode == 0

    def _reachable_by_owner(self, folder: Path) -> bool:
        return self._as_owner(["test", "-x", str(folder)]).returncode == 0

    def _place_cluster(self) -> None:
        """Put the cluster where its unprivileged owner can reach it.

        That is var/<profile>/postgres, unless the project lies below a folder
        other users cannot enter (a home directory with mode 700, say): then the
        cluster lives in /var/tmp/thueringen-portal/ and var/<profile>/postgres
        links to it.
        """
        link = self.profile.state / "postgres"
        if link.exists():
            return
        self.profile.state.mkdir(parents=True, exist_ok=True)
        if self._user() is None or self._reachable_by_owner(self.profile.state):
            link.mkdir()
            return
        digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:12]
        outside = Path("/var/tmp/thueringen-portal") / f"{digest}-{self.profile.name}"
        # No link in var/ means this checkout's state was deleted: a cluster left
        # there by an earlier checkout at the same path belongs to nobody now.
        shutil.rmtree(outside, ignore_errors=True)
        outside.mkdir(parents=True, exist_ok=True)
        for folder in (outside.parent, outside):
            folder.chmod(0o755)
        link.symlink_to(outside)
        say(f"{self.profile.state} is not reachable for '{PG_OS_USER}': the cluster lives in {outside}")

    def discard(self) -> None:
        """Remove the cluster's files, also when they live outside var/."""
        link = self.profile.state / "postgres"
        if link.is_symlink():
            shutil.rmtree(link.resolve(), ignore_errors=True)
            link.unlink()

    def _init_cluster(self) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        self._place_cluster()
        for folder in (self.data.parent, self.data, self.socket_dir):
            folder.mkdir(parents=True, exist_ok=True)
            self._chown(folder)
        self.data.chmod(0o700)
        if self._user() is not None and not self._reachable_by_owner(self.data):
            die(f"PostgreSQL runs as the unprivileged user '{PG_OS_USER}', which cannot reach "
                f"{self.data}. Make the folders above it searchable (chmod o+x).")
        say(f"creating the PostgreSQL cluster in {self.data}")
        result = self._as_owner([find_tool("initdb"), "-D", str(self.data), "-U", "postgres",
                                 "--encoding=UTF8", "--locale=C.UTF-8", "--auth-local=trust",
                                 "--auth-host=scram-sha-256"], capture_output=True, text=True)
        if result.returncode != 0:
            die("initdb failed:\n" + result.stdout + result.stderr)
        settings = [
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.socket_dir}'",
            "unix_socket_permissions = 0700",
            # No client addresses in the logs (ThürTPVO: anonymous access).
            "log_connections = off",
            "log_line_prefix = '%m [%p] '",
            "max_connections = 200",
            "shared_buffers = 256MB" if self.profile.durable else "shared_buffers = 128MB",
        ]
        if not self.profile.durable:
            # The test cluster is thrown away after each run: trade durability for speed.
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# thueringen portal (scripts/stack.py)\n" + "\n".join(settings) + "\n")

    def start(self) -> None:
        if self.healthy():
            return
        self._init_cluster()
        if not port_is_free(self.port):
            die(busy_port_message(self.name, self.port))
        self.log.touch()
        self._chown(self.log)
        visible_log = self.profile.logs / "postgres.log"
        if not visible_log.is_symlink():
            visible_log.parent.mkdir(parents=True, exist_ok=True)
            visible_log.unlink(missing_ok=True)
            visible_log.symlink_to(self.log)
        result = self._as_owner([find_tool("pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                                 "-o", f"-p {self.port}", "-w", "-t", "60", "start"],
                                capture_output=True, text=True)
        if result.returncode != 0:
            die("PostgreSQL did not start:\n" + result.stdout + result.stderr + _log_tail(self.log))
        wait_for(self.healthy, "postgres", 30, log=self.log)
        say(f"postgres started (pid {self.pid()}, 127.0.0.1:{self.port})")

    def stop(self) -> None:
        if self.pid() is None:
            return
        self._as_owner([find_tool("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                       capture_output=True)
        say("postgres stopped")

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run([find_tool("psql"), "-h", str(self.socket_dir), "-p", str(self.port),
                                 "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1",
                                 "-tAc", sql], capture_output=True, text=True)
        if result.returncode != 0:
            die(f"psql failed ({sql.split()[0]} ...): {result.stderr.strip()}")
        return result.stdout.strip()

    def ensure_database(self, role: str, password: str, database: str) -> None:
        if not self.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'"):
            self.psql(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        else:
            self.psql(f"ALTER ROLE {role} PASSWORD '{password}'")
        if not self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'"):
            self.psql(f"CREATE DATABASE {database} OWNER {role} TEMPLATE template0 ENCODING 'UTF8'")
            say(f"created database {database}")


class Redis(Service):
    name = "redis"
    port_key = "redis"

    def command(self) -> list[str]:
        folder = self.profile.state / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        persistence = ["--save", "60 1"] if self.profile.durable else ["--save", ""]
        return [find_tool("redis-server"), "--bind", "127.0.0.1", "--port", str(self.port),
                "--protected-mode", "yes", "--dir", str(folder), "--appendonly", "no",
                "--daemonize", "no", *persistence]

    def healthy(self) -> bool:
        if self.pid() is None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def describe_down(self) -> str:
        if self.pid() is None:
            return f"stopped (nothing answers PING on 127.0.0.1:{self.port})"
        return super().describe_down()


class Solr(Service):
    name = "solr"
    port_key = "solr"

    @property
    def home(self) -> Path:
        return self.profile.state / "solr"

    @property
    def ping_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/solr/{self.profile.solr_core}/admin/ping"

    def cores(self) -> list[str]:
        """The portal's core, and the source CKAN's (same `ckan` config set) in test stacks."""
        return [self.profile.solr_core, *([SOURCE_CKAN_NAME] if self.profile.has_source_ckan else [])]

    def prepare_home(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOLR_MODULE / "solr.xml", self.home / "solr.xml")
        for name in self.cores():
            core = self.home / name
            core.mkdir(exist_ok=True)
            (core / "core.properties").write_text(f"name={name}\nconfigSet=ckan\n")

    def command(self) -> list[str]:
        self.prepare_home()
        return solr_command(self.home, self.port, self.profile.solr_core,
                            self.profile.solr_heap, self.profile.logs)

    def healthy(self) -> bool:
        return self.pid() is not None and all(
            http_ok(self.ping_url.replace(f"/{self.profile.solr_core}/", f"/{core}/")) for core in self.cores())

    def ready_timeout(self) -> float:
        return 120

    def describe_down(self) -> str:
        if self.pid() is None:
            return f"stopped (no answer from {self.ping_url})"
        return f"process {self.pid()} runs but {self.ping_url} does not answer"


def solr_command(home: Path, port: int, core: str, heap: str, log_dir: Path,
                 configsets: Path = SOLR_MODULE / "configsets") -> list[str]:
    """The java command line of the Solr runner (also used by the tests)."""
    java = find_tool("java") or "java"
    classpath = f"{SOLR_JAR}:{SOLR_MODULE / 'target' / 'lib'}/*"
    return [java, f"-Xmx{heap}", "-XX:+UseG1GC", "-Djava.awt.headless=true",
            f"-DconfigSetBaseDir={configsets}",
            f"-Dsolr.log.dir={log_dir}", f"-Dlog4j2.configurationFile={SOLR_MODULE / 'log4j2.xml'}",
            "-Dsolr.install.dir=" + str(SOLR_MODULE),
            "-cp", classpath, "de.thueringen.opendata.solr.PortalSolr", str(home), str(port), core]


class CkanCommand(Service):
    """A long-running `ckan` CLI command (harvest consumers, scheduler, full-text
    worker), kept alive by scripts/supervise.py: restarted with backoff when it
    exits. The pid file holds the command's pid; the supervisor's is beside it."""

    # the supervisor gives up on a command that exits this soon after its very first
    # start (a broken configuration, no Redis: ckan loads its plugins for seconds first)
    FIRST_START_SECONDS = 15.0
    # how long start() watches a new command before it says "started"
    STARTUP_CHECK_SECONDS = 2.5

    def __init__(self, profile: Profile, name: str, args: list[str]):
        super().__init__(profile)
        self.name = name
        self.args = args

    @property
    def supervisor_pidfile(self) -> Path:
        return self.profile.state / "pids" / f"{self.name}.supervisor.pid"

    @property
    def status_file(self) -> Path:
        return self.profile.state / "pids" / f"{self.name}.status.json"

    def supervisor_pid(self) -> int | None:
        try:
            pid = int(self.supervisor_pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if process_alive(pid) else None

    def supervision(self) -> dict:
        try:
            return json.loads(self.status_file.read_text())
        except (OSError, ValueError):
            return {}

    def restarts_text(self) -> str:
        status = self.supervision()
        if not status.get("restarts"):
            return ""
        return (f", {status['restarts']} restart(s), last exit code {status.get('last_exit')} "
                f"at {status.get('last_exit_at')}")

    def describe_down(self) -> str:
        supervisor = self.supervisor_pid()
        if supervisor is not None:
            return f"restarting (supervisor pid {supervisor}{self.restarts_text()})"
        return super().describe_down()

    def command(self) -> list[str]:
        return [str(VENV / "bin" / "ckan"), "-c", str(self.profile.ckan_ini), *self.args]

    def ready_timeout(self) -> float:
        return 30

    def start(self) -> None:
        if self.healthy() and self.supervisor_pid() is None:
            self.stop()   # a command whose supervisor died: start it again under one
        if self.healthy():
            return
        if self.supervisor_pid() is not None:   # between two runs of the command: it comes back by itself
            wait_for(self.healthy, self.name, self.ready_timeout() + 60, None, self.log)
            return
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.pidfile.parent.mkdir(parents=True, exist_ok=True)
        self.pidfile.unlink(missing_ok=True)
        self.status_file.unlink(missing_ok=True)
        supervise = [sys.executable, str(ROOT / "scripts" / "supervise.py"), "--name", self.name,
                     "--pidfile", str(self.pidfile), "--status", str(self.status_file),
                     "--first-start", str(self.FIRST_START_SECONDS), "--", *self.command()]
        with open(self.log, "ab") as log:
            proc = subprocess.Popen(supervise, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    cwd=ROOT, env=self.env(), start_new_session=True)
        self.supervisor_pidfile.write_text(str(proc.pid))
        wait_for(self.healthy, self.name, self.ready_timeout(), proc, self.log)
        # A CLI command that dies on start-up (bad config, no Redis) dies quickly; the
        # supervisor then gives up instead of restarting it.
        time.sleep(self.STARTUP_CHECK_SECONDS)
        if proc.poll() is not None or self.pid() is None:
            die(f"{self.name} exited right after start" + _log_tail(self.log))
        say(f"{self.name} started (pid {self.pid()}, supervised by pid {proc.pid})")

    def stop(self) -> None:
        supervisor = self.supervisor_pid()
        if supervisor is None:
            # a command left without its supervisor: not a process group leader
            pid = self.pid()
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
                for _ in range(100):
                    if self.pid() is None:
                        break
                    time.sleep(0.1)
                else:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                say(f"{self.name} stopped")
            self.pidfile.unlink(missing_ok=True)
            self.supervisor_pidfile.unlink(missing_ok=True)
            return
        try:
            os.kill(supervisor, signal.SIGTERM)   # it ends its command (one SIGTERM: a second one cold-stops RQ)
        except ProcessLookupError:
            pass
        for _ in range(150):
            if self.supervisor_pid() is None and self.pid() is None:
                break
            time.sleep(0.1)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(supervisor, signal.SIGKILL)
            if self.pid() is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid(), signal.SIGKILL)
        self.pidfile.unlink(missing_ok=True)
        self.supervisor_pidfile.unlink(missing_ok=True)
        say(f"{self.name} stopped")


class Web(Service):
    name = "ckan"
    port_key = "ckan"

    def __init__(self, profile: Profile):
        super().__init__(profile)
        self.ini, self.database, self.workers = profile.ckan_ini, profile.database, profile.web_workers

    @property
    def status_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/3/action/status_show"

    def command(self) -> list[str]:
        # No access log: the portal records no client addresses (ThürTPVO).
        return [str(VENV / "bin" / "gunicorn"), "--workers", str(self.workers),
                "--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "--graceful-timeout", "20",
                "--max-requests", "2000", "--max-requests-jitter", "200",
                "--name", f"{self.name}-{self.profile.name}",
                # Each profile has its own server; no shared control socket in $HOME.
                "--no-control-socket", "ckanext.thueringen.wsgi:application"]

    def healthy(self) -> bool:
        return self.pid() is not None and http_ok(self.status_url, timeout=10)

    def ready_timeout(self) -> float:
        return 120

    def describe_down(self) -> str:
        if self.pid() is None:
            return f"stopped (no answer from {self.status_url})"
        return f"process {self.pid()} runs but {self.status_url} does not answer"


class SourceWeb(Web):
    """A second, plain CKAN of this install (test profiles only): the municipal
    CKAN portal the CKAN harvester's tests harvest from. Own port (ckan + 50),
    database and Solr core `ckan_source`, config/source.ini, one worker."""

    name = "source-ckan"
    port_key = "source_ckan"

    def __init__(self, profile: Profile):
        super().__init__(profile)
        self.ini, self.database, self.workers = profile.source_ini, SOURCE_CKAN_NAME, 1

    def env(self) -> dict[str, str]:
        return dict(os.environ, CKAN_INI=str(self.ini))


class CatalogServer(Service):
    """Serves the demo catalogues in config/demo/catalogs to the harvesters, and
    the documents of the demo feeds, which it writes into var/<profile>/demo-documents."""

    name = "catalogs"
    port_key = "catalogs"

    def command(self) -> list[str]:
        return [str(VENV / "bin" / "python"), str(ROOT / "scripts" / "static_server.py"),
                "--port", str(self.port), "--demo-documents", str(self.profile.state / "demo-documents"),
                str(ROOT / "config" / "demo" / "catalogs")]

    def healthy(self) -> bool:
        return self.pid() is not None and http_ok(f"http://127.0.0.1:{self.port}/")


def services(profile: Profile) -> list[Service]:
    """All services of a profile, in start order."""
    stack: list[Service] = [Postgres(profile), Redis(profile), Solr(profile)]
    if profile.name == "run":
        stack.append(CatalogServer(profile))
    stack += [
        Web(profile),
        CkanCommand(profile, "gather-consumer", ["thueringen", "harvest-consumer", "gather"]),
        CkanCommand(profile, "fetch-consumer", ["thueringen", "harvest-consumer", "fetch"]),
        CkanCommand(profile, "scheduler", ["thueringen", "harvest-scheduler"]),
        # CKAN's jobs worker on the full-text queue, without a fork per job
        # (plugin thueringen_fulltext, docs/fulltext.md); its RQ scheduler runs
        # the delayed retries.
        CkanCommand(profile, "fulltext-worker", ["thueringen", "fulltext", "worker"]),
        # the scoring jobs (plugin thueringen_quality, docs/quality.md)
        CkanCommand(profile, "quality-worker", ["thueringen", "quality", "worker"]),
        # the link checker (plugin thueringen_linkcheck, docs/quality.md "Link checks")
        CkanCommand(profile, "linkcheck-worker", ["thueringen", "linkcheck", "worker"]),
    ]
    if profile.has_source_ckan:
        stack.append(SourceWeb(profile))
    return stack


# ---------------------------------------------------------- configuration

def load_secrets(profile: Profile) -> dict[str, str]:
    path = profile.state / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {"db_password": secrets.token_urlsafe(24), "secret_key": secrets.token_urlsafe(32)}
    profile.state.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(values))
    return values


def write_ckan_ini(profile: Profile, values: dict[str, str]) -> None:
    """The instance file: machine-specific values on top of config/<profile>.ini."""
    storage = profile.state / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    text = f"""# Written by scripts/stack.py for the '{profile.name}' profile; do not edit.
# Settings live in config/{profile.config_name}.ini and config/base.ini.
[app:main]
use = config:../../config/{profile.config_name}.ini
SECRET_KEY = {values['secret_key']}
sqlalchemy.url = postgresql://ckan:{values['db_password']}@127.0.0.1:{profile.ports['postgres']}/{profile.database}
solr_url = http://127.0.0.1:{profile.ports['solr']}/solr/{profile.solr_core}
ckan.redis.url = redis://127.0.0.1:{profile.ports['redis']}/0
ckan.site_url = {profile.site_url}
ckan.storage_path = {storage}
thueringen.state_dir = {profile.state}
thueringen.demo_catalogs_url = http://127.0.0.1:{profile.ports['catalogs']}
thueringen.outbound.allow = {outbound_allow_list(profile)}
"""
    _write_private(profile.ckan_ini, text)
    info = {"profile": profile.name, "ports": profile.ports, "site_url": profile.site_url,
            "ckan_ini": str(profile.ckan_ini), "state": str(profile.state),
            "solr_core": profile.solr_core, "database": profile.database}
    if profile.has_source_ckan:
        write_source_ini(profile, values)
        info.update(source_ckan_url=profile.source_url, source_ckan_ini=str(profile.source_ini))
    (profile.state / "stack.json").write_text(json.dumps(info, indent=2))


def outbound_allow_list(profile: Profile) -> str:
    """What the portal's outbound policy (ckanext.thueringen.security.outbound)
    may reach on this machine, which it otherwise refuses like any loopback
    address: the demo catalogues and source-ckan, and in the test profiles the
    tests' own servers. Those bind port 0 and get a port of the kernel's
    ephemeral range, as do the unused ports the tests expect a refused
    connection from (and port 9, discard, where nothing listens); the stack's
    services (Solr, Redis, PostgreSQL, CKAN) are cut out of the range, so they
    stay refused and the tests can prove it."""
    ports = [profile.ports["catalogs"]]
    if profile.has_source_ckan:
        ports.append(profile.ports["source_ckan"])
    entries = [f"127.0.0.1:{port}" for port in ports]
    if profile.config_name == "test":
        entries.append("127.0.0.1:9")
        low, high = _ephemeral_ports()
        services = sorted(port for port in profile.ports.values() if low <= port <= high)
        for service in services + [high + 1]:
            if low < service:
                entries.append(f"127.0.0.1:{low}-{service - 1}")
            low = service + 1
    return " ".join(entries)


def _ephemeral_ports() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _write_private(path: Path, text: str) -> None:
    """Write `text` (with passwords) to a file only its owner can read, if it changed."""
    current = path.read_text() if path.exists() else None
    if current != text:
        path.touch(mode=0o600)
        path.write_text(text)


def write_source_ini(profile: Profile, values: dict[str, str]) -> None:
    """The instance file of `source-ckan`: config/source.ini with its own database,
    Solr core, Redis database and storage."""
    storage = profile.state / "source-storage"
    storage.mkdir(parents=True, exist_ok=True)
    secret = hashlib.sha256(f"source-ckan:{values['secret_key']}".encode()).hexdigest()
    text = f"""# Written by scripts/stack.py for the '{profile.name}' profile; do not edit.
# The plain CKAN that the CKAN harvester's tests harvest from; settings in config/source.ini.
[app:main]
use = config:../../config/source.ini
SECRET_KEY = {secret}
sqlalchemy.url = postgresql://ckan:{values['db_password']}@127.0.0.1:{profile.ports['postgres']}/{SOURCE_CKAN_NAME}
solr_url = http://127.0.0.1:{profile.ports['solr']}/solr/{SOURCE_CKAN_NAME}
ckan.redis.url = redis://127.0.0.1:{profile.ports['redis']}/1
ckan.site_url = {profile.source_url}
ckan.storage_path = {storage}
"""
    _write_private(profile.source_ini, text)


def ensure_source_sysadmin(profile: Profile) -> None:
    """A sysadmin of `source-ckan` and its API token in var/<profile>/source-sysadmin-token,
    made with CKAN's own CLI (`sysadmin add --create` is `user add` + `sysadmin add`)."""
    token_file = profile.state / "source-sysadmin-token"
    if token_file.exists() and _token_works(profile.source_url, token_file.read_text().strip()):
        return
    ckan_cli(profile, "sysadmin", "add", SOURCE_CKAN_ADMIN, "--create", "email=source-admin@example.org",
             f"password={secrets.token_urlsafe(18)}", capture=True, ini=profile.source_ini)
    token = ckan_cli(profile, "user", "token", "add", SOURCE_CKAN_ADMIN, "tests", "--quiet",
                     capture=True, ini=profile.source_ini).stdout.strip().splitlines()[-1].strip()
    _write_private(token_file, token + "\n")
    say(f"source-ckan: sysadmin {SOURCE_CKAN_ADMIN}, token in {token_file.relative_to(ROOT)}")


def _token_works(site_url: str, token: str) -> bool:
    request = urllib.request.Request(f"{site_url}/api/3/action/api_token_list?user_id={SOURCE_CKAN_ADMIN}",
                                     headers={"Authorization": token})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def ckan_cli(profile: Profile, *args: str, capture: bool = False,
             ini: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [str(VENV / "bin" / "ckan"), "-c", str(ini or profile.ckan_ini), *args]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=capture, text=True)
    if result.returncode != 0:
        detail = (result.stdout or "") + (result.stderr or "") if capture else ""
        die(f"'ckan {' '.join(args)}' failed with code {result.returncode}\n{detail}")
    return result


# ---------------------------------------------------------------- commands

def cmd_install(profile: Profile, args) -> None:
    ensure_system_packages(may_install=not args.no_system_packages)
    ensure_venv(with_tests=profile.config_name == "test")   # test, test1 … test9, bench
    ensure_translations()
    ensure_node_packages()
    install_pdfjs()
    ensure_solr_build()


def _selected(profile: Profile, names: list[str]) -> list[Service]:
    stack = services(profile)
    unknown = set(names) - {service.name for service in stack}
    if unknown:
        die(f"no such service: {', '.join(sorted(unknown))} "
            f"(services: {', '.join(service.name for service in stack)})")
    return [service for service in stack if not names or service.name in names]


def cmd_start(profile: Profile, args) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - stack.py runs on whatever python3 builds the venv
        die(f"Python 3.11 is needed, this is {sys.version.split()[0]}: install the Debian package 'python3'")
    if args.fresh:
        cmd_stop(profile, argparse.Namespace(services=[]))
        Postgres(profile).discard()
        if profile.state.exists():
            shutil.rmtree(profile.state)
            say(f"removed {profile.state.relative_to(ROOT)}")
    profile.logs.mkdir(parents=True, exist_ok=True)
    values = load_secrets(profile)
    write_ckan_ini(profile, values)
    stack = services(profile)
    postgres = stack[0]
    assert isinstance(postgres, Postgres)

    webs = [service for service in stack if isinstance(service, Web)]
    if getattr(args, "services", None):   # only the ones named, in start order (the others run already)
        for service in _selected(profile, args.services):
            if isinstance(service, Web):
                ckan_cli(profile, "db", "upgrade", capture=True, ini=service.ini)
            service.start()
        return

    def start(service: Service) -> None:
        if isinstance(service, Web):
            # CKAN needs its tables before it serves; `db upgrade` is a no-op when current.
            ckan_cli(profile, "db", "upgrade", capture=True, ini=service.ini)
        service.start()
        if isinstance(service, SourceWeb):
            ensure_source_sysadmin(profile)

    # source-ckan needs only PostgreSQL, Redis and Solr: it starts beside the portal.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as beside:
        source = None
        for service in stack:
            if isinstance(service, SourceWeb):
                continue
            if service is webs[0]:
                for web in webs:  # one after the other: they share the role
                    postgres.ensure_database("ckan", values["db_password"], web.database)
                if profile.has_source_ckan:
                    source = beside.submit(start, webs[-1])
            start(service)
        if source is not None:
            source.result()


def cmd_stop(profile: Profile, args) -> None:
    for service in reversed(_selected(profile, args.services)):
        service.stop()


def cmd_status(profile: Profile, args) -> int:
    down = 0
    print(f"profile {profile.name}: state in {profile.state.relative_to(ROOT)}, "
          f"logs in {profile.logs.relative_to(ROOT)}")
    for service in services(profile):
        where = f"127.0.0.1:{service.port}" if service.port else "-"
        if service.healthy():
            restarts = service.restarts_text() if isinstance(service, CkanCommand) else ""
            state = f"running (pid {service.pid()}{restarts})"
        else:
            state = service.describe_down()
            down += 1
        print(f"  {service.name:<16} {where:<16} {state}")
    if down:
        print(f"{down} service(s) down: 'make run' (or 'make start') starts them again")
    return 1 if down else 0


def cmd_check_ports(profile: Profile, args) -> int:
    """Report ports that are held by processes other than this profile's services."""
    problems = []
    for service in services(profile):
        if service.port is not None and not service.healthy() and not port_is_free(service.port):
            problems.append(busy_port_message(service.name, service.port))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def cmd_check_tools(profile: Profile, args) -> int:
    missing = missing_tools()
    for tool, (package, why) in sorted(missing.items()):
        print(f"missing {tool}: {why} - install the Debian package '{package}'")
    return 1 if missing else 0


def setup_portal(profile: Profile, demo: bool) -> None:
    """Sysadmin, script token and (for `make run`) the harvested demo content:
    the demo entries of the source registry config/sources.yaml."""
    log = profile.logs / "setup.log"
    commands = [["thueringen", "sysadmin"]]
    # Datasets stored in an older form of formats and licences (idempotent).
    commands.append(["thueringen", "migrate-values"])
    if demo:
        commands.append(["thueringen", "demo", str(ROOT / "config" / "sources.yaml")])
    for args in commands:
        with open(log, "a") as stderr:
            result = subprocess.run([str(VENV / "bin" / "ckan"), "-c", str(profile.ckan_ini), *args],
                                    cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
        for line in result.stdout.splitlines():
            say(line)
        if result.returncode != 0:
            die(f"'ckan {' '.join(args)}' failed" + _log_tail(log))


def cmd_up(profile: Profile, args) -> None:
    """install + start + set-up: everything `make run` does."""
    cmd_install(profile, args)
    cmd_start(profile, args)
    setup_portal(profile, demo=profile.name == "run")
    say("")
    say(f"The portal runs at {profile.site_url}")
    say(f"  login: {os.environ.get('PORTAL_ADMIN_USER', 'admin')} (password: printed when it was created, "
        f"or PORTAL_ADMIN_PASSWORD)")
    say(f"  API token for scripts: {(profile.state / 'sysadmin-token').relative_to(ROOT)}")
    say(f"  logs: {profile.logs.relative_to(ROOT)}/   status: make status   stop: make stop")


def cmd_lint(profile: Profile | None = None, args=None) -> int:
    """`make lint`: ruff (lint and import order, pyproject.toml [tool.ruff]) over the repository."""
    ensure_venv(with_tests=True)
    ruff = [str(VENV / "bin" / "ruff"), "check", "."]
    say("running " + shlex.join(ruff))
    return subprocess.run(ruff, cwd=ROOT).returncode


def cmd_test(profile: Profile, args) -> int:
    """`make test`: ruff, then fresh isolated services, pytest, teardown. A lint
    failure fails the run, after the tests have run too."""
    args.fresh = True
    cmd_install(profile, args)
    lint = cmd_lint()
    try:
        cmd_start(profile, args)
        setup_portal(profile, demo=False)
        pytest = [str(VENV / "bin" / "python"), "-m", "pytest", f"--ckan-ini={profile.ckan_ini}",
                  *([a for a in args.pytest_args if a != "--"] or ["tests"])]
        say("running " + shlex.join(pytest))
        tests = subprocess.run(pytest, cwd=ROOT).returncode
        if lint and not tests:
            say("ruff found problems (above); `make lint` shows them again")
        return tests or lint
    finally:
        if not args.keep:
            cmd_stop(profile, argparse.Namespace(services=[]))


def cmd_test_unit(profile: Profile, args) -> int:
    """`make test-unit`: the tests that need no service (tests/unit, not marked `stack`),
    without CKAN's configuration and without starting anything."""
    ensure_venv(with_tests=True)
    pytest_args = [a for a in args.pytest_args if a != "--"]
    if not any((ROOT / a.split("::")[0]).exists() for a in pytest_args if not a.startswith("-")):
        pytest_args.append("tests/unit")
    pytest = [str(VENV / "bin" / "python"), "-m", "pytest", "-p", "no:ckan", "-p", "no:ckan_fixtures",
              "-m", "not stack", *pytest_args]
    say("running " + shlex.join(pytest))
    return subprocess.run(pytest, cwd=ROOT).returncode


def cmd_ckan(profile: Profile, args) -> int:
    """Run a `ckan` CLI command against this profile's instance."""
    return subprocess.run([str(VENV / "bin" / "ckan"), "-c", str(profile.ckan_ini), *args.ckan_args],
                          cwd=ROOT).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=["run", "test", *(f"test{n}" for n in range(1, 10)), "bench"],
                        default="run")
    sub = parser.add_subparsers(dest="command", required=True)
    install = sub.add_parser("install", help="system packages, virtualenv, Solr runner")
    install.add_argument("--no-system-packages", action="store_true",
                         help="only name missing Debian packages, never install them")
    start = sub.add_parser("start", help="start every service, or the ones named (idempotent)")
    start.add_argument("services", nargs="*", help="only these (default: every service)")
    start.add_argument("--fresh", action="store_true", help="discard the profile's state first")
    stop = sub.add_parser("stop", help="stop every service, or the ones named")
    stop.add_argument("services", nargs="*")
    up = sub.add_parser("up", help="install, start and set up (sysadmin, demo content)")
    up.add_argument("--no-system-packages", action="store_true")
    up.add_argument("--fresh", action="store_true", help="discard the profile's state first")
    test = sub.add_parser("test", help="fresh services, pytest, teardown")
    test.add_argument("--no-system-packages", action="store_true")
    test.add_argument("--keep", action="store_true", help="leave the services running afterwards")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    test_unit = sub.add_parser("test-unit", help="the tests that need no service (no service is started)")
    test_unit.add_argument("pytest_args", nargs=argparse.REMAINDER)
    sub.add_parser("lint", help="ruff: lint and import order")
    sub.add_parser("status", help="show every service; exit 1 when one is down")
    sub.add_parser("check-ports", help="name the processes holding this profile's ports")
    sub.add_parser("check-tools", help="name the Debian packages that are missing")
    ckan = sub.add_parser("ckan", help="run a ckan command against the profile's instance")
    ckan.add_argument("ckan_args", nargs=argparse.REMAINDER)
    # pytest options before the first path (`make test PYTEST_ARGS="-x tests/unit"`) are not
    # argparse's: REMAINDER does not take an option as its first word.
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command not in ("test", "test-unit"):
        parser.error("unrecognized arguments: " + " ".join(unknown))
    if unknown:
        args.pytest_args = unknown + args.pytest_args
    profile = profile_named(args.profile)
    handlers = {"install": cmd_install, "start": cmd_start, "stop": cmd_stop, "status": cmd_status,
                "check-ports": cmd_check_ports, "check-tools": cmd_check_tools, "ckan": cmd_ckan,
                "up": cmd_up, "test": cmd_test, "test-unit": cmd_test_unit, "lint": cmd_lint}
    try:
        return handlers[args.command](profile, args) or 0
    except StackError as error:
        print(f"[stack] ERROR: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"[stack] ERROR: {shlex.join(map(str, error.cmd))} failed with code {error.returncode}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
