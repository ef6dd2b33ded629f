"""A draft open in two tabs, and forwarding with attachments, as the emulator records them.

Tab A sends (or discards) a draft while tab B still has it open: what tab B then saves,
autosaves or sends must not be lost to a 404 page, and must not go out a second time
without the writer being told.
"""

from __future__ import annotations

import email
import email.policy
import io
import re

from tests.webclient.conftest import deliver, post

GONE = "The draft open here was sent or deleted in another window"


def parsed(stored):
    return email.message_from_bytes(stored.raw, policy=email.policy.default)


def sent_messages(mailbox):
    return mailbox.state.list_messages(label_ids=["SENT"])


def draft_text(mailbox, draft_id: str) -> str:
    message = parsed(mailbox.state.get_draft(draft_id).message)
    return message.get_body(("plain",)).get_content().strip()


def _draft_sent_from_tab_a(signed_in) -> str:
    """Autosave a draft, then send it as tab A would; return the draft's id."""
    first = post(signed_in, "/u/0/drafts/autosave", {"to": "ana@example.org",
                                                     "subject": "Two tabs", "body": "v1"})
    draft_id = first.get_json()["draft_id"]
    sent = post(signed_in, "/u/0/compose", {"to": "ana@example.org", "subject": "Two tabs",
                                            "body": "v2", "draft_id": draft_id,
                                            "action": "send"})
    assert sent.status_code == 302 and "/u/0/t/" in sent.headers["Location"]
    return draft_id


def test_saving_a_draft_already_sent_from_another_tab_keeps_what_was_written(signed_in,
                                                                              mailbox):
    draft_id = _draft_sent_from_tab_a(signed_in)
    sent_before = len(sent_messages(mailbox))
    # Tab B still has the draft open and saves what it holds.
    saved = post(signed_in, "/u/0/compose", {"to": "ana@example.org", "subject": "Two tabs",
                                             "body": "written in the other tab",
                                             "draft_id": draft_id, "action": "save"})
    # 404, as for any draft id this mailbox does not hold; the page keeps what was written
    assert saved.status_code == 404, saved.status_code
    text = saved.get_data(as_text=True)
    new_id = re.search(r'name="draft_id" value="([^"]+)"', text).group(1)
    assert new_id != draft_id
    assert "written in the other tab" in text
    assert GONE in text and "saved as a new draft" in text
    assert [d.id for d in mailbox.state.list_drafts()] == [new_id]
    assert draft_text(mailbox, new_id) == "written in the other tab"
    assert len(sent_messages(mailbox)) == sent_before


def test_autosaving_a_draft_already_sent_from_another_tab_answers_the_script(signed_in,
                                                                              mailbox):
    draft_id = _draft_sent_from_tab_a(signed_in)
    again = post(signed_in, "/u/0/drafts/autosave", {"to": "ana@example.org",
                                                     "subject": "Two tabs", "body": "v3",
                                                     "draft_id": draft_id})
    # The page's script reads JSON (saved, draft_id, note); a 404 error page tells it nothing.
    assert again.status_code == 404 and again.is_json, (again.status_code, again.content_type)
    answer = again.get_json()
    assert answer["saved"] is True and answer["draft_id"] != draft_id
    assert answer["note"].startswith(GONE)
    assert draft_text(mailbox, answer["draft_id"]) == "v3"
    # The script carries the new id from then on: the next autosave updates that draft.
    later = post(signed_in, "/u/0/drafts/autosave", {"to": "ana@example.org",
                                                     "subject": "Two tabs", "body": "v4",
                                                     "draft_id": answer["draft_id"]})
    assert later.get_json() == {
        "saved": True, "draft_id": answer["draft_id"],
        "draft_message": mailbox.state.get_draft(answer["draft_id"]).message.id}
    assert [d.id for d in mailbox.state.list_drafts()] == [answer["draft_id"]]


def test_sending_a_draft_already_sent_from_another_tab_sends_nothing_and_says_so(signed_in,
                                                                                  mailbox):
    draft_id = _draft_sent_from_tab_a(signed_in)
    sent_before = len(sent_messages(mailbox))
    answer = post(signed_in, "/u/0/compose", {"to": "ana@example.org", "subject": "Two tabs",
                                              "body": "tab B's version", "draft_id": draft_id,
                                              "action": "send"})
    assert len(sent_messages(mailbox)) == sent_before
    assert answer.status_code == 404
    page = answer.get_data(as_text=True)
    assert GONE in page and "so this was not sent" in page
    assert "tab B&#39;s version" in page or "tab B's version" in page
    (kept,) = mailbox.state.list_drafts()
    assert draft_text(mailbox, kept.id) == "tab B's version"
    # Sending that new draft is the writer's own choice, and sends it once.
    post(signed_in, "/u/0/compose", {"to": "ana@example.org", "subject": "Two tabs",
                                     "body": "tab B's version", "draft_id": kept.id,
                                     "action": "send"})
    assert len(sent_messages(mailbox)) == sent_before + 1
    assert mailbox.state.list_drafts() == []


def test_the_notice_is_in_indonesian_for_an_indonesian_reader(signed_in, mailbox):
    draft_id = _draft_sent_from_tab_a(signed_in)
    post(signed_in, "/language", {"lang": "id"})
    page = post(signed_in, "/u/0/compose", {"to": "ana@example.org", "subject": "Two tabs",
                                            "body": "b", "draft_id": draft_id,
                                            "action": "send"}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert GONE not in text
    assert "draf baru" in text


def test_a_forward_shows_the_attachments_it_will_carry(signed_in, mailbox):
    stored = deliver(mailbox, subject="Kontrak",
                     attachments=(("kontrak.pdf", "application/pdf", b"%PDF-1.4 kontrak"),))
    page = signed_in.get(f"/u/0/compose?mode=forward&message={stored.id}"
                         ).get_data(as_text=True)
    assert "kontrak.pdf" in page
    assert re.search(r'<input type="checkbox" name="drop" value="\d+:kontrak.pdf">', page)


def test_an_attachment_removed_from_a_forward_is_not_sent(signed_in, mailbox):
    stored = deliver(mailbox, subject="Dua berkas", attachments=(
        ("kontrak.pdf", "application/pdf", b"%PDF-1.4 kontrak"),
        ("pribadi.txt", "text/plain", b"jangan diteruskan")))
    page = signed_in.get(f"/u/0/compose?mode=forward&message={stored.id}"
                         ).get_data(as_text=True)
    private = re.search(r'name="drop" value="(\d+:pribadi.txt)"', page).group(1)
    answer = post(signed_in, "/u/0/compose", {"action": "send", "to": "rina@example.org",
                                              "subject": "Fwd: Dua berkas", "body": "FYI",
                                              "forward_of": stored.id, "drop": private})
    assert answer.status_code == 302
    message = parsed(sent_messages(mailbox)[0])
    assert [p.get_filename() for p in message.iter_attachments()] == ["kontrak.pdf"]


def test_a_forward_shown_again_keeps_its_list_and_what_was_removed(signed_in, mailbox):
    stored = deliver(mailbox, subject="Dua berkas", attachments=(
        ("kontrak.pdf", "application/pdf", b"%PDF-1.4 kontrak"),
        ("pribadi.txt", "text/plain", b"jangan diteruskan")))
    page = signed_in.get(f"/u/0/compose?mode=forward&message={stored.id}"
                         ).get_data(as_text=True)
    private = re.search(r'name="drop" value="(\d+:pribadi.txt)"', page).group(1)
    refused = post(signed_in, "/u/0/compose", {"action": "send", "to": "not an address",
                                               "subject": "Fwd: Dua berkas", "body": "FYI",
                                               "forward_of": stored.id, "drop": private})
    assert refused.status_code == 400
    shown = refused.get_data(as_text=True)
    assert "kontrak.pdf" in shown
    assert f'name="drop" value="{private}" checked>' in shown


def test_an_autosaved_forward_keeps_only_the_attachments_not_removed(signed_in, mailbox):
    stored = deliver(mailbox, subject="Dua berkas", attachments=(
        ("kontrak.pdf", "application/pdf", b"%PDF-1.4 kontrak"),
        ("pribadi.txt", "text/plain", b"jangan diteruskan")))
    page = signed_in.get(f"/u/0/compose?mode=forward&message={stored.id}"
                         ).get_data(as_text=True)
    private = re.search(r'name="drop" value="(\d+:pribadi.txt)"', page).group(1)
    saved = post(signed_in, "/u/0/drafts/autosave", {"to": "rina@example.org",
                                                     "subject": "Fwd: Dua berkas",
                                                     "body": "FYI", "forward_of": stored.id,
                                                     "drop": private})
    draft_id = saved.get_json()["draft_id"]
    post(signed_in, "/u/0/compose", {"action": "send", "to": "rina@example.org",
                                     "subject": "Fwd: Dua berkas", "body": "FYI",
                                     "forward_of": stored.id, "draft_id": draft_id,
                                     "drop": private})
    message = parsed(sent_messages(mailbox)[0])
    assert [p.get_filename() for p in message.iter_attachments()] == ["kontrak.pdf"]


def _gone_draft(signed_in) -> str:
    """Autosave a draft, then discard it as another tab would; return its id."""
    saved = post(signed_in, "/u/0/drafts/autosave", {"to": "ana@example.org",
                                                     "subject": "Gone", "body": "v1"})
    draft_id = saved.get_json()["draft_id"]
    page = signed_in.get(f"/u/0/compose?draft={draft_id}").get_data(as_text=True)
    assert "Gone" in page
    post(signed_in, "/u/0/compose", {"action": "discard", "draft_id": draft_id})
    return draft_id


def _main(page: str) -> str:
    return re.search(r"<main.*</main>", page, re.DOTALL).group(0)


def test_reloading_a_draft_that_is_gone_says_so_and_offers_the_way_on(signed_in, mailbox):
    draft_id = _gone_draft(signed_in)
    answer = signed_in.get(f"/u/0/compose?draft={draft_id}")
    # 404, as for any draft id this mailbox does not hold (see tests/authz)
    assert answer.status_code == 404
    page = answer.get_data(as_text=True)
    assert "This draft is no longer here" in page
    assert "sent or deleted" in page
    assert 'href="/u/0/f/drafts"' in page
    assert 'href="/u/0/compose"' in page


def test_a_draft_id_never_seen_gets_the_same_page(signed_in, mailbox):
    draft_id = _gone_draft(signed_in)
    gone = signed_in.get(f"/u/0/compose?draft={draft_id}").get_data(as_text=True)
    never = signed_in.get("/u/0/compose?draft=r123456789")
    assert never.status_code == 404
    assert _main(never.get_data(as_text=True)) == _main(gone)


def test_the_gone_draft_page_is_in_indonesian_for_an_indonesian_reader(signed_in, mailbox):
    draft_id = _gone_draft(signed_in)
    post(signed_in, "/language", {"lang": "id"})
    page = signed_in.get(f"/u/0/compose?draft={draft_id}").get_data(as_text=True)
    assert "This draft is no longer here" not in page
    assert "Draf ini sudah tidak ada" in page


NEW_MESSAGE = "will send what you wrote here as a new message"


def test_sending_the_draft_that_replaced_a_gone_one_asks_first(signed_in, mailbox):
    draft_id = _draft_sent_from_tab_a(signed_in)
    sent_before = len(sent_messages(mailbox))
    # Tab B, without the page's script, saves: the page names the new draft.
    saved = post(signed_in, "/u/0/compose", {"to": "ana@example.org", "subject": "Two tabs",
                                             "body": "tab B", "draft_id": draft_id,
                                             "action": "save"})
    page = saved.get_data(as_text=True)
    new_id = re.search(r'name="draft_id" value="([^"]+)"', page).group(1)
    replaced = re.search(r'name="draft_replaced" value="([^"]*)"', page).group(1)
    assert replaced
    form = {"to": "ana@example.org", "subject": "Two tabs", "body": "tab B",
            "draft_id": new_id, "draft_replaced": replaced, "action": "send"}
    # A later Send of that draft asks before anything goes out.
    asked = post(signed_in, "/u/0/compose", form)
    assert len(sent_messages(mailbox)) == sent_before
    text = asked.get_data(as_text=True)
    assert NEW_MESSAGE in text
    assert 'name="new_message" value="confirmed"' in text
    assert [d.id for d in mailbox.state.list_drafts()] == [new_id]
    # Saying yes sends it, once.
    sent = post(signed_in, "/u/0/compose", {**form, "new_message": "confirmed"})
    assert sent.status_code == 302
    assert len(sent_messages(mailbox)) == sent_before + 1
    assert mailbox.state.list_drafts() == []


def test_the_not_sent_page_asks_whether_to_send_it_as_a_new_message(signed_in, mailbox):
    draft_id = _draft_sent_from_tab_a(signed_in)
    answer = post(signed_in, "/u/0/compose", {"to": "ana@example.org", "subject": "Two tabs",
                                              "body": "tab B", "draft_id": draft_id,
                                              "action": "send"})
    text = answer.get_data(as_text=True)
    assert "so this was not sent" in text
    assert 'name="new_message" value="confirmed"' in text


def test_the_autosave_of_a_gone_draft_tells_the_script_it_was_replaced(signed_in, mailbox):
    draft_id = _draft_sent_from_tab_a(signed_in)
    answer = post(signed_in, "/u/0/drafts/autosave", {"to": "ana@example.org",
                                                      "subject": "Two tabs", "body": "v3",
                                                      "draft_id": draft_id}).get_json()
    assert answer["replaced"] is True
    later = post(signed_in, "/u/0/drafts/autosave", {"to": "ana@example.org",
                                                     "subject": "Two tabs", "body": "v4",
                                                     "draft_id": answer["draft_id"]})
    assert "replaced" not in later.get_json()


def _draft_with_file(signed_in, mailbox) -> tuple[str, str]:
    """Save a draft with a file, as the page does; return the compose page's draft and key."""
    saved = post(signed_in, "/u/0/compose", {
        "to": "ana@example.org", "subject": "With a file", "body": "see attached",
        "action": "save", "attachments": (io.BytesIO(b"%PDF-1.4 kontrak"), "kontrak.pdf")},
        content_type="multipart/form-data")
    assert saved.status_code == 302
    page = signed_in.get(saved.headers["Location"]).get_data(as_text=True)
    draft_id = re.search(r'name="draft_id" value="([^"]+)"', page).group(1)
    key = re.search(r'name="carried_file" value="([^"]+)"', page).group(1)
    message = re.search(r'name="draft_message" value="([^"]+)"', page).group(1)
    assert mailbox.state.get_draft(draft_id).message.id == message
    return draft_id, key


def _files(mailbox, draft_id: str) -> list[str]:
    message = parsed(mailbox.state.get_draft(draft_id).message)
    return [part.get_filename() for part in message.iter_attachments()]


def test_a_gone_drafts_files_it_can_still_read_go_into_the_new_draft(signed_in, mailbox):
    draft_id, key = _draft_with_file(signed_in, mailbox)
    message_id = mailbox.state.get_draft(draft_id).message.id
    # Sent from Gmail's own client: the draft leaves Drafts, its message stays readable.
    mailbox.state._drafts.pop(draft_id)
    answer = post(signed_in, "/u/0/drafts/autosave", {
        "to": "ana@example.org", "subject": "With a file", "body": "more", "draft_id": draft_id,
        "draft_message": message_id, "carried_file": key}).get_json()
    assert answer["draft_id"] != draft_id
    assert _files(mailbox, answer["draft_id"]) == ["kontrak.pdf"]
    assert "could not be kept" not in answer["note"]


def test_a_gone_drafts_files_it_cannot_read_are_named(signed_in, mailbox):
    draft_id, key = _draft_with_file(signed_in, mailbox)
    message_id = mailbox.state.get_draft(draft_id).message.id
    post(signed_in, "/u/0/compose", {"action": "discard", "draft_id": draft_id})
    answer = post(signed_in, "/u/0/drafts/autosave", {
        "to": "ana@example.org", "subject": "With a file", "body": "more", "draft_id": draft_id,
        "draft_message": message_id, "carried_file": key}).get_json()
    assert _files(mailbox, answer["draft_id"]) == []
    assert "could not be kept" in answer["note"] and "kontrak.pdf" in answer["note"]
    assert answer["lost_files"] == [key]
    # Saved or sent from the page without its script, the page names them too.
    page = post(signed_in, "/u/0/compose", {
        "to": "ana@example.org", "subject": "With a file", "body": "more", "draft_id": draft_id,
        "draft_message": message_id, "carried_file": key, "action": "save"})
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "could not be kept" in text and "kontrak.pdf" in text


def test_a_gone_drafts_files_removed_by_the_writer_are_not_named(signed_in, mailbox):
    draft_id, key = _draft_with_file(signed_in, mailbox)
    message_id = mailbox.state.get_draft(draft_id).message.id
    post(signed_in, "/u/0/compose", {"action": "discard", "draft_id": draft_id})
    answer = post(signed_in, "/u/0/drafts/autosave", {
        "to": "ana@example.org", "subject": "With a file", "body": "more", "draft_id": draft_id,
        "draft_message": message_id, "carried_file": key, "drop": key}).get_json()
    assert "could not be kept" not in answer["note"]


def test_the_question_and_the_lost_files_are_in_indonesian(signed_in, mailbox):
    draft_id, key = _draft_with_file(signed_in, mailbox)
    message_id = mailbox.state.get_draft(draft_id).message.id
    post(signed_in, "/u/0/compose", {"action": "discard", "draft_id": draft_id})
    post(signed_in, "/language", {"lang": "id"})
    page = post(signed_in, "/u/0/compose", {
        "to": "ana@example.org", "subject": "With a file", "body": "more", "draft_id": draft_id,
        "draft_message": message_id, "carried_file": key, "action": "send"}
        ).get_data(as_text=True)
    assert "Kirim sebagai pesan baru" in page
    assert "tidak dapat disimpan karena drafnya sudah tidak ada: kontrak.pdf" in page
    assert NEW_MESSAGE not in page
