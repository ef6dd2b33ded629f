"""generate_mailbox: deterministic bytes and every promised feature, checked by parsing."""

from __future__ import annotations

import csv
import email
import io
import re
from datetime import UTC, datetime
from email import policy
from typing import Any

import pytest

from fakegmail.mime import ParsedMessage, html_to_text, parse_message
from fakegmail.seed import DEMO_ACCOUNTS, SeededMailbox, generate_mailbox
from tests.fakegmail.parsing.factories import decode_data

NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC).timestamp()
OWNER = ("ayu@qontak-demo.test", "Ayu Lestari")


@pytest.fixture(scope="module")
def mailbox() -> SeededMailbox:
    return generate_mailbox(*OWNER, 400, seed=3, now=NOW)


@pytest.fixture(scope="module")
def parsed(mailbox: SeededMailbox) -> list[ParsedMessage]:
    return [parse_message(m.raw) for m in mailbox.messages]


def _leaves(payload: dict[str, Any]) -> list[dict[str, Any]]:
    out, stack = [], [payload]
    while stack:
        node = stack.pop()
        if "parts" in node:
            stack.extend(node["parts"])
        else:
            out.append(node)
    return out


def _html(message: ParsedMessage) -> str:
    return "".join(decode_data(p["body"]).decode() for p in _leaves(message.payload)
                   if p["mimeType"] == "text/html")


def test_same_inputs_give_the_same_bytes(mailbox: SeededMailbox) -> None:
    assert generate_mailbox(*OWNER, 400, seed=3, now=NOW) == mailbox


@pytest.mark.parametrize(
    "change",
    [{"seed": 4}, {"owner_email": "budi@qontak-demo.test"}, {"now": NOW + 86400}],
)
def test_different_inputs_give_different_mailboxes(mailbox: SeededMailbox,
                                                   change: dict[str, Any]) -> None:
    arguments: dict[str, Any] = {"owner_email": OWNER[0], "owner_name": OWNER[1], "count": 400,
                                 "seed": 3, "now": NOW, **change}
    other = generate_mailbox(**arguments)
    assert [m.raw for m in other.messages] != [m.raw for m in mailbox.messages]


@pytest.mark.parametrize("count", [0, 1, 7, 250])
def test_exactly_count_messages(count: int) -> None:
    assert len(generate_mailbox(*OWNER, count, now=NOW).messages) == count


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        generate_mailbox(*OWNER, -1, now=NOW)


def test_a_thousand_messages_are_generated() -> None:
    # Generation speed is measured in bench/, not asserted here.
    generated = generate_mailbox(*OWNER, 1000, seed=9, now=NOW)
    assert len(generated.messages) == 1000
    assert len({m.raw for m in generated.messages}) == 1000


def test_messages_are_oldest_first_within_ninety_days_and_dates_agree(
        mailbox: SeededMailbox, parsed: list[ParsedMessage]) -> None:
    dates = [m.internal_date for m in mailbox.messages]
    assert dates == sorted(dates)
    assert NOW - 91 * 86400 < dates[0] and dates[-1] < NOW
    assert dates[-1] - dates[0] > 60 * 86400  # spread, not bunched
    assert all(p.date == m.internal_date for p, m in zip(parsed, mailbox.messages, strict=True))


def test_messages_are_valid_mime_for_the_stdlib_parser(mailbox: SeededMailbox) -> None:
    for seeded in mailbox.messages:
        assert b"\r\n\r\n" in seeded.raw and b"\n" not in seeded.raw.replace(b"\r\n", b"")
        message = email.message_from_bytes(seeded.raw, policy=policy.default)
        assert [d for part in message.walk() for d in part.defects] == []
        assert max(len(line) for line in seeded.raw.split(b"\r\n")) <= 998


def test_labels_name_user_labels_and_messages_use_known_ids(mailbox: SeededMailbox) -> None:
    assert {"Clients", "Invoices", "Travel", "Team/Jakarta"} <= set(mailbox.labels)
    system = {"INBOX", "UNREAD", "STARRED", "IMPORTANT", "SENT", "SPAM", "TRASH",
              "CATEGORY_PERSONAL", "CATEGORY_PROMOTIONS", "CATEGORY_UPDATES", "CATEGORY_SOCIAL"}
    used = {label for m in mailbox.messages for label in m.label_ids}
    user = {label.removeprefix("user:") for label in used if label.startswith("user:")}
    assert used - {f"user:{name}" for name in user} <= system
    assert user <= set(mailbox.labels)
    assert {"INBOX", "UNREAD", "STARRED", "IMPORTANT", "SENT", "CATEGORY_PROMOTIONS"} <= used
    assert {"user:Invoices", "user:Team/Jakarta", "user:Clients"} <= used
    for seeded in mailbox.messages:
        assert ("SENT" in seeded.label_ids) != ("INBOX" in seeded.label_ids) or (
            {"SPAM", "TRASH"} & set(seeded.label_ids))


def test_threads_have_replies_with_references_and_re_subjects(
        mailbox: SeededMailbox, parsed: list[ParsedMessage]) -> None:
    ids = {p.message_id for p in parsed}
    replies = [p for p in parsed if p.in_reply_to]
    assert len(replies) > len(parsed) // 4
    for reply in replies:
        assert reply.in_reply_to in ids
        assert reply.references[-1] == reply.in_reply_to
        assert set(reply.references) <= ids
        assert reply.subject.startswith("Re: ")
    assert len(ids) == len(parsed)


def test_owner_sends_some_messages_with_the_sent_label(
        mailbox: SeededMailbox, parsed: list[ParsedMessage]) -> None:
    sent = [(m, p) for m, p in zip(mailbox.messages, parsed, strict=True)
            if "SENT" in m.label_ids]
    assert len(sent) > 20
    for seeded, message in sent:
        assert message.from_address == OWNER[0]
        assert "UNREAD" not in seeded.label_ids
        assert message.header("Delivered-To") is None
    received = [p for m, p in zip(mailbox.messages, parsed, strict=True)
                if "SENT" not in m.label_ids]
    assert all(OWNER[0] in p.to_addresses for p in received)
    assert all(p.header("Delivered-To") == OWNER[0] for p in received)
    assert any(p.bcc_addresses for _, p in sent)
    assert any(p.cc_addresses for p in parsed)


def test_mix_of_structures(parsed: list[ParsedMessage]) -> None:
    roots = {p.payload["mimeType"] for p in parsed}
    assert {"text/plain", "text/html", "multipart/alternative", "multipart/mixed"} <= roots
    related = [p for p in parsed if any(
        part["mimeType"] == "multipart/related"
        for part in _all_parts(p.payload))]
    assert related


def _all_parts(payload: dict[str, Any]) -> list[dict[str, Any]]:
    out, stack = [], [payload]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.get("parts", []))
    return out


@pytest.mark.parametrize(
    ("extension", "mime_type", "magic"),
    [("pdf", "application/pdf", b"%PDF-1.4"), ("csv", "text/csv", b"kota,produk"),
     ("png", "image/png", b"\x89PNG\r\n\x1a\n")],
)
def test_attachments_are_real_files_of_a_few_kilobytes(
        parsed: list[ParsedMessage], extension: str, mime_type: str, magic: bytes) -> None:
    found = [a for p in parsed for a in p.attachments.values()
             if a.filename.endswith("." + extension)]
    assert found
    for attachment in found:
        assert attachment.mime_type == mime_type
        assert attachment.data.startswith(magic)
        assert 300 < len(attachment.data) < 20_000
    if extension == "pdf":
        assert all(a.data.rstrip().endswith(b"%%EOF") for a in found)
    if extension == "csv":
        rows = list(csv.reader(io.StringIO(found[0].data.decode())))
        assert rows[0] == ["kota", "produk", "jumlah", "nilai_rp"] and len(rows) > 10


def test_non_ascii_attachment_filename_survives(parsed: list[ParsedMessage]) -> None:
    assert "Rincian biaya – Jakarta.csv" in {name for p in parsed for name in p.filenames}


def test_inline_cid_images_are_referenced_from_html(parsed: list[ParsedMessage]) -> None:
    checked = 0
    for message in parsed:
        for part in _all_parts(message.payload):
            cid = next((h["value"] for h in part["headers"] if h["name"] == "Content-ID"), None)
            if cid:
                assert f'src="cid:{cid.strip("<>")}"' in _html(message)
                assert part["mimeType"] == "image/png"
                assert "attachmentId" in part["body"]
                checked += 1
    assert checked


def test_indonesian_and_other_non_ascii_text(mailbox: SeededMailbox,
                                              parsed: list[ParsedMessage]) -> None:
    subjects = {p.subject for p in parsed}
    assert {"Rapat anggaran kuartal", "Tagihan bulan ini"} & subjects
    assert any(not s.isascii() for s in subjects)
    assert any(b"=?utf-8?" in m.raw.lower() for m in mailbox.messages)  # encoded-word subjects
    senders = {p.header("From") for p in parsed}
    assert any(s and "Siti Rahayu" in s for s in senders)
    assert any(s and not s.isascii() for s in senders)
    texts = " ".join(p.text for p in parsed)
    assert "Halo tim" in texts and "Terima kasih" in texts
    assert re.search(r"[^\x00-\x7f]", texts)


def test_newsletters_have_tracking_pixels_and_unsubscribe(
        mailbox: SeededMailbox, parsed: list[ParsedMessage]) -> None:
    newsletters = [p for m, p in zip(mailbox.messages, parsed, strict=True)
                   if "CATEGORY_PROMOTIONS" in m.label_ids]
    assert newsletters
    for message in newsletters:
        assert re.search(r'<img src="https://tracker\.example/[^"]+"', _html(message))
        unsubscribe = message.header("List-Unsubscribe") or ""
        assert "<https://" in unsubscribe and "<mailto:" in unsubscribe
        assert message.header("List-Id")


def test_some_messages_carry_dangerous_html(parsed: list[ParsedMessage]) -> None:
    dangerous = [p for p in parsed if "<script" in _html(p)]
    assert dangerous
    for message in dangerous:
        html = _html(message)
        assert "onerror=" in html and 'href="javascript:' in html
        assert "document.cookie" not in html_to_text(html)


def test_search_sees_the_generated_mail(mailbox: SeededMailbox,
                                        parsed: list[ParsedMessage]) -> None:
    from fakegmail.search import SearchDocument, compile_query, normalize_label_name

    docs = [
        SearchDocument(
            headers={k.lower(): v for k, v in reversed(p.headers)}, body_text=p.text,
            labels=frozenset(normalize_label_name(label.removeprefix("user:"))
                             for label in m.label_ids),
            filenames=p.filenames, has_attachment=bool(p.attachments),
            internal_date=m.internal_date, size=p.size_estimate)
        for m, p in zip(mailbox.messages, parsed, strict=True)
    ]

    def count(q: str) -> int:
        query = compile_query(q, now=NOW, owner=OWNER[0])
        return sum(query.matches(d) for d in docs)

    assert 0 < count("label:team/jakarta rapat") < len(docs)
    assert count("has:attachment filename:pdf") == count("filename:pdf")
    assert count("from:me") == sum("SENT" in m.label_ids for m in mailbox.messages)
    assert count("newer_than:100d") == len(docs)
    assert count("older_than:100d") == 0


def test_demo_accounts_are_on_the_demo_domain() -> None:
    assert 2 <= len(DEMO_ACCOUNTS) <= 3
    for address, name in DEMO_ACCOUNTS:
        assert address.endswith("@qontak-demo.test") and name
    assert "ayu@qontak-demo.test" in {a for a, _ in DEMO_ACCOUNTS}


def test_owner_never_writes_to_a_contact_with_their_own_name() -> None:
    generated = generate_mailbox("siti@qontak-demo.test", "Siti Rahayu", 200, now=NOW)
    for seeded in generated.messages:
        message = parse_message(seeded.raw)
        assert "siti.rahayu@" not in " ".join(
            (message.from_address, *message.to_addresses, *message.cc_addresses))
