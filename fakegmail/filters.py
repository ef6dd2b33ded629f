"""An account's Gmail filters: criteria and actions, checked as Gmail checks them.

The emulator stores, lists and deletes filters here; :mod:`fakegmail.filter_matching` runs
them on mail as it arrives (Gmail applies a filter to new mail only, and only as it
arrives), see :mod:`fakegmail.delivery`.

The book holds no lock of its own: the owning :class:`fakegmail.mail_settings.MailSettings`
calls it under its lock.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Collection, Mapping
from typing import Any

from fakegmail.binding import check_enum
from fakegmail.errors import invalid_argument, not_found
from fakegmail.labels import FIXED_LABELS

MAX_FILTERS = 1000
"""Gmail's limit: "you can only create a maximum of 1,000 filters"."""

_TEXT_CRITERIA = ("from", "to", "subject", "query", "negatedQuery")
_CRITERIA_ORDER = ("from", "to", "subject", "query", "negatedQuery", "hasAttachment",
                   "excludeChats", "size", "sizeComparison")
_ACTION_ORDER = ("addLabelIds", "removeLabelIds", "forward")


class FilterBook:
    """The filters of one account, in the order they were created."""

    def __init__(self) -> None:
        self._filters: dict[str, dict[str, Any]] = {}
        self._created = 0

    def all(self) -> list[dict[str, Any]]:
        """Return every Filter resource."""
        return [_copy(f) for f in self._filters.values()]

    def get(self, filter_id: str) -> dict[str, Any]:
        """Return one Filter resource; 404 for an id the account has no filter under."""
        found = self._filters.get(filter_id)
        if found is None:
            raise not_found()
        return _copy(found)

    def create(self, body: Mapping[str, Any], *, owner: str, label_ids: Collection[str],
               forwarding: Collection[str]) -> dict[str, Any]:
        """Add a filter and return it with its new id.

        400 when it has no criteria or no action, names a label the account lacks or one
        no filter may set (DRAFT, SENT, CHAT), forwards to an address that is not a
        verified forwarding address, repeats an existing filter, or is past the limit.
        """
        criteria = _criteria(body.get("criteria"))
        action = _action(body.get("action"), label_ids, forwarding)
        if any(f["criteria"] == criteria and f["action"] == action
               for f in self._filters.values()):
            raise invalid_argument("Filter already exists")
        if len(self._filters) >= MAX_FILTERS:
            raise invalid_argument(f"Too many filters: an account may have at most "
                                   f"{MAX_FILTERS}; delete one first")
        self._created += 1
        filter_id = _filter_id(owner, self._created)
        self._filters[filter_id] = {"id": filter_id, "criteria": criteria, "action": action}
        return _copy(self._filters[filter_id])

    def delete(self, filter_id: str) -> None:
        """Delete a filter; 404 for an unknown id."""
        if self._filters.pop(filter_id, None) is None:
            raise not_found()


def _criteria(value: Any) -> dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise invalid_argument("Invalid filter criteria: give a FilterCriteria object")
    out: dict[str, Any] = {}
    for key in _TEXT_CRITERIA:
        text = value.get(key)
        if text is None:
            continue
        if key == "subject":  # Gmail trims it and collapses adjacent spaces
            text = " ".join(text.split())
        if text.strip():
            out[key] = text
    for key in ("hasAttachment", "excludeChats"):
        if value.get(key):
            out[key] = True
    comparison = value.get("sizeComparison")
    if comparison is not None:
        check_enum("FilterCriteria", "sizeComparison", comparison,
                   "filter.criteria.size_comparison")
    size = value.get("size")
    if size is not None or comparison not in (None, "unspecified"):
        if size is None or int(size) < 0 or comparison in (None, "unspecified"):
            raise invalid_argument("Invalid filter criteria: size needs a sizeComparison "
                                   "(smaller or larger) and a size of 0 bytes or more")
        out["size"] = int(size)
        out["sizeComparison"] = comparison
    if not out:
        raise invalid_argument("Filter doesn't have any criteria: give at least one of "
                               "from, to, subject, query, negatedQuery, hasAttachment, "
                               "size")
    return {k: out[k] for k in _CRITERIA_ORDER if k in out}


def _action(value: Any, label_ids: Collection[str], forwarding: Collection[str],
            ) -> dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise invalid_argument("Invalid filter action: give a FilterAction object")
    out: dict[str, Any] = {}
    for key in ("addLabelIds", "removeLabelIds"):
        ids = list(dict.fromkeys(value.get(key) or ()))
        for label_id in ids:
            if label_id not in label_ids or label_id in FIXED_LABELS:
                raise invalid_argument(f"Invalid label: {label_id}")  # as messages.modify
        if ids:
            out[key] = ids
    forward = value.get("forward")
    if forward:
        address = forward.strip().lower()
        if address not in forwarding:
            raise invalid_argument("Invalid forward: a filter forwards only to a verified "
                                   "forwarding address; add it with "
                                   "settings.forwardingAddresses.create first")
        out["forward"] = address
    if not out:
        raise invalid_argument("Filter doesn't have any actions: give addLabelIds, "
                               "removeLabelIds or forward")
    return {k: out[k] for k in _ACTION_ORDER if k in out}


def _filter_id(owner: str, number: int) -> str:
    """Return an opaque id shaped like Gmail's (base64url, 42 characters)."""
    digest = hashlib.sha256(f"{owner}\n{number}".encode()).digest()
    return "ANe1Bm" + base64.urlsafe_b64encode(digest).decode("ascii")[:36]


def _copy(item: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": item["id"], "criteria": dict(item["criteria"]),
            "action": {k: list(v) if isinstance(v, list) else v
                       for k, v in item["action"].items()}}
