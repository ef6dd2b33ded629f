"""``mailguard db``: bring the database to the current schema and show where it stands.

The database is the one every process of a deployment shares (guard tables, audit log,
web client preferences): ``--db`` or ``MAILGUARD_DATABASE_URL``. Run ``mailguard db
upgrade`` once per release, before starting the web processes; a database created before
migrations existed is adopted (only missing tables, indexes and triggers are created).
"""

from __future__ import annotations

import os

import click

from guard.database_option import database_option
from guard.settings import TOKEN_KEYS_ENV, SettingsError, token_keys_from_env
from mailguard.migrations import MigrationError, current, head, history, is_known, upgrade

_db_option = database_option()


@click.group("db", context_settings={"help_option_names": ["-h", "--help"]})
def db() -> None:
    """Migrate the database (all guard, audit and web client tables) with Alembic."""


@db.command("upgrade")
@_db_option
@click.option("--to", "revision", default="head", show_default=True,
              help="The revision to upgrade to.")
def upgrade_command(db_url: str, revision: str) -> None:
    """Create or complete every table, index and audit trigger up to a revision.

    Consent wordings stored in plain text by older releases are sealed with the token vault
    keys, read from MAILGUARD_TOKEN_KEYS as the web processes read them.
    """
    try:
        keys = token_keys_from_env() if os.environ.get(TOKEN_KEYS_ENV, "").strip() else ()
        before = current(db_url)
        after = upgrade(db_url, revision, token_keys=keys)
    except (SettingsError, MigrationError) as error:
        raise click.ClickException(str(error)) from None
    if before == after:
        click.echo(f"database already at revision {after}")
    else:
        click.echo(f"database upgraded from {before or 'no revision'} to revision {after}")


@db.command("current")
@_db_option
def current_command(db_url: str) -> None:
    """Print the database's revision and whether it is the newest."""
    try:
        found = current(db_url)
    except MigrationError as error:
        raise click.ClickException(str(error)) from None
    newest = head()
    if found is None:
        click.echo(f"no revision (not migrated yet; run mailguard db upgrade to reach {newest})")
    elif found == newest:
        click.echo(f"{found} (head)")
    elif not is_known(found):
        click.echo(f"{found} (unknown to this release, whose head is {newest}; a newer "
                   "MailGuard migrated the database)")
    else:
        click.echo(f"{found} (behind head {newest}; run mailguard db upgrade)")


@db.command("history")
def history_command() -> None:
    """List the revisions, oldest first."""
    for step in history():
        click.echo(f"{step.down_revision or '<base>'} -> {step.id}: {step.message}")
