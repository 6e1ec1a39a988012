"""`ckan thueringen ...`: commands for operators and for `make run`."""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import click

from ckanext.thueringen import bootstrap, registry, registry_sync, value_migration
from ckanext.thueringen.harvesters import queue as harvest_queue

log = logging.getLogger(__name__)


def get_commands():
    return [thueringen]


@click.group(short_help="Thüringen portal: set-up, source registry, demo content and harvest scheduling")
def thueringen():
    pass


def _state_dir() -> Path | None:
    value = toolkit.config.get("thueringen.state_dir")
    return Path(value) if value else None


@thueringen.command("sysadmin")
@click.option("--name", envvar="PORTAL_ADMIN_USER", default="admin", show_default=True)
@click.option("--email", envvar="PORTAL_ADMIN_EMAIL", default="admin@localhost", show_default=True)
def sysadmin(name: str, email: str):
    """Create the sysadmin (password from PORTAL_ADMIN_PASSWORD, else generated
    and printed once) and keep an API token in <state_dir>/sysadmin-token."""
    result = bootstrap.ensure_sysadmin(name, email, os.environ.get("PORTAL_ADMIN_PASSWORD"), _state_dir())
    if result.password:
        click.echo(f"Sysadmin '{name}' created with the generated password: {result.password}")
        click.echo("It is shown only this once; set PORTAL_ADMIN_PASSWORD to choose your own.")
    elif result.created:
        click.echo(f"Sysadmin '{name}' created with the password from PORTAL_ADMIN_PASSWORD.")
    else:
        click.echo(f"Sysadmin '{name}' exists.")
    if result.token_file:
        click.echo(f"API token for scripts: {result.token_file}")


# ------------------------------------------------------------ source registry

REGISTRY_FILE = click.argument("registry_file", required=False,
                               type=click.Path(dir_okay=False, path_type=Path))
CATALOGS_URL = click.option("--catalogs-url", help="Base URL of the served demo catalogues "
                            "(default: the thueringen.demo_catalogs_url setting).")


def _registry(path: Path | None) -> registry.Registry:
    """The registry file named, else the thueringen.sources_file setting; a
    file with errors ends the command with every error, before any change."""
    path = path or toolkit.config.get("thueringen.sources_file")
    if not path:
        raise click.UsageError("no REGISTRY_FILE and no thueringen.sources_file setting")
    try:
        return registry.load(path)
    except registry.RegistryError as error:
        raise click.ClickException(str(error)) from error


def _sync(loaded: registry.Registry, demo: bool, real: bool, catalogs_url: str | None,
          dry_run: bool = False) -> registry_sync.SyncReport:
    """Run the sync, print each change and the summary."""
    try:
        report = registry_sync.sync(
            loaded, demo=demo, real=real, dry_run=dry_run,
            catalogs_url=catalogs_url or toolkit.config.get("thueringen.demo_catalogs_url"))
    except registry_sync.SyncError as error:
        for change in error.report.changes if error.report else []:
            click.echo(change)
        done = "nothing was changed" if error.report is None else "stopped after the changes above"
        raise click.ClickException(f"{done}:\n" + "\n".join(error.problems)) from error
    for change in report.changes:
        if change.action != "unchanged":
            click.echo(change)
    click.echo(report.summary())
    return report


@thueringen.group("sources", short_help="The source registry: authorities and their harvest sources")
def sources():
    """The source registry (config/sources.yaml, see docs/sources.md)."""


@sources.command("sync")
@REGISTRY_FILE
@click.option("--demo/--no-demo", default=False, show_default=True,
              help="Include the demo entries (they need the local catalogue server of `make run`).")
@click.option("--dry-run", is_flag=True, help="Only say what would change.")
@CATALOGS_URL
def sources_sync(registry_file: Path | None, demo: bool, dry_run: bool, catalogs_url: str | None):
    """Create or update the organisations (fields, Land -> Kreis -> Gemeinde
    hierarchy) and harvest sources of the registry; deactivate the harvest
    sources that left it. Deletes nothing; a second run changes nothing."""
    _sync(_registry(registry_file), demo=demo, real=True, catalogs_url=catalogs_url, dry_run=dry_run)


@sources.command("list")
@REGISTRY_FILE
def sources_list(registry_file: Path | None):
    """The registry as a tree, with each harvest source's state and last job."""
    for line in registry_sync.listing(_registry(registry_file)):
        click.echo(line)


@thueringen.command("demo")
@REGISTRY_FILE
@CATALOGS_URL
@click.option("--timeout", default=900, show_default=True, help="Seconds to wait for the harvests.")
def demo(registry_file: Path | None, catalogs_url: str | None, timeout: int):
    """Register the demo entries of the source registry (organisations and
    harvest sources) and harvest each demo source once (sources harvested
    before are left as they are)."""
    loaded = _registry(registry_file)
    _sync(loaded, demo=True, real=False, catalogs_url=catalogs_url)
    to_harvest = []
    for source in (s for a in loaded.select(demo=True, real=False) for s in a.sources if s.enabled):
        harvest_source = bootstrap.action("harvest_source_show", {"id": source.name})
        if bootstrap.last_job(harvest_source["id"]) is None:
            to_harvest.append(harvest_source["id"])
    if not to_harvest:
        click.echo("All demo sources were harvested before; nothing to do.")
        return
    click.echo(f"Harvesting {len(to_harvest)} demo source(s) ...")
    jobs = bootstrap.run_harvests(to_harvest, timeout, progress=click.echo)
    errored = sum(job["stats"].get("errored", 0) for job in jobs.values())
    click.echo(f"Demo harvest finished ({errored} error(s)).")


@thueringen.command("migrate-values")
@click.option("--batch-size", default=200, show_default=True, help="Datasets per transaction.")
@click.option("--dry-run", is_flag=True, help="Only count what would change.")
def migrate_values(batch_size: int, dry_run: bool):
    """Stored formats and licences to CKAN's API form ("CSV", "dl-by-de/2.0"),
    their URIs into format_uri and license_uri. Safe to run again."""
    counts = value_migration.migrate(batch_size, dry_run)
    verb = "would change" if dry_run else "changed"
    click.echo(f"Datasets: {counts.seen} seen, {counts.changed} {verb}.")


@thueringen.command("harvest-consumer")
@click.argument("stage", type=click.Choice(["gather", "fetch"]))
def harvest_consumer(stage: str):
    """Run the harvest gather or fetch consumer (Redis queues)."""
    harvest_queue.consume(stage)


@thueringen.command("harvest-scheduler")
@click.option("--interval", type=int, help="Seconds between runs "
              "(default: the thueringen.harvest.scheduler_interval setting).")
@click.option("--once", is_flag=True, help="Run once and exit.")
def harvest_scheduler(interval: int | None, once: bool):
    """Queue again what a stopped consumer left unfinished (requeue_orphans), run
    due harvest jobs, mark finished and timed-out jobs, and resubmit lost queue
    items (`harvest_jobs_run`), repeated."""
    interval = interval or toolkit.config.get("thueringen.harvest.scheduler_interval")
    while True:
        try:
            bootstrap.action("harvest_jobs_run", {})   # chained: requeue_orphans first
        except Exception:  # the scheduler must outlive one bad run; the log has the details
            model.Session.rollback()
            log.exception("harvest scheduler run failed")
        finally:
            model.Session.remove()
        if once:
            return
        time.sleep(interval)
