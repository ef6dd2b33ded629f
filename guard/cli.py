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
    AccessRequest,
    Policy,
    check_access,
    load_policy,
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
              default="-", help="AccessRequest JSON file (default: standard input).")
def decide(policy_file: str, request_file: Any) -> None:
    """Read an AccessRequest as JSON and print the Decision as JSON.

    Times are ISO 8601 with an offset; without a ``now`` field the current time is used.
    """
    loaded = _load_or_exit(policy_file)
    try:
        data = json.load(request_file)
        request = AccessRequest.from_json(data, now=datetime.now(UTC))
    except json.JSONDecodeError as error:
        click.echo(f"error: the request is not valid JSON (line {error.lineno}); "
                   "give one JSON object", err=True)
        sys.exit(1)
    except ValueError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(json.dumps(check_access(loaded, request).to_json(), indent=2))


def _plain(value: Any) -> Any:
    """Return ``value`` with read-only mappings turned into dicts, for JSON output."""
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
