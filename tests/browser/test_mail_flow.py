"""A reader's day in real Chromium: sign in, read, reply, attach, search, archive, undo,
switch language, disconnect."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import Reader


def deliver(reader: Reader, subject: str, body: str = "Halo, apa kabar?", **extra: str) -> str:
    raw = (f"From: Dewi Anggraini <dewi@anggraini.test>\r\nTo: {reader.email}\r\n"
           f"Subject: {subject}\r\nMessage-ID: <{subject.replace(' ', '.')}@anggraini.test>\r\n"
           f"Date: Mon, 03 Mar 2025 09:00:00 +0700\r\n"
           f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()
    return reader.mailbox.add_message(raw, label_ids=["INBOX", "UNREAD"]).thread_id


def test_sign_in_shows_the_inbox(reader: Reader):
    page = reader.page
    expect(page.locator("h1.list-title")).to_have_text("Inbox")
    assert page.locator("li.thread").count() > 0
    expect(page.locator(".current-account")).to_have_text(reader.email)
    reader.shot("inbox")
    assert reader.policy_violations == []


def test_read_a_thread_and_reply_in_it(reader: Reader):
    page = reader.page
    thread_id = deliver(reader, "Rapat Kamis", "Bisa rapat hari Kamis jam 10?")
    page.reload()
    page.get_by_role("link", name="Rapat Kamis").first.click()
    expect(page.locator("h1.thread-subject")).to_contain_text("Rapat Kamis")
    frame = page.frame_locator("iframe.body").first
    expect(frame.locator("body")).to_contain_text("Bisa rapat hari Kamis jam 10?")
    reader.shot("thread")
    page.get_by_role("link", name="Reply", exact=True).last.click()
    expect(page.locator('input[name="subject"]')).to_have_value("Re: Rapat Kamis")
    page.locator('textarea[name="body"]').press("Home")
    page.locator('textarea[name="body"]').type("Bisa, sampai Kamis.")
    reader.shot("compose-reply")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"**/u/0/t/{thread_id}")
    expect(page.locator("article.message")).to_have_count(2)
    expect(page.locator(".flash")).to_contain_text("Message sent.")
    assert len(reader.mailbox.get_thread(thread_id).messages) == 2
    assert reader.policy_violations == []


def test_send_with_an_attachment_and_download_it(reader: Reader, tmp_path: Path):
    page = reader.page
    upload = tmp_path / "jadwal.csv"
    upload.write_text("hari,jam\nKamis,10:00\n", encoding="utf-8")
    page.keyboard.press("c")
    page.wait_for_url("**/u/0/compose")
    page.fill('input[name="to"]', "made@bali-tour.test")
    page.fill('input[name="subject"]', "Jadwal perjalanan")
    page.fill('textarea[name="body"]', "Terlampir jadwalnya.")
    page.set_input_files('input[name="attachments"]', str(upload))
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/u/0/t/*")
    with page.expect_download() as info:
        page.get_by_role("link", name="jadwal.csv").click()
    download = info.value
    assert download.suggested_filename == "jadwal.csv"
    assert Path(download.path()).read_text(encoding="utf-8") == "hari,jam\nKamis,10:00\n"
    sent = reader.mailbox.list_messages(label_ids=["SENT"])[0]
    parsed = email.message_from_bytes(sent.raw, policy=email.policy.default)
    assert [p.get_filename() for p in parsed.iter_attachments()] == ["jadwal.csv"]


def test_search_with_gmail_syntax(reader: Reader):
    page = reader.page
    deliver(reader, "Faktur nomor 77")
    page.keyboard.press("/")
    page.keyboard.type('subject:"Faktur nomor 77"')
    page.keyboard.press("Enter")
    page.wait_for_url("**/u/0/search?q=*")
    expect(page.locator("li.thread")).to_have_count(1)
    expect(page.locator("li.thread")).to_contain_text("Faktur nomor 77")
    reader.shot("search")


def test_archive_then_undo(reader: Reader):
    page = reader.page
    thread_id = deliver(reader, "Arsipkan saya")
    page.reload()
    row = page.locator("li.thread", has_text="Arsipkan saya")
    row.locator('input[type="checkbox"]').check()
    page.get_by_role("button", name="Archive").click()
    expect(page.locator(".flash")).to_contain_text("Archived: 1 conversation.")
    expect(page.locator("li.thread", has_text="Arsipkan saya")).to_have_count(0)
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("li.thread", has_text="Arsipkan saya")).to_have_count(1)
    labels = reader.mailbox.get_thread(thread_id).messages[0].label_ids
    assert "INBOX" in labels


def test_keyboard_archive_on_the_row_under_the_cursor(reader: Reader):
    page = reader.page
    deliver(reader, "Pintasan keyboard")
    page.reload()
    page.keyboard.press("j")
    expect(page.locator("li.thread.cursor")).to_contain_text("Pintasan keyboard")
    page.keyboard.press("e")
    expect(page.locator(".flash")).to_contain_text("Archived: 1 conversation.")
    expect(page.locator("li.thread", has_text="Pintasan keyboard")).to_have_count(0)


def test_switch_language_sticks(reader: Reader):
    page = reader.page
    page.select_option("#lang-choice", "id")
    expect(page.locator("h1.list-title")).to_have_text("Kotak Masuk")
    page.goto(reader.site.url + "u/0/f/sent")
    expect(page.locator("h1.list-title")).to_have_text("Terkirim")
    reader.shot("inbox-indonesian")


def test_disconnect(reader: Reader):
    page = reader.page
    page.get_by_role("link", name="Accounts").click()
    reader.shot("accounts")
    page.get_by_role("button", name="Disconnect").click()
    expect(page.locator(".flash")).to_contain_text("Gmail account disconnected")
    expect(page.locator("main")).to_contain_text("No Gmail account is connected.")
    assert reader.site.app.extensions["mailguard.guard"].accounts.list_for(reader.email) == ()


def test_drafts_save_themselves_while_typing(reader: Reader):
    page = reader.page
    page.goto(reader.site.url + "u/0/compose")
    page.fill('input[name="to"]', "siti@nusantara.test")
    page.fill('input[name="subject"]', "Catatan rapat")
    page.locator('textarea[name="body"]').type("Poin pertama")
    expect(page.locator("[data-autosave-status]")).to_have_text("Draft saved", timeout=10_000)
    draft_id = page.locator("[data-draft-id]").input_value()
    assert draft_id
    assert [d.id for d in reader.mailbox.list_drafts()] == [draft_id]
    reader.shot("compose")


def test_a_draft_with_an_unfinished_address_saves_its_text_and_says_what_it_left_out(
        reader: Reader):
    page = reader.page
    page.goto(reader.site.url + "u/0/compose")
    page.fill('input[name="to"]', "siti@")
    page.locator('textarea[name="body"]').type("Jangan sampai hilang")
    expect(page.locator("[data-autosave-status]")).to_have_text(
        "Draft saved without the entries that are not email addresses: siti@", timeout=10_000)
    assert page.locator('input[name="to"]').input_value() == "siti@"
    draft_id = page.locator("[data-draft-id]").input_value()
    assert [d.id for d in reader.mailbox.list_drafts()] == [draft_id]


def test_offline_banner_appears_and_goes(reader: Reader):
    page = reader.page
    expect(page.locator("#offline")).to_be_hidden()
    page.context.set_offline(True)
    expect(page.locator("#offline")).to_be_visible()
    page.context.set_offline(False)
    expect(page.locator("#offline")).to_be_hidden()


def test_the_message_frame_runs_no_script(reader: Reader):
    page = reader.page
    raw = (f"From: Spoof <spoof@evil.test>\r\nTo: {reader.email}\r\nSubject: Hadiah\r\n"
           "Message-ID: <hadiah@evil.test>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/html; charset=utf-8\r\n\r\n"
           "<p>Selamat!</p><script>window.top.__pwned = 1</script>"
           "<img src=x onerror=\"window.top.__pwned = 2\">"
           "<a href=\"javascript:window.top.__pwned=3\">klik</a>\r\n").encode()
    stored = reader.mailbox.add_message(raw, label_ids=["INBOX"])
    page.goto(reader.site.url + f"u/0/t/{stored.thread_id}")
    frame = page.frame_locator("iframe.body").first
    expect(frame.locator("body")).to_contain_text("Selamat!")
    frame.get_by_text("klik").click()
    assert page.evaluate("window.__pwned === undefined")


def test_files_over_gmails_limit_are_refused_when_chosen_and_the_text_stays(
        reader: Reader, tmp_path: Path):
    big = tmp_path / "besar.bin"
    with big.open("wb") as handle:
        handle.truncate(25 * 1024 * 1024 + 1)  # sparse: nothing is written
    page = reader.page
    page.goto(reader.site.url + "u/0/compose")
    page.fill('input[name="to"]', "siti@nusantara.test")
    page.fill('textarea[name="body"]', "Laporan panjang yang tidak boleh hilang.")
    notice = page.locator("#too-large")
    expect(notice).to_be_hidden()
    picker = page.locator('input[name="attachments"]')
    picker.set_input_files(big)
    expect(notice).to_be_visible()
    assert picker.evaluate("el => el.files.length") == 0
    picker.set_input_files([{"name": "kecil.txt", "mimeType": "text/plain",
                             "buffer": b"isi"}])
    expect(notice).to_be_hidden()
    assert picker.evaluate("el => el.files.length") == 1
    assert page.locator('textarea[name="body"]').input_value() == (
        "Laporan panjang yang tidak boleh hilang.")
