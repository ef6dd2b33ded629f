"""What the message frame itself says is in the reader's language, and a cut message says so."""

from __future__ import annotations

from tests.webclient.conftest import deliver, post
from webclient.sanitize import MAX_INPUT_CHARS


def test_a_blocked_remote_image_is_named_in_indonesian(signed_in, mailbox):
    post(signed_in, "/language", {"lang": "id"})
    stored = deliver(mailbox, subject="Promo",
                     html_body='<p>Lihat</p><img src="http://tracker.example/p.gif">')
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    assert 'class="mg-blocked-image" title="Gambar jarak jauh diblokir">Gambar</span>' in frame
    assert "Remote image blocked" not in frame


def test_a_blocked_remote_image_is_named_in_english(signed_in, mailbox):
    stored = deliver(mailbox, subject="Promo",
                     html_body='<p>Look</p><img src="http://tracker.example/p.gif">')
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    assert 'class="mg-blocked-image" title="Remote image blocked">Image</span>' in frame


def test_an_html_message_too_long_to_show_says_it_was_cut(signed_in, mailbox):
    post(signed_in, "/language", {"lang": "id"})
    stored = deliver(mailbox, subject="Huge",
                     html_body="<p>" + "kata " * (MAX_INPUT_CHARS // 5 + 10) + "AKHIR</p>")
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame")
    assert frame.status_code == 200
    text = frame.get_data(as_text=True)
    assert "AKHIR" not in text
    assert "Pesan ini terlalu panjang untuk ditampilkan seluruhnya" in text


def test_a_plain_text_message_too_long_to_show_says_it_was_cut(signed_in, mailbox):
    stored = deliver(mailbox, subject="Huge", text="word " * (MAX_INPUT_CHARS // 5 + 10) + "END")
    text = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    assert "END" not in text
    assert "This message is too long to show in full" in text


def test_a_message_of_ordinary_length_carries_no_such_note(signed_in, mailbox):
    stored = deliver(mailbox, subject="Small", html_body="<p>short</p>")
    text = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    assert "too long to show" not in text


def test_an_html_part_with_nothing_safe_to_show_falls_back_to_the_text_part(signed_in,
                                                                          mailbox):
    stored = deliver(mailbox, subject="Svg only", text="The plain version of the invite.",
                     html_body="<svg><text>Invite</text><script>alert(1)</script></svg>")
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    assert "The plain version of the invite." in frame


def test_an_html_only_message_with_nothing_safe_to_show_says_so(signed_in, mailbox):
    post(signed_in, "/language", {"lang": "id"})
    raw = (b"From: Ann <ann@example.org>\r\nTo: " + mailbox.email.encode()
           + b"\r\nSubject: Kosong\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/html; charset=utf-8\r\n\r\n<script>alert(1)</script>\r\n")
    stored = mailbox.state.add_message(raw, label_ids=["INBOX"])
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    assert "Pesan ini tidak berisi teks" in frame


def test_an_html_body_of_images_only_is_kept(signed_in, mailbox):
    stored = deliver(mailbox, subject="Poster", text="Poster attached.",
                     html_body='<img src="https://img.example/poster.png" alt="">')
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    assert "mg-blocked-image" in frame and "Poster attached." not in frame
