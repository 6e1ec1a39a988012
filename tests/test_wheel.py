"""The portal as a wheel, installed the way the image (docker/Dockerfile) installs it.

The wheel is built from a copy of the files git tracks (so nothing untracked,
no compiled translation, no editable install can make it pass) and installed
with --no-deps into a scratch virtualenv. The dependencies (CKAN, extensions)
come from the main .venv's site-packages as a plain path: its .pth files, among
them the editable install of this repository, are not run, so the portal's code
can only come from the wheel. From that virtualenv the image's settings
(config/*.ini and docker/ckan.ini, copied as the Dockerfile copies them, values
from the environment as compose.yaml passes them), entrypoint, health checks
and commands run against the services of `make test`.
"""
from __future__ import annotations

import ast
import configparser
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import textwrap
import time
import venv
from pathlib import Path

import pytest
import requests
import yaml
from babel.messages.pofile import read_po
from babel.support import Translations
from rdflib import Graph

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "ckanext-thueringen"
DOCKER = ROOT / "docker"


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    return [name for name in out.decode().split("\0") if name]


def _setup_entry_points() -> dict[str, list[str]]:
    """setup.py's entry_points literal, read without running setup.py."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "entry_points":
            return ast.literal_eval(node.value)
    raise AssertionError("setup.py has no entry_points")


def _plugin_names() -> list[str]:
    return [line.split("=")[0].strip() for line in _setup_entry_points()["ckan.plugins"]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`pip wheel --no-deps` of a checkout holding only the tracked files."""
    checkout = tmp_path_factory.mktemp("checkout")
    for name in _tracked_files():
        source = ROOT / name
        if not source.exists() and not source.is_symlink():
            continue   # deleted in the work tree, not yet in a commit
        target = checkout / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    dist = tmp_path_factory.mktemp("dist")
    # No build isolation: setuptools, wheel and Babel come from .venv, not from an index.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", "--wheel-dir", str(dist), str(checkout)],
                   check=True, capture_output=True, text=True)
    (built,) = dist.glob("ckanext_thueringen-*.whl")
    return built


class Scratch:
    """A virtualenv with only the wheel installed in it."""

    def __init__(self, root: Path):
        self.root = root
        self.python = root / "bin" / "python"
        self.bin = root / "bin"
        self.site_packages = Path(sysconfig.get_path("purelib", vars={"base": str(root), "platbase": str(root)}))
        self.package = self.site_packages / "ckanext" / "thueringen"

    def script(self, name: str) -> None:
        """A console script of a dependency (ckan, gunicorn): pip's launcher of
        the main .venv, run by this virtualenv's interpreter."""
        launcher = (Path(sys.executable).parent / name).read_text().split("\n", 1)[1]
        path = self.bin / name
        path.write_text(f"#!{self.python}\n{launcher}")
        path.chmod(0o755)


@pytest.fixture(scope="module")
def scratch(wheel, tmp_path_factory) -> Scratch:
    env = Scratch(tmp_path_factory.mktemp("scratch") / "venv")
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env.root)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(env.python), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True, text=True)
    # After the install, so that pip saw an empty environment: the dependencies
    # as a plain path entry (a .pth line that is a path runs nothing).
    main_site = Path(sysconfig.get_path("purelib"))
    (env.site_packages / "portal-dependencies.pth").write_text(f"{main_site}\n")
    env.script("ckan")
    env.script("gunicorn")
    return env


# ------------------------------------------------------- the image's layout

def _image_copies() -> dict[str, Path]:
    """Image path -> repository file, from the COPY lines of the Dockerfile's last stage."""
    stages = (DOCKER / "Dockerfile").read_text().split("\nFROM ")
    copies = {}
    for line in stages[-1].replace("\\\n", " ").splitlines():
        words = line.split()
        if not words or words[0] != "COPY" or any(w.startswith("--from") for w in words):
            continue
        *sources, destination = [w for w in words[1:] if not w.startswith("--")]
        assert destination.endswith("/"), line
        for source in sources:
            copies[destination + Path(source).name] = ROOT / source
    return copies


@pytest.fixture(scope="module")
def image_root(tmp_path_factory) -> Path:
    """The files the Dockerfile copies into the image, at their image paths under a folder."""
    root = tmp_path_factory.mktemp("image")
    for image_path, source in _image_copies().items():
        target = root / image_path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return root


def _in_image(root: Path, args: list[str]) -> list[str]:
    """A command of the image, with its image paths moved under root."""
    return [str(root / a.lstrip("/")) if a.startswith(("/etc/ckan/", "/opt/portal/")) else a for a in args]


@pytest.fixture(scope="module")
def service_env(stack, scratch, image_root, tmp_path_factory) -> dict[str, str]:
    """The environment compose.yaml gives the portal's containers, with the
    addresses of the `make test` services and the scratch virtualenv first on PATH."""
    ini = configparser.RawConfigParser()
    ini.read(stack["ckan_ini"])
    main = ini["app:main"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN")}
    env.update(
        PATH=f"{scratch.bin}:{env.get('PATH', '')}",
        CKAN_INI=str(image_root / "etc" / "ckan" / "ckan.ini"),
        CKAN_SITE_URL="http://127.0.0.1:5000",
        CKAN_SECRET_KEY=main["SECRET_KEY"],
        CKAN_SQLALCHEMY_URL=main["sqlalchemy.url"],
        CKAN_SOLR_URL=main["solr_url"],
        CKAN_REDIS_URL=main["ckan.redis.url"],
        CKAN_STORAGE_PATH=str(tmp_path_factory.mktemp("storage")),
        CKAN_OUTBOUND_ALLOW="",
        WAIT_TIMEOUT="30",
    )
    return env


def _compose_services() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]


# ------------------------------------------------------------------- tests

def test_the_wheel_holds_every_tracked_file_of_the_package(scratch):
    source = ROOT / PACKAGE / "ckanext" / "thueringen"
    tracked = [ROOT / name for name in _tracked_files() if name.startswith(f"{PACKAGE}/ckanext/thueringen/")]
    assert len(tracked) > 100
    missing = [str(path.relative_to(source)) for path in tracked if not (scratch.package / path.relative_to(source)).is_file()]
    assert missing == []
    # every kind of data file is among them
    for kind in ("templates/", "public/", "i18n/", "migration/", "schemas/shacl/", "schemas/vocabularies/",
                 "schemas/dataset.yaml", "config_declaration.yaml"):
        assert any(kind in str(p.relative_to(source)) for p in tracked), kind
    # the top-level `schemas` link is not what the wheel carries: real files
    assert not any(p.is_symlink() for p in scratch.package.rglob("*"))


def test_the_wheel_carries_compiled_translations(scratch):
    pos = sorted((ROOT / PACKAGE / "ckanext" / "thueringen").glob("i18n/*/LC_MESSAGES/*.po"))
    assert pos
    for po in pos:
        with po.open("rb") as handle:
            catalog = read_po(handle)
        translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy and isinstance(m.id, str)}
        language = po.parent.parent.name
        installed = Translations.load(str(scratch.package / "i18n"), [language], po.stem)
        assert isinstance(installed, Translations), f"no {language} .mo in the install"
        wrong = {msgid: installed.gettext(msgid) for msgid, text in translated.items()
                 if installed.gettext(msgid) != text}
        assert len(translated) > 10 and wrong == {}


def test_the_shacl_shapes_and_vocabulary_files_parse(scratch):
    for folder in ("schemas/shacl", "schemas/vocabularies"):
        files = [p for p in (scratch.package / folder).iterdir() if p.suffix in (".ttl", ".rdf")]
        assert files, folder
        for path in files:
            assert len(Graph().parse(path, format="turtle" if path.suffix == ".ttl" else "xml")) > 0, path


PROBE = textwrap.dedent("""
    import json, sys
    from importlib.metadata import distribution
    import click
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app
    import ckan.plugins as plugins
    from ckan.logic import get_action

    make_app(CKANConfigLoader(sys.argv[1]).get_config())
    wanted = json.loads(sys.argv[2])
    from ckanext.thueringen import vocabularies

    result = {
        "dist": str(distribution("ckanext-thueringen").locate_file("ckanext/thueringen/__init__.py")),
        "plugins": {},
        "schemas": {},
        "vocabularies": {name: len(vocabularies.vocabulary(name)) for name in vocabularies.names()},
        "commands": {},
    }
    for name in wanted["plugins"]:
        plugin = plugins.get_plugin(name)
        result["plugins"][name] = sys.modules[type(plugin).__module__].__file__
    for kind in ("dataset", "publication"):
        schema = get_action("scheming_dataset_schema_show")({}, {"type": kind})
        result["schemas"][kind] = [f["field_name"] for f in schema["dataset_fields"]]
    organization = get_action("scheming_organization_schema_show")({}, {"type": "organization"})
    result["schemas"]["organization"] = [f["field_name"] for f in organization["fields"]]

    # Each command line as `ckan` would parse it, among the plugins' commands
    # (IClick): sub-commands resolved, arguments and options checked.
    groups = {c.name: c for p in plugins.PluginImplementations(plugins.IClick) for c in p.get_commands()}
    for service, args in wanted["commands"].items():
        command, rest = groups.get(args[0]), args[1:]
        while isinstance(command, click.Group) and rest and command.get_command(None, rest[0]):
            command, rest = command.get_command(None, rest[0]), rest[1:]
        try:
            if isinstance(command, click.Group):
                raise click.UsageError(f"no sub-command {rest[:1]} in {command.name}")
            command.make_context(args[0], list(rest))
            result["commands"][service] = sys.modules[command.callback.__module__].__file__
        except (AttributeError, click.ClickException) as error:
            result["commands"][service] = f"not a command: {error}"
    print("PROBE" + json.dumps(result))
""")


def test_ckan_loads_every_plugin_schema_vocabulary_and_command_from_the_wheel(scratch, service_env):
    names = _plugin_names()
    commands = {name: s["command"][1:] for name, s in _compose_services().items()
                if isinstance(s.get("command"), list) and s["command"][0] == "ckan"}
    assert set(commands) >= {"gather-consumer", "fetch-consumer", "scheduler", "fulltext-worker", "linkcheck-worker"}
    run = subprocess.run([str(scratch.python), "-c", PROBE, service_env["CKAN_INI"],
                          json.dumps({"plugins": names, "commands": commands})],
                         env=service_env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.split("PROBE", 1)[1])
    assert Path(result["dist"]).is_relative_to(scratch.root)
    assert sorted(result["plugins"]) == sorted(names)
    outside = {name: path for name, path in {**result["plugins"], **result["commands"]}.items()
               if not Path(path).is_relative_to(scratch.root)}
    assert outside == {}
    assert sorted(result["commands"]) == sorted(commands)
    assert {"title", "notes", "owner_org"} <= set(result["schemas"]["dataset"])
    assert "document_type" in result["schemas"]["publication"]
    assert result["schemas"]["organization"]
    assert len(result["vocabularies"]) > 5
    assert all(count > 0 for count in result["vocabularies"].values()), result["vocabularies"]


def test_the_cli_of_the_image_runs(scratch, service_env):
    run = subprocess.run(["ckan", "-c", service_env["CKAN_INI"], "thueringen", "--help"], env=service_env,
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "harvest-consumer" in run.stdout and "harvest-scheduler" in run.stdout


def test_the_entrypoint_migrates_and_starts_the_web_service(scratch, service_env, image_root):
    """entrypoint.sh with the web service's command: it waits for the services,
    runs `ckan db upgrade`, and gunicorn serves CKAN with the wheel's plugins,
    which the web health check sees."""
    port = _free_port()
    command = _in_image(image_root, _compose_services()["web"]["command"])
    # one worker on a free local port instead of the image's 0.0.0.0:5000
    command[1:1] = ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
    env = dict(service_env, PORTAL_MIGRATE="1")
    entrypoint = str(image_root / "opt" / "portal" / "entrypoint.sh")
    log = image_root / "web.log"
    with open(log, "wb") as output:
        web = subprocess.Popen([entrypoint, *command], env=env, stdout=output, stderr=subprocess.STDOUT,
                               start_new_session=True)
    health = [str(scratch.python), str(image_root / "opt" / "portal" / "healthcheck.py"), "web",
              f"http://127.0.0.1:{port}"]
    try:
        deadline = time.monotonic() + 240
        while subprocess.run(health, env=env, capture_output=True).returncode != 0:
            assert web.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(2)
        status = requests.get(f"http://127.0.0.1:{port}/api/3/action/status_show", timeout=30).json()["result"]
        assert set(_plugin_names()) <= set(status["extensions"])
        text = log.read_text()
        assert "PostgreSQL answers" in text and "Upgrading DB: SUCCESS" in text
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=60)


def test_the_queue_health_check(scratch, service_env, image_root):
    health = [str(scratch.python), str(image_root / "opt" / "portal" / "healthcheck.py"), "queue"]
    assert subprocess.run(health, env=service_env).returncode == 0
    down = dict(service_env, CKAN_REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    assert subprocess.run(health, env=down, capture_output=True).returncode == 1


def test_the_entrypoint_gives_up_on_a_service_that_does_not_answer(scratch, service_env, image_root):
    env = dict(service_env, CKAN_REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0", WAIT_TIMEOUT="1",
               PORTAL_MIGRATE="1")
    run = subprocess.run([str(image_root / "opt" / "portal" / "entrypoint.sh"), "true"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "Redis does not answer" in run.stderr
    assert "Upgrading DB" not in run.stdout
