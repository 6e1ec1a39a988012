"""The services besides PostgreSQL: Redis, Solr, CKAN under gunicorn, the
supervised `ckan` commands (harvest consumers, scheduler, full-text worker),
source-ckan and the demo catalogue server; and `services(profile)`, all of a
profile's services in start order.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from portal_stack.install import find_tool
from portal_stack.messages import die, say
from portal_stack.postgres import Postgres
from portal_stack.processes import Service, http_ok, log_tail, process_alive, wait_for
from portal_stack.profiles import ROOT, SOLR_JAR, SOLR_MODULE, SOURCE_CKAN_NAME, VENV, Profile


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
            die(f"{self.name} exited right after start" + log_tail(self.log))
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
