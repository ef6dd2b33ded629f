"""Benchmark the guard's overhead per Gmail call: decision + durable audit append + transport.

Run ``python -m bench.guard [--quick]``. The emulator answers with 20 ms of injected
latency (a nearby Gmail); the same ``messages.get`` is timed through a bare client
(google-api-python-client over the same pooled transport, no guard) and through
``Guard.mail.get_message`` (policy decision, audit append durable on an SQLite file,
credentials from the vault), alternating so drift hits both sides alike.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from google.oauth2.credentials import Credentials

from fakegmail.pytest_plugin import new_account
from fakegmail.server import EmulatorServer
from guard._gmail import build_gmail_service
from guard.service import Guard
from guard.settings import GuardSettings, OAuthClient
from guard.transport import GmailTransport
from guard.vault import generate_key

LATENCY_MS = 20
GOAL_SHARE = 10.0


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def run(quick: bool) -> list[dict[str, Any]]:
    """Return the guard's overhead per call, in ms and as a share of a bare call."""
    rounds = 15 if quick else 100
    with EmulatorServer(host="127.0.0.1", port=0) as server, \
            tempfile.TemporaryDirectory() as tmp:
        account = new_account(server.state, server.url, "bench@fakegmail.test")
        stored = account.mailbox.add_message(
            b"From: a@example.org\r\nTo: bench@fakegmail.test\r\nSubject: bench\r\n\r\nbody\r\n")
        server.state.faults.add({"method": "*", "latency_ms": LATENCY_MS})
        token_uri = server.url.rstrip("/") + "/token"
        credentials = Credentials(token=account.token, refresh_token=account.refresh_token,
                                  token_uri=token_uri, client_id="bench",
                                  client_secret="bench")
        bare_transport = GmailTransport(credentials)
        bare = build_gmail_service(root_url=server.url, http=bare_transport)
        settings = GuardSettings(
            database_url=f"sqlite:///{Path(tmp) / 'guard.db'}",
            oauth_client=OAuthClient.for_root(server.url, client_id="bench",
                                              client_secret="bench"),
            token_keys=(generate_key(),), audit_hmac_key=b"bench-audit-hmac-key-0123456789",
            gmail_root_url=server.url, cache_enabled=False)
        with Guard.open(settings) as guard:
            guard.accounts.connect("bench-user", email=account.email, credentials=credentials,
                                   granted_scopes=["https://mail.google.com/"])
            actor = guard.accounts.actor_for("bench-user", account.email)

            # The guard builds the client library's sub-resources once per mailbox client;
            # the bare side does the same, so the comparison is of the guard's own work.
            bare_messages = bare.users().messages()

            def bare_call() -> None:
                bare_messages.get(userId="me", id=stored.id, format="full").execute()

            def guarded_call() -> None:
                guard.mail.get_message(actor=actor, mailbox=account.email,
                                       purpose="email.read", message_id=stored.id)

            for _ in range(3):  # warm both paths (connections, service objects)
                bare_call()
                guarded_call()
            bare_ms: list[float] = []
            guard_ms: list[float] = []
            for _ in range(rounds):
                bare_ms.append(_timed(bare_call))
                guard_ms.append(_timed(guarded_call))
        bare_transport.close()
    bare_median = statistics.median(bare_ms)
    guard_median = statistics.median(guard_ms)
    # Each guarded call is paired with the bare call just before it: the median of the
    # differences is steadier than the difference of the medians when latency jitters.
    overhead = statistics.median(g - b for g, b in zip(guard_ms, bare_ms, strict=True))
    share = 100.0 * overhead / bare_median
    notes = (f"messages.get at {LATENCY_MS} ms injected latency, {rounds} alternating rounds; "
             f"bare median {bare_median:.2f} ms, guarded median {guard_median:.2f} ms, "
             f"median paired difference {overhead:.2f} ms")
    return [
        {"name": "guard.overhead_share", "value": round(share, 2), "unit": "%",
         "goal": f"< {GOAL_SHARE:g}", "notes": notes},
        {"name": "guard.overhead_per_call", "value": round(overhead, 3), "unit": "ms",
         "goal": f"< {LATENCY_MS * GOAL_SHARE / 100:g}",
         "notes": "policy decision + durable audit append + parsing into values"},
    ]


def main() -> None:
    """Print the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(json.dumps(run(args.quick), indent=2))


if __name__ == "__main__":
    main()
