"""Each audit command's --help says what a reviewer scripting it needs: the exit statuses
of verify, and which commands record the review in the log before they print."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from audit.cli import audit


def help_text(*command: str) -> str:
    result = CliRunner().invoke(audit, [*command, "--help"])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_verify_help_names_every_exit_status() -> None:
    text = help_text("verify")
    assert re.search(r"Exit 0 when .*intact", text)
    assert "1 when it is not" in text
    assert "2 for a usage error" in text and "--checkpoint file" in text


@pytest.mark.parametrize("command", ["search", "export", "prove"])
def test_commands_that_read_entries_say_they_record_the_review(command: str) -> None:
    assert "Records this review in the log" in help_text(command)


@pytest.mark.parametrize("command", ["verify", "stats", "verifier-key"])
def test_commands_that_write_nothing_say_so(command: str) -> None:
    assert "Writes nothing" in help_text(command)
