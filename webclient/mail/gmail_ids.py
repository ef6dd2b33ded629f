"""Refuse ids that no Gmail object can have before they reach the guard.

Gmail's message, thread, draft and label ids and its attachment ids are URL-safe
base64 or hex text. An id with a NUL, a line break or other characters (typed into a
URL or a form) cannot name anything in the mailbox; the audit log rightly refuses to
record it, which used to surface as "Mail is unavailable". It is answered here as what
it is: nothing at this address (404), or a malformed form (400).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import abort

from webclient.mail.blueprint import blueprint

#: What a Gmail id looks like; attachment ids run to several hundred characters.
GMAIL_ID = re.compile(r"[A-Za-z0-9_-]{1,2048}")
#: What a Gmail message id can look like; anything else is neither asked of Gmail nor put
#: in an audit entry by the compose pages.
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,256}")
#: The URL parts of the mail routes that carry a Gmail id.
ID_PARTS = ("thread_id", "message_id", "attachment_id", "label_id")


def is_gmail_id(value: str) -> bool:
    """Return whether ``value`` can be a Gmail id."""
    return GMAIL_ID.fullmatch(value) is not None


def _any_impossible(values: Iterable[str | None]) -> bool:
    """Return whether a non-empty value among ``values`` cannot be a Gmail id."""
    return any(value and not is_gmail_id(value) for value in values)


def found_or_404(*values: str | None) -> None:
    """Answer 404 unless every given (non-empty) value can be a Gmail id."""
    if _any_impossible(values):
        abort(404)


def well_formed_or_400(values: Iterable[str]) -> None:
    """Answer 400 unless every (non-empty) submitted value can be a Gmail id."""
    if _any_impossible(values):
        abort(400)


@blueprint.url_value_preprocessor
def _refuse_impossible_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Answer 404 for a mail URL whose id part no Gmail object can have."""
    found_or_404(*(str(values[name]) for name in ID_PARTS if values and name in values))
