"""Read the recipients fields of the compose page: split them and check each address.

A field is what a writer types, separated by commas, semicolons or line breaks, and what
reply and reply-all write into it (quoted display names with commas in them). Checking
it here, before the guard builds the message, lets the page name each entry that is not
an address instead of refusing the whole message.
"""

from __future__ import annotations

import re

from guard.mail_headers import parse_addresses, top_level_pieces
from webclient.mail.message_view import addresses, written_address

#: What separates the entries of a recipients field as a writer types it.
RECIPIENT_SEPARATORS = ",;\n"


def recipient_entries(text: str) -> list[str]:
    """Split a recipients field at commas, semicolons and newlines between addresses.

    A separator inside a quoted display name (``"Doe, John" <j@example.com>``, as reply
    and reply-all write it), an angle-bracketed address or a comment is part of the entry
    (the guard's scanner for address lists, ``top_level_pieces``).
    """
    pieces = top_level_pieces(text, separators=RECIPIENT_SEPARATORS, groups=False)
    return [entry.strip() for entry in pieces if entry.strip()]


def split_addresses(text: str) -> tuple[str, ...]:
    """Split a recipients field into its addresses, each as ``name <address>`` or bare."""
    pairs = (pair for entry in recipient_entries(text) for pair in parse_addresses([entry]))
    return tuple(written_address(name, address) for name, address in pairs if address)


def invalid_addresses(text: str) -> list[str]:
    """Return the entries of a recipients field that are not email addresses we can send to.

    An entry in group syntax (``team: a@example.org, b@example.org;``) is checked member
    by member. An address with non-ASCII characters before the @ would need SMTPUTF8,
    which the message is not sent with, so it is listed too.
    """
    bad = []
    for entry in recipient_entries(text):
        addresses = [address for _name, address in parse_addresses([entry])]
        if not addresses or not all(
                re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", address)
                and address.rpartition("@")[0].isascii() and _fits_mail(address)
                for address in addresses):
            bad.append(entry)
    return bad


def _fits_mail(address: str) -> bool:
    """Tell whether ``address`` is within SMTP's lengths (RFC 5321 4.5.3.1).

    At most 64 characters before the @, 63 in each part of the domain and 254 in all;
    Gmail would take a longer one and the message would only bounce.
    """
    local, _at, domain = address.rpartition("@")
    return (len(local) <= 64 and len(address) <= 254
            and all(0 < len(label) <= 63 for label in domain.split(".")))


def unique_addresses(values: list[str], leave_out: frozenset[str] | set[str]) -> list[str]:
    """Return ``values`` without repeated addresses and without those in ``leave_out``."""
    seen = set(leave_out)
    kept = []
    for value in values:
        address = (addresses((value,)) or [""])[0].lower()
        if address and address not in seen:
            seen.add(address)
            kept.append(value)
    return kept
