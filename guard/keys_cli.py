"""The ``keys`` command group: create vault keys and rotate every sealed row to the newest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NoReturn

import click
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from audit.engine import sqlite_file
from guard.consents import reseal_wordings, wording_key_usage
from guard.database_option import database_option, require_usable_url
from guard.db import open_engine
from guard.mail_cache import MailCache, label_cache, thread_cache
from guard.settings import SettingsError, token_keys_from_env
from guard.vault import (
    TokenVault,
    VaultError,
    VaultKeyMissing,
    VaultKeys,
    generate_key,
    oauth_tokens,
)

_ROTATE_HELP = """Re-encrypt every stored token and consent wording with the newest key.

\b
The service keeps running: every listed key still decrypts. In order:
1. put the new key FIRST in MAILGUARD_TOKEN_KEYS, the old ones after it;
2. restart every worker with that list;
3. run this command (again until it says no row uses an older key);
4. drop the old keys from MAILGUARD_TOKEN_KEYS and restart the workers.
The metadata cache is emptied rather than re-encrypted; it refills from Gmail.
"""


def _fail(message: str) -> NoReturn:
    """Stop with exit status 1 and ``Error: message``, as every other command does."""
    raise click.ClickException(message)


def _require_vault_tables(engine: Engine) -> None:
    """Refuse a database without the token vault instead of creating an empty one in it.

    A mistyped URL would otherwise get empty tables and a report that no row uses an old
    key, inviting the operator to drop the key that every real row still needs.
    """
    names = [oauth_tokens.name, thread_cache.name, label_cache.name]
    present = set(inspect(engine).get_table_names())
    absent = [name for name in names if name not in present]
    if absent:
        _fail(f"the database holds no token vault (no table {', '.join(absent)}); check "
              "--db (or MAILGUARD_DATABASE_URL) and run `mailguard db upgrade`")


def _require_existing_file(db_url: str) -> None:
    """Refuse an SQLite file that does not exist instead of leaving an empty one behind.

    The path is not echoed: an operator may have pasted a secret where the path goes.
    """
    url = require_usable_url(db_url)
    if url.get_backend_name() != "sqlite":
        return
    database = sqlite_file(url.database)
    if database is None or str(database) == ":memory:" or not database.exists():
        _fail("the database holds no token vault (its SQLite file does not exist); check "
              "--db (or MAILGUARD_DATABASE_URL) and run `mailguard db upgrade`")


@click.group("keys")
def keys() -> None:
    """Manage the keys that encrypt OAuth tokens, consent wordings and cached metadata."""


@keys.command("generate")
def generate() -> None:
    """Print a new random key; put it FIRST in MAILGUARD_TOKEN_KEYS, keep the old ones after."""
    click.echo(generate_key())


@keys.command("rotate", help=_ROTATE_HELP)
@database_option("--database-url")  # --database-url: this command's earlier spelling
def rotate(db_url: str) -> None:
    try:
        vault_keys = VaultKeys(token_keys_from_env())
    except (SettingsError, VaultError) as error:
        _fail(str(error))
    _require_existing_file(db_url)
    try:
        engine = open_engine(db_url)
    except (ArgumentError, SQLAlchemyError, ValueError) as error:
        # The URL is not echoed: it may hold a password.
        _fail(f"--db is not a usable database URL ({type(error).__name__})")
    try:
        _require_vault_tables(engine)
        vault = TokenVault(engine, vault_keys, lambda: datetime.now(UTC))
        wording_usage = wording_key_usage(engine)
        missing = sorted(set(wording_usage) - set(vault_keys.key_ids))
        if missing:
            raise VaultKeyMissing(
                f"{sum(wording_usage[k] for k in missing)} consent wordings are sealed with "
                f"key {', '.join(missing)}, which is not configured; nothing was "
                "re-encrypted; keep every key in use after the new one in "
                "MAILGUARD_TOKEN_KEYS and rotate again")
        report = vault.rotate()
        wordings = reseal_wordings(engine, vault_keys)
        dropped = MailCache(engine, vault_keys, lambda: datetime.now(UTC)).drop_stale_keys()
        usage = vault.key_usage()
        for key_id, count in wording_key_usage(engine).items():
            usage[key_id] = usage.get(key_id, 0) + count
    except VaultError as error:
        _fail(str(error))
    except SQLAlchemyError as error:
        # Not the driver's text: it can quote the URL, a statement or its parameters.
        _fail(f"the database failed ({type(error).__name__}: "
              f"{type(getattr(error, 'orig', None) or error).__name__}); nothing more was "
              "changed; check --db and that the database is reachable, then rotate "
              "again")
    finally:
        engine.dispose()
    click.echo(f"re-encrypted {report.re_encrypted} of {report.rows} token rows with key "
               f"{vault_keys.newest_id}; {report.already_current} were current; "
               f"re-sealed {wordings.re_encrypted} of {wordings.rows} consent wordings; "
               f"{wordings.already_current} were current; "
               f"emptied the metadata cache of {dropped} mailboxes")
    old = sum(n for k, n in usage.items() if k != vault_keys.newest_id)
    if report.altered:
        _fail(f"{old} rows still use older keys: {report.altered} token rows failed "
              "authentication (altered) and were left as they are; their users are asked to "
              "reconnect Gmail, which replaces them; keep the older keys until rotate "
              "reports none")
    if old:
        _fail(f"{old} rows still use older keys; run rotate again")
    click.echo("no row uses an older key: they can be removed from MAILGUARD_TOKEN_KEYS")
