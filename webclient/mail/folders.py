"""The folders every mailbox has, and how user labels appear beside them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from guard.mail_values import LabelInfo


class Count(enum.Enum):
    """What number the sidebar shows beside a folder."""

    NONE = "none"
    #: Unread conversations, in bold (Inbox, Spam).
    UNREAD = "unread"
    #: Every message the folder holds (Drafts: each draft is one message), as Gmail shows
    #: the number of drafts.
    ALL = "all"


@dataclass(frozen=True, slots=True)
class Folder:
    """A folder of the sidebar: its URL name, title, Gmail label and which count shows."""

    slug: str
    title: object
    label_id: str | None
    count: Count = Count.NONE


FOLDERS: tuple[Folder, ...] = (
    Folder("inbox", _l("Inbox"), "INBOX", count=Count.UNREAD),
    Folder("starred", _l("Starred"), "STARRED"),
    Folder("important", _l("Important"), "IMPORTANT"),
    Folder("sent", _l("Sent"), "SENT"),
    Folder("drafts", _l("Drafts"), "DRAFT", count=Count.ALL),
    Folder("all", _l("All mail"), None),
    Folder("spam", _l("Spam"), "SPAM", count=Count.UNREAD),
    Folder("trash", _l("Trash"), "TRASH"),
)
BY_SLUG = {folder.slug: folder for folder in FOLDERS}
SYSTEM_NAMES = {folder.label_id: folder.title for folder in FOLDERS if folder.label_id}


def user_labels(labels: tuple[LabelInfo, ...]) -> tuple[LabelInfo, ...]:
    """Return the user's own labels sorted by name."""
    return tuple(sorted((label for label in labels if label.type == "user"),
                        key=lambda label: label.name.lower()))


def folder_counts(labels: tuple[LabelInfo, ...]) -> dict[str, int]:
    """Return the number the sidebar shows beside each folder, by slug (0: none).

    From the label counters the page fetched anyway (labels.get, or the guard's cache),
    so a count costs no Gmail call of its own.
    """
    by_id = {label.id: label for label in labels}
    shown: dict[str, int] = {}
    for folder in FOLDERS:
        label = by_id.get(folder.label_id or "")
        if label is None or folder.count is Count.NONE:
            shown[folder.slug] = 0
        elif folder.count is Count.UNREAD:
            shown[folder.slug] = label.threads_unread
        else:
            shown[folder.slug] = label.messages_total
    return shown


def label_names(labels: tuple[LabelInfo, ...]) -> dict[str, str]:
    """Return user label names by id."""
    return {label.id: label.name for label in labels if label.type == "user"}
