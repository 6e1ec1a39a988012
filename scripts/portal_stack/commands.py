"""The commands of scripts/stack.py (install, start, stop, up, status, test, ...)
and `main`, which parses the command line.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import os
import shlex
import shutil
import subprocess
import sys

from portal_stack.configuration import ckan_cli, ensure_source_sysadmin, load_secrets, write_ckan_ini
from portal_stack.install import (
    ensure_node_packages,
    ensure_solr_build,
    ensure_system_packages,
    ensure_translations,
    ensure_venv,
    install_pdfjs,
    missing_tools,
)
from portal_stack.messages import StackError, die, say
from portal_stack.postgres import Postgres
from portal_stack.processes import Service, busy_port_message, log_tail, port_is_free
from portal_stack.profiles import ROOT, VENV, Profile, profile_named
from portal_stack.services import CkanCommand, SourceWeb, Web, services


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
            if not isinstance(service, SourceWeb):
                # The strings of CKAN's scripts (/api/i18n/<lang>): only `ckan run`
                # writes them, not gunicorn, and without them every script speaks English.
                ckan_cli(profile, "translation", "js", capture=True, ini=service.ini)
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
            die(f"'ckan {' '.join(args)}' failed" + log_tail(log))


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


def main(argv: list[str] | None = None, description: str | None = None) -> int:
    parser = argparse.ArgumentParser(description=description)
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
