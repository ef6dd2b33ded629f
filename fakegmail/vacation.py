"""The vacation responder's reply: whom Gmail answers, and the message it sends.

Gmail answers mail delivered to the account while the responder is on and the moment is
within ``startTime``/``endTime``; it does not answer mail classified as spam, mail sent to
a mailing list, or automatic mail (RFC 3834: ``Auto-Submitted`` other than ``no``,
``Precedence: bulk/list/junk``), and its own replies carry ``Auto-Submitted:
auto-replied`` so two responders never answer each other. ``restrictToDomain`` answers
only senders in the account's own domain, for a Workspace account only (see
:func:`within_restrictions`); ``restrictToContacts`` only the account's
contacts, which the emulator, having no contact list, takes to be the people the account
has sent mail to (Gmail adds those to "Other contacts" too). The account's signature is
not appended. Once-per-sender bookkeeping lives in
:meth:`fakegmail.mail_settings.MailSettings.claim_vacation_reply`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from fakegmail.mime import ParsedMessage
from fakegmail.service_accounts import CONSUMER_DOMAINS

_TAG = re.compile(r"<[^>]*>")
_AUTOMATIC_PRECEDENCE = frozenset({"bulk", "list", "junk"})


def answerable(parsed: ParsedMessage, label_ids: Collection[str], *, owner: str) -> str | None:
    """Return the address a vacation reply to this delivered message goes to, or None
    when Gmail sends none (spam, trash, mailing lists, automatic mail, the owner's own)."""
    sender = parsed.from_address
    if not sender or sender == owner or {"SPAM", "TRASH"} & set(label_ids):
        return None
    auto = (parsed.header("Auto-Submitted") or "no").strip().lower()
    precedence = (parsed.header("Precedence") or "").strip().lower()
    if auto != "no" or precedence in _AUTOMATIC_PRECEDENCE or parsed.header("List-Id"):
        return None
    return sender


def within_restrictions(vacation: Mapping[str, Any], sender: str, *, owner: str,
                        contacts: Collection[str]) -> bool:
    """Tell whether ``restrictToDomain`` and ``restrictToContacts`` let ``sender`` get a
    reply (both must hold when both are set, as in Gmail).

    Gmail's reference says ``restrictToDomain`` "is only available for Google Workspace
    users" and documents no answer for a consumer account (gmail.com, googlemail.com)
    that sets it. The emulator stores the flag as written but does not apply it for such
    an account (every sender is answered, as without the flag), just as it treats a
    consumer domain as no organisation elsewhere: it cannot delegate authority to a
    service account.
    """
    owner_domain = owner.rpartition("@")[2]
    if vacation.get("restrictToDomain") and owner_domain not in CONSUMER_DOMAINS and (
            sender.rpartition("@")[2] != owner_domain):
        return False
    return not (vacation.get("restrictToContacts") and sender not in contacts)


def reply_bytes(vacation: Mapping[str, Any], original: ParsedMessage, *, owner: str,
                owner_name: str, to: str) -> bytes:
    """Return the RFC 5322 reply: the responder's subject (or ``Re:`` and the original's),
    its HTML body when set (with a plain-text version), else its plain text, threaded onto
    the original by In-Reply-To and References."""
    reply = EmailMessage()
    reply["From"] = formataddr((owner_name, owner))
    reply["To"] = to
    reply["Subject"] = vacation.get("responseSubject") or f"Re: {original.subject or ''}"
    if original.message_id:
        reply["In-Reply-To"] = original.message_id
        reply["References"] = " ".join([*original.references, original.message_id])
    reply["Auto-Submitted"] = "auto-replied"
    html = vacation.get("responseBodyHtml") or ""
    text = vacation.get("responseBodyPlainText") or _TAG.sub("", html)
    reply.set_content(text)
    if html:
        reply.add_alternative(html, subtype="html")
    return reply.as_bytes()
