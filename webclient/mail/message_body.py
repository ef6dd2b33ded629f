"""Join a message's body sections, each attached message under its headers, for the reader.

The guard gives an attached message's headers as values (``ForwardedHeaders``); they are
named here, in the reader's language. In the message frame each section is sanitised on
its own, so markup a part leaves open cannot take in the heading after it, and the heading
is MailGuard's own element (``mg-forwarded-header``): the sanitiser keeps ``mg-`` classes
and selectors out of mail, and frame.css shields the heading from the mail's stylesheets,
an attached message's own ``<style>`` included.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from markupsafe import escape

from guard.mail_bodies import joined_html, joined_text, section_as_html
from guard.mail_values import BodySection, ForwardedHeaders, Message
from webclient.bidi_text import neutralise_bidi
from webclient.sanitize import ENGLISH, FrameWords, SanitizedHtml, sanitize_email_html

#: Opens the blockquote an attached message's text is shown in, in the frame.
QUOTE = '<blockquote class="mg-forwarded">'


def sections(message: Message) -> tuple[BodySection, ...]:
    """Return the sections of ``message``; a value built without any is one section."""
    if message.sections:
        return message.sections
    if message.text_body is None and message.html_body is None:
        return ()
    return (BodySection(text=message.text_body, html=message.html_body),)


def heading_lines(headers: ForwardedHeaders) -> list[str]:
    """Return the lines shown above an attached message, in the reader's language.

    Addresses have their bidi controls made visible, as the conversation page shows a
    raw From, so an override in a name cannot reverse the address after it.
    """
    lines = [_("---------- Forwarded message ---------")]
    if headers.from_:
        lines.append(_("From: %(who)s", who=neutralise_bidi(headers.from_)))
    when = (headers.date.strftime("%Y-%m-%d %H:%M %z") if headers.date
            else headers.date_written)
    if when:
        lines.append(_("Date: %(when)s", when=when))
    if headers.subject:
        lines.append(_("Subject: %(subject)s", subject=headers.subject))
    if headers.to:
        lines.append(_("To: %(who)s", who=neutralise_bidi(", ".join(headers.to))))
    return lines


def heading_text(headers: ForwardedHeaders) -> str:
    """Return the heading of an attached message as plain text, a line per header."""
    return "\n".join(heading_lines(headers))


def heading_html(headers: ForwardedHeaders) -> str:
    """Return the heading of an attached message as the frame's shielded element."""
    lines = "".join(f"<div>{escape(line)}</div>" for line in heading_lines(headers))
    return f'<div class="mg-forwarded-header">{lines}</div>'


def plain_text(message: Message, *,
               html_as_text: Callable[[str], str] | None = None,
               html_first: bool = False) -> str | None:
    """Return the text of ``message`` with its attached messages' headings, or None.

    :param html_as_text: turns the HTML of a section without plain text into text;
        without it such a section is left out, as in the plain rendition.
    :param html_first: turn every section's HTML into text (``html_as_text``), its plain
        version only where it has no HTML: the text of what a frame showing the HTML
        rendition shows, where a section's plain and HTML versions may differ.
    """
    found = sections(message)
    if html_as_text is not None:
        found = tuple(_with_text(section, html_as_text, html_first=html_first)
                      for section in found)
    return joined_text(found, heading=heading_text)


def _with_text(section: BodySection, html_as_text: Callable[[str], str], *,
               html_first: bool) -> BodySection:
    if section.html is None or ((section.text or "").strip() and not html_first):
        return section
    return BodySection(text=html_as_text(section.html), html=section.html,
                       depth=section.depth, forwarded=section.forwarded)


def sanitized_html(message: Message, *, allow_remote_images: bool,
                   cid_url: Callable[[str], str] | None = None,
                   words: FrameWords = ENGLISH) -> SanitizedHtml | None:
    """Return the frame's fragment for ``message``, or None when no section is HTML."""
    cleaned: list[SanitizedHtml] = []

    def content(section: BodySection) -> str:
        part = sanitize_email_html(section_as_html(section),
                                   allow_remote_images=allow_remote_images,
                                   cid_url=cid_url, words=words)
        cleaned.append(part)
        return part.html

    joined = joined_html(sections(message), content=content, heading=heading_html,
                         quote=QUOTE)
    if joined is None:
        return None
    return SanitizedHtml(
        html=joined, blocked_remote_images=sum(p.blocked_remote_images for p in cleaned),
        links=tuple(link for p in cleaned for link in p.links),
        removed=tuple(sorted({r for p in cleaned for r in p.removed})),
        truncated=any(p.truncated for p in cleaned))
