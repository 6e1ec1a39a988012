"""Configuration of an instance: its secrets, the ckan.ini (and source-ckan's ini)
written into var/<profile>, the outbound allow-list, source-ckan's sysadmin,
and `ckan_cli`, which runs CKAN's CLI against an instance.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from portal_stack.messages import die, say
from portal_stack.profiles import ROOT, SOURCE_CKAN_ADMIN, SOURCE_CKAN_NAME, VENV, Profile


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
