"""Words the console shows for grant states and aggregate columns, in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from webclient.staff.blueprint import blueprint


def status_label(value: str) -> str:
    """Return the label of a grant status value."""
    labels = {"pending": _("Waiting for approval"), "active": _("Active"),
              "approval_lapsed": _("Approval lapsed"), "request_lapsed": _("Request lapsed"),
              "expired": _("Expired"), "revoked": _("Refused or revoked")}
    return labels.get(value, value)


def key_label(name: str) -> str:
    """Return the column heading of an aggregate group key."""
    labels = {"day": _("Day (UTC)"), "purpose": _("Purpose"),
              "domain_size": _("Mailboxes in the domain")}
    return labels.get(name, name)


def field_label(name: str) -> str:
    """Return the column heading of an aggregate count."""
    labels = {"mailbox_count": _("Mailboxes"), "api_calls": _("Accesses"),
              "message_count": _("Messages")}
    return labels.get(name, name)


@blueprint.context_processor
def _labels() -> dict[str, Any]:
    return {"status_label": status_label, "key_label": key_label, "field_label": field_label}
