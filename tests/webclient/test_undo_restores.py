"""Undo puts every selected conversation back exactly where it was, as Gmail's undo does.

An archive, spam report or delete of a selection that mixes conversations from several
places (Starred, All mail, a label, Spam) changes only some of them; undoing it must not
move the others (into the Inbox, out of Spam) where they never were.
"""

from __future__ import annotations

from tests.webclient.conftest import deliver, post
from webclient.mail import actions


def labels_of(mailbox, thread_id):
    return set().union(*(m.label_ids for m in mailbox.state.get_thread(thread_id).messages))


def test_undoing_an_archive_from_starred_leaves_out_of_the_inbox_what_was_never_in_it(
        signed_in, mailbox):
    in_inbox = deliver(mailbox, subject="Starred in inbox", labels=("INBOX", "STARRED"))
    archived_before = deliver(mailbox, subject="Starred archived", labels=("STARRED",))
    selection = [in_inbox.thread_id, archived_before.thread_id]
    post(signed_in, "/u/0/act", {"action": "archive", "thread_ids": selection,
                                 "next": "/u/0/f/starred"})
    post(signed_in, "/u/0/undo")
    assert "INBOX" in labels_of(mailbox, in_inbox.thread_id)
    assert labels_of(mailbox, archived_before.thread_id) == {"STARRED"}


def test_undoing_a_spam_report_from_all_mail_leaves_archived_mail_archived(signed_in,
                                                                           mailbox):
    in_inbox = deliver(mailbox, subject="Spam from inbox", labels=("INBOX",))
    archived = deliver(mailbox, subject="Spam from all mail", labels=())
    selection = [in_inbox.thread_id, archived.thread_id]
    post(signed_in, "/u/0/act", {"action": "spam", "thread_ids": selection,
                                 "next": "/u/0/f/all"})
    assert "SPAM" in labels_of(mailbox, archived.thread_id)
    post(signed_in, "/u/0/undo")
    assert labels_of(mailbox, in_inbox.thread_id) == {"INBOX"}
    assert labels_of(mailbox, archived.thread_id) == set()


def test_undoing_a_delete_in_spam_puts_it_back_in_spam(signed_in, mailbox):
    spam = deliver(mailbox, subject="Delete from spam", labels=("SPAM",))
    post(signed_in, "/u/0/act", {"action": "trash", "thread_ids": spam.thread_id,
                                 "next": "/u/0/f/spam"})
    assert "TRASH" in labels_of(mailbox, spam.thread_id)
    post(signed_in, "/u/0/undo")
    assert labels_of(mailbox, spam.thread_id) == {"SPAM"}


def test_undoing_a_delete_keeps_in_the_trash_what_was_there_already(signed_in, mailbox):
    kept = deliver(mailbox, subject="Delete me", labels=("INBOX",))
    trashed_before = deliver(mailbox, subject="Already deleted", labels=("TRASH",))
    post(signed_in, "/u/0/act", {"action": "trash",
                                 "thread_ids": [kept.thread_id, trashed_before.thread_id],
                                 "next": "/u/0/f/all"})
    post(signed_in, "/u/0/undo")
    assert labels_of(mailbox, kept.thread_id) == {"INBOX"}
    assert labels_of(mailbox, trashed_before.thread_id) == {"TRASH"}


def _conversation(mailbox, first_labels, second_labels):
    """Deliver a message and a reply to it in one conversation; return both."""
    first = deliver(mailbox, subject="Two in one", labels=first_labels,
                    message_id="<first@example.org>")
    second = deliver(mailbox, subject="Re: Two in one", labels=second_labels,
                     in_reply_to="<first@example.org>")
    assert second.thread_id == first.thread_id
    return first, second


def message_labels(mailbox, message_id):
    return set(mailbox.state.get_message(message_id).label_ids)


def test_undoing_a_delete_keeps_in_the_trash_a_message_that_was_there_already(signed_in,
                                                                              mailbox):
    kept, trashed_before = _conversation(mailbox, ("INBOX",), ("TRASH",))
    post(signed_in, "/u/0/act", {"action": "trash", "thread_ids": kept.thread_id,
                                 "next": "/u/0/f/inbox"})
    assert "TRASH" in message_labels(mailbox, kept.id)
    post(signed_in, "/u/0/undo")
    assert message_labels(mailbox, kept.id) == {"INBOX"}
    assert message_labels(mailbox, trashed_before.id) == {"TRASH"}


def test_undoing_a_delete_puts_spam_back_only_on_the_message_that_was_spam(signed_in,
                                                                           mailbox):
    mail, spam = _conversation(mailbox, ("INBOX",), ("SPAM",))
    post(signed_in, "/u/0/act", {"action": "trash", "thread_ids": mail.thread_id,
                                 "next": "/u/0/f/inbox"})
    post(signed_in, "/u/0/undo")
    assert message_labels(mailbox, mail.id) == {"INBOX"}
    assert message_labels(mailbox, spam.id) == {"SPAM"}


def test_undoing_an_archive_puts_back_in_the_inbox_only_the_message_that_was_there(
        signed_in, mailbox):
    archived_before, in_inbox = _conversation(mailbox, (), ("INBOX",))
    post(signed_in, "/u/0/act", {"action": "archive", "thread_ids": in_inbox.thread_id,
                                 "next": "/u/0/f/inbox"})
    post(signed_in, "/u/0/undo")
    assert message_labels(mailbox, in_inbox.id) == {"INBOX"}
    assert message_labels(mailbox, archived_before.id) == set()


def test_a_delete_too_large_to_undo_exactly_offers_no_undo(signed_in, mailbox, monkeypatch):
    monkeypatch.setattr(actions, "MAX_UNDO_MESSAGES", 0)
    kept, trashed_before = _conversation(mailbox, ("INBOX",), ("TRASH",))
    page = post(signed_in, "/u/0/act", {"action": "trash", "thread_ids": kept.thread_id,
                                        "next": "/u/0/f/inbox"}, follow_redirects=True)
    assert "Moved to Trash" in page.get_data(as_text=True)
    assert 'action="/u/0/undo"' not in page.get_data(as_text=True)
    post(signed_in, "/u/0/undo")
    assert "TRASH" in message_labels(mailbox, kept.id)
    assert message_labels(mailbox, trashed_before.id) == {"TRASH"}
