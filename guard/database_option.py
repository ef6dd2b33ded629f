"""The ``--db`` option of the commands that open the database, and its one-line refusals.

``mailguard staff``, ``keys``, ``db``, ``audit`` and ``report`` all open the database that
``--db`` names, else ``MAILGUARD_DATABASE_URL``, else ``sqlite:///instance/mailguard.db``
in the folder the command is started from, which is what ``mailguard serve`` opens too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from sqlalchemy.engine import URL

from guard.settings import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_URL,
    SettingsError,
    require_database_url,
)


def database_option(*aliases: str) -> Callable[[Any], Any]:
    """Return the ``--db URL`` option (also spelt as ``aliases``), passed as ``db_url``."""
    return click.option(
        "--db", *aliases, "db_url", envvar=DATABASE_URL_ENV, default=DEFAULT_DATABASE_URL,
        show_default=True, metavar="URL",
        help=f"Database URL (sqlite:///path or postgresql+psycopg://...); env "
             f"{DATABASE_URL_ENV}.")


def require_usable_url(db_url: str) -> URL:
    """Return ``db_url`` parsed; raise a one-line ClickException unless MailGuard can use it.

    Security caveat: the message never repeats the URL, which may hold a password.
    """
    try:
        return require_database_url(db_url)
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
