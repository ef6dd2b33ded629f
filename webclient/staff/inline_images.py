"""Signed URLs for the inline images of a message a staff member is shown under a grant.

The console's message frame is sandboxed with an opaque origin, so its image requests
may come without the staff cookie (``SameSite=Lax``), as the owner's do without theirs
(``webclient.mail.message_view.inline_url``). Each URL is signed with the app's secret
key under its own salt and binds the staff session (address, role, sign-in, session id),
the grant, the message and the part; it expires with the owner's inline URLs. It lets
nobody past the guard: the route serving it finds the session live (sign-out or removal
ends it), then asks the access broker, which decides the view of that message's part
under that grant and records it, before Gmail is reached.

Only a security or legal grant shows inline images. A user's consent does not: the owner
agreed that support may see the sender, recipients, date, subject and text of the message
and its attachments' names "but not their contents", so a consented frame leaves images
out, as it always did; an HTML body that shows nothing else gives way to its text version,
or to a note that its content is images the consent does not cover
(``viewing_views.frame_response``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from guard.mail_values import Message
from webclient.mail.message_view import INLINE_MAX_AGE, cid_part
from webclient.staff.staff_session import StaffSession, resume, session_fields

SALT = "mailguard.staff-inline-part"


@dataclass(frozen=True, slots=True)
class InlinePart:
    """What a valid URL names: the live session, the grant, the message and its part."""

    session: StaffSession
    grant_id: str
    message_id: str
    attachment_id: str
    part_id: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=SALT)


def inline_url(session: StaffSession, grant_id: str, message: Message,
               content_id: str) -> str:
    """Return the URL of ``message``'s inline (``cid:``) image for ``session`` under grant
    ``grant_id``, or ``about:blank`` when the message has no such part."""
    part = cid_part(message, content_id)
    if part is None:
        return "about:blank"
    token = _serializer().dumps([*session_fields(session), grant_id, message.id,
                                 part.attachment_id, part.part_id])
    return url_for("staff.inline_part", token=token)


def read_inline_url(token: str) -> InlinePart | None:
    """Return what ``token`` names while it is valid and its session live, else None."""
    try:
        value: Any = _serializer().loads(token, max_age=INLINE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(value, list) or len(value) != 8:
        return None
    email, role, at, sid, grant_id, message_id, attachment_id, part_id = value
    if not (all(isinstance(v, str) for v in (email, role, sid, grant_id, message_id,
                                             attachment_id, part_id))
            and isinstance(at, (int, float))):
        return None
    session = resume(email, role, float(at), sid)
    if session is None:
        return None
    return InlinePart(session=session, grant_id=grant_id, message_id=message_id,
                      attachment_id=attachment_id, part_id=part_id)
