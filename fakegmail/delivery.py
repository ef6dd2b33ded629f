"""Deliver mail to emulator accounts as Gmail does on arrival: filters, auto-forwarding
and the vacation responder.

Mail one emulator account sends to another is delivered: the recipient's filters run on
it (labels, archive, mark read, forward), auto-forwarding sends a copy to the verified
forwarding address and leaves the recipient's copy as its ``disposition`` says, and the
vacation responder answers. ``messages.import`` ("standard email delivery scanning and
classification") runs the filters' label actions only: the method "does not send a
message", so nothing is forwarded and no auto-reply goes out. ``messages.insert`` bypasses
classification and runs none of this.

A sent message, a forwarded copy or an auto-reply reaches an address only when it is an
emulator account; mail to any other address is kept in the outbound record
(:mod:`fakegmail.outbound`) as it would have left. A copy is never forwarded back to an
account it has already passed through, so two accounts forwarding to each other deliver
one copy each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fakegmail.authentication_results import authentication_results
from fakegmail.filter_matching import FilterOutcome, run_filters
from fakegmail.mime import ParsedMessage
from fakegmail.mime_fields import read_addresses
from fakegmail.outbound import Reason
from fakegmail.outgoing import OutgoingMessage, prepare_outgoing
from fakegmail.state import Account, EmulatorState
from fakegmail.stored import StoredMessage, parse_or_reject
from fakegmail.vacation import answerable, reply_bytes, within_restrictions

ARRIVAL_LABELS = ("INBOX", "UNREAD")

_DISPOSITIONS = {
    "archive": ((), ("INBOX",)),
    "trash": (("TRASH",), ()),
    "markRead": ((), ("UNREAD",)),
}
"""Auto-forwarding's ``disposition``: labels added and removed on the account's copy."""


def classify(account: Account, parsed: ParsedMessage, label_ids: Iterable[str], *,
             now: float) -> FilterOutcome:
    """Return what the account's filters make of a message arriving with ``label_ids``."""
    labels = account.mailbox.list_labels()
    settings = account.settings
    with settings.lock:
        filters = settings.filters.all()
    return run_filters(
        filters, parsed, label_ids, now=now, owner=account.email,
        known_labels={label["id"] for label in labels},
        user_label_names={label["id"]: label["name"] for label in labels
                          if label.get("type") == "user"},
        forwarding=settings.verified_forwarding())


def deliver_sent(state: EmulatorState, sender: Account, outgoing: OutgoingMessage, *,
                 own_addresses: Iterable[str], message_id: str) -> None:
    """Deliver a message ``sender`` sent to every recipient that is an emulator account
    (other than the sender, whose copy the caller stored) and record it as leaving for the
    others. ``message_id`` is the sent message's Message-ID."""
    others = [r for r in outgoing.recipients if r != sender.email]
    targets = [state.account(r) for r in others]
    outside = [r for r, target in zip(others, targets, strict=True) if target is None]
    if outside:
        record_outbound(state, sender, outside, outgoing.delivered, message_id, "sent")
    if len(outside) == len(others):
        return
    received = received_copy(outgoing, sender, own_addresses)
    parsed = parse_or_reject(received)
    for target in targets:
        if target is not None:
            deliver(state, target, received, parsed, passed=(sender.email,))


def record_outbound(state: EmulatorState, account: Account, recipients: Sequence[str],
                    raw: bytes, message_id: str | None, reason: Reason) -> None:
    """Keep a message that left ``account`` for addresses outside the emulator."""
    state.outbound.record(account=account.email, recipients=recipients,
                          message_id=message_id or "", reason=reason,
                          sent_at=state.clock(), raw=raw)


def received_copy(outgoing: OutgoingMessage, sender: Account,
                  own_addresses: Iterable[str]) -> bytes:
    """Return the delivered copy as a recipient's Gmail stores it: under Gmail's
    Authentication-Results for the From address as sent (after ``prepare_outgoing``
    replaced an address the account does not own, so it reads the rewritten one)."""
    own = {sender.email, *own_addresses}
    from_address = outgoing.from_address
    envelope = from_address if from_address in own else sender.email
    return _fields_first(outgoing.delivered, [authentication_results(
        from_address=from_address, envelope_sender=envelope)])


def _fields_first(raw: bytes, fields: Sequence[str]) -> bytes:
    """Return ``raw`` under the header ``fields`` Gmail adds, in the message's line ending."""
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    return b"".join(field.encode("utf-8") + newline for field in fields) + raw


def deliver(state: EmulatorState, account: Account, raw: bytes, parsed: ParsedMessage, *,
            passed: Sequence[str] = ()) -> StoredMessage:
    """Store mail arriving for ``account`` after its filters and auto-forwarding
    disposition, send the forwarded copies, then answer it if the responder is on.

    :param passed: the accounts this copy has already been through (sender, forwarders).
    """
    labels, forwards = arrival(account, parsed, ARRIVAL_LABELS, now=state.clock())
    stored = account.mailbox.add_message(raw, label_ids=labels, parsed=parsed)
    send_forwards(state, account, raw, parsed, forwards, passed=passed)
    _answer(state, account, stored)
    return stored


def arrival(account: Account, parsed: ParsedMessage, label_ids: Iterable[str], *,
            now: float) -> tuple[list[str], list[tuple[str, Reason]]]:
    """Return the labels mail arriving for ``account`` with ``label_ids`` gets from its
    filters and its auto-forwarding disposition, and the addresses it is forwarded to
    (each with why: a filter's ``forward`` or auto-forwarding)."""
    outcome = classify(account, parsed, label_ids, now=now)
    labels = list(outcome.label_ids)
    forwards: list[tuple[str, Reason]] = [(a.lower(), "forwarded") for a in outcome.forward_to]
    auto = account.settings.auto_forwarding()
    if auto.get("enabled") and auto.get("emailAddress") and "SPAM" not in labels:
        address = auto["emailAddress"].lower()
        if all(address != a for a, _ in forwards):
            forwards.append((address, "auto-forwarded"))
        added, removed = _DISPOSITIONS.get(auto.get("disposition", ""), ((), ()))
        labels = [x for x in labels if x not in removed]
        labels += [x for x in added if x not in labels]
    return labels, forwards


def send_forwards(state: EmulatorState, account: Account, raw: bytes, parsed: ParsedMessage,
                  forwards: Sequence[tuple[str, Reason]], *, passed: Sequence[str]) -> None:
    """Forward the copy of ``raw`` that arrived for ``account``: delivered to an emulator
    account it has not been through yet, recorded as leaving for any other address."""
    chain = (*passed, account.email)
    for address, reason in forwards:
        target = state.account(address)
        copy = _forwarded(raw, account.email, address)
        if target is None:
            record_outbound(state, account, (address,), copy, parsed.message_id, reason)
        elif target.email not in chain:
            deliver(state, target, copy, parse_or_reject(copy), passed=chain)


def _forwarded(raw: bytes, forwarder: str, target: str) -> bytes:
    """Return the copy Gmail forwards: the message as received, under the X-Forwarded
    fields Gmail adds."""
    return _fields_first(raw, [f"X-Forwarded-To: {target}",
                               f"X-Forwarded-For: {forwarder} {target}"])


def _answer(state: EmulatorState, account: Account, stored: StoredMessage) -> None:
    """Send the vacation reply ``stored`` is due, if any: the sender's copy in the
    account's Sent mail on the original's thread, delivered to the sender."""
    to = answerable(stored.parsed, stored.label_ids, owner=account.email)
    if to is None:
        return
    settings = account.settings
    vacation = settings.vacation()
    if not vacation["enableAutoReply"] or not within_restrictions(
            vacation, to, owner=account.email, contacts=_contacts(account)):
        return
    now = state.clock()
    claimed = settings.claim_vacation_reply(to, now_ms=int(now * 1000))
    if claimed is None:
        return
    raw = reply_bytes(claimed, stored.parsed, owner=account.email, owner_name=account.name,
                      to=to)
    outgoing = prepare_outgoing(raw, parse_or_reject(raw), sender=account.email, now=now)
    sent = account.mailbox.add_message(outgoing.raw, label_ids=("SENT",),
                                       thread_id=stored.thread_id, written_here=True)
    target = state.account(to)
    if target is None:
        record_outbound(state, account, (to,), outgoing.delivered, sent.parsed.message_id,
                        "vacation")
    else:  # its Auto-Submitted field keeps the target from answering
        received = received_copy(outgoing, account, ())
        deliver(state, target, received, parse_or_reject(received), passed=(account.email,))


def _contacts(account: Account) -> frozenset[str]:
    """Return the addresses the account has sent mail to (its "Other contacts")."""
    found: set[str] = set()
    for message in account.mailbox.list_messages(label_ids=("SENT",)):
        values = [v for k, v in message.parsed.headers if k.lower() in ("to", "cc", "bcc")]
        found.update(address.lower() for _, address in read_addresses(values) if address)
    return frozenset(found)
