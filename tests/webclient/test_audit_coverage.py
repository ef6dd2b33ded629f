"""Every Gmail call the web client makes appears in the audit log with its purpose.

The emulator counts each Gmail method it serves; a session that opens every mail page and
takes every mail action must leave, for each method the emulator saw, an allowed audit
entry of that action under one of the email client's purposes, on that mailbox.
"""

from __future__ import annotations

import re

from audit import IdentifierHasher
from tests.webclient.conftest import audit_entries, control, deliver, post

CLIENT_PURPOSES = {"email.read", "email.search", "email.compose", "email.send",
                   "email.organize", "email.sync"}
PREFIX = "gmail.users."
#: Gmail methods recorded under another action's entry: an attachment download is entered
#: as ``attachments.get``; the label counters (one batch of ``labels.get``) are fetched
#: under the ``labels.list`` decision that lists them.
COVERED_BY = {"messages.attachments.get": "attachments.get", "labels.get": "labels.list",
              "getProfile": "profile.get"}


def ok(answer):
    """Return ``answer`` after checking it is a page or a redirect, not an error."""
    assert answer.status_code in (200, 302), (answer.status_code, answer.request.path)
    return answer


def play_every_mail_page_and_action(client, mailbox) -> None:
    """Open every mail page and take every mail action once, each successfully."""
    first = deliver(mailbox, subject="Coverage", message_id="<coverage@example.org>",
                    attachments=(("a.txt", "text/plain", b"hello"),),
                    html_body='<p>Hi <img src="cid:logo"></p>', inline_png="logo")
    reply = deliver(mailbox, subject="Re: Coverage", in_reply_to="<coverage@example.org>")
    thread = first.thread_id
    ok(post(client, "/u/0/labels", {"name": "Coverage label"}))
    label = next(item["id"] for item in mailbox.state.list_labels()
                 if item["name"] == "Coverage label")
    for path in ("/u/0/", "/u/0/f/inbox", "/u/0/f/inbox", "/u/0/f/starred", "/u/0/f/sent",
                 "/u/0/f/drafts", "/u/0/f/spam", "/u/0/f/trash", f"/u/0/label/{label}",
                 "/u/0/search?q=Coverage"):
        ok(client.get(path))
    page = ok(client.get(f"/u/0/t/{thread}")).get_data(as_text=True)
    frame = ok(client.get(f"/u/0/m/{first.id}/frame")).get_data(as_text=True)
    inline = re.search(r'/u/0/inline/[^"\']+', frame)
    assert inline is not None
    ok(client.get(inline.group(0)))
    attachment = re.search(rf'/u/0/m/{first.id}/a/[^"]+', page)
    assert attachment is not None
    ok(client.get(attachment.group(0)))
    for mode in ("reply", "reply_all", "forward"):
        ok(client.get(f"/u/0/compose?mode={mode}&message={reply.id}"))
    for action in ("read", "unread", "star", "unstar", "important", "unimportant",
                   "archive", "unarchive", "spam", "notspam", "trash", "untrash"):
        ok(post(client, "/u/0/act", {"action": action, "thread_ids": thread}))
    ok(post(client, "/u/0/act", {"action": "archive", "thread_ids": thread}))
    ok(post(client, "/u/0/undo"))
    ok(post(client, f"/u/0/m/{reply.id}/act", {"action": "star"}))
    ok(post(client, "/u/0/act", {"action": "label", "label_id": label, "thread_ids": thread}))
    ok(post(client, "/u/0/act", {"action": "unlabel", "label_id": label,
                                 "thread_ids": thread}))
    ok(post(client, f"/u/0/m/{first.id}/trust-sender", {"next": f"/u/0/t/{thread}"}))
    saved = ok(post(client, "/u/0/drafts/autosave", {"to": "a@example.org", "subject": "D",
                                                      "body": "one"})).json["draft_id"]
    ok(post(client, "/u/0/drafts/autosave", {"to": "a@example.org", "subject": "D",
                                             "body": "two", "draft_id": saved}))
    ok(client.get(f"/u/0/compose?draft={saved}"))
    ok(post(client, "/u/0/compose", {"action": "send", "to": "a@example.org", "subject": "D",
                                     "body": "three", "draft_id": saved}))
    kept = ok(post(client, "/u/0/compose", {"action": "save", "to": "b@example.org",
                                            "subject": "Keep", "body": "x"}))
    kept_id = re.search(r"draft=([^&]+)", kept.headers["Location"]).group(1)
    ok(post(client, "/u/0/compose", {"action": "discard", "draft_id": kept_id}))
    reply_form = ok(client.get(f"/u/0/compose?mode=reply&message={reply.id}"))
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"',
                             reply_form.get_data(as_text=True)))
    ok(post(client, "/u/0/compose", {**fields, "action": "send", "to": "c@example.org",
                                     "subject": "Re: Coverage", "body": "reply"}))
    ok(post(client, "/u/0/compose", {"action": "send", "to": "c@example.org",
                                     "subject": "Fwd: Coverage", "body": "fwd",
                                     "forward_of": first.id}))


def test_every_gmail_method_called_is_audited_with_an_email_client_purpose(
        signed_in, mailbox, app):
    control(mailbox.emulator, "DELETE", "stats")
    before = app.extensions["mailguard.guard"].audit.size()
    play_every_mail_page_and_action(signed_in, mailbox)
    called = {method.removeprefix(PREFIX) for method, counts in
              control(mailbox.emulator, "GET", "stats")["methods"].items() if counts["calls"]}
    entries = [e for e in audit_entries(app) if e.seq >= before]
    audited = {e.action for e in entries if e.decision.value == "allow"
               and e.purpose in CLIENT_PURPOSES}
    unaudited = {method for method in called if COVERED_BY.get(method, method) not in audited}
    assert unaudited == set(), "Gmail methods called without an audit entry"
    assert {"threads.list", "threads.get", "messages.get", "messages.attachments.get",
            "threads.modify", "messages.modify", "labels.create", "drafts.create",
            "drafts.update", "drafts.delete", "messages.send"} <= called


def test_a_web_request_records_the_browsers_address_keyed_hashed(signed_in, app):
    log = app.extensions["mailguard.guard"].audit
    hasher = IdentifierHasher(app.config["AUDIT_HMAC_KEY"])
    before = log.size()
    page = signed_in.get("/u/0/f/inbox", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert page.status_code == 200
    entries = [e for e in audit_entries(app) if e.seq >= before]
    assert {e.action for e in entries} >= {"threads.list", "labels.list"}
    assert {e.client_ip_h for e in entries} == {hasher.hash("203.0.113.9")}
    signed_in.get("/u/0/f/sent", environ_base={"REMOTE_ADDR": "198.51.100.20"})
    # A reviewer searching for the first address finds that request's entries only.
    found = [e for e in audit_entries(app) if e.client_ip_h == hasher.hash("203.0.113.9")]
    assert [e.seq for e in found] == [e.seq for e in entries]
    assert all(b"203.0.113.9" not in e.canonical_bytes() for e in audit_entries(app))


def test_a_page_names_its_request_id_and_the_log_holds_its_entries(signed_in, app):
    from audit import AuditQuery

    page = signed_in.get("/u/0/f/inbox")
    assert page.status_code == 200
    request_id = page.headers["X-Request-Id"]
    log = app.extensions["mailguard.guard"].audit
    entries = list(log.query(AuditQuery(request_id=request_id)))
    assert entries, "the inbox's audit entries should carry the id the page sent back"
    assert {entry.request_id for entry in entries} == {request_id}
