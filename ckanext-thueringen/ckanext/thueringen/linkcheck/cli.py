"""`ckan thueringen linkcheck ...`: run the link checker and look at its queue."""
from __future__ import annotations

import logging
import signal
import threading

import click

log = logging.getLogger(__name__)


def get_commands() -> list:
    # a subcommand of the portal's `ckan thueringen` group (plugin thueringen)
    from ckanext.thueringen.cli import thueringen

    thueringen.add_command(linkcheck)
    return []


@click.group(short_help="Link checks of the access and download URLs")
def linkcheck():
    pass


@linkcheck.command("run")
@click.option("--url", "urls", multiple=True, help="check this URL now (repeatable)")
@click.option("--due", is_flag=True, help="check every due URL, then stop")
@click.option("--discover", is_flag=True, help="first queue the portal's addresses that are not queued yet")
def run(urls: tuple[str, ...], due: bool, discover: bool):
    """Check URLs now and store their answers: the given --url ones, or with
    --due every URL whose check is due (new ones included)."""
    from ckanext.thueringen.linkcheck import store
    from ckanext.thueringen.linkcheck.checker import Checker, Settings

    if not urls and not due and not discover:
        raise click.UsageError("--url, --due oder --discover angeben.")
    checker = Checker(Settings.from_config())
    if discover:
        added, dropped = store.discover()
        click.echo(f"{added} neue Adresse(n) eingereiht, {dropped} nicht mehr verwendete entfernt.")
    for check in checker.check(urls):
        click.echo(f"{check.url}: {_describe(check)}")
    if due:
        click.echo(f"{checker.run_due()} fällige Adresse(n) geprüft.")


def _describe(check) -> str:
    if check.error:
        return f"Fehler – {check.error}"
    size = f", {check.size} Bytes" if check.size is not None else ""
    return f"HTTP {check.status_code} ({check.method}), {check.content_type or 'ohne Inhaltstyp'}{size}"


@linkcheck.command("status")
def status():
    """How many URLs are known, not checked yet, due, and broken."""
    from ckanext.thueringen.linkcheck import store

    for name, count in store.counts().items():
        click.echo(f"{name}: {count}")


@linkcheck.command("worker")
def worker():
    """Check due URLs in the background, for good: the supervised service
    `linkcheck-worker`. Stops after the current requests on SIGTERM/SIGINT."""
    from ckanext.thueringen.linkcheck.checker import Checker, Settings

    stop = threading.Event()

    def stop_on_signal(signum, _frame):
        log.info("Linkprüfung: Signal %s, beende nach den laufenden Anfragen", signum)
        stop.set()

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    Checker(Settings.from_config()).work(stop)
