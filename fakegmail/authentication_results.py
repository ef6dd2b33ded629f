"""The ``Authentication-Results`` header Gmail writes on the mail it receives (RFC 8601).

Gmail checks SPF, DKIM and DMARC for every message it receives and records the outcome on
top of the message as ``Authentication-Results: mx.google.com; dkim=...; spf=...;
dmarc=...``. Clients use it to tell a sender that really sent the message from one whose
address was merely written in From. The emulator writes it the same way on the copies it
delivers between its accounts and on the received mail it seeds: everything passes when
the From address is the sending account's own or one of its verified send-as aliases;
when From names anyone else, DKIM and SPF pass for the sending account's domain only and
DMARC fails for the From domain, as Gmail reports mail whose From was forged.

Mail sent through the emulator never reaches the second case: sending replaces a From
address the account does not own with its primary address before delivery
(``fakegmail.outgoing``), and the header is written for the From address as sent, so it
always names the address the recipient's copy shows.
"""

from __future__ import annotations

AUTHSERV_ID = "mx.google.com"


def authentication_results(*, from_address: str, envelope_sender: str) -> str:
    """Return the header line (unfolded, no line break) for mail sent by
    ``envelope_sender`` whose From address is ``from_address``."""
    sender_domain = _domain(envelope_sender)
    from_domain = _domain(from_address) or sender_domain
    dmarc = "pass" if from_domain == sender_domain else "fail"
    return (f"Authentication-Results: {AUTHSERV_ID}; "
            f"dkim=pass header.i=@{sender_domain} header.s=20230601; "
            f"spf=pass (google.com: domain of {envelope_sender} designates 192.0.2.25 as "
            f"permitted sender) smtp.mailfrom={envelope_sender}; "
            f"dmarc={dmarc} (p=NONE sp=NONE dis=NONE) header.from={from_domain}")


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower()
