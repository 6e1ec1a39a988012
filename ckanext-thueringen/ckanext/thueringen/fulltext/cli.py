"""`ckan thueringen fulltext ...`: look at and drive the full-text extraction."""
from __future__ import annotations

import ckan.model as model
import click

from ckanext.thueringen.fulltext import jobs, storage
from ckanext.thueringen.model.fulltext import STATUSES


def get_commands() -> list:
    # A subcommand of the portal's `ckan thueringen` group (plugin thueringen),
    # not a second top-level group of the same name.
    from ckanext.thueringen.cli import thueringen

    thueringen.add_command(fulltext)
    return []


@click.group(short_help="Full text of the documents: status, queueing, retries")
def fulltext():
    pass


@fulltext.command("status")
def status():
    """How many documents are pending, done and failed."""
    counts = storage.counts()
    for name in STATUSES:
        click.echo(f"{name}: {counts.get(name, 0)}")


@fulltext.command("queue")
@click.argument("datasets", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="every active dataset and publication")
def queue(datasets: tuple[str, ...], everything: bool):
    """Queue the documents of DATASETS (ids or names) for extraction; unchanged
    documents are only fetched and compared, not extracted again."""
    if not datasets and not everything:
        raise click.UsageError("Datensätze nennen oder --all angeben.")
    if everything:
        packages = model.Session.query(model.Package).filter(model.Package.state == "active").all()
    else:
        packages = []
        for name in datasets:
            package = model.Package.get(name)
            if package is None:
                raise click.BadParameter(f"Datensatz {name} gibt es nicht.", param_hint="DATASETS")
            packages.append(package)
    queued = sum(jobs.schedule(package) for package in packages)
    click.echo(f"{queued} Dokument(e) eingereiht (Warteschlange {jobs.queue_name()}).")


@fulltext.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
def worker(queues: tuple[str, ...], burst: bool):
    """Work the full-text queue (or QUEUES): CKAN's jobs worker without a fork
    per job (worker.py)."""
    from ckanext.thueringen.fulltext.worker import work

    work(list(queues) or [jobs.queue_name()], burst=burst)


@fulltext.command("retry")
def retry():
    """Queue the documents whose next download attempt is due. The worker's
    scheduler does this by itself; this catches up after Redis lost its schedule."""
    click.echo(f"{jobs.retry_due()} Dokument(e) erneut eingereiht.")
