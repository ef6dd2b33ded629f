"""The ``keys`` command group: create vault keys and rotate every sealed row to the newest."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from guard.consents import reseal_wordings, wording_key_usage
from guard.db import create_schema, open_engine
from guard.mail_cache import MailCache
from guard.settings import SettingsError, token_keys_from_env
from guard.vault import TokenVault, VaultError, VaultKeys, generate_key


@click.group("keys")
def keys() -> None:
    """Manage the keys that encrypt OAuth tokens, consent wordings and cached metadata."""


@keys.command("generate")
def generate() -> None:
    """Print a new random key; put it FIRST in MAILGUARD_TOKEN_KEYS, keep the old ones after."""
    click.echo(generate_key())


@keys.command("rotate")
@click.option("--database-url", envvar="MAILGUARD_DATABASE_URL", required=True,
              help="SQLAlchemy URL of the guard's database (or MAILGUARD_DATABASE_URL).")
def rotate(database_url: str) -> None:
    """Re-encrypt every stored token and consent wording with the newest key.

    The service keeps running: old keys still decrypt until every row is re-encrypted;
    then drop them from MAILGUARD_TOKEN_KEYS.
    """
    try:
        vault_keys = VaultKeys(token_keys_from_env())
    except (SettingsError, VaultError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    engine = open_engine(database_url)
    try:
        create_schema(engine)
        vault = TokenVault(engine, vault_keys, lambda: datetime.now(UTC))
        report = vault.rotate()
        wordings = reseal_wordings(engine, vault_keys)
        dropped = MailCache(engine, vault_keys, lambda: datetime.now(UTC)).drop_stale_keys()
        usage = vault.key_usage()
        for key_id, count in wording_key_usage(engine).items():
            usage[key_id] = usage.get(key_id, 0) + count
    except VaultError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    finally:
        engine.dispose()
    click.echo(f"re-encrypted {report.re_encrypted} of {report.rows} token rows with key "
               f"{vault_keys.newest_id}; {report.already_current} were current; "
               f"re-sealed {wordings.re_encrypted} of {wordings.rows} consent wordings; "
               f"{wordings.already_current} were current; "
               f"emptied the metadata cache of {dropped} mailboxes")
    old = {k: n for k, n in usage.items() if k != vault_keys.newest_id}
    if old:
        click.echo(f"error: {sum(old.values())} rows still use older keys; run rotate again",
                   err=True)
        sys.exit(1)
    click.echo("no row uses an older key: they can be removed from MAILGUARD_TOKEN_KEYS")
