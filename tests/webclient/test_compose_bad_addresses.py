"""An address that is not one yet: the writer is told what is wrong, and no text is lost."""

from __future__ import annotations

import email
import email.policy
import io

import pytest

from tests.webclient.conftest import control, post


def parsed(stored):
    return email.message_from_bytes(stored.raw, policy=email.policy.default)


def test_save_draft_with_a_bad_address_says_the_draft_was_not_saved(signed_in, mailbox):
    answer = post(signed_in, "/u/0/compose", {"action": "save", "to": "bob@",
                                              "subject": "Plan", "body": "later"})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "The draft was not saved:" in page
    assert "The message was not sent" not in page
    assert "these are not email addresses: bob@" in page
    assert mailbox.state.list_drafts() == []


def test_save_draft_with_a_bad_address_says_so_in_indonesian(signed_in):
    post(signed_in, "/language", {"lang": "id"})
    page = post(signed_in, "/u/0/compose", {"action": "save", "to": "bob@",
                                            "subject": "Rencana", "body": "nanti"})
    assert "Draf tidak disimpan:" in page.get_data(as_text=True)


def test_send_with_a_bad_address_still_says_the_message_was_not_sent(signed_in):
    page = post(signed_in, "/u/0/compose", {"action": "send", "to": "bob@",
                                            "subject": "Plan", "body": "later"})
    assert "The message was not sent:" in page.get_data(as_text=True)


def test_autosave_keeps_the_text_while_an_address_is_not_valid_yet(signed_in, mailbox):
    answer = post(signed_in, "/u/0/drafts/autosave", {
        "to": "bob@, carol@example.org", "cc": "dan@exa mple", "subject": "Laporan",
        "body": "Sepuluh menit menulis."})
    assert answer.status_code == 200
    assert answer.json["saved"] is True
    assert answer.json["note"] == ("Draft saved without the entries that are not email "
                                   "addresses: bob@, dan@exa mple")
    stored = parsed(mailbox.state.get_draft(answer.json["draft_id"]).message)
    assert stored["To"] == "carol@example.org" and stored["Cc"] is None
    assert stored.get_body(("plain",)).get_content().strip() == "Sepuluh menit menulis."


def test_autosave_says_in_indonesian_which_entries_it_left_out(signed_in):
    post(signed_in, "/language", {"lang": "id"})
    answer = post(signed_in, "/u/0/drafts/autosave", {"to": "bob@", "subject": "x",
                                                      "body": "y"})
    assert answer.json["note"] == ("Draf disimpan tanpa entri yang bukan alamat email: bob@")


def test_a_refused_send_names_the_files_to_attach_again(signed_in, mailbox):
    before = len(mailbox.state.list_messages(label_ids=["SENT"]))
    answer = post(signed_in, "/u/0/compose", {
        "action": "send", "to": "bob@", "subject": "Faktur", "body": "Terlampir.",
        "attachments": [(io.BytesIO(b"%PDF-1.4"), "faktur.pdf"),
                        (io.BytesIO(b"a,b"), "data.csv")]},
        content_type="multipart/form-data")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert ("These files were not kept; attach them again: faktur.pdf, data.csv"
            in page)
    assert len(mailbox.state.list_messages(label_ids=["SENT"])) == before


def test_a_refused_send_without_new_files_asks_for_none(signed_in):
    page = post(signed_in, "/u/0/compose", {"action": "send", "to": "bob@", "subject": "x",
                                            "body": "y"}).get_data(as_text=True)
    assert "attach them again" not in page


@pytest.mark.parametrize("address", ["a" * 65 + "@example.org",
                                     "bob@" + "d" * 64 + ".example.org",
                                     "bob@" + ".".join(["d" * 60] * 5) + ".org"])
def test_an_address_too_long_for_mail_is_refused_before_sending(signed_in, mailbox, address):
    before = len(mailbox.state.list_messages(label_ids=["SENT"]))
    answer = post(signed_in, "/u/0/compose", {"action": "send", "to": address,
                                              "subject": "x", "body": "y"})
    assert answer.status_code == 400
    assert f"these are not email addresses: {address}" in answer.get_data(as_text=True)
    assert len(mailbox.state.list_messages(label_ids=["SENT"])) == before


def test_the_longest_address_mail_allows_is_sent(signed_in, mailbox):
    address = "a" * 64 + "@" + ".".join(["d" * 63] * 2) + ".example.org"
    answer = post(signed_in, "/u/0/compose", {"action": "send", "to": address,
                                              "subject": "x", "body": "y"})
    assert answer.status_code == 302


@pytest.mark.parametrize(("action", "method", "heading"), [
    ("send", "messages.send", "The message was not sent:"),
    ("save", "drafts.create", "The draft was not saved:"),
])
def test_gmail_not_answering_keeps_the_message_on_the_page(signed_in, mailbox, web_emulator,
                                                           action, method, heading):
    before = len(mailbox.state.list_messages(label_ids=["SENT"]))
    control(web_emulator, "POST", "faults", {"method": method, "status": 503})
    try:
        answer = post(signed_in, "/u/0/compose", {
            "action": action, "to": "budi@example.org", "subject": "Laporan",
            "body": "Tiga paragraf yang ditulis dengan susah payah."})
    finally:
        control(web_emulator, "DELETE", "faults")
    assert answer.status_code == 503
    page = answer.get_data(as_text=True)
    assert heading in page
    assert "Gmail is not answering. What you wrote is still here; try again in a moment." in page
    assert ">Tiga paragraf yang ditulis dengan susah payah.</textarea>" in page
    assert 'name="to" value="budi@example.org"' in page
    assert len(mailbox.state.list_messages(label_ids=["SENT"])) == before


def test_gmail_not_answering_keeps_a_saved_drafts_text_on_the_page(signed_in, web_emulator):
    saved = post(signed_in, "/u/0/compose", {"action": "save", "to": "budi@example.org",
                                             "subject": "Laporan", "body": "Versi satu."})
    draft_id = saved.headers["Location"].rsplit("draft=", 1)[1]
    control(web_emulator, "POST", "faults", {"method": "*", "status": 503})
    try:
        answer = post(signed_in, "/u/0/compose", {
            "action": "save", "to": "budi@example.org", "subject": "Laporan",
            "body": "Versi dua, lebih panjang.", "draft_id": draft_id})
    finally:
        control(web_emulator, "DELETE", "faults")
    assert answer.status_code == 503
    assert ">Versi dua, lebih panjang.</textarea>" in answer.get_data(as_text=True)
