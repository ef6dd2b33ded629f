"""The ``policy`` command group: check the policy file, decide a request by hand."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

import click

from guard.errors import PolicyConfigError
from guard.policy import (
    Policy,
    TransferRequest,
    check_access,
    check_transfer,
    load_policy,
    request_from_json,
)
from guard.settings import PolicyLocation, policy_location_from_env


def _location(file: str | None) -> PolicyLocation:
    """Return FILE, else the policy the server loads (MAILGUARD_POLICY_PATH, ...)."""
    return PolicyLocation(file) if file else policy_location_from_env()


def _load_or_exit(location: PolicyLocation) -> Policy:
    try:
        return load_policy(location.path)
    except PolicyConfigError as error:
        named_by = f" (the file {location.variable} names)" if location.variable else ""
        click.echo(f"error: {error}{named_by}", err=True)
        sys.exit(1)


@click.group("policy")
def policy() -> None:
    """Check the policy file and try decisions against it."""


@policy.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
def check(file: str | None) -> None:
    """Validate FILE; print its effective content, the file checked and its version.

    Without FILE, check the policy the server loads: the file MAILGUARD_POLICY_PATH (or the
    older MAILGUARD_POLICY) names, else the shipped config/policy.toml.
    """
    location = _location(file)
    loaded = _load_or_exit(location)
    click.echo(json.dumps(_plain(loaded.content), indent=2, sort_keys=True))
    click.echo(f"policy file: {location.path if file else location.describe()}")
    click.echo(f"policy version: {loaded.version}")


@policy.command("decide")
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False), default=None,
              help="Policy file (default: the one the server loads: MAILGUARD_POLICY_PATH, "
                   "else MAILGUARD_POLICY, else the shipped policy).")
@click.option("--request", "request_file", type=click.File("r", encoding="utf-8"),
              default="-", help="Request JSON file (default: standard input).")
def decide(policy_file: str | None, request_file: Any) -> None:
    """Read an access or a transfer request as JSON and print the Decision as JSON.

    "kind": "transfer" asks what the transfer gate would decide (recipient_id, basis,
    data_classes, mailbox, the user's transfer consent); without "kind" (or with "kind":
    "access") the request is an access. Times are ISO 8601 with an offset; without a "now"
    field the current time is used. A key given twice is refused.
    """
    loaded = _load_or_exit(_location(policy_file))
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
