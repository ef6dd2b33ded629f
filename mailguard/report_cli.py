"""Write the compliance report for a period, as HTML or PDF.

Settings come from the environment, as for mailguard audit:

\b
  MAILGUARD_DATABASE_URL            the database (default sqlite:///instance/mailguard.db)
  MAILGUARD_AUDIT_HMAC_KEY          the audit log's identifier-hashing key, hex or base64
  MAILGUARD_AUDIT_SIGNING_KEY       the checkpoint key file (its verifier key is trusted)
  MAILGUARD_POLICY_PATH             the policy file (default: the shipped policy)

Building the report reads the whole log and verifies it; that reading is itself recorded
in the log (actor = the operating-system user) before anything is written, and the
command refuses if it cannot be recorded.
"""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from audit import AuditError, AuditEvent, AuditLog, IdentifierHasher
from audit.cli import DEFAULT_DATABASE_URL, LogSettings
from guard.db import open_engine
from guard.errors import GuardError
from guard.policy import load_policy
from guard.settings import policy_path_from_env
from guard.staff import StaffRegistry
from webclient.auth.google_oauth import SCOPES
from webclient.review.activity import StaffNames
from webclient.review.report import build_report, render_html, render_pdf
from webclient.review.search import FilterError, stored_time
from webclient.review.text import translator


@click.command("report", context_settings={"help_option_names": ["-h", "--help"]},
               help=__doc__, short_help="Write the compliance report for a period (HTML or PDF).")
@click.option("--since", required=True, help="From this UTC date or time, e.g. 2025-01-01.")
@click.option("--until", help="Up to and including this UTC date (default: now).")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="html",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (required for PDF unless standard output is redirected).")
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True,
              help="The report's language.")
@click.option("--checkpoint", "checkpoint_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An exported checkpoint note the log must still contain (repeatable).")
@click.option("--db", "db_url", envvar="MAILGUARD_DATABASE_URL", default=DEFAULT_DATABASE_URL,
              show_default=True, metavar="URL", help="Database URL; env MAILGUARD_DATABASE_URL.")
def report(since: str, until: str | None, fmt: str, output: Path | None, lang: str,
           checkpoint_files: tuple[Path, ...], db_url: str) -> None:
    """Write the compliance report (scopes, purposes, human access, transfers, integrity)."""
    try:
        since_at = stored_time(since, "--since", end_of_day=False) or ""
        until_at = stored_time(until or "", "--until", end_of_day=True)
    except FilterError:
        raise click.ClickException("--since and --until take a UTC date like 2025-01-31 or a "
                                   "time like 2025-01-31T09:30") from None
    if until_at is not None and until_at <= since_at:
        raise click.ClickException("--until must not come before --since; give the period's "
                                   "first day with --since and its last with --until")
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise click.ClickException("give --output FILE for a PDF (or redirect standard output)")
    try:
        policy = load_policy(policy_path_from_env())
    except GuardError as error:
        raise click.ClickException(str(error)) from None
    settings = LogSettings(db_url)
    notes = [p.read_text(encoding="utf-8") for p in checkpoint_files]
    log = settings.open(need_key=True)
    try:
        now = datetime.now(UTC)
        _record_report(log)
        built = build_report(log, since=since_at, until=until_at, now=now,
                             scopes=SCOPES, policy_version=policy.version,
                             names=_staff_names(db_url, policy, log, settings.hmac_key),
                             exported_notes=notes)
    except AuditError as error:
        raise click.ClickException(str(error)) from None
    finally:
        log.close()
    text = translator(lang)
    if fmt == "pdf":
        data = render_pdf(built, text)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            _write(output, data)
    elif output is None:
        click.echo(render_html(built, text), nl=False)
    else:
        _write(output, render_html(built, text).encode("utf-8"))
    if output is not None:
        click.echo(f"wrote the {fmt.upper()} compliance report to {output}", err=True)
    if not built.integrity.ok:
        click.echo("warning: the audit log did not verify; the report says where", err=True)
        sys.exit(1)


def _write(output: Path, data: bytes) -> None:
    """Write the report to ``output``, or stop with one line saying why it cannot be."""
    try:
        output.write_bytes(data)
    except OSError as error:
        raise click.ClickException(f"cannot write the report to {output}: "
                                   f"{error.strerror or type(error).__name__}") from None


def _record_report(log: AuditLog) -> None:
    """Append who is reading the log before anything is written (refuse if it cannot)."""
    log.append(AuditEvent(actor_kind="staff", actor_id=f"os:{_os_user()}",  # type: ignore[arg-type]
                          actor_role="audit-reviewer", action="audit.report",
                          purpose="audit.review", decision="allow",  # type: ignore[arg-type]
                          rule_id="report.cli", outcome="ok"))


def _staff_names(db_url: str, policy: object, log: AuditLog, key: bytes | None) -> StaffNames:
    """Return staff addresses by hash, or none when the database has no staff registry."""
    if key is None:
        return StaffNames({})
    engine = open_engine(db_url)
    try:
        members = StaffRegistry(engine, policy, log).members(  # type: ignore[arg-type]
            include_inactive=True)
    except SQLAlchemyError:
        members = ()
    finally:
        engine.dispose()
    return StaffNames.build((m.email for m in members), IdentifierHasher(key))


def _os_user() -> str:
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):
        return "unknown"

