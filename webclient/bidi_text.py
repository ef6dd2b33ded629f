"""Neutralise the Unicode bidi controls a sender can hide in a name, subject or file name.

An explicit override or embedding (U+202A-U+202E), isolate (U+2066-U+2069) or direction
mark (U+200E, U+200F, U+061C) changes the order in which the text after it is drawn:
``invoice<U+202E>fdp.exe`` is drawn as ``invoiceexe.pdf``, and an override left open in a
display name draws the address after it backwards. Where a sender's text is shown as one
value whose order matters (a file name, a raw From header), each control is replaced by
``_``, as Chromium does in the names of downloads; where it is shown beside other values,
templates also isolate it (``<bdi>``) so nothing runs on into the next value.
"""

from __future__ import annotations

from flask import Flask

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                          "\u200e\u200f\u061c")
_TABLE = {ord(ch): "_" for ch in BIDI_CONTROLS}


def neutralise_bidi(text: str | None) -> str:
    """Return ``text`` with every bidi control replaced by ``_`` (None as "")."""
    return (text or "").translate(_TABLE)


def init_app(app: Flask) -> None:
    """Make ``neutralise_bidi`` the templates' ``no_bidi`` filter."""
    app.jinja_env.filters["no_bidi"] = neutralise_bidi
