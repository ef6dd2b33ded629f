"""Check what a reviewer gives the audit commands before anything is opened or recorded.

Every refusal here is a usage error (exit 2) or a one-line reason, said before a review
entry is appended: a value that could only match nothing (an empty filter, a text that
is no IP address, a time range that holds no moment) is refused instead of answered with
an empty result, which a reviewer would read as "no such entries".
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from audit.checkpoint import foreign_note_reason, open_signed_checkpoint
from audit.engine import sqlite_file
from audit.errors import AuditError, CheckpointError
from audit.key_settings import InvalidKeyText, hmac_key_from_text
from audit.time_bounds import InvalidTimeBound, stored_time_bound


def not_blank(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a filter given as empty text: it would match entries where the field is empty."""
    if value is not None and not value.strip():
        option = param.opts[0] if param.opts else str(param.name)
        raise click.BadParameter(f"{option} is empty; leave the option out to match any value",
                                 ctx=ctx, param=param)
    return value


def ip_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a --client-ip that is no IP address (it would match nothing)."""
    from audit.search import require_ip_address

    value = not_blank(ctx, param, value)
    if value is not None:
        try:
            require_ip_address(value, "--client-ip")
        except AuditError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return value


def require_folder_of(path: Path | None, option: str) -> None:
    """Refuse an output file in a folder that does not exist before anything is done."""
    if path is not None and not path.absolute().parent.is_dir():
        raise click.BadParameter(f"the folder {str(path.absolute().parent)!r} does not exist; "
                                 "create it or write elsewhere", param_hint=f"'{option}'")


def require_not_database(path: Path | None, db_url: str, option: str) -> None:
    """Refuse an output file that is the SQLite database (or its journal) being read.

    Written there, the export would replace the audit log it was made from.
    """
    if path is None:
        return
    if "://" not in db_url:
        database: Path | None = Path(db_url)
    else:
        try:
            parsed = make_url(db_url)
        except (ArgumentError, ValueError):
            return  # the URL is refused with its own message when the log is opened
        if parsed.get_backend_name() != "sqlite":
            return
        database = sqlite_file(parsed.database)
    if database is None:
        return
    target = path.absolute().resolve()
    base = database.absolute().resolve()
    if target in {base, *(base.with_name(base.name + s) for s in ("-wal", "-shm", "-journal"))}:
        raise click.BadParameter(f"{str(path)!r} is the audit database (or its journal) this "
                                 "command reads; write the export elsewhere",
                                 param_hint=f"'{option}'")


def signed_by_any(note: str, keys: list[str], origin: str) -> bool:
    """Say whether one of ``keys`` validly signed ``note`` as a checkpoint of ``origin``."""
    for key in keys:
        try:
            open_signed_checkpoint(note, key, origin=origin)
        except CheckpointError:
            continue
        return True
    return False


def read_note(path: Path) -> str:
    """Read an exported checkpoint file; refuse one that cannot be read as text."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        reason = "it is not UTF-8 text"
    except OSError as exc:
        reason = f"it could not be read ({exc.strerror or type(exc).__name__})"
    raise click.BadParameter(f"{path} is not a checkpoint of this log: {reason}",
                             param_hint="'--checkpoint'")


def require_note_of(origin: str, keys: list[str], path: Path, note: str) -> None:
    """Refuse a checkpoint file this log never signed: the wrong file, not tampering."""
    reason = foreign_note_reason(note, keys, origin=origin)
    if reason is not None:
        raise click.BadParameter(f"{path} is not a checkpoint of this log: {reason}",
                                 param_hint="'--checkpoint'")


def time_arg(value: str | None, option: str) -> str | None:
    """Turn a date or ISO time (UTC unless it says otherwise) into the stored time format."""
    if value is None:
        return None
    try:
        return stored_time_bound(value, option)
    except InvalidTimeBound:
        raise click.BadParameter(
            f"{value!r} is not a date or time; use e.g. 2025-01-31 or 2025-01-31T09:30:00Z",
            param_hint=option,
        ) from None


def time_range(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """Read --since and --until; refuse a range that ends before it starts or holds nothing."""
    start, end = time_arg(since, "--since"), time_arg(until, "--until")
    if start is not None and end is not None and end < start:
        raise click.BadParameter(f"--until {until} is before --since {since}",
                                 param_hint="'--until'")
    if start is not None and start == end:  # an empty answer would read as "no entries"
        raise click.BadParameter(
            f"--until {until} is the same moment as --since {since}, and --until is "
            "exclusive, so nothing can match; for one whole day give the next day as --until",
            param_hint="'--until'")
    return start, end


def parse_hmac_key(value: str | None) -> bytes | None:
    """Decode the hashing key as every MailGuard program does (``audit.key_settings``)."""
    if not value or not value.strip():
        return None
    try:
        return hmac_key_from_text(value)
    except InvalidKeyText as exc:
        raise click.ClickException(str(exc)) from None


def require_existing_database(url: str) -> None:
    """Refuse to create an empty SQLite database where the reviewer expected a log."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: e.g. a port that is no number
        if "://" not in url and Path(url).exists():
            return
        raise click.ClickException(  # not echoed: a mistyped URL may still hold a password
            "the --db value is not a database URL or an existing file; use e.g. "
            "sqlite:///instance/mailguard.db or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        database = sqlite_file(parsed.database)
        if database is None or str(database) == ":memory:" or not database.exists():
            raise click.ClickException(
                f"no audit database at {str(database or url)!r}; pass --db or set "
                "MAILGUARD_DATABASE_URL"
            )
