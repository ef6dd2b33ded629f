"""Deliver hostile mail and read what the web client serves for it, as a signed-in user."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from fakegmail.server import EmulatorServer
from tests.webclient.conftest import Mailbox, app_config, new_mailbox, sign_in
from tests.webclient.sanitize.corpus import HostileCase
from webclient import create_app
from webclient.sanitize import FRAME_SANDBOX

REMOTE = "https://images.remote.test"
REMOTE_HTTP = "http://images.remote.test"
#: What the sender legitimately wrote before the attack; the reader must still see it.
LEGITIMATE = "Yth. Ibu Sari, tagihan bulan Maret sebesar Rp 150.000 sudah terbit."
_TAG = re.compile(r"<[^>]*>")
_BODY = re.compile(r'<body class="mg-message">(.*)</body></html>\Z', re.DOTALL)


@dataclass(frozen=True, slots=True)
class Reader:
    """One signed-in web client and the mailbox it reads."""

    app: Flask
    web: FlaskClient
    mailbox: Mailbox


@contextmanager
def signed_in_reader(web_emulator: EmulatorServer, folder: Path) -> Iterator[Reader]:
    """Yield a web client on a fresh database, signed in to a fresh mailbox."""
    app = create_app(app_config(web_emulator, folder))
    mailbox = new_mailbox(web_emulator, messages=2)
    web = app.test_client()
    assert sign_in(web, web_emulator, mailbox.email).status_code == 302
    try:
        yield Reader(app=app, web=web, mailbox=mailbox)
    finally:
        app.extensions["mailguard.guard"].close()


def hostile_mail(case: HostileCase, *, to: str) -> bytes:
    """Return ``case`` as the HTML half of a multipart/alternative message."""
    message = EmailMessage()
    message["From"] = "Tagihan <billing@sender.test>"
    message["To"] = to
    message["Subject"] = f"Tagihan Maret ({case.name})"
    message["Message-ID"] = f"<{case.name}@sender.test>"
    message.set_content(LEGITIMATE)
    hostile = case.render(remote_origin=REMOTE, remote_http_origin=REMOTE_HTTP)
    message.add_alternative(f"<p>{LEGITIMATE}</p>{hostile}", subtype="html")
    return message.as_bytes()


def frame_body(answer: object) -> str:
    """Return the fragment the frame document shows inside its body."""
    text = answer.get_data(as_text=True)  # type: ignore[attr-defined]
    found = _BODY.search(text)
    assert found is not None, "the frame is not the document frame_document builds"
    head = text[: found.start()]
    assert head.index('http-equiv="Content-Security-Policy"') < head.index("<style>")
    return found.group(1)


def shown_text(fragment: str) -> str:
    """Return the text a reader sees in ``fragment``, without style blocks."""
    without_style = re.sub(r"<style>.*?</style>", "", fragment, flags=re.DOTALL)
    return " ".join(html.unescape(_TAG.sub(" ", without_style)).split())


def check_frame_headers(answer: object, *, allow_remote_images: bool) -> None:
    """The frame's own response forbids script, forms, base and framing by others."""
    headers = answer.headers  # type: ignore[attr-defined]
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "script-src 'none'", "object-src 'none'",
                      "frame-src 'none'", "base-uri 'none'", "form-action 'none'",
                      "connect-src 'none'", "font-src 'none'", "frame-ancestors 'self'",
                      f"sandbox {FRAME_SANDBOX}"):
        assert directive in csp
    images = re.search(r"img-src ([^;]*)", csp)
    assert images is not None
    assert images.group(1).split() == (["'self'", "https:"] if allow_remote_images
                                       else ["'self'"])
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
