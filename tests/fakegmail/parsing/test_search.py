"""compile_query: every operator matching and not matching, grammar, and errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fakegmail.search import QueryError, SearchDocument, compile_query, normalize_label_name

NOW = datetime(2024, 3, 31, 12, 0, tzinfo=UTC).timestamp()
SENT_AT = datetime(2024, 3, 15, 8, 30, tzinfo=UTC).timestamp()

DOC = SearchDocument(
    headers={
        "from": "Siti Rahayu <Siti.Rahayu@Nusantara-Logistik.test>",
        "to": "Ayu Lestari <ayu@qontak-demo.test>, budi@example.com",
        "cc": "Dewi <dewi@anggraini.test>",
        "bcc": "boss@example.com",
        "subject": "Rapat anggaran kuartal — Café résumé",
        "list-id": "Tim Jakarta <tim-jakarta.nusantara.test>",
        "delivered-to": "ayu@qontak-demo.test",
        "message-id": "<CAF123.456@mail.nusantara.test>",
    },
    body_text="Halo semua,\nTagihan INV-2024-0012 terlampir. Sampai jumpa hari Senin.",
    labels=frozenset({"inbox", "unread", "important", "category_personal", "label_7",
                      "team-jakarta", "invoices"}),
    filenames=("INV-2024-0012.pdf", "Rincian biaya.csv"),
    has_attachment=True,
    internal_date=SENT_AT,
    size=15_000,
)

BARE = SearchDocument(headers={"from": "promo@deals.example", "subject": "Promo"},
                      body_text="Diskon", labels=frozenset({"sent", "starred", "spam"}),
                      internal_date=NOW - 400 * 86400, size=900)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # free text: case-, accent-insensitive, word prefix
        ("rapat", True), ("RAPAT", True), ("rapa", True), ("apat", False), ("resume", True),
        ("cafe", True), ("tagihan", True), ("invoice", False), ("senin", True),
        ("siti", True), ("nusantara-logistik", True), ("rincian", True), ("xyzzy", False),
        # phrases: whole words in sequence
        ('"rapat anggaran"', True), ('"anggaran rapat"', False), ('"rapat angg"', False),
        ('"sampai jumpa hari senin"', True), ('"resume halo"', False),
        # address and header fields
        ("from:siti", True), ("from:siti.rahayu@nusantara-logistik.test", True),
        ("from:nusantara-logistik.test", True), ("from:ayu", False),
        ("to:ayu@qontak-demo.test", True), ("to:budi", True), ("to:siti", False),
        ("cc:dewi", True), ("cc:budi", False), ("bcc:boss", True), ("bcc:dewi", False),
        ("subject:anggaran", True), ("subject:tagihan", False),
        ('subject:"kuartal cafe"', True), ('subject:"cafe kuartal"', False),
        ("subject:(rapat OR promo)", True), ("subject:(promo OR diskon)", False),
        ("list:tim-jakarta.nusantara.test", True), ("list:deals", False),
        ("deliveredto:ayu@qontak-demo.test", True), ("deliveredto:budi", False),
        ("rfc822msgid:<CAF123.456@mail.nusantara.test>", True),
        ("rfc822msgid:caf123.456@mail.nusantara.test", True), ("rfc822msgid:CAF123", False),
        # labels and states
        ("label:team-jakarta", True), ("label:Team/Jakarta", True), ('label:"team jakarta"', True),
        ("label:invoices", True), ("label:travel", False), ("label:label_7", True),
        ("in:inbox", True), ("in:sent", False), ("in:anywhere", True), ("in:spam", False),
        ("in:trash", False), ("in:drafts", False), ("in:chats", False), ("in:starred", False),
        ("in:important", True), ("in:team/jakarta", True),
        ("is:unread", True), ("is:read", False), ("is:starred", False), ("is:important", True),
        ("is:snoozed", False), ("is:muted", False),
        ("category:primary", True), ("category:promotions", False),
        # attachments
        ("has:attachment", True), ("has:userlabels", True), ("has:nouserlabels", False),
        ("has:pdf", True), ("has:spreadsheet", True), ("has:presentation", False),
        ("filename:pdf", True), ("filename:csv", True), ("filename:docx", False),
        ("filename:INV-2024-0012.pdf", True), ("filename:rincian", True),
        ('filename:"rincian biaya.csv"', True), ("filename:laporan", False),
        # dates
        ("after:2024/03/15", True), ("after:2024/03/16", False), ("before:2024/03/16", True),
        ("before:2024/03/15", False), ("after:2024-03-01", True), ("before:03/01/2024", False),
        (f"after:{int(SENT_AT) - 1}", True), (f"before:{int(SENT_AT)}", False),
        ("newer:2024/03/01", True), ("older:2024/03/01", False),
        ("newer_than:30d", True), ("newer_than:10d", False), ("older_than:10d", True),
        ("older_than:1m", False), ("newer_than:1y", True), ("older_than:1y", False),
        # sizes
        ("larger:10K", True), ("larger:15000", False), ("smaller:1M", True),
        ("smaller:15000", False), ("size:14999", True), ("larger:1kb", True),
        # combinations
        ("rapat tagihan", True), ("rapat promo", False), ("rapat OR promo", True),
        ("promo OR diskon", False), ("promo | rapat", True), ("-rapat", False), ("-promo", True),
        ("rapat -promo", True), ("-(promo OR diskon)", True), ("-(promo OR rapat)", False),
        ("{promo rapat}", True), ("{promo diskon}", False), ("-{promo diskon}", True),
        ("from:siti (promo OR tagihan)", True), ("from:siti (promo OR diskon)", False),
        ("promo OR diskon rapat", False), ("rapat promo OR tagihan", True),
        ("--rapat", True), ("+rapat", True), ("rapat AND tagihan", True),
        ("", True), ("   ", True), ("()", True), ("notanoperator:rapat", False),
        ("AROUND", False),
    ],
)
def test_operator_table(query: str, expected: bool) -> None:
    assert compile_query(query, now=NOW).matches(DOC) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("in:sent", True), ("is:starred", True), ("in:spam", True), ("has:attachment", False),
        ("has:nouserlabels", True), ("filename:pdf", False), ("older_than:1y", True),
        ("from:me", True), ("to:me", False), ("smaller:1K", True), ("list:deals", False),
        ("cc:anyone", False), ("rfc822msgid:x", False), ("is:read", True),
    ],
)
def test_operator_table_on_a_bare_sent_document(query: str, expected: bool) -> None:
    assert compile_query(query, now=NOW).matches(BARE) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [("from:me", False), ("to:me", True), ("deliveredto:me", True), ("cc:me", False)],
)
def test_me_means_the_mailbox_owner(query: str, expected: bool) -> None:
    query_ = compile_query(query, now=NOW, owner="AYU@qontak-demo.test")
    assert query_.matches(DOC) is expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("(rapat", "never closed"),
        ("rapat)", "unexpected ')'"),
        ("{rapat", "never closed"),
        ("(rapat}", "unexpected '}'"),
        ("is:foo", "is:foo is not a state"),
        ("in:", "needs a value"),
        ("from: siti", "needs a value"),
        ("has:kittens", "has:kittens is not supported"),
        ("category:junk", "not a Gmail category"),
        ("after:yesterday", "after:yesterday is not a date"),
        ("before:2024/02/30", "not a date"),
        ("after:2024/13/01", "not a date"),
        ("older_than:3w", "not an age"),
        ("newer_than:d", "not an age"),
        ("larger:big", "not a size"),
        ("smaller:10T", "not a size"),
        ("from:\"\"", "empty value"),
        ("(" * 60 + "x" + ")" * 60, "more than 50 deep"),
    ],
)
def test_invalid_queries_say_what_is_wrong(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compile_query(query, now=NOW)


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ("in:spam", True), ("in:trash", True), ("in:anywhere", True), ("label:spam", True),
        ("label:TRASH", True), ("rapat OR in:trash", True), ("subject:(x) in:Spam", True),
        ("rapat", False), ("in:inbox", False), ("-in:trash", False), ("spam", False),
        ("-(-in:spam)", True), ("is:starred", False),
    ],
)
def test_mentions_spam_or_trash(query: str, mentions: bool) -> None:
    assert compile_query(query, now=NOW).mentions_spam_or_trash is mentions


@pytest.mark.parametrize(
    ("name", "token"),
    [("Invoices", "invoices"), ("Team/Jakarta", "team-jakarta"),
     ("My Clients 2024", "my-clients-2024"), ("  Travel  ", "travel"),
     ("A / B", "a-b"), ("Ünïcode", "ünïcode")],
)
def test_normalize_label_name(name: str, token: str) -> None:
    assert normalize_label_name(name) == token


def test_query_keeps_its_text_and_is_reusable() -> None:
    query = compile_query("from:siti has:attachment", now=NOW)
    assert query.text == "from:siti has:attachment"
    assert [query.matches(d) for d in (DOC, BARE, DOC)] == [True, False, True]


def test_documents_without_optional_headers_match_nothing_in_them() -> None:
    doc = SearchDocument(headers={}, body_text="", labels=frozenset())
    for query in ("from:a", "subject:x", "list:y", "filename:pdf", "has:attachment", "a"):
        assert compile_query(query, now=NOW).matches(doc) is False
    assert compile_query("-from:a", now=NOW).matches(doc) is True


def test_matching_ten_thousand_documents_is_fast() -> None:
    docs = [
        SearchDocument(headers={"from": f"user{i}@example.com", "subject": f"Laporan {i}"},
                       body_text=f"isi laporan nomor {i} " * 50, labels=frozenset({"inbox"}),
                       internal_date=NOW - i * 60, size=2000 + i)
        for i in range(10_000)
    ]
    query = compile_query("(laporan OR tagihan) from:user1 -is:unread newer_than:7d", now=NOW)
    matched = [d for d in docs if query.matches(d)]
    assert len(matched) == 1111  # user1, user10..19, user100..199, user1000..1999 (≤ 7 days)
    again = compile_query('"nomor 42"', now=NOW)
    assert sum(again.matches(d) for d in docs) == 1
