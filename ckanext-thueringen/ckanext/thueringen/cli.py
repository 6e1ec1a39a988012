"""`ckan thueringen ...`: commands for operators and for `make run`."""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import click

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckanext.thueringen import bootstrap, harvest_queue

log = logging.getLogger(__name__)


def get_commands():
    return [thueringen]


@click.group(short_help="Thüringen portal: set-up, demo content and harvest scheduling")
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


@thueringen.command("demo")
@click.argument("sources_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--catalogs-url", help="Base URL of the served demo catalogues "
              "(default: the thueringen.demo_catalogs_url setting).")
@click.option("--timeout", default=900, show_default=True, help="Seconds to wait for the harvests.")
def demo(sources_file: Path, catalogs_url: str | None, timeout: int):
    """Create the demo organisations and harvest sources, and harvest each
    source once (sources harvested before are left as they are)."""
    base_url = catalogs_url or toolkit.config.get("thueringen.demo_catalogs_url")
    if not base_url:
        raise click.UsageError("no --catalogs-url and no thueringen.demo_catalogs_url setting")
    to_harvest = []
    for org in bootstrap.load_demo_sources(sources_file):
        organization = bootstrap.ensure_organization(org)
        for source in org.get("sources", []):
            harvest_source, created = bootstrap.ensure_harvest_source(source, organization["id"], base_url)
            if created or bootstrap.last_job(harvest_source["id"]) is None:
                to_harvest.append(harvest_source["id"])
            click.echo(f"{organization['name']}: harvest source {harvest_source['name']} -> {harvest_source['url']}")
    if not to_harvest:
        click.echo("All demo sources were harvested before; nothing to do.")
        return
    click.echo(f"Harvesting {len(to_harvest)} demo source(s) ...")
    jobs = bootstrap.run_harvests(to_harvest, timeout, progress=click.echo)
    errored = sum(job["stats"].get("errored", 0) for job in jobs.values())
    click.echo(f"Demo harvest finished ({errored} error(s)).")


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
    """Run due harvest jobs, mark finished and timed-out jobs, and resubmit lost
    queue items: `harvest_jobs_run`, repeated."""
    interval = interval or toolkit.config.get("thueringen.harvest.scheduler_interval")
    while True:
        try:
            bootstrap.action("harvest_jobs_run", {})
        except Exception:  # the scheduler must outlive one bad run; the log has the details
            model.Session.rollback()
            log.exception("harvest scheduler run failed")
        finally:
            model.Session.remove()
        if once:
            return
        time.sleep(interval)
