"""Watermark what staff see with who is looking, on what basis, and when.

The same text appears as an overlay on the console page (outside the message frame, where
a message's own styles cannot reach) and inside the sandboxed message frame, so a
screenshot of either names the viewer and the basis.

Security caveat: the frame overlay's styles are inline and ``!important`` so a message's
stylesheet cannot hide it; the page overlay is the one a message can never touch.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from guard.consents import ConsentRecord
from guard.grants import GrantRecord
from guard.policy import AccessBasis
from webclient.staff.labels import category_label, role_label

#: How many times the text repeats across the overlay.
REPEATS = 24

_FRAME_OVERLAY_STYLE = (
    "position:fixed!important;inset:0!important;z-index:2147483647!important;"
    "pointer-events:none!important;overflow:hidden!important;display:flex!important;"
    "flex-wrap:wrap!important;align-content:space-around!important;gap:2.5em 4em!important;"
    "opacity:1!important;visibility:visible!important;transform:none!important;"
    "margin:0!important;padding:1em!important;background:transparent!important")
_FRAME_TEXT_STYLE = (
    "display:inline-block!important;transform:rotate(-24deg)!important;"
    "color:rgba(176,0,32,.28)!important;font:600 13px/1.2 sans-serif!important;"
    "white-space:nowrap!important;visibility:visible!important;opacity:1!important")


@dataclass(frozen=True, slots=True)
class Watermark:
    """The viewer, their role (its code), the basis they view on, and the moment."""

    viewer: str
    role: str
    basis: str
    moment: datetime

    @property
    def text(self) -> str:
        """Return the watermark line, the role named in the reader's language."""
        return (f"{self.viewer} · {role_label(self.role)} · {self.basis} · "
                f"{self.moment:%Y-%m-%d %H:%M} UTC")

    def frame_overlay(self) -> str:
        """Return the overlay to append to the sanitised body inside the message frame."""
        item = (f'<span style="{_FRAME_TEXT_STYLE}">{html.escape(self.text)}</span>')
        return (f'<div aria-hidden="true" data-watermark="staff" '
                f'style="{_FRAME_OVERLAY_STYLE}">{item * REPEATS}</div>')


def consent_basis(record: ConsentRecord) -> str:
    """Return the basis label of a view under the user's consent."""
    return _("consent %(ref)s", ref=record.id)


def grant_basis(record: GrantRecord) -> str:
    """Return the basis label of a view under a security or legal grant."""
    reference = record.reference
    if record.basis is AccessBasis.SECURITY:
        return _("security case %(case)s (%(category)s)", case=reference.case_id or "",
                 category=category_label(reference.category or ""))
    return _("legal request %(ref)s", ref=reference.legal_ref or "")
