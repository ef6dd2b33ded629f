"""Deliver mail to emulator accounts as Gmail does on arrival: filters, auto-forwarding
and the vacation responder.

Mail one emulator account sends to another is delivered: the recipient's filters run on
it (labels, archive, mark read, forward), auto-forwarding sends a copy to the verified
forwarding address and leaves the recipient's copy as its ``disposition`` says, and the
vacation responder answers. ``messages.import`` ("standard email delivery scanning and
classification") runs the filters' label actions only: the method "does not send a
message", so nothing is forwarded and no auto-reply goes out. ``messages.insert`` bypasses
classification and runs none of this.

A forwarded copy or an auto-reply reaches an address only when it is an emulator account;
mail to any other address leaves nothing behind. A copy is never forwarded back to an
account it has already passed through, so two accounts forwarding to each other deliver
one copy each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from email.utils import getaddresses

from fakegmail.authentication_results import authentication_results
from fakegmail.filter_matching import FilterOutcome, run_filters
from fakegmail.mime import ParsedMessage
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
                 own_addresses: Iterable[str]) -> None:
    """Deliver a message ``sender`` sent to every recipient that is an emulator account
    (other than the sender, whose copy the caller stored)."""
    others = [state.account(r) for r in outgoing.recipients if r != sender.email]
    if not any(other is not None for other in others):
        return
    received = received_copy(outgoing, sender, own_addresses)
    parsed = parse_or_reject(received)
    for other in others:
        if other is not None:
            deliver(state, other, received, parsed, passed=(sender.email,))


def received_copy(outgoing: OutgoingMessage, sender: Account,
                  own_addresses: Iterable[str]) -> bytes:
    """Return the delivered copy as a recipient's Gmail stores it: under Gmail's
    Authentication-Results for the From address as sent (after ``prepare_outgoing``
    replaced an address the account does not own, so it reads the rewritten one)."""
    own = {sender.email, *own_addresses}
    from_address = outgoing.from_address
    envelope = from_address if from_address in own else sender.email
    raw = outgoing.delivered
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    line = authentication_results(from_address=from_address, envelope_sender=envelope)
    return line.encode("utf-8") + newline + raw


def deliver(state: EmulatorState, account: Account, raw: bytes, parsed: ParsedMessage, *,
            passed: Sequence[str] = ()) -> StoredMessage:
    """Store mail arriving for ``account`` after its filters and auto-forwarding
    disposition, send the forwarded copies, then answer it if the responder is on.

    :param passed: the accounts this copy has already been through (sender, forwarders).
    """
    now = state.clock()
    outcome = classify(account, parsed, ARRIVAL_LABELS, now=now)
    labels = list(outcome.label_ids)
    forwards = list(outcome.forward_to)
    auto = account.settings.auto_forwarding()
    if auto.get("enabled") and auto.get("emailAddress") and "SPAM" not in labels:
        if auto["emailAddress"] not in forwards:
            forwards.append(auto["emailAddress"])
        added, removed = _DISPOSITIONS.get(auto.get("disposition", ""), ((), ()))
        labels = [x for x in labels if x not in removed]
        labels += [x for x in added if x not in labels]
    stored = account.mailbox.add_message(raw, label_ids=labels, parsed=parsed)
    chain = (*passed, account.email)
    for address in forwards:
        target = state.account(address)
        if target is not None and target.email not in chain:
            copy = _forwarded(raw, account.email, target.email)
            deliver(state, target, copy, parse_or_reject(copy), passed=chain)
    _answer(state, account, stored)
    return stored


def _forwarded(raw: bytes, forwarder: str, target: str) -> bytes:
    """Return the copy Gmail forwards: the message as received, under the X-Forwarded
    fields Gmail adds."""
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    fields = f"X-Forwarded-To: {target}\nX-Forwarded-For: {forwarder} {target}\n"
    return fields.replace("\n", newline.decode()).encode("ascii") + raw


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
    account.mailbox.add_message(outgoing.raw, label_ids=("SENT",), thread_id=stored.thread_id,
                                written_here=True)
    target = state.account(to)
    if target is not None:  # its Auto-Submitted field keeps the target from answering
        received = received_copy(outgoing, account, ())
        deliver(state, target, received, parse_or_reject(received), passed=(account.email,))


def _contacts(account: Account) -> frozenset[str]:
    """Return the addresses the account has sent mail to (its "Other contacts")."""
    found: set[str] = set()
    for message in account.mailbox.list_messages(label_ids=("SENT",)):
        values = [v for k, v in message.parsed.headers if k.lower() in ("to", "cc", "bcc")]
        found.update(address.lower() for _, address in getaddresses(values) if address)
    return frozenset(found)
