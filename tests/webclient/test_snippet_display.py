"""The inbox shows a snippet's characters once escaped, never Gmail's entities."""

from __future__ import annotations

from tests.webclient.conftest import deliver


def test_a_snippet_with_quotes_and_ampersands_reads_as_written(signed_in, mailbox):
    deliver(mailbox, subject="Agenda", text="I'm bringing the Q&A notes <draft>")
    page = signed_in.get("/u/0/f/inbox").get_data(as_text=True)
    assert "I&#39;m bringing the Q&amp;A notes &lt;draft&gt;" in page
    assert "&amp;#39;" not in page and "&amp;amp;" not in page
