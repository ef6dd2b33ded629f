"""Bring a MailGuard database to the current schema with Alembic (``mailguard db ...``).

Every table lives in one database: the guard's (``guard.db.metadata``), the audit log's
(``audit.schema``, its append-only triggers included) and the web client's
(``webclient.preferences``). ``upgrade`` creates or completes them; a database made by an
earlier ``create_all`` (``Guard.open`` / ``AuditLog.open``) is adopted by the first
revision, which creates only what is missing.

Several ``mailguard db`` commands may run at once (one per host or container at a rollout).
They serialise in ``env.py``: on an advisory lock on PostgreSQL, on ``BEGIN IMMEDIATE`` on
SQLite. Before that, every SQLite connection switches a new file to WAL, which two
processes doing at once used to fail at; ``guard.db`` retries that switch
(``audit.sqlite_journal``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from guard.db import open_engine
from guard.settings import DATABASE_URL_FORMS, SettingsError, require_database_url

SCRIPTS = Path(__file__).resolve().parent

#: Where ``upgrade`` hands the token vault keys to the revisions that seal stored data.
TOKEN_KEYS_ATTRIBUTE = "token_keys"  # noqa: S105 - an attribute name, not a key


class MigrationError(Exception):
    """A database could not be reached or brought to the current schema."""


@dataclass(frozen=True, slots=True)
class Revision:
    """One migration step: its id, the one it follows, and what it does."""

    id: str
    down_revision: str | None
    message: str


def alembic_config(engine: Engine | None = None, *, token_keys: Sequence[str] = ()
                   ) -> Config:
    """Return an Alembic config for our scripts, bound to ``engine`` when given."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    if engine is not None:
        config.attributes["engine"] = engine
    config.attributes[TOKEN_KEYS_ATTRIBUTE] = tuple(token_keys)
    return config


def head() -> str:
    """Return the newest revision id."""
    found = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert found is not None
    return found


def history() -> list[Revision]:
    """Return every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    steps = [Revision(id=s.revision, down_revision=_single(s.down_revision),
                      message=(s.doc or "").strip()) for s in script.walk_revisions()]
    return list(reversed(steps))


def _single(value: str | list[str] | tuple[str, ...] | None) -> str | None:
    if isinstance(value, tuple | list):
        return ",".join(value)
    return value


def _engine(url: str) -> Engine:
    """Return an engine for ``url``; refuse a malformed URL, another database or driver.

    Security caveat: no message repeats the URL, which may hold a password.
    """
    try:
        require_database_url(url)  # the same refusals as the staff and keys commands
    except SettingsError as exc:
        raise MigrationError(str(exc)) from None
    try:
        return open_engine(url)
    except (ArgumentError, SQLAlchemyError, ValueError) as exc:
        raise MigrationError(f"the database URL is not valid; {DATABASE_URL_FORMS}") from exc


def upgrade(url: str, revision: str = "head", *, token_keys: Sequence[str] = ()) -> str | None:
    """Migrate the database at ``url`` to ``revision``; return the revision it is now at.

    ``token_keys`` (the token vault keys, newest first) are needed only when stored data
    must be sealed (consent wordings kept in plain text by older releases); a revision that
    needs them and has none raises ``MigrationError`` and changes nothing.
    """
    engine = _engine(url)
    _make_sqlite_folder(url)
    try:
        command.upgrade(alembic_config(engine, token_keys=token_keys), revision)
        return _current(engine)
    except SQLAlchemyError as exc:
        raise _unreachable("upgrade", exc) from exc
    except CommandError:
        raise _no_path(_current_or_none(engine), revision) from None
    finally:
        engine.dispose()


def _sqlite_file(url: str) -> Path | None:
    """Return the file of an SQLite URL given as a plain path, else None."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        return None
    return Path(database)


def _make_sqlite_folder(url: str) -> None:
    """Create the folder of a new SQLite file (``instance/`` by default), as SQLite will not."""
    file = _sqlite_file(url)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)


def current(url: str) -> str | None:
    """Return the revision the database at ``url`` is at, or None if never migrated.

    A missing SQLite file is not created: it is at no revision.
    """
    engine = _engine(url)
    file = _sqlite_file(url)
    if file is not None and not file.exists():
        engine.dispose()
        return None
    try:
        return _current(engine)
    except SQLAlchemyError as exc:
        raise _unreachable("read the revision of", exc) from exc
    finally:
        engine.dispose()


def _current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _current_or_none(engine: Engine) -> str | None:
    try:
        return _current(engine)
    except SQLAlchemyError:
        return None


def is_known(revision: str) -> bool:
    """Say whether ``revision`` is one of this release's revisions."""
    return revision in {step.id for step in history()}


def _no_path(at: str | None, target: str) -> MigrationError:
    """Explain why Alembic found no way from revision ``at`` to ``target``."""
    if at is not None and not is_known(at):
        return MigrationError(
            f"the database is at revision {at}, which this release does not know: a newer "
            "MailGuard migrated it; run that release, or restore a backup taken before it")
    if target != "head" and not is_known(target):
        return MigrationError(f"there is no revision {target}; mailguard db history lists them")
    return MigrationError(
        f"cannot upgrade from revision {at or 'none'} to {target}: migrations go forward "
        "only; give a later revision, or restore a backup to go back")


def _unreachable(action: str, exc: SQLAlchemyError) -> MigrationError:
    kind = type(getattr(exc, "orig", None) or exc).__name__
    return MigrationError(
        f"could not {action} the database ({kind}); check that the URL names a reachable "
        "database that this user may change, then run the command again")
