"""Snippets: Gmail hands them out HTML-escaped; the guard hands them on as plain text."""

from __future__ import annotations

from guard.mail_parsing import message, thread_summary

ESCAPED = "I&#39;m at &lt;Kantor&gt; &amp; &quot;Rapat&quot;"
TEXT = "I'm at <Kantor> & \"Rapat\""


def test_a_message_snippet_is_unescaped():
    read = message({"id": "m1", "threadId": "t1", "snippet": ESCAPED,
                    "payload": {"mimeType": "text/plain", "headers": [], "body": {"size": 0}}})
    assert read.snippet == TEXT


def test_a_conversation_snippet_is_unescaped():
    summary = thread_summary({"id": "t1", "messages": [
        {"id": "m1", "threadId": "t1", "snippet": ESCAPED, "labelIds": ["INBOX"],
         "internalDate": "1700000000000",
         "payload": {"headers": [{"name": "From", "value": "a@example.com"},
                                 {"name": "Subject", "value": "Hi"}]}}]})
    assert summary.snippet == TEXT


def test_a_missing_or_odd_snippet_is_empty_text():
    for value in (None, 7, ["x"]):
        read = message({"id": "m1", "threadId": "t1", "snippet": value,
                        "payload": {"mimeType": "text/plain", "headers": [],
                                    "body": {"size": 0}}})
        assert read.snippet == ""
