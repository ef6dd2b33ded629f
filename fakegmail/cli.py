"""The ``fake-gmail`` command: run the emulator with seeded accounts until interrupted.

It serves with gunicorn (one worker process with threads, see ``gunicorn_server``); the
in-process werkzeug server in ``server`` is for tests.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Sequence

import click

from fakegmail.discovery import GMAIL_SCOPE_FULL
from fakegmail.gunicorn_server import GunicornEmulator, listen
from fakegmail.outbound import DEFAULT_LIMIT
from fakegmail.state import EmulatorState

DEFAULT_PORT = 8089


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _demo_accounts() -> list[tuple[str, str]]:
    """Return (email, name) for each of the seed module's demo accounts."""
    from fakegmail.seed import DEMO_ACCOUNTS

    return list(DEMO_ACCOUNTS)


def prepare_accounts(state: EmulatorState, accounts: Sequence[tuple[str, str]],
                     seed_messages: int) -> list[tuple[str, str]]:
    """Create ``accounts``, seed each with ``seed_messages`` messages; return (email, token)."""
    from fakegmail.control import fill_mailbox
    from fakegmail.seed import generate_mailbox

    minted: list[tuple[str, str]] = []
    for number, (email, name) in enumerate(accounts):
        account = state.ensure_account(email, name or None, (GMAIL_SCOPE_FULL,))
        if seed_messages:
            fill_mailbox(account, generate_mailbox(account.email, account.name, seed_messages,
                                                   seed=number, now=state.clock()))
        grant = state.tokens.mint(account.email, (GMAIL_SCOPE_FULL,))
        minted.append((account.email, grant.access_token))
    return minted


@click.command("fake-gmail")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; keep it loopback: the control API has no auth.")
@click.option("--port", default=DEFAULT_PORT, show_default=True,
              type=click.IntRange(0, 65535), help="Port to listen on; 0 picks a free one.")
@click.option("--seed-messages", default=50, show_default=True,
              type=click.IntRange(0, 100_000), help="Generated messages per account.")
@click.option("--account", "accounts", multiple=True, metavar="EMAIL",
              help="Account to create (repeatable); default: the demo accounts.")
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(0, 120_000),
              help="Latency added to every Gmail call.")
@click.option("--outbound-limit", default=DEFAULT_LIMIT, show_default=True,
              type=click.IntRange(1, 100_000),
              help="Messages sent outside the emulator kept per account (/_emulator/outbound).")
def fake_gmail(host: str, port: int, seed_messages: int, accounts: tuple[str, ...],
               latency_ms: int, outbound_limit: int) -> None:
    """Run the local Gmail API and Google OAuth emulator until SIGINT or SIGTERM."""
    for email in accounts:
        if "@" not in email:
            raise click.BadParameter(f"{email!r} is not an email address",
                                     param_hint="--account")
    if not _is_loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach it can read and "
                   "change every emulated mailbox through /_emulator/", err=True)
    try:
        listener = listen(host, port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port} "
                                   f"({error.strerror or error}); "
                                   "choose another --port, or 0 for a free one") from None
    url = f"http://{host}:{listener.getsockname()[1]}/"
    state = EmulatorState(outbound_limit=outbound_limit)
    chosen = [(email, "") for email in accounts] if accounts else _demo_accounts()
    try:
        minted = prepare_accounts(state, chosen, seed_messages)
        if latency_ms:
            state.faults.add({"method": "*", "latency_ms": latency_ms})
        server = GunicornEmulator(state, listener)
    except BaseException:
        listener.close()
        raise
    click.echo(f"fakegmail listening on {url}")
    for email, token in minted:
        click.echo(f"account {email} access_token {token}")
    sys.stdout.flush()
    status = server.serve()
    click.echo("fakegmail stopped", err=True)
    if status:
        sys.exit(status)
