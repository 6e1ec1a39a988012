"""What an operator sees: service status, busy ports, missing tools."""
from __future__ import annotations

import os
import socket

import conftest
from conftest import run_stack


def test_status_lists_every_service_running():
    result = run_stack("status", check=False)
    assert result.returncode == 0, result.stdout
    for service in ("postgres", "redis", "solr", "ckan", "gather-consumer", "fetch-consumer", "scheduler",
                    "fulltext-worker", "linkcheck-worker"):
        assert any(line.split()[0] == service and "running" in line
                   for line in result.stdout.splitlines()[1:]), result.stdout


def test_a_stopped_service_is_reported_and_started_again():
    run_stack("stop", "redis")
    try:
        result = run_stack("status", check=False)
        assert result.returncode == 1
        redis_line = next(line for line in result.stdout.splitlines() if line.strip().startswith("redis"))
        assert "stopped" in redis_line
        assert "nothing answers PING" in redis_line
        assert "service(s) down" in result.stdout
    finally:
        run_stack("start")
    assert run_stack("status", check=False).returncode == 0


def test_a_busy_port_names_the_port_and_its_holder():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = dict(os.environ, **{f"{conftest.STATE_DIR.name.upper()}_CKAN_PORT": str(port)})
        result = run_stack("check-ports", env=env, check=False)

    assert result.returncode == 1
    assert f"port {port} for ckan is already in use by pid {os.getpid()}" in result.stdout


def test_missing_tools_name_the_debian_packages(tmp_path):
    # A PATH with nothing on it but the Python that runs the script.
    env = dict(os.environ, PATH=str(tmp_path), PORTAL_PG_BINDIR=str(tmp_path / "no-postgres"))
    result = run_stack("check-tools", env=env, check=False)

    assert result.returncode == 1
    for package in ("openjdk-17-jdk-headless", "maven", "postgresql-15", "redis-server"):
        assert f"'{package}'" in result.stdout
