"""`ckan thueringen quality ...`: the scoring worker and re-scoring."""
from __future__ import annotations

import os

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import click

from ckanext.thueringen.quality import jobs


def get_commands() -> list:
    # a subcommand of the portal's `ckan thueringen` group (plugin thueringen)
    from ckanext.thueringen.cli import thueringen

    thueringen.add_command(quality)
    return []


@click.group(short_help="Metadata quality (MQA score): worker, re-scoring")
def quality():
    pass


@quality.command("worker")
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
def worker(burst: bool):
    """Work the quality queue: CKAN's jobs worker without a fork per job."""
    from ckanext.thueringen.fulltext.worker import MAINTENANCE_SECONDS, InProcessWorker

    os.nice(max(0, int(toolkit.config.get("thueringen.quality.worker_nice"))))
    InProcessWorker([jobs.queue_name()], maintenance_interval=MAINTENANCE_SECONDS,
                    worker_ttl=MAINTENANCE_SECONDS + 15).work(burst=burst)


@quality.command("rescore")
@click.argument("datasets", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="every active dataset and publication")
@click.option("--now", is_flag=True, help="score here and now instead of queueing for the worker")
def rescore(datasets: tuple[str, ...], everything: bool, now: bool):
    """Score DATASETS (ids or names), or --all, again."""
    if not datasets and not everything:
        raise click.UsageError("Datensätze nennen oder --all angeben.")
    if everything:
        ids = [row.id for row in model.Session.query(model.Package.id)
               .filter(model.Package.state == "active", model.Package.type != "harvest")]
    else:
        ids = []
        for name in datasets:
            package = model.Package.get(name)
            if package is None:
                raise click.BadParameter(f"Datensatz {name} gibt es nicht.", param_hint="DATASETS")
            ids.append(package.id)
    if now:
        from ckanext.thueringen.quality import scoring

        done = 0
        for start in range(0, len(ids), jobs.page_size()):
            done += len(scoring.rescore(ids[start:start + jobs.page_size()]))
        click.echo(f"{done} Datensatz/Datensätze bewertet.")
        return
    queued = jobs.schedule((package_id, None) for package_id in ids)
    click.echo(f"{queued} Datensatz/Datensätze eingereiht (Warteschlange {jobs.queue_name()}).")
