"""Generate a deterministic, realistic mailbox: threads, attachments, newsletters, traps.

The same arguments always give the same bytes. Messages are real RFC 5322 / MIME texts
with CRLF line endings; headers, encoded-words, RFC 2231 filenames and body encodings are
produced by the stdlib ``email`` package's encoders (``email.header``, ``email.charset``,
``email.base64mime``, ``email.utils``), while the part tree is assembled directly, which
keeps a thousand messages well under a second.

The mix covers what a mail client and a privacy guard must handle: Indonesian and other
non-ASCII text, multipart/alternative, PDF/CSV/PNG attachments, inline ``cid:`` images,
newsletters with a remote tracking pixel and List-Unsubscribe, and a few messages with
dangerous HTML (``<script>``, ``onerror``, ``javascript:`` links) for sanitiser tests.
The texts are in ``seed_content``, the MIME assembly in ``seed_mime``; this module
strings messages into threads and labels them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from fakegmail.seed_content import CONTACTS, KINDS, WIB, Contact, Kind
from fakegmail.seed_mime import render_message

DEMO_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("ayu@qontak-demo.test", "Ayu Lestari"),
    ("budi@qontak-demo.test", "Budi Santoso"),
    ("siti@qontak-demo.test", "Siti Rahayu"),
)
"""(email, display name) of the demo users."""

USER_LABELS: tuple[str, ...] = (
    "Clients", "Invoices", "Travel", "Team/Jakarta", "Newsletters", "Receipts",
)

SPAN_DAYS = 90


@dataclass(frozen=True, slots=True)
class SeedMessage:
    """One generated message: its raw bytes, label ids and Gmail internal date (seconds).

    ``label_ids`` holds system ids (``INBOX``, ``SENT``...) and user labels as
    ``user:<name>``; the caller maps names to its own label ids.
    """

    raw: bytes
    label_ids: tuple[str, ...]
    internal_date: float


@dataclass(frozen=True, slots=True)
class SeededMailbox:
    """A generated mailbox: user label names to create and messages, oldest first."""

    labels: tuple[str, ...]
    messages: tuple[SeedMessage, ...]


def generate_mailbox(
    owner_email: str, owner_name: str, count: int, *, seed: int = 0, now: float
) -> SeededMailbox:
    """Return ``count`` messages in threads spread over the last 90 days before ``now``."""
    if count < 0:
        raise ValueError("count must be zero or more messages")
    rng = random.Random(f"mailguard-seed:{seed}:{owner_email.lower()}")
    owner = Contact(owner_name, owner_email)
    contacts = [c for c in CONTACTS if c.name != owner_name and c.email != owner_email]
    weights = [kind.weight for kind in KINDS]
    messages: list[SeedMessage] = []
    serial = 0
    while len(messages) < count:
        kind = rng.choices(KINDS, weights)[0]
        one_way = kind.length == (1, 1)
        peer = rng.choice(kind.senders or contacts)
        cc = [c for c in rng.sample(contacts, 2) if c != peer] if rng.random() < 0.3 else []
        subject = rng.choice(kind.subjects)
        length = min(rng.randint(*kind.length), count - len(messages))
        owner_turn = kind.owner_may_start and rng.random() < 0.2
        when = float(round(now - rng.uniform(3600.0, SPAN_DAYS * 86400.0)))
        references: list[str] = []
        previous: tuple[str, str, float] | None = None  # (sender name, quoted text, date)
        for position in range(length):
            serial += 1
            sender, recipient = (owner, peer) if owner_turn else (peer, owner)
            body = kind.body(rng, position, sender, subject)
            if previous is not None and body.plain is not None:
                body.plain += _quote(*previous)
            message_id = f"<{rng.getrandbits(64):016x}.{serial}@{sender.email.split('@')[1]}>"
            labels = _labels(rng, kind, sent=owner_turn, when=when, now=now)
            raw = render_message(
                rng,
                sender=sender,
                to=[recipient],
                cc=cc if position == 0 else [],
                bcc=[contacts[serial % len(contacts)]] if owner_turn and serial % 7 == 0 else [],
                subject=("Re: " + subject) if position else subject,
                when=when,
                message_id=message_id,
                references=references,
                delivered_to=None if owner_turn else owner.email,
                body=body,
            )
            messages.append(SeedMessage(raw=raw, label_ids=labels, internal_date=when))
            references = [*references, message_id]
            previous = (sender.name, body.plain or "", when)
            when = float(round(min(now - 60.0, when + rng.uniform(600.0, 2 * 86400.0))))
            owner_turn = not owner_turn and not one_way
    messages.sort(key=lambda m: m.internal_date)
    return SeededMailbox(labels=USER_LABELS, messages=tuple(messages))


def _labels(rng: random.Random, kind: Kind, *, sent: bool, when: float,
            now: float) -> tuple[str, ...]:
    """Choose label ids for one message of ``kind``."""
    if sent:
        labels = ["SENT"]
        labels += [name for name in kind.labels if name.startswith("user:")]
        return tuple(labels)
    labels = ["INBOX", *kind.labels]
    if kind.name == "phishing" and rng.random() < 0.5:
        labels = ["SPAM"]
    elif kind.name == "personal" and rng.random() < 0.08:
        labels = ["TRASH", *kind.labels]
    recent = now - when < 14 * 86400
    if rng.random() < (0.6 if recent else 0.1):
        labels.append("UNREAD")
    if rng.random() < 0.07 and "SPAM" not in labels:
        labels.append("STARRED")
    return tuple(labels)


def _quote(name: str, text: str, when: float) -> str:
    """Return the quoted previous message, as mail clients add under a reply."""
    stamp = datetime.fromtimestamp(when, WIB).strftime("%d %b %Y %H.%M")
    quoted = "\n".join("> " + line for line in text.splitlines()[:8])
    return f"\n\nPada {stamp}, {name} menulis:\n{quoted}\n"
