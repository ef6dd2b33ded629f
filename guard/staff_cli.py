"""Add, remove and list Qontak staff members and their roles.

Settings come from the environment so secrets never appear on a command line:

\b
  MAILGUARD_DATABASE_URL            the database (default sqlite:///instance/mailguard.db)
  MAILGUARD_POLICY_PATH             the policy file, as for mailguard serve (default: the
                                    shipped policy; MAILGUARD_POLICY is read too)
  MAILGUARD_AUDIT_HMAC_KEY          the audit log's identifier-hashing key, hex or base64
  MAILGUARD_STAFF_DOMAIN            the Google domain staff sign in with, as for mailguard
                                    serve; when set, add refuses an address outside it

Every change is recorded in the audit log (actor = the operating-system user) before it is
stored; if the log cannot record it, the change is refused.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from audit import AuditError, AuditLog
from audit.key_settings import InvalidKeyText, hmac_key_from_text
from guard.database_option import database_option, require_usable_url
from guard.db import create_schema, open_engine
from guard.errors import GuardError
from guard.policy import Actor, ActorKind, load_policy
from guard.settings import policy_path_from_env
from guard.staff import StaffRegistry

_db_option = database_option()


def _hmac_key() -> bytes:
    text = os.environ.get("MAILGUARD_AUDIT_HMAC_KEY", "").strip()
    if not text:
        raise click.ClickException("set MAILGUARD_AUDIT_HMAC_KEY to the audit log's "
                                   "identifier-hashing key; staff changes are audited")
    try:
        return hmac_key_from_text(text)
    except InvalidKeyText as error:
        raise click.ClickException(str(error)) from None


def _operator() -> Actor:
    try:
        name = getpass.getuser() or "unknown"
    except (KeyError, OSError):
        name = "unknown"
    return Actor(kind=ActorKind.STAFF, id=f"os:{name}", role="admin")


@contextmanager
def _registry(db_url: str) -> Iterator[StaffRegistry]:
    """Open the policy, database and audit log; turn their failures into one-line errors."""
    url = require_usable_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        folder = Path(url.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise click.ClickException(f"cannot create the database's folder {folder}: "
                                       f"{error.strerror or type(error).__name__}") from None
    try:
        policy = load_policy(policy_path_from_env())
    except GuardError as error:
        raise click.ClickException(str(error)) from None
    key = _hmac_key()
    engine = open_engine(db_url)
    try:
        create_schema(engine)
        audit = AuditLog.open(db_url, hmac_key=key, origin=None)  # the log's own origin
    except (SQLAlchemyError, AuditError, GuardError) as error:  # GuardError: not upgraded
        engine.dispose()
        raise click.ClickException(f"cannot open the database: "
                                   f"{str(error).splitlines()[0]}") from None
    try:
        yield StaffRegistry(engine, policy, audit)
    except (GuardError, AuditError) as error:
        raise click.ClickException(str(error)) from None
    except SQLAlchemyError as error:
        raise click.ClickException(f"the database refused the change: "
                                   f"{str(error).splitlines()[0]}") from None
    finally:
        audit.close()
        engine.dispose()


@click.group("staff", context_settings={"help_option_names": ["-h", "--help"]}, help=__doc__,
             short_help="Add, remove and list staff members and their roles.")
def staff() -> None:
    """Manage the staff members who may use the human-access broker."""


@staff.command("add")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True,
              help="A role from the policy's [staff.roles]; repeat for several.")
@_db_option
def add(email: str, roles: tuple[str, ...], db_url: str) -> None:
    """Add EMAIL with the given roles (or give a known member more roles)."""
    domain = os.environ.get("MAILGUARD_STAFF_DOMAIN", "").strip().lower().lstrip("@")
    if domain and email.strip().lower().rpartition("@")[2] != domain:
        raise click.ClickException(
            f"{email.strip()} is outside the staff domain {domain} (MAILGUARD_STAFF_DOMAIN): "
            "staff sign in with that domain's Google accounts only, so this member could "
            "never sign in; add their address in that domain")
    with _registry(db_url) as registry:
        member = registry.add(email, roles=roles, by=_operator())
    click.echo(f"{member.email}: {', '.join(sorted(member.roles))}")


@staff.command("remove")
@click.argument("email")
@_db_option
def remove(email: str, db_url: str) -> None:
    """Remove EMAIL: deactivate them and drop their roles."""
    with _registry(db_url) as registry:
        member = registry.remove(email, by=_operator())
    click.echo(f"{member.email}: removed")


@staff.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="Include removed members.")
@_db_option
def list_members(include_inactive: bool, db_url: str) -> None:
    """List staff members, their roles and whether they are active."""
    with _registry(db_url) as registry:
        members = registry.members(include_inactive=include_inactive)
    for m in members:
        state = "active" if m.active else "removed"
        click.echo(f"{m.email}\t{','.join(sorted(m.roles)) or '-'}\t{state}")
    if not members:
        click.echo("no staff members", err=True)
