"""docker/: what can be checked without a Docker engine.

The compose file is validated against the Compose Specification's JSON schema
(tests/fixtures/compose), and the rules of the deployment are checked on the
files themselves: official images, a health check and a restart policy for
every service, scalable consumers, mounts that exist, and an nginx that
caches only for anonymous visitors and logs no client address. The image's
install and start commands run in tests/test_wheel.py.
"""
from __future__ import annotations

import copy
import json
import re
import runpy
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
NGINX = DOCKER / "nginx"
SCHEMA = ROOT / "tests" / "fixtures" / "compose" / "compose_spec.json"

PORTAL_SERVICES = {"web", "gather-consumer", "fetch-consumer", "scheduler", "fulltext-worker", "quality-worker",
                   "linkcheck-worker"}
OFFICIAL_IMAGES = {"postgres": "postgres:15", "solr": "solr:9.10", "redis": "redis:7"}
# nginx variables that hold a client's address
ADDRESS_VARIABLES = ("$remote_addr", "$binary_remote_addr", "$realip_remote_addr",
                     "$http_x_forwarded_for", "$proxy_add_x_forwarded_for", "$http_x_real_ip")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def validator() -> jsonschema.Validator:
    schema = json.loads(SCHEMA.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _nginx_directives(name: str) -> list[list[str]]:
    """Every directive of an nginx file as its words (comments dropped, `;` and
    braces as separators; quoted strings stay one word)."""
    text = "\n".join(line.split("#", 1)[0] if not re.search(r"""["'][^"']*#""", line) else line
                     for line in (NGINX / name).read_text().splitlines())
    directives, words = [], []
    for token in re.findall(r'"[^"]*"|\'[^\']*\'|[{};]|[^\s{};]+', text):
        if token in "{};":
            if words:
                directives.append(words)
            words = []
        else:
            words.append(token)
    return directives


def test_the_compose_file_follows_the_compose_specification(compose, validator):
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []
    # the schema does reject a broken file
    broken = copy.deepcopy(compose)
    broken["services"]["web"]["restart"] = ["always"]
    broken["services"]["redis"]["healthcheck"]["intervall"] = "10s"
    assert len(list(validator.iter_errors(broken))) == 2


def test_every_service_has_a_health_check_and_a_restart_policy(compose):
    services = compose["services"]
    assert set(services) == PORTAL_SERVICES | set(OFFICIAL_IMAGES) | {"nginx"}
    for name, service in services.items():
        assert service.get("restart") in ("always", "unless-stopped"), name
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), name


def test_official_images_and_the_portal_image_from_its_dockerfile(compose):
    services = compose["services"]
    for name, image in OFFICIAL_IMAGES.items():
        assert services[name]["image"] == image
    assert re.fullmatch(r"nginx(:[\w.-]+)?", services["nginx"]["image"])
    images = {services[name]["image"] for name in PORTAL_SERVICES}
    assert len(images) == 1
    for name in PORTAL_SERVICES:
        build = services[name]["build"]
        assert (DOCKER / build["context"] / build["dockerfile"]).resolve() == DOCKER / "Dockerfile"
    stages = [line.split()[1] for line in (DOCKER / "Dockerfile").read_text().splitlines()
              if line.startswith("FROM ")]
    assert stages and all(image == "python:3.11-slim" for image in stages)


def test_consumers_and_workers_scale_with_the_scale_option(compose):
    for name in PORTAL_SERVICES - {"web"}:
        service = compose["services"][name]
        assert "container_name" not in service and "ports" not in service, name
    # only nginx is published
    assert [name for name, s in compose["services"].items() if "ports" in s] == ["nginx"]


def test_secrets_come_from_the_environment(compose):
    text = (DOCKER / "compose.yaml").read_text()
    required = set(re.findall(r"\$\{(\w+):\?", text))
    assert {"CKAN_SECRET_KEY", "POSTGRES_PASSWORD", "CKAN_SITE_URL"} <= required
    documented = {line.split("=", 1)[0].lstrip("# ") for line in (DOCKER / "env.example").read_text().splitlines()
                  if "=" in line}
    assert set(re.findall(r"\$\{(\w+)", text)) <= documented
    environment = compose["x-portal"]["environment"]
    assert environment["CKAN_SECRET_KEY"].startswith("${")
    assert "SECRET_KEY = %(CKAN_SECRET_KEY)s" in (DOCKER / "ckan.ini").read_text()


def test_every_mounted_or_copied_path_exists(compose):
    mounted = []
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                mounted.append(DOCKER / source)
    assert len(mounted) >= 3
    missing = [str(path) for path in mounted if not path.exists()]
    assert missing == []
    assert (DOCKER / "../config/solr/configsets/ckan/conf/solrconfig.xml").is_file()
    for line in (DOCKER / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
            for source in words[1:-1]:
                assert (ROOT / source).exists() or source == ".", line


def test_nginx_logs_no_client_address():
    files = ["nginx.conf", "portal.conf"]
    directives = [d for name in files for d in _nginx_directives(name)]
    text = " ".join(" ".join(d) for d in directives)
    assert "proxy_pass" in text
    assert [v for v in ADDRESS_VARIABLES if re.search(re.escape(v) + r"\b", text)] == []
    formats = {d[1] for d in directives if d[0] == "log_format"}
    logs = [d for d in directives if d[0] == "access_log"]
    assert logs and all(d[1] == "off" or (len(d) > 2 and d[2] in formats) for d in logs), logs
    (error_log,) = [d for d in directives if d[0] == "error_log"]
    assert error_log[2] in ("crit", "alert", "emerg")
    # gunicorn writes no access log of its own
    settings = runpy.run_path(str(DOCKER / "gunicorn.conf.py"))
    assert settings.get("accesslog") is None
    assert "%(h)s" not in settings.get("access_log_format", "")


def test_nginx_caches_only_for_anonymous_visitors_and_as_the_application_allows():
    directives = _nginx_directives("portal.conf")
    maps = [d for d in directives if d[0] == "map"]
    session = [m for m in maps if m[1] == "$http_cookie"]
    assert session, maps
    (cookie_map,) = session
    cookie_rule = [d for d in directives if d[0].startswith('"~') and "ckan" in d[0]]
    assert cookie_rule and "remember_token" in cookie_rule[0][0]
    (no_cache_map,) = [m for m in maps if "$http_authorization" in m[1]]
    assert cookie_map[2] in no_cache_map[1]
    no_cache = no_cache_map[2]
    for directive in ("proxy_cache_bypass", "proxy_no_cache"):
        assert [d for d in directives if d[0] == directive] == [[directive, no_cache]]
    assert [d[1] for d in directives if d[0] == "proxy_cache"] == ["portal"]
    # Cache-Control and Set-Cookie of the application are honoured
    assert not [d for d in directives if d[0] == "proxy_ignore_headers"]
    key = [d for d in directives if d[0] == "proxy_cache_key"]
    assert key and "$http_accept" in key[0][1]
