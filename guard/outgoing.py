"""Build outgoing messages as RFC 5322 bytes, and the multipart upload body that carries them.

Header injection is refused, not repaired: a CR or LF (or any other control character)
in any header value, address, attachment name or type raises ``InvalidMessage``. The
guard gives every message its own Message-ID, so a send whose answer was lost can be
found in Sent instead of being sent twice.
"""

from __future__ import annotations

import email.policy
import email.utils
import json
import secrets
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

import idna

from guard.errors import InvalidMessage
from guard.mail_headers import parse_address
from guard.mail_values import OutgoingMessage

#: Gmail's limit on a message sent through the upload endpoint (35 MiB).
MAX_MESSAGE_BYTES = 36_700_160

#: The longest attachment name written (most file systems store at most 255 characters).
MAX_FILENAME_CHARS = 255
#: Declared types that are containers, never a single file's type.
_CONTAINER_TYPES = ("multipart", "message")

_POLICY = email.policy.SMTP.clone(max_line_length=998, raise_on_defect=True)


@dataclass(frozen=True, slots=True)
class BuiltMessage:
    """An outgoing message as bytes, with the Message-ID it was given."""

    raw: bytes
    message_id: str


def _clean(field: str, value: str) -> str:
    if not isinstance(value, str):
        raise InvalidMessage(f"{field} must be text")
    for ch in value:
        if ch in "\r\n\x85\u2028\u2029" or (ord(ch) < 32 and ch != "\t") or 127 <= ord(ch) < 160:
            raise InvalidMessage(f"{field} contains a line break or control character; header "
                                 "values must be a single line")
    return value


def safe_filename(name: str) -> str:
    """Return the attachment name a recipient's system can store safely.

    Only the base name is kept (no ``/`` or ``\\`` path), bidirectional and other
    invisible format characters are removed (U+202E before ``fdp.exe`` makes ``invoice`` +
    ``fdp.exe`` read as ``invoiceexe.pdf``), a name of dots only is dropped, and a name over
    255 characters is cut keeping its extension. An empty result is left for the caller
    to refuse.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf"))
    base = base.strip()
    if set(base) <= {"."}:
        base = ""
    if len(base) > MAX_FILENAME_CHARS:
        stem, dot, extension = base.rpartition(".")
        if dot and stem and len(extension) <= 16:
            base = stem[:MAX_FILENAME_CHARS - len(extension) - 1] + "." + extension
        else:
            base = base[:MAX_FILENAME_CHARS]
    return base


def _ascii_domain(field: str, domain: str) -> str:
    """Return ``domain`` as ASCII, an internationalised one in punycode (IDNA 2008, UTS 46).

    Written as text, a non-ASCII domain would become an RFC 2047 encoded word, which no
    server can deliver to.
    """
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        pass
    # Raised outside the handler: the IDNA error quotes the domain, and a traceback would
    # print it as this error's cause.
    raise InvalidMessage(f"{field} has an internationalised domain that is not a valid "
                         "domain name (IDNA); check the part after the @")


def _addresses(field: str, values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        text = _clean(field, value).strip()
        if not text:
            continue
        name, addr = parse_address(text)
        if "@" not in addr or addr.startswith("@") or addr.endswith("@") or " " in addr:
            raise InvalidMessage(f"{field} has an entry that is not an email address; use "
                                 "'Name <name@example.com>' or 'name@example.com'")
        local, _, domain = addr.rpartition("@")
        if not local.isascii():
            raise InvalidMessage(f"{field} has an address with non-ASCII characters before "
                                 "the @; such addresses need SMTPUTF8, which this sender "
                                 "does not use: ask the recipient for an ASCII address")
        ascii_domain = _ascii_domain(field, domain)
        try:
            out.append(str(Address(display_name=name, username=local, domain=ascii_domain)))
            continue
        except (ValueError, IndexError):
            pass
        # Outside the handler, so the address the library quotes is no part of the chain.
        raise InvalidMessage(f"{field} has an address that cannot be written into a header")
    return out


def _message_id(sender: str) -> str:
    domain = parse_address(sender)[1].rpartition("@")[2] or "mailguard.local"
    return f"<{uuid.uuid4().hex}.{secrets.token_hex(4)}@{domain}>"


def build_message(outgoing: OutgoingMessage, *, message_id: str | None = None,
                  draft: bool = False) -> BuiltMessage:
    """Return ``outgoing`` as RFC 5322 bytes; raise ``InvalidMessage`` on anything unsafe.

    A message to be sent needs at least one to, cc or bcc address; a ``draft`` may have
    none yet, as in Gmail, where a draft is saved before its recipients are typed.
    """
    sender = _addresses("from", [outgoing.from_])
    if len(sender) != 1:
        raise InvalidMessage("from must be exactly one address")
    to = _addresses("to", outgoing.to)
    cc = _addresses("cc", outgoing.cc)
    bcc = _addresses("bcc", outgoing.bcc)
    if not (to or cc or bcc or draft):
        raise InvalidMessage("the message has no recipient; add at least one to, cc or bcc "
                             "address before sending it (a draft may be saved without one)")
    subject = _clean("subject", outgoing.subject)
    mid = _clean("message_id", message_id or _message_id(sender[0]))
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = sender[0]
    if to:
        msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    if bcc:
        msg["Bcc"] = ", ".join(bcc)
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = mid
    if outgoing.in_reply_to:
        msg["In-Reply-To"] = _clean("in_reply_to", outgoing.in_reply_to).strip()
    refs = [_clean("references", r).strip() for r in outgoing.references if r.strip()]
    if refs:
        msg["References"] = " ".join(refs)
    msg["MIME-Version"] = "1.0"
    msg.set_content(outgoing.text_body or "", subtype="plain", charset="utf-8")
    if outgoing.html_body is not None:
        msg.add_alternative(outgoing.html_body, subtype="html", charset="utf-8")
    for index, attachment in enumerate(outgoing.attachments):
        filename = safe_filename(_clean(f"attachments[{index}].filename", attachment.filename))
        mime = _clean(f"attachments[{index}].mime_type", attachment.mime_type).strip().lower()
        maintype, slash, subtype = mime.partition("/")
        if not slash or not maintype or not subtype or " " in mime:
            raise InvalidMessage(f"attachments[{index}].mime_type must look like type/subtype, "
                                 "e.g. application/pdf")
        if maintype in _CONTAINER_TYPES:
            # A file is a leaf: declared as a container it would be written without a
            # boundary (or as a nested message), breaking the message around it.
            maintype, subtype = "application", "octet-stream"
        if not filename:
            raise InvalidMessage(f"attachments[{index}].filename is empty; give the file a name")
        msg.add_attachment(bytes(attachment.data), maintype=maintype, subtype=subtype,
                           filename=filename)
    raw = b""
    try:
        raw = msg.as_bytes(policy=_POLICY)
    except (ValueError, TypeError):
        pass
    if not raw:
        # Raised outside the handler: the library's error quotes the header it failed on.
        raise InvalidMessage("the message cannot be written as RFC 5322; check its headers")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise InvalidMessage(f"the message is {len(raw):,} bytes once encoded; Gmail accepts at "
                             f"most {MAX_MESSAGE_BYTES:,} bytes (35 MiB): remove or shrink "
                             "attachments")
    return BuiltMessage(raw=raw, message_id=mid)


def multipart_related(metadata: Mapping[str, Any], raw: bytes) -> tuple[bytes, str]:
    """Return ``(body, content type)`` of a multipart upload: JSON metadata + the message."""
    boundary = "===============" + secrets.token_hex(16) + "=="
    head = (f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
            f"{json.dumps(dict(metadata))}\r\n"
            f"--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode("ascii")
    return head + raw + tail, f'multipart/related; boundary="{boundary}"'
