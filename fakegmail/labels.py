"""Gmail's system labels and an account's user labels (ids, names, visibility, colour).

The book holds no lock of its own: the owning :class:`fakegmail.mailbox.Mailbox` calls it
under its lock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from fakegmail.discovery import label_palette
from fakegmail.errors import GmailError, invalid_argument, not_found

_HIDDEN = {"messageListVisibility": "hide", "labelListVisibility": "labelHide"}

SYSTEM_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "CHAT": _HIDDEN,
    "SENT": {},
    "INBOX": {},
    "IMPORTANT": _HIDDEN,
    "TRASH": _HIDDEN,
    "DRAFT": {},
    "SPAM": _HIDDEN,
    "CATEGORY_FORUMS": {},
    "CATEGORY_UPDATES": {},
    "CATEGORY_PERSONAL": {},
    "CATEGORY_PROMOTIONS": {},
    "CATEGORY_SOCIAL": {},
    "STARRED": {},
    "UNREAD": {},
})
"""Gmail's system labels with the visibility fields Gmail reports for each."""

FIXED_LABELS = frozenset({"DRAFT", "SENT", "CHAT"})
"""System labels that ``modify`` may neither add nor remove."""

RESERVED_NAMES = frozenset({name.casefold() for name in SYSTEM_LABELS} | {
    "chats", "drafts", "bin", "allmail", "archive", "archived", "muted", "migrated", "todo",
    "todos", "buzz",
})
"""Names (in any case) Gmail keeps for itself: no user label may take one (400)."""

LABEL_LIST_VISIBILITY = ("labelShow", "labelShowIfUnread", "labelHide")
MESSAGE_LIST_VISIBILITY = ("show", "hide")
MAX_LABEL_NAME = 225

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_EDITABLE = ("name", "labelListVisibility", "messageListVisibility", "color")


def system_label(label_id: str) -> dict[str, Any]:
    """Return the Label resource (without counts) of system label ``label_id``."""
    return {"id": label_id, "name": label_id, **SYSTEM_LABELS[label_id], "type": "system"}


class LabelBook:
    """The system and user labels of one mailbox."""

    def __init__(self) -> None:
        self._user: dict[str, dict[str, Any]] = {}
        self._next = 1
        self.version = 0
        """Increases whenever a user label is created, renamed or deleted."""

    def exists(self, label_id: str) -> bool:
        """Return True when ``label_id`` names a system or user label."""
        return label_id in SYSTEM_LABELS or label_id in self._user

    def require(self, label_ids: Iterable[str]) -> tuple[str, ...]:
        """Return ``label_ids`` de-duplicated; raise 400 "Invalid label" for unknown ids."""
        seen: dict[str, None] = {}
        for label_id in label_ids:
            if not self.exists(label_id):
                raise invalid_argument(f"Invalid label: {label_id}")
            seen[label_id] = None
        return tuple(seen)

    def all(self) -> list[dict[str, Any]]:
        """Return every Label resource (system first), without counts."""
        return [system_label(i) for i in SYSTEM_LABELS] + [dict(v) for v in self._user.values()]

    def get(self, label_id: str) -> dict[str, Any]:
        """Return one Label resource without counts; raise 404 when unknown."""
        if label_id in SYSTEM_LABELS:
            return system_label(label_id)
        label = self._user.get(label_id)
        if label is None:
            raise not_found()
        return dict(label)

    def user_names(self) -> dict[str, str]:
        """Return user label names keyed by id."""
        return {k: v["name"] for k, v in self._user.items()}

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create a user label from a Label body; 409 when the name is taken."""
        fields = _editable(body)
        name = _clean_name(fields.get("name"))
        self._check_unique(name, None)
        label_id = f"Label_{self._next}"
        self._next += 1
        label: dict[str, Any] = {
            "id": label_id,
            "name": name,
            "messageListVisibility": "show",
            "labelListVisibility": "labelShow",
            "type": "user",
        }
        _apply(label, fields)
        self._user[label_id] = label
        self.version += 1
        return dict(label)

    def update(self, label_id: str, body: Mapping[str, Any], *, replace: bool) -> dict[str, Any]:
        """Update (``replace``) or patch a user label; system labels refuse with 400."""
        if label_id in SYSTEM_LABELS:
            raise invalid_argument(f"Invalid label: {label_id} is a system label and cannot "
                                   "be changed; create a user label instead")
        label = self._user.get(label_id)
        if label is None:
            raise not_found()
        fields = _editable(body)
        if replace or "name" in fields:
            fields["name"] = _clean_name(fields.get("name"))
            self._check_unique(fields["name"], label_id)
        changed = dict(label)  # a refused field leaves the label as it was
        if replace:
            changed.pop("color", None)
            changed["messageListVisibility"] = "show"
            changed["labelListVisibility"] = "labelShow"
        _apply(changed, fields)
        self._user[label_id] = changed
        self.version += 1
        return dict(changed)

    def delete(self, label_id: str) -> None:
        """Delete a user label; system labels refuse with 400, unknown ids with 404."""
        if label_id in SYSTEM_LABELS:
            raise invalid_argument(f"Invalid delete request: {label_id} is a system label")
        if self._user.pop(label_id, None) is None:
            raise not_found()
        self.version += 1

    def _check_unique(self, name: str, own_id: str | None) -> None:
        folded = name.casefold()
        if any(folded == v["name"].casefold() for k, v in self._user.items() if k != own_id):
            raise GmailError(409, "Label name exists or conflicts", reason="aborted")


def _editable(body: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise invalid_argument("The request body must be a Label object.")
    return {k: body[k] for k in _EDITABLE if k in body and body[k] is not None}


def _clean_name(name: Any) -> str:
    """Return ``name``; 400 'Invalid label name' (Gmail's words for every bad name) when it
    is empty, starts or ends with whitespace (Gmail refuses it, it does not trim), is
    reserved, or is over the length limit."""
    if (not isinstance(name, str) or not name or name != name.strip()
            or name.casefold() in RESERVED_NAMES or len(name) > MAX_LABEL_NAME):
        raise invalid_argument("Invalid label name")
    return name


def _apply(label: dict[str, Any], fields: Mapping[str, Any]) -> None:
    if "labelListVisibility" in fields:
        if fields["labelListVisibility"] not in LABEL_LIST_VISIBILITY:
            raise invalid_argument(
                f"Invalid labelListVisibility: use one of {', '.join(LABEL_LIST_VISIBILITY)}")
        label["labelListVisibility"] = fields["labelListVisibility"]
    if "messageListVisibility" in fields:
        if fields["messageListVisibility"] not in MESSAGE_LIST_VISIBILITY:
            raise invalid_argument(
                f"Invalid messageListVisibility: use one of {', '.join(MESSAGE_LIST_VISIBILITY)}")
        label["messageListVisibility"] = fields["messageListVisibility"]
    if "name" in fields:
        label["name"] = fields["name"]
    if "color" in fields:
        color = fields["color"]
        if not isinstance(color, Mapping) or not all(
            isinstance(color.get(k), str) and _COLOR.match(color[k])
            for k in ("textColor", "backgroundColor")
        ):
            raise invalid_argument(
                "Invalid label color: give textColor and backgroundColor as '#rrggbb'")
        chosen = {k: color[k].lower() for k in ("textColor", "backgroundColor")}
        for key, value in chosen.items():
            if value not in label_palette():  # Gmail's words, naming the colour as given
                raise invalid_argument(f"Label color {color[key]} is not on the allowed "
                                       "color palette")
        label["color"] = chosen
