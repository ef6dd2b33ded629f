"""Organising: read/unread, star, archive and undo, trash and restore, spam, labels, bulk."""

from __future__ import annotations

import pytest

from tests.webclient.conftest import audit_entries, deliver, post


def labels_of(mailbox, thread_id):
    return set().union(*(m.label_ids for m in mailbox.state.get_thread(thread_id).messages))


@pytest.mark.parametrize(("action", "added", "removed"), [
    ("unread", {"UNREAD"}, set()),
    ("star", {"STARRED"}, set()),
    ("important", {"IMPORTANT"}, set()),
    ("archive", set(), {"INBOX"}),
    ("spam", {"SPAM"}, {"INBOX"}),
    ("trash", {"TRASH"}, set()),
])
def test_an_action_changes_the_conversation_and_is_audited(signed_in, mailbox, app, action,
                                                           added, removed):
    stored = deliver(mailbox, subject=f"Action {action}", labels=("INBOX",))
    answer = post(signed_in, "/u/0/act", {"action": action, "thread_ids": stored.thread_id,
                                          "next": "/u/0/f/inbox"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/u/0/f/inbox"
    labels = labels_of(mailbox, stored.thread_id)
    assert added <= labels
    assert not removed & labels
    assert audit_entries(app, purpose="email.organize", resource_id=stored.thread_id)


def test_archive_then_undo_puts_it_back(signed_in, mailbox):
    stored = deliver(mailbox, subject="Archive me", labels=("INBOX",))
    answer = post(signed_in, "/u/0/act", {"action": "archive", "thread_ids": stored.thread_id,
                                          "next": "/u/0/f/inbox"}, follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "Archived: 1 conversation." in text and "Undo" in text
    assert "INBOX" not in labels_of(mailbox, stored.thread_id)
    post(signed_in, "/u/0/undo")
    assert "INBOX" in labels_of(mailbox, stored.thread_id)
    again = post(signed_in, "/u/0/undo", follow_redirects=True)
    assert "There is nothing to undo." in again.get_data(as_text=True)


def test_trash_and_restore(signed_in, mailbox):
    stored = deliver(mailbox, subject="Trash me", labels=("INBOX",))
    post(signed_in, "/u/0/act", {"action": "trash", "thread_ids": stored.thread_id})
    assert "TRASH" in labels_of(mailbox, stored.thread_id)
    trash = signed_in.get("/u/0/f/trash").get_data(as_text=True)
    assert "Trash me" in trash and 'value="untrash"' in trash
    post(signed_in, "/u/0/act", {"action": "untrash", "thread_ids": stored.thread_id})
    assert "TRASH" not in labels_of(mailbox, stored.thread_id)


def test_bulk_actions_touch_every_selected_conversation(signed_in, mailbox):
    threads = [deliver(mailbox, subject=f"Bulk {n}", labels=("INBOX", "UNREAD")).thread_id
               for n in range(3)]
    answer = post(signed_in, "/u/0/act", {"action": "read", "thread_ids": threads},
                  follow_redirects=True)
    assert "Marked as read: 3 conversations." in answer.get_data(as_text=True)
    for thread_id in threads:
        assert "UNREAD" not in labels_of(mailbox, thread_id)


def test_labels_are_created_applied_and_removed(signed_in, mailbox):
    stored = deliver(mailbox, subject="Label me", labels=("INBOX",))
    post(signed_in, "/u/0/labels", {"name": "Vendors"})
    label = next(item for item in mailbox.state.list_labels() if item["name"] == "Vendors")
    post(signed_in, "/u/0/act", {"action": "label", "label_id": label["id"],
                                 "thread_ids": stored.thread_id})
    assert label["id"] in labels_of(mailbox, stored.thread_id)
    listed = signed_in.get(f"/u/0/label/{label['id']}").get_data(as_text=True)
    assert "Label me" in listed
    post(signed_in, "/u/0/act", {"action": "unlabel", "label_id": label["id"],
                                 "thread_ids": stored.thread_id})
    assert label["id"] not in labels_of(mailbox, stored.thread_id)


def test_nothing_selected_changes_nothing(signed_in, app):
    before = len(audit_entries(app, purpose="email.organize"))
    answer = post(signed_in, "/u/0/act", {"action": "archive"}, follow_redirects=True)
    assert "Select at least one conversation first." in answer.get_data(as_text=True)
    assert len(audit_entries(app, purpose="email.organize")) == before


def test_an_unknown_action_is_refused(signed_in, mailbox):
    stored = deliver(mailbox, subject="Odd", labels=("INBOX",))
    answer = post(signed_in, "/u/0/act", {"action": "delete_forever",
                                          "thread_ids": stored.thread_id})
    assert answer.status_code == 400


def test_actions_without_a_csrf_token_are_refused(signed_in, mailbox):
    stored = deliver(mailbox, subject="Keep me", labels=("INBOX",))
    answer = signed_in.post("/u/0/act", data={"action": "trash",
                                              "thread_ids": stored.thread_id})
    assert answer.status_code == 400
    assert "The form has expired" in answer.get_data(as_text=True)
    assert "TRASH" not in labels_of(mailbox, stored.thread_id)


@pytest.mark.parametrize(("action", "start", "gone", "back"), [
    ("read", ("INBOX", "UNREAD"), "UNREAD", set()),
    ("unstar", ("INBOX", "STARRED"), "STARRED", set()),
    ("unimportant", ("INBOX", "IMPORTANT"), "IMPORTANT", set()),
    ("notspam", ("SPAM",), "SPAM", {"INBOX"}),
    ("unarchive", (), None, {"INBOX"}),
])
def test_the_reverse_actions(signed_in, mailbox, action, start, gone, back):
    stored = deliver(mailbox, subject=f"Reverse {action}", labels=start)
    post(signed_in, "/u/0/act", {"action": action, "thread_ids": stored.thread_id})
    labels = labels_of(mailbox, stored.thread_id)
    assert gone not in labels
    assert back <= labels


def test_a_label_needs_a_name(signed_in, mailbox):
    before = len(mailbox.state.list_labels())
    answer = post(signed_in, "/u/0/labels", {"name": "  "}, follow_redirects=True)
    assert "Give the label a name" in answer.get_data(as_text=True)
    assert len(mailbox.state.list_labels()) == before


def test_the_account_root_opens_the_inbox(signed_in, client):
    assert signed_in.get("/u/0/").headers["Location"] == "/u/0/f/inbox"
    assert signed_in.get("/").headers["Location"] == "/u/0/"
    assert client.get("/healthz").json == {"status": "ok"}


def conversation_of_two(mailbox):
    first = deliver(mailbox, subject="Jadwal", message_id="<jadwal@example.org>",
                    labels=("INBOX",))
    reply = deliver(mailbox, subject="Re: Jadwal", in_reply_to="<jadwal@example.org>",
                    labels=("INBOX",))
    assert first.thread_id == reply.thread_id
    return first, reply


def message_labels(mailbox, message_id):
    return set(mailbox.state.get_message(message_id).label_ids)


def test_a_star_goes_on_one_message_of_a_conversation(signed_in, mailbox, app):
    first, reply = conversation_of_two(mailbox)
    page = signed_in.get(f"/u/0/t/{first.thread_id}").get_data(as_text=True)
    assert page.count("Star this message") == 2
    back = f"/u/0/t/{first.thread_id}#m-{reply.id}"
    answer = post(signed_in, f"/u/0/m/{reply.id}/act", {"action": "star", "next": back})
    assert answer.status_code == 302 and answer.headers["Location"] == back
    assert "STARRED" in message_labels(mailbox, reply.id)
    assert "STARRED" not in message_labels(mailbox, first.id)
    assert audit_entries(app, purpose="email.organize", action="messages.modify",
                         resource_id=reply.id)
    page = signed_in.get(f"/u/0/t/{first.thread_id}").get_data(as_text=True)
    assert page.count("Unstar this message") == 1 and page.count("Star this message") == 1
    assert "Message starred." in page
    post(signed_in, f"/u/0/m/{reply.id}/act", {"action": "unstar", "next": back})
    assert "STARRED" not in message_labels(mailbox, reply.id)


def test_a_conversation_star_covers_all_its_messages_and_its_removal_clears_them(
        signed_in, mailbox):
    first, reply = conversation_of_two(mailbox)
    post(signed_in, f"/u/0/m/{first.id}/act", {"action": "star"})
    post(signed_in, "/u/0/act", {"action": "unstar", "thread_ids": first.thread_id})
    assert not any("STARRED" in message_labels(mailbox, m.id) for m in (first, reply))
    post(signed_in, "/u/0/act", {"action": "star", "thread_ids": first.thread_id})
    assert all("STARRED" in message_labels(mailbox, m.id) for m in (first, reply))


def test_a_message_action_must_be_known_and_carry_the_csrf_token(signed_in, mailbox):
    first, _reply = conversation_of_two(mailbox)
    assert post(signed_in, f"/u/0/m/{first.id}/act", {"action": "trash"}).status_code == 400
    refused = signed_in.post(f"/u/0/m/{first.id}/act", data={"action": "star"})
    assert refused.status_code == 400
    assert "STARRED" not in message_labels(mailbox, first.id)


def test_marking_unread_from_the_conversation_goes_back_to_the_list(signed_in, mailbox):
    stored = deliver(mailbox, subject="Baca nanti", labels=("INBOX", "UNREAD"))
    signed_in.get(f"/u/0/t/{stored.thread_id}")
    assert "UNREAD" not in labels_of(mailbox, stored.thread_id)
    answer = post(signed_in, "/u/0/act", {
        "action": "unread", "thread_ids": stored.thread_id, "from_thread": "1",
        "next": f"/u/0/t/{stored.thread_id}", "list": "/u/0/f/inbox"})
    assert answer.headers["Location"] == "/u/0/f/inbox"
    assert "UNREAD" in labels_of(mailbox, stored.thread_id)
