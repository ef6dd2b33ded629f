"""Review and verify the tamper-evident audit log: verify, search, export, checkpoint, prove.

Settings come from the environment so secrets never appear on a command line:

\b
  MAILGUARD_DATABASE_URL            the database (default sqlite:///instance/mailguard.db)
  MAILGUARD_AUDIT_HMAC_KEY          identifier-hashing key, hex or base64 (>= 16 bytes)
  MAILGUARD_AUDIT_SIGNING_KEY       Ed25519 checkpoint key file, as for mailguard serve
                                    (default instance/audit-signing.key; created on first
                                    use of a log no key signs yet; new-signing-key makes a
                                    replacement; MAILGUARD_AUDIT_SIGNING_KEY_FILE is read too)
  MAILGUARD_AUDIT_VERIFIER_KEY      the published verifier key that verify trusts (after
                                    the checkpoint key was replaced: the old and the new
                                    one, separated by a space)
  MAILGUARD_AUDIT_ORIGIN            the log's origin line (default mailguard.local/audit)

Reading the log is itself audited: search, export and prove append an entry (actor = the
operating-system user) before they print anything, and refuse if that append fails.
verify and stats write nothing: they work on a read-only copy
(sqlite:///file:/path/copy.db?mode=ro&uri=true), a read replica or a SELECT-only role.
"""

from __future__ import annotations

import base64
import contextlib
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import click

from audit.checkpoint import VerifierKey
from audit.cli_input import (
    ip_address,
    not_blank,
    parse_hmac_key,
    read_note,
    require_existing_database,
    require_folder_of,
    require_not_database,
    require_note_of,
    signed_by_any,
    time_range,
)
from audit.entry import ActorKind, AuditEntry, AuditEvent, Decision
from audit.errors import AuditError, AuditUnavailable, CheckpointError, ProofError
from audit.key_settings import signing_key_file
from audit.query import (
    counts_from_stats,
    format_table,
    render_counts,
    write_csv,
    write_jsonl,
)

DEFAULT_DATABASE_URL = "sqlite:///instance/mailguard.db"
REVIEW_PURPOSE = "audit.review"

_db_option = click.option(
    "--db", "db_url", envvar="MAILGUARD_DATABASE_URL", default=DEFAULT_DATABASE_URL,
    show_default=True, metavar="URL",
    help="Database URL (SQLite file or postgresql+psycopg://...); env MAILGUARD_DATABASE_URL.",
)


class LogSettings:
    """Everything needed to open the log, read once from options and environment."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.origin = os.environ.get("MAILGUARD_AUDIT_ORIGIN") or None
        self.key_file = signing_key_file(os.environ)
        # several keys, separated by white space, after the checkpoint key was replaced
        self.verifier_keys = (os.environ.get("MAILGUARD_AUDIT_VERIFIER_KEY") or "").split()
        self.hmac_key = parse_hmac_key(os.environ.get("MAILGUARD_AUDIT_HMAC_KEY"))

    def open(self, *, sign: bool = False, need_key: bool = False,
             read_only: bool = False) -> Any:
        """Open the existing log; with ``sign`` load (or create) the checkpoint key.

        ``read_only`` writes nothing (no key, no settings): enough to verify and count, so a
        reviewer can point these at a copy, a read replica or a SELECT-only role.
        """
        from audit.log import AuditLog

        require_existing_database(self.db_url)
        if need_key and self.hmac_key is None:
            raise click.ClickException(
                "set MAILGUARD_AUDIT_HMAC_KEY to the log's identifier-hashing key (hex or "
                "base64); it is needed to search by identifier and to record this review"
            )
        signing_key: str | None = None
        if sign or Path(self.key_file).exists():
            signing_key = self.key_file
        try:
            return AuditLog.open(self.db_url, hmac_key=self.hmac_key, signing_key=signing_key,
                                 origin=self.origin, checkpoint_every=0,
                                 checkpoint_seconds=0, read_only=read_only, create=False)
        except AuditError as exc:
            raise click.ClickException(str(exc)) from exc

    def trusted_verifier_keys(self, origin: str) -> list[str] | None:
        """Return the verifier keys verify trusts: MAILGUARD_AUDIT_VERIFIER_KEY (one key, or
        several separated by white space), else the public half of the signing key file if
        there is one (None: read them from the log)."""
        if self.verifier_keys:
            for number, key in enumerate(self.verifier_keys, start=1):
                try:
                    VerifierKey.parse(key)
                except CheckpointError as exc:  # checked with it, every checkpoint looks forged
                    which = f" key {number}" if len(self.verifier_keys) > 1 else ""
                    raise click.ClickException(
                        f"MAILGUARD_AUDIT_VERIFIER_KEY{which} is not a verifier key: {exc}; "
                        "set it to what 'mailguard audit verifier-key' prints") from None
            return list(self.verifier_keys)
        if Path(self.key_file).exists():
            return [self.signing_key_verifier(origin)]
        return None

    def signing_key_verifier(self, origin: str) -> str:
        """Return the verifier key of the signing key file for the log ``origin``."""
        from audit.checkpoint import CheckpointSigner, load_or_create_signing_key

        try:
            key = load_or_create_signing_key(self.key_file)
        except (OSError, ValueError, AuditError) as exc:
            raise click.ClickException(
                f"the checkpoint key file {self.key_file} could not be read "
                f"({type(exc).__name__})") from exc
        return CheckpointSigner(origin, key).verifier_key()


@click.group("audit", context_settings={"help_option_names": ["-h", "--help"]},
             help=__doc__)
def audit() -> None:
    """Review and verify the tamper-evident audit log."""


@audit.command()
@_db_option
@click.option("--checkpoint", "checkpoint_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An exported checkpoint note the log must still contain (repeatable).")
def verify(db_url: str, checkpoint_files: tuple[Path, ...]) -> None:
    """Check every entry, Merkle node and checkpoint; name the first bad entry.

    Exit 0 when the log is intact; 1 when it is not (a line naming the first bad entry, or
    the range it lies in when only a root hash shows it) or when it could not be read; 2
    for a usage error, such as a --checkpoint file that is not a checkpoint of this log.
    Writes nothing.
    """
    settings = LogSettings(db_url)
    notes = [read_note(p) for p in checkpoint_files]
    log = settings.open(read_only=True)
    try:
        keys = settings.trusted_verifier_keys(log.origin)
        for path, note in zip(checkpoint_files, notes, strict=True):
            require_note_of(log.origin, keys or log.stored_verifier_keys(), path, note)
        with _progress("verifying") as progress:
            report = log.verify(checkpoint_notes=notes, progress=progress, verifier_keys=keys)
    except AuditError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        log.close()
    if not report.ok:
        first = report.first_problem
        click.echo(f"TAMPERED: {first.where}: {first.kind.value}: {first.detail}")
        sys.exit(1)
    click.echo(
        f"OK: {report.entries_checked} entries, {report.nodes_checked} Merkle nodes, "
        f"{report.checkpoints_checked} stored checkpoints and {report.notes_checked} exported "
        f"checkpoints verified; size {report.size}, root {_b64(report.root_hash)}"
    )
    if report.signed_size < report.size:
        click.echo(
            f"note: entries {report.signed_size}..{report.size - 1} are covered by no signed "
            "checkpoint yet, so they were checked only against the tree stored beside them, "
            "which whoever can write the database can recompute; run 'mailguard audit "
            "checkpoint --export FILE' and keep the file where those writers cannot reach",
            err=True,
        )
    if not report.keys_trusted:
        click.echo(
            "warning: checkpoint signatures were checked against keys read from the database; "
            "set MAILGUARD_AUDIT_VERIFIER_KEY to the published verifier key",
            err=True,
        )


@audit.command()
@_db_option
@click.option("--actor", callback=not_blank,
              help="Actor id in the clear (hashed with the log's key).")
@click.option("--actor-kind", type=click.Choice(["user", "staff", "system"]))
@click.option("--mailbox", callback=not_blank,
              help="Mailbox address in the clear (hashed with the log's key).")
@click.option("--address", callback=not_blank,
              help="An address matched against both mailbox and actor.")
@click.option("--client-ip", callback=ip_address,
              help="The client's IP address in the clear (hashed with the log's key; not "
                   "indexed: bound large logs with --since).")
@click.option("--purpose", callback=not_blank,
              help="A purpose, or a family such as 'advertising.*'.")
@click.option("--basis", callback=not_blank, help="consent, security, legal, feature, ...")
@click.option("--decision", type=click.Choice(["allow", "deny"]))
@click.option("--rule", "rule_id", callback=not_blank, help="The id of the rule that decided.")
@click.option("--resource", "resource_id", callback=not_blank,
              help="A message, thread, label or other id.")
@click.option("--since", help="From this UTC date or time (inclusive), e.g. 2025-01-31.")
@click.option("--until", help="Before this UTC date or time (exclusive).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many entries.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]),
              default="table", show_default=True)
def search(db_url: str, fmt: str, **criteria: Any) -> None:
    """Find entries; identifiers are given in the clear and matched by their keyed hash.

    Records this review in the log (actor: the operating-system user) before it prints.
    """
    criteria["since"], criteria["until"] = time_range(criteria["since"], criteria["until"])
    log = LogSettings(db_url).open(need_key=True)
    try:
        _record_review(log, "audit.search")
        entries = _search(log, **criteria)
        with _reader_may_leave():
            _write(entries, fmt, sys.stdout)
    except AuditError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        log.close()


@audit.command()
@_db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of standard output.")
def export(db_url: str, fmt: str, output: Path | None) -> None:
    """Stream every entry (hashed identifiers only) as JSON lines or CSV.

    Records this review in the log (actor: the operating-system user) before it writes.
    """
    require_folder_of(output, "--output")
    require_not_database(output, db_url, "--output")
    log = LogSettings(db_url).open(need_key=True)
    try:
        _record_review(log, "audit.export")
        with _reader_may_leave(), _output(output) as out, \
                _progress("exporting", shown_with=out) as progress:
            count = _write(_counted(log.query(), log.size(), progress), fmt, out)
    except AuditError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"could not write {output}: {exc.strerror or exc}") from exc
    finally:
        log.close()
    if output is not None:
        click.echo(f"exported {count} entries to {output}", err=True)


@audit.command()
@_db_option
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the signed note here (keep it where the database's writers "
                   "cannot change it).")
def checkpoint(db_url: str, export_path: Path | None) -> None:
    """Sign a checkpoint of the log as it stands and print its note."""
    require_folder_of(export_path, "--export")
    settings = LogSettings(db_url)
    if not Path(settings.key_file).exists():
        _require_never_signed(settings)
    log = settings.open(sign=True)
    try:
        signed = log.export_checkpoint(export_path) if export_path else log.checkpoint()
    except AuditError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(
            f"the checkpoint was signed and stored, but could not be written to "
            f"{export_path}: {exc.strerror or exc}") from exc
    finally:
        log.close()
    click.echo(signed.note, nl=False)


@audit.command("verifier-key")
@_db_option
def verifier_key(db_url: str) -> None:
    """Print the verifier key of the checkpoint key (name+keyid+key), to publish to reviewers.

    Give it to whoever checks exported checkpoints (MAILGUARD_AUDIT_VERIFIER_KEY, or any
    C2SP signed-note verifier); it holds no secret. Writes nothing.
    """
    settings = LogSettings(db_url)
    if not Path(settings.key_file).exists():
        raise click.ClickException(
            f"no checkpoint key file at {settings.key_file}; set MAILGUARD_AUDIT_SIGNING_KEY "
            "to the key that signs this log's checkpoints")
    log = settings.open(read_only=True)
    try:
        origin = log.origin
    finally:
        log.close()
    key = settings.signing_key_verifier(origin)
    click.echo(key)


@audit.command("new-signing-key")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def new_signing_key(path: Path) -> None:
    """Create a new checkpoint signing key file at PATH (never over an existing file).

    This is how the key is replaced on purpose: create the new file, point
    MAILGUARD_AUDIT_SIGNING_KEY at it, and publish its verifier key (`verifier-key`). A log
    that a key already signs refuses to create one on its own from a missing path. Checkpoints
    signed by the old key stay valid under the old verifier key. Writes no log entry.
    """
    from audit.checkpoint import create_signing_key

    try:
        create_signing_key(path)
    except FileExistsError:
        raise click.ClickException(
            f"{path} already exists; a key file is never overwritten (choose a new path)"
        ) from None
    except OSError as exc:
        raise click.ClickException(
            f"could not create {path}: {exc.strerror or exc}") from None
    click.echo(f"created {path} (mode 0600); point MAILGUARD_AUDIT_SIGNING_KEY at it, then "
               "publish `mailguard audit verifier-key` to reviewers", err=True)


@audit.command()
@_db_option
@click.argument("seq", type=click.IntRange(min=0))
@click.option("--tree-size", type=click.IntRange(min=1),
              help="Prove inclusion in the tree of this size (default: a checkpoint).")
def prove(db_url: str, seq: int, tree_size: int | None) -> None:
    """Print, as JSON, the O(log n) hashes proving entry SEQ is in a signed tree.

    Records this review in the log (actor: the operating-system user) before it prints.
    """
    settings = LogSettings(db_url)
    log = settings.open(need_key=True)
    try:
        size = log.size()
        if seq >= size:  # checked first: recording this review appends entry ``size``
            raise click.ClickException(
                f"the log has no entry {seq}; it holds "
                + (f"entries 0..{size - 1}" if size else "no entries"))
        _record_review(log, "audit.prove")
        entry = log.get(seq)
        if entry is None:
            raise click.ClickException(f"the log has no entry {seq}")
        proof = log.prove_inclusion(seq, tree_size)
        try:
            proof.verify()
        except ProofError as exc:
            raise click.ClickException(
                f"the proof of entry {seq} does not verify against the signed checkpoint of "
                f"{proof.tree_size} entries ({exc}): the log was altered behind it; run "
                "'mailguard audit verify' to name the first bad entry") from exc
        if proof.checkpoint is not None:
            keys = settings.trusted_verifier_keys(log.origin) or log.stored_verifier_keys()
            if not signed_by_any(proof.checkpoint.note, keys, log.origin):
                raise click.ClickException(
                    f"the checkpoint of {proof.tree_size} entries is not validly signed by "
                    "this log's key, so it proves nothing; run 'mailguard audit verify'")
    except AuditError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        log.close()
    b64 = _b64
    click.echo(json.dumps({
        "leaf_index": proof.seq,
        "tree_size": proof.tree_size,
        "leaf_hash": b64(proof.leaf_hash),
        "root_hash": b64(proof.root_hash),
        "proof": [b64(h) for h in proof.hashes],
        "checkpoint": proof.checkpoint.note if proof.checkpoint else None,
        "entry": entry.to_dict(),
    }, indent=2, ensure_ascii=False))
    if proof.checkpoint is None:
        click.echo(
            f"note: no signed checkpoint of {proof.tree_size} entries exists, so this root "
            "comes from the stored tree, which whoever can write the database can recompute; "
            + ("leave out --tree-size to prove against a signed checkpoint" if tree_size
               else "set MAILGUARD_AUDIT_SIGNING_KEY so that one can be signed"), err=True)


@audit.command()
@_db_option
@click.option("--since", help="From this UTC date or time (inclusive).")
@click.option("--until", help="Before this UTC date or time (exclusive).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def stats(db_url: str, since: str | None, until: str | None, as_json: bool) -> None:
    """Count entries by day, actor kind, purpose, basis and decision. Writes nothing."""
    start, end = time_range(since, until)
    log = LogSettings(db_url).open(read_only=True)
    try:
        counts = counts_from_stats(log.stats(since=start, until=end, bucket="day", top=None))
    except AuditError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        log.close()
    if as_json:
        click.echo(json.dumps(counts.to_dict(), indent=2))
    else:
        click.echo(render_counts(counts), nl=False)


def _require_never_signed(settings: LogSettings) -> None:
    """Refuse to create a checkpoint key for a log that some key already signs.

    A missing key file then means a mistyped setting or another working folder; a new key
    would leave the log signed by two keys, and verify trusting one of them.
    """
    log = settings.open(read_only=True)
    try:
        keys = log.stored_verifier_keys()
    except AuditError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        log.close()
    if keys:
        ids = ", ".join(sorted(key.split("+")[1] for key in keys if key.count("+") >= 2))
        raise click.ClickException(
            f"no checkpoint key file at {settings.key_file}, but this log already has a "
            f"checkpoint key (key id {ids}); set MAILGUARD_AUDIT_SIGNING_KEY to that key's "
            "file (nothing was created)")


def _search(log: Any, *, actor: str | None, actor_kind: str | None, mailbox: str | None,
            address: str | None, client_ip: str | None, purpose: str | None,
            basis: str | None, decision: str | None, rule_id: str | None,
            resource_id: str | None, since: str | None, until: str | None,
            limit: int | None) -> Iterator[AuditEntry]:
    """Run the search in SQL (purpose families and --address included); times are stored."""
    from audit.search import AuditQuery

    return log.query(AuditQuery(
        actor_id=actor, actor_kind=actor_kind, mailbox=mailbox, address=address,
        client_ip=client_ip, basis=basis, decision=decision, rule_id=rule_id,
        resource_id=resource_id, purpose=purpose, since=since, until=until, limit=limit))


READER_LEFT_EXIT = 141
"""Exit status when the reader of standard output stopped reading (128 + SIGPIPE)."""


@contextlib.contextmanager
def _reader_may_leave() -> Iterator[None]:
    """End quietly when the reader of standard output goes away (``... | head``).

    Unix tools die of SIGPIPE there without a word; Python raises BrokenPipeError, and
    another when it flushes standard output on exit. Standard output is pointed at the
    null device so that the second one cannot happen, and the exit status says SIGPIPE.
    """
    try:
        yield
    except BrokenPipeError:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
        sys.exit(READER_LEFT_EXIT)


def _write(entries: Iterator[AuditEntry], fmt: str, out: IO[str]) -> int:
    """Write entries in the chosen format; return how many."""
    if fmt == "jsonl":
        return write_jsonl(entries, out)
    if fmt == "csv":
        return write_csv(entries, out)
    count = 0
    for line in format_table(entries):
        out.write(line + "\n")
        count += 1
    return max(count - 1, 0)


def _record_review(log: Any, action: str) -> None:
    """Append who is reading the log before anything is shown (refuse if it cannot)."""
    try:
        log.append(AuditEvent(
            actor_kind=ActorKind.STAFF, actor_id=_os_user(), actor_role="audit-reviewer",
            action=action, purpose=REVIEW_PURPOSE, decision=Decision.ALLOW,
            rule_id="audit.cli", outcome="ok",
        ))
    except AuditUnavailable as exc:
        command = action.removeprefix("audit.")
        raise click.ClickException(
            f"{command} records this review in the log before it shows anything, and the "
            f"log could not record it: {exc}. Use a database URL with write access; "
            "verify and stats read a read-only copy") from exc


def _os_user() -> str:
    """Return the operating-system user running the command."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):
        return "unknown"


def _counted(entries: Iterator[AuditEntry], total: int,
             progress: Callable[[int, int], None] | None) -> Iterator[AuditEntry]:
    """Yield ``entries``, reporting every thousandth (and the last) to ``progress``."""
    if progress is None:
        yield from entries
        return
    done = 0
    for entry in entries:
        yield entry
        done += 1
        if done % 1000 == 0:
            progress(done, max(total, done))
    progress(done, max(total, done))


@contextlib.contextmanager
def _progress(label: str, shown_with: IO[str] | None = None
              ) -> Iterator[Callable[[int, int], None] | None]:
    """Show a progress bar on a terminal; stay quiet when stderr is a pipe or file.

    ``shown_with`` is the output the command writes to: when that is the same terminal,
    the bar would break into it, so none is drawn.
    """
    if not sys.stderr.isatty() or (shown_with is not None and shown_with.isatty()):
        yield None
        return
    bar: Any = None
    shown = 0

    def update(done: int, total: int) -> None:
        nonlocal bar, shown
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - shown)
        shown = done

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@contextlib.contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    """Yield standard output, or a file under ``path`` that is replaced only when complete."""
    if path is None:
        yield sys.stdout
        return
    temp = path.with_name(f".{path.name}.partial")
    try:
        with open(temp, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _b64(value: bytes) -> str:
    """Encode a hash as standard base64 (as checkpoint notes do)."""
    return base64.b64encode(value).decode("ascii")
