"""The ``policy`` command group: check the policy file, decide a request by hand."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from guard.errors import PolicyConfigError
from guard.policy import (
    DEFAULT_POLICY_PATH,
    Policy,
    TransferRequest,
    check_access,
    check_transfer,
    load_policy,
    request_from_json,
)


def _load_or_exit(path: str | Path) -> Policy:
    try:
        return load_policy(path)
    except PolicyConfigError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


@click.group("policy")
def policy() -> None:
    """Check the policy file and try decisions against it."""


@policy.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False),
                default=str(DEFAULT_POLICY_PATH))
def check(file: str) -> None:
    """Validate FILE (default: the shipped policy); print its effective content and version."""
    loaded = _load_or_exit(file)
    click.echo(json.dumps(_plain(loaded.content), indent=2, sort_keys=True))
    click.echo(f"policy version: {loaded.version}")


@policy.command("decide")
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False),
              default=str(DEFAULT_POLICY_PATH), show_default=False,
              help="Policy file (default: the shipped policy).")
@click.option("--request", "request_file", type=click.File("r", encoding="utf-8"),
              default="-", help="Request JSON file (default: standard input).")
def decide(policy_file: str, request_file: Any) -> None:
    """Read an access or a transfer request as JSON and print the Decision as JSON.

    ``"kind": "transfer"`` asks what the transfer gate would decide (recipient_id, basis,
    data_classes, mailbox, the user's transfer consent); without ``kind`` (or with
    ``"access"``) the request is an access. Times are ISO 8601 with an offset; without a
    ``now`` field the current time is used. A key given twice is refused.
    """
    loaded = _load_or_exit(policy_file)
    try:
        data = json.load(request_file, object_pairs_hook=_refuse_repeated_keys)
        request = request_from_json(data, now=datetime.now(UTC))
    except json.JSONDecodeError as error:
        click.echo(f"error: the request is not valid JSON (line {error.lineno}); "
                   "give one JSON object", err=True)
        sys.exit(1)
    except ValueError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    if isinstance(request, TransferRequest):
        decision = check_transfer(loaded, request)
    else:
        decision = check_access(loaded, request)
    click.echo(json.dumps(decision.to_json(), indent=2))


class RepeatedKey(ValueError):
    """A JSON object gives one key twice (JSON parsers silently keep the last)."""


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Return the object's pairs as a dict; raise RepeatedKey naming a key given twice."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise RepeatedKey(f"the request gives the key {key!r} more than once; give each "
                              "key once (the policy would otherwise decide on only the last)")
        found[key] = value
    return found


def _plain(value: Any) -> Any:
    """Return ``value`` with read-only mappings turned into dicts, for JSON output."""
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
