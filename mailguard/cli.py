"""The ``mailguard`` console command: one group, each package contributes its sub-commands."""

from __future__ import annotations

import click

from audit.cli import audit
from fakegmail.cli import fake_gmail
from guard.cli import policy
from guard.keys_cli import keys
from guard.staff_cli import staff
from mailguard.db_cli import db
from mailguard.demo import demo
from mailguard.report_cli import report
from mailguard.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mailguard")
def cli() -> None:
    """MailGuard: a Gmail client whose every data access is purpose-bound and audited."""


cli.add_command(fake_gmail)
cli.add_command(audit)
cli.add_command(policy)
cli.add_command(keys)
cli.add_command(staff)
cli.add_command(demo)
cli.add_command(serve)
cli.add_command(report)
cli.add_command(db)


def main() -> None:
    """Run the console command."""
    cli()
