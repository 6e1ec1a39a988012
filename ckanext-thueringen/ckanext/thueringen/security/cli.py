"""`ckan thueringen uploads ...`: uploaded files on disk."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit
import click

from ckanext.thueringen.security import uploads


def get_commands() -> list:
    # a subcommand of the portal's `ckan thueringen` group (plugin thueringen)
    from ckanext.thueringen.cli import thueringen

    thueringen.add_command(uploads_group)
    return []


@click.group("uploads", short_help="Uploaded files: remove those no resource uses any more")
def uploads_group():
    pass


@uploads_group.command("clean")
@click.option("--dry-run", is_flag=True, help="Only list the files that would be removed.")
def clean(dry_run: bool):
    """Remove the uploaded files that belong to no active uploaded resource
    (deleted resources, purged datasets, uploads replaced by a link)."""
    from ckanext.thueringen.security.plugin import active_upload_ids

    storage_path = toolkit.config.get("ckan.storage_path")
    if not storage_path:
        raise click.ClickException("ckan.storage_path ist nicht gesetzt; es gibt keine hochgeladenen Dateien.")
    orphaned = uploads.orphaned_uploads(storage_path, active_upload_ids())
    for resource_id, path in orphaned:
        if not dry_run:
            uploads.delete_upload(storage_path, resource_id)
        click.echo(f"{'würde löschen' if dry_run else 'gelöscht'}: {path} (Ressource {resource_id})")
    verb = "würden gelöscht" if dry_run else "gelöscht"
    click.echo(f"{len(orphaned)} verwaiste Datei(en) {verb}.")
