"""Find the addresses a mailbox may send as: the compose page's From choices and the
writer's own addresses, which a reply leaves out of its recipients.

Gmail is asked once per request, as each call is also an audit entry; an alias whose
verification Gmail has not accepted is not offered.
"""

from __future__ import annotations

from flask import g

from guard.errors import AccessDenied, GmailError
from guard.mail_values import SendAsAlias
from webclient.mail.mailbox_link import READ, BoundMailbox
from webclient.mail.message_view import written_address


def send_as_aliases(box: BoundMailbox) -> tuple[SendAsAlias, ...]:
    """Return the addresses the mailbox may send as, the default first.

    Asked of Gmail once per request: a reply's recipients and the page's From choices
    both need them, and each Gmail call is also an audit entry.
    """
    asked: dict[int, tuple[SendAsAlias, ...]] = g.setdefault("send_as", {})
    if box.account.index not in asked:
        try:
            found: tuple[SendAsAlias, ...] = box.call("send_as", purpose=READ)
        except (AccessDenied, GmailError):
            found = ()
        asked[box.account.index] = tuple(
            a for a in sorted(found, key=lambda a: not a.is_default)
            if a.verification_status in ("accepted", "") or a.is_primary)
    return asked[box.account.index]


def from_choices(box: BoundMailbox) -> tuple[str, ...]:
    """Return the From choices as ``name <address>``, the names as text (not RFC 2047).

    The choice is shown to the writer and compared with a reopened draft's From, so it
    is kept readable; the guard encodes a non-ASCII name when it writes the header.
    """
    names = [written_address(a.display_name, a.send_as_email) for a in send_as_aliases(box)]
    return tuple(names) or (box.email,)


def own_addresses(box: BoundMailbox) -> frozenset[str]:
    """Return the mailbox address and its send-as addresses, lower-cased."""
    return frozenset({box.email.lower(),
                      *(a.send_as_email.lower() for a in send_as_aliases(box))})
