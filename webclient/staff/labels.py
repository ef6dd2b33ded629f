"""Words the console shows for roles, case categories, grant states and aggregate columns.

Each is the policy's or the guard's code turned into the reader's language; a code this
module does not know is shown as it is.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from webclient.staff.blueprint import blueprint


def role_label(role: str) -> str:
    """Return the name of a staff role."""
    labels = {"support": _("Support"), "security": _("Security"), "legal": _("Legal"),
              "ops": _("Operations")}
    return labels.get(role, role)


def category_label(category: str) -> str:
    """Return the name of a security case category."""
    labels = {"abuse": _("Abuse"), "fraud": _("Fraud"),
              "security_incident": _("Security incident"), "bug": _("Software fault")}
    return labels.get(category, category)


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
    return {"status_label": status_label, "key_label": key_label, "field_label": field_label,
            "role_label": role_label, "category_label": category_label}
