"""The ``mailguard`` console command: one group, each package contributes its sub-commands."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mailguard")
def cli() -> None:
    """MailGuard: a Gmail client whose every data access is purpose-bound and audited."""


def main() -> None:
    """Run the console command."""
    cli()
