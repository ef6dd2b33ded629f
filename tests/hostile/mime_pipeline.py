"""The path untrusted mail takes: emulator MIME parser → Gmail JSON → guard → sanitiser."""

from __future__ import annotations

import json
import re

from fakegmail.errors import GmailError
from fakegmail.mailbox import Mailbox
from fakegmail.rendered import message_json_bytes
from guard import mail_parsing
from webclient.sanitize import sanitize_email_html

# Active content means markup: an element, or an event handler or javascript: URL inside a
# tag. The same words as escaped text (``onerror=alert(1)&gt;``) are harmless.
_ACTIVE = re.compile(r"<\s*(script|iframe|object|embed|base|meta|form)\b|"
                     r"<[^>]*\son[a-z]+\s*=|<[^>]*javascript:", re.IGNORECASE)


class PipelineBroke(AssertionError):
    """The pipeline produced something unsafe (the fuzzer reports this input)."""


def run_pipeline(raw: bytes) -> None:
    """Push ``raw`` through the pipeline; raise ``PipelineBroke`` if the output is unsafe.

    Any other exception is a crash, which the fuzzer and the tests report too. Input the
    emulator refuses to store (as Gmail would: not a message at all) ends the run.
    """
    mailbox = Mailbox(email="fuzz@qontak-test.test", clock=lambda: 1_700_000_000.0)
    try:
        stored = mailbox.add_message(raw, label_ids=["INBOX"])
    except GmailError:
        return
    resource = json.loads(message_json_bytes(stored))
    message = mail_parsing.message(resource)
    if message.html_body is not None:
        safe = sanitize_email_html(message.html_body, allow_remote_images=False)
        if _ACTIVE.search(safe.html):
            raise PipelineBroke("active content survived the sanitiser")
