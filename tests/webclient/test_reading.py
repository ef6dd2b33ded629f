"""Reading: folders, labels, search, pages, conversations, bodies, attachments, images."""

from __future__ import annotations

import re

import pytest

from tests.webclient.conftest import (
    PNG_1X1,
    audit_entries,
    control,
    deliver,
    inbox_threads,
    new_mailbox,
    post,
    sign_in,
)


def test_inbox_lists_conversations_with_labels_and_counts(signed_in, mailbox):
    page = signed_in.get("/u/0/f/inbox")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.count('data-open=') == len(inbox_threads(mailbox))
    for name in ("Clients", "Invoices", "Team/Jakarta"):
        assert name in text
    assert "Inbox" in text and "Starred" in text and "Trash" in text


def test_every_folder_page_opens(signed_in):
    for slug in ("inbox", "starred", "important", "sent", "drafts", "all", "spam", "trash"):
        assert signed_in.get(f"/u/0/f/{slug}").status_code == 200, slug
    assert signed_in.get("/u/0/f/nonsense").status_code == 404


def test_an_empty_folder_says_so(client, web_emulator):
    # A seeded mailbox's Spam may hold phishing (the seed follows the address, and the
    # address follows how many mailboxes this process made before), so start empty.
    empty = new_mailbox(web_emulator, messages=0)
    assert empty.state.list_threads(label_ids=["SPAM"]) == []
    assert sign_in(client, web_emulator, empty.email).status_code == 302
    text = client.get("/u/0/f/spam").get_data(as_text=True)
    assert "Nothing here." in text
    deliver(empty, subject="Win a prize", labels=("SPAM",))
    assert "Nothing here." not in client.get("/u/0/f/spam").get_data(as_text=True)


def test_a_user_label_lists_its_conversations(signed_in, mailbox):
    label = next(item for item in mailbox.state.list_labels() if item["name"] == "Clients")
    page = signed_in.get(f"/u/0/label/{label['id']}")
    assert page.status_code == 200
    expected = len(mailbox.state.list_threads(label_ids=[label["id"]]))
    assert page.get_data(as_text=True).count('data-open=') == expected
    assert signed_in.get("/u/0/label/Label_nope").status_code == 404


def test_search_passes_gmail_syntax_through(signed_in, mailbox, app):
    deliver(mailbox, subject="Quarterly kopi order", sender="Dewi <dewi@kopi.test>")
    text = signed_in.get("/u/0/search", query_string={"q": "from:dewi@kopi.test"}
                         ).get_data(as_text=True)
    assert "Quarterly kopi order" in text
    assert text.count('data-open=') == 1
    empty = signed_in.get("/u/0/search", query_string={"q": "from:nobody@nowhere.test"})
    assert "No conversations match your search." in empty.get_data(as_text=True)
    assert audit_entries(app, purpose="email.search", action="threads.list")


def test_pages_go_older_and_back_newer(signed_in, mailbox, app):
    app.config["MAIL_PAGE_SIZE"] = 5
    first = signed_in.get("/u/0/f/all").get_data(as_text=True)
    older = re.search(r'href="([^"]+)" rel="next"', first)
    assert older is not None
    second = signed_in.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    newer = re.search(r'href="([^"]+)" rel="prev"', second)
    assert newer is not None
    ids = lambda page: re.findall(r'value="([0-9a-f]+)" form="bulk"', page)  # noqa: E731
    assert ids(first) and ids(second) and not set(ids(first)) & set(ids(second))
    again = signed_in.get(newer.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert ids(again) == ids(first)


def test_a_conversation_opens_and_is_marked_read(signed_in, mailbox, app):
    stored = deliver(mailbox, subject="Kiriman hari Senin", text="Barang tiba hari Senin.")
    page = signed_in.get(f"/u/0/t/{stored.thread_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Kiriman hari Senin" in text
    assert f"/u/0/m/{stored.id}/frame" in text
    assert "UNREAD" not in mailbox.state.get_message(stored.id).label_ids
    assert audit_entries(app, purpose="email.read", action="threads.get",
                         resource_id=stored.thread_id)
    assert audit_entries(app, purpose="email.organize", action="threads.modify",
                         resource_id=stored.thread_id)


def test_the_body_frame_is_sanitised_under_a_no_script_policy(signed_in, mailbox):
    stored = deliver(mailbox, subject="Hostile", html_body=(
        '<p>Hi</p><script>alert(1)</script><img src="x" onerror="alert(2)">'
        '<a href="javascript:alert(3)">click</a>'))
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame")
    body = frame.get_data(as_text=True)
    assert frame.status_code == 200
    assert "<p>Hi</p>" in body
    assert "<script>alert" not in body and "onerror" not in body and "javascript:" not in body
    policy = frame.headers["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "sandbox" in policy
    assert "frame-ancestors 'self'" in policy
    assert frame.headers["Cache-Control"] == "no-store"


def test_a_plain_text_body_is_escaped(signed_in, mailbox):
    stored = deliver(mailbox, subject="Plain", text="<b>not bold</b> see https://example.org")
    body = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    assert "&lt;b&gt;not bold&lt;/b&gt;" in body
    assert 'href="https://example.org"' in body


def test_remote_images_stay_blocked_until_asked(signed_in, mailbox):
    stored = deliver(mailbox, subject="Newsletter", html_body=(
        '<p>News</p><img src="https://tracker.example.com/pixel.gif" width="1" height="1">'))
    thread = signed_in.get(f"/u/0/t/{stored.thread_id}").get_data(as_text=True)
    assert "1 remote image was blocked" in thread
    blocked = signed_in.get(f"/u/0/m/{stored.id}/frame")
    assert "tracker.example.com" not in blocked.get_data(as_text=True)
    assert "https:" not in blocked.headers["Content-Security-Policy"]
    shown = signed_in.get(f"/u/0/m/{stored.id}/frame?images=1")
    assert "https://tracker.example.com/pixel.gif" in shown.get_data(as_text=True)
    assert "img-src 'self' https:" in shown.headers["Content-Security-Policy"]


def test_always_show_images_from_a_sender(signed_in, mailbox):
    # Gmail vouches for the From domain (see test_trusted_sender_images for forged ones)
    gmail = ("Authentication-Results: mx.google.com; dkim=pass header.i=@shop.test; "
             "spf=pass smtp.mailfrom=news@shop.test; dmarc=pass header.from=shop.test",)
    first = deliver(mailbox, subject="Promo 1", sender="Shop <news@shop.test>",
                    html_body='<img src="https://shop.test/banner.png">', received=gmail)
    second = deliver(mailbox, subject="Promo 2", sender="Shop <news@shop.test>",
                     html_body='<img src="https://shop.test/banner2.png">', received=gmail)
    answer = post(signed_in, f"/u/0/m/{first.id}/trust-sender")
    assert answer.status_code == 302
    thread = signed_in.get(f"/u/0/t/{second.thread_id}").get_data(as_text=True)
    assert "remote image was blocked" not in thread
    frame = signed_in.get(f"/u/0/m/{second.id}/frame").get_data(as_text=True)
    assert "https://shop.test/banner2.png" in frame


def test_inline_cid_images_load_through_a_signed_url(signed_in, mailbox, client):
    stored = deliver(mailbox, subject="Logo", html_body='<p><img src="cid:logo123"></p>',
                     inline_png="logo123")
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    found = re.search(r'src="(/u/0/inline/[^"]+)"', frame)
    assert found is not None, frame
    image = client.application.test_client().get(found.group(1).replace("&amp;", "&"))
    assert image.status_code == 200  # no session cookie: the signature is the key
    assert image.data == PNG_1X1
    assert image.mimetype == "image/png"
    tampered = found.group(1)[:-3] + "AAA"
    assert signed_in.get(tampered).status_code == 404


def test_attachments_download_as_files_with_safe_types(signed_in, mailbox, app):
    pdf = b"%PDF-1.4 test document"
    page = b"<html><script>alert(1)</script></html>"
    stored = deliver(mailbox, subject="Files", attachments=(
        ("laporan Q1.pdf", "application/pdf", pdf), ("page.html", "text/html", page)))
    thread = signed_in.get(f"/u/0/t/{stored.thread_id}").get_data(as_text=True)
    links = re.findall(r'href="(/u/0/m/[^"]+/a/[^"]+)"', thread)
    assert len(links) == 2
    answers = [signed_in.get(link) for link in links]
    by_body = {a.data: a for a in answers}
    assert by_body[pdf].mimetype == "application/pdf"
    assert by_body[pdf].headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''laporan%20Q1.pdf" in by_body[pdf].headers["Content-Disposition"]
    assert by_body[page].mimetype == "application/octet-stream"
    assert by_body[page].headers["X-Content-Type-Options"] == "nosniff"
    assert audit_entries(app, purpose="email.read", action="attachments.get")


def test_a_missing_conversation_is_not_found(signed_in):
    assert signed_in.get("/u/0/t/ffffffffffffffff").status_code == 404


@pytest.mark.parametrize(("text", "html_body", "size"), [
    ("Oke, sampai besok.", None, "short"),
    ("\n".join(f"Baris {n}" for n in range(12)), None, "medium"),
    ("\n".join(f"Baris {n}" for n in range(40)), None, "tall"),
    ("x " * 2000, None, "tall"),
    ("Hi", "<p>Hi</p>", "medium"),
    ("Hi", "<table><tr><td>Hi</td></tr></table>", "tall"),
])
def test_the_message_frame_is_sized_to_its_body(signed_in, mailbox, text, html_body, size):
    stored = deliver(mailbox, subject="Sized", text=text, html_body=html_body)
    page = signed_in.get(f"/u/0/t/{stored.thread_id}").get_data(as_text=True)
    frame = re.search(r'<iframe class="body ([a-z]+)"[^>]*/u/0/m/' + stored.id, page)
    assert frame is not None and frame.group(1) == size


def test_a_failed_page_leaves_no_gmail_call_running(signed_in, web_emulator):
    # The conversation fails at once while its label counts are slow: the page must wait
    # for them, not leave them calling Gmail after the answer (or into the next test).
    # With the inbox cached, the counts cost one history call.
    signed_in.get("/u/0/f/inbox")
    control(web_emulator, "DELETE", "stats")
    rule = control(web_emulator, "POST", "faults", {"method": "history.list",
                                                    "latency_ms": 300})
    try:
        missing = signed_in.get("/u/0/t/0000000000000000")
    finally:
        control(web_emulator, "DELETE", f"faults?method={rule['method']}")
    assert missing.status_code == 404
    methods = control(web_emulator, "GET", "stats")["methods"]
    assert methods.get("gmail.users.history.list", {}).get("calls", 0) > 0
