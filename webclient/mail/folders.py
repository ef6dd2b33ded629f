"""The folders every mailbox has, and how user labels appear beside them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from guard.mail_values import LabelInfo


@dataclass(frozen=True, slots=True)
class Folder:
    """A folder of the sidebar: its URL name, title, Gmail label and whether counts show."""

    slug: str
    title: object
    label_id: str | None
    show_unread: bool = False


FOLDERS: tuple[Folder, ...] = (
    Folder("inbox", _l("Inbox"), "INBOX", show_unread=True),
    Folder("starred", _l("Starred"), "STARRED"),
    Folder("important", _l("Important"), "IMPORTANT"),
    Folder("sent", _l("Sent"), "SENT"),
    Folder("drafts", _l("Drafts"), "DRAFT", show_unread=False),
    Folder("all", _l("All mail"), None),
    Folder("spam", _l("Spam"), "SPAM", show_unread=True),
    Folder("trash", _l("Trash"), "TRASH"),
)
BY_SLUG = {folder.slug: folder for folder in FOLDERS}
SYSTEM_NAMES = {folder.label_id: folder.title for folder in FOLDERS if folder.label_id}


def user_labels(labels: tuple[LabelInfo, ...]) -> tuple[LabelInfo, ...]:
    """Return the user's own labels sorted by name."""
    return tuple(sorted((label for label in labels if label.type == "user"),
                        key=lambda label: label.name.lower()))


def counts(labels: tuple[LabelInfo, ...]) -> dict[str, int]:
    """Return unread-conversation counts by label id."""
    return {label.id: label.threads_unread for label in labels}


def label_names(labels: tuple[LabelInfo, ...]) -> dict[str, str]:
    """Return user label names by id."""
    return {label.id: label.name for label in labels if label.type == "user"}
