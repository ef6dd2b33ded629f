"""Run an account's filters on a message as it arrives: which match, and what they do.

Gmail applies filters to mail as it is delivered (never to mail already in the mailbox,
and never to ``messages.insert``, which bypasses classification). Each filter's criteria
are read as the Gmail search they stand for, with the emulator's own search matcher:
``from`` as ``from:(...)``, ``to`` as ``to:``, ``cc:`` or ``bcc:`` (so the local part alone,
``example`` or ``example@``, matches ``example@gmail.com``), ``subject`` as a phrase,
``query`` and ``negatedQuery`` as typed. ``size`` compares the whole RFC 822 message in
bytes. The emulator holds no chats, so ``excludeChats`` leaves every delivered message in.

Every filter is matched against the message as it arrived, and the actions of all the
filters that match are applied in the order the filters were created. Pure: no I/O, no
locks; the caller reads the filters and labels under their owners' locks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fakegmail.mime import ParsedMessage
from fakegmail.search import QueryError, SearchDocument, compile_query, normalize_label_name
from fakegmail.search_documents import parsed_document

_QUOTING = str.maketrans({'"': " ", "(": " ", ")": " "})


@dataclass(frozen=True, slots=True)
class FilterOutcome:
    """What an account's filters do to one arriving message."""

    label_ids: tuple[str, ...]
    """The labels it is stored with, after every matching filter's label actions."""
    forward_to: tuple[str, ...]
    """The forwarding addresses matching filters send a copy to, in filter order."""
    matched: int
    """How many filters matched."""


def run_filters(filters: Iterable[Mapping[str, Any]], parsed: ParsedMessage,
                label_ids: Iterable[str], *, known_labels: Collection[str],
                user_label_names: Mapping[str, str], now: float, owner: str,
                forwarding: Collection[str]) -> FilterOutcome:
    """Return the labels and forwards the ``filters`` give an arriving message.

    :param label_ids: the labels the message arrives with (INBOX and UNREAD for mail
        delivered, or those ``messages.import`` was asked for).
    :param known_labels: the ids of every label the account has now; an action naming a
        label deleted since the filter was made is skipped.
    :param user_label_names: the account's user labels, id -> name, for ``label:``.
    :param forwarding: the verified forwarding addresses; a filter forwarding to one
        removed since is skipped, as Gmail stops forwarding to it.
    """
    arrived = tuple(label_ids)
    user_names = {k: normalize_label_name(v) for k, v in user_label_names.items()}
    document = parsed_document(parsed, arrived, user_names, internal_date=now)
    current = list(arrived)
    forwards: list[str] = []
    matched = 0
    for item in filters:
        if not filter_matches(item["criteria"], document, now=now, owner=owner):
            continue
        matched += 1
        action = item["action"]
        removed = set(action.get("removeLabelIds", ()))
        current = [x for x in current if x not in removed]
        current += [x for x in action.get("addLabelIds", ())
                    if x in known_labels and x not in current]
        address = action.get("forward")
        if address and address in forwarding and address not in forwards:
            forwards.append(address)
    return FilterOutcome(tuple(current), tuple(forwards), matched)


def filter_matches(criteria: Mapping[str, Any], document: SearchDocument, *, now: float,
                   owner: str) -> bool:
    """Tell whether a message (as ``document``) meets every one of a filter's criteria.

    A criterion whose query the emulator cannot read matches nothing, so a filter Gmail
    would run differently never acts on mail here by accident.
    """
    size = criteria.get("size")
    comparison = criteria.get("sizeComparison")
    if size is not None and comparison == "larger" and not document.size > size:
        return False
    if size is not None and comparison == "smaller" and not document.size < size:
        return False
    if criteria.get("hasAttachment") and not document.has_attachment:
        return False
    if criteria.get("excludeChats") and "chat" in document.labels:
        return False
    try:
        for query, wanted in _queries(criteria):
            if compile_query(query, now=now, owner=owner).matches(document) is not wanted:
                return False
    except QueryError:
        return False
    return True


def _queries(criteria: Mapping[str, Any]) -> Iterable[tuple[str, bool]]:
    """Yield each text criterion as a Gmail search and whether it must match."""
    sender = criteria.get("from")
    if sender:
        yield _grouped("from", sender), True
    recipient = criteria.get("to")
    if recipient:
        yield " OR ".join(_grouped(f, recipient) for f in ("to", "cc", "bcc")), True
    subject = criteria.get("subject")
    if subject:
        yield f'subject:"{subject.translate(_QUOTING)}"', True
    if criteria.get("query"):
        yield f"({criteria['query']})", True
    if criteria.get("negatedQuery"):
        yield f"({criteria['negatedQuery']})", False


def _grouped(operator: str, value: str) -> str:
    """Return ``operator:(value)``, as Gmail's filter editor writes it, or a phrase when
    the value's parentheses would not read as a group."""
    if value.count("(") == value.count(")") and '"' not in value:
        return f"{operator}:({value})"
    return f'{operator}:"{value.translate(_QUOTING)}"'
