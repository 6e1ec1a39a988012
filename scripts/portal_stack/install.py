"""Install: the Debian packages of the tools the stack needs, the virtualenv, the
browser libraries, the compiled translations and the Solr runner, each only
when it is missing or older than what it is built from.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from portal_stack.messages import die, say
from portal_stack.profiles import ROOT, SOLR_JAR, SOLR_MODULE, VENV

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
