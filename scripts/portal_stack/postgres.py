"""PostgreSQL 15: a project-local cluster per profile, run as an unprivileged
user (``initdb`` refuses root, and CI runs as root), and its databases.
"""
from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from portal_stack.install import find_tool
from portal_stack.messages import die, say
from portal_stack.processes import Service, busy_port_message, log_tail, port_is_free, process_alive, wait_for
from portal_stack.profiles import ROOT

PG_OS_USER = "thueringen-pg"


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
            die("PostgreSQL did not start:\n" + result.stdout + result.stderr + log_tail(self.log))
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
