"""Gmail's check of a message or thread id before it looks the id up.

Gmail's message and thread ids are 64-bit numbers written in hex. An id that cannot be
read as one (a character that is not a hex digit, or more than 16 digits) is refused with
400 "Invalid id value"; a well-formed id that names nothing is 404 "Requested entity was
not found." (measured against Gmail: ``abc123`` and ``1`` are 404, ``nosuchmessage`` and
an 18-digit id are 400).

Gmail also refuses 16-digit ids past the signed 64-bit range (``ffffffffffffffff``); the
emulator answers those 404, as integrators' tests use them for "a message that is gone".
"""

from __future__ import annotations

import re

from fakegmail.errors import invalid_argument

_HEX_ID = re.compile(r"[0-9a-fA-F]{1,16}")


def is_well_formed_id(value: str) -> bool:
    """Return True when ``value`` can be a Gmail message or thread id."""
    return _HEX_ID.fullmatch(value) is not None


def require_well_formed_id(value: str) -> str:
    """Return ``value``; raise Gmail's 400 "Invalid id value" when it cannot be an id."""
    if not is_well_formed_id(value):
        raise invalid_argument("Invalid id value")
    return value
