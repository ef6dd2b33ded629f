"""Every `mailguard` command's --help reads as plain text, in full, without errors.

Several commands take their help from a module docstring, whose reST markup
(double backquotes) showed up verbatim in the terminal.
"""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from mailguard.cli import cli


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


COMMANDS = sorted(_commands(cli))


def test_the_tree_holds_the_documented_commands() -> None:
    tops = {path[0] for path in COMMANDS}
    assert {"audit", "db", "demo", "fake-gmail", "keys", "policy", "report", "serve",
            "staff"} <= tops
    assert ("audit", "verify") in COMMANDS
    assert ("policy", "decide") in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_is_plain_text(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: "), result.output[:200]
    assert "``" not in result.output, result.output
