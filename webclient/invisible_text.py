"""Remove from a sender's text the characters a reader cannot see, before the reader sends it.

A reply quotes the message it answers and a forward carries it, in a textarea the writer
then sends under their own name. What arrives there should be the text the writer saw:

- C0 and C1 controls (NUL, BEL, ESC, CSI and the rest; tab and line feed stay) are
  removed, as the conversation page removes them (``guard.mail_headers.one_line``,
  ``webclient.sanitize``); the other line breaks (CR, VT, FF, NEL, U+2028, U+2029)
  become line feeds.
- Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) are kept only
  in pairs that open and close on one line; one left open would reorder the rest of the
  line, the writer's own words included, and one that closes nothing is invisible. The
  direction marks (U+200E, U+200F, U+061C) stay: they order nothing after their line and
  right-to-left text needs them.
- Invisible formatting that hides text or smuggles it past a reader is removed: zero-width
  space and word joiner, the invisible operators, the byte order mark, the Hangul and
  Mongolian fillers, the deprecated format controls, interlinear annotation, and tag
  characters outside an emoji flag. A zero-width joiner or non-joiner stays only alone
  between two visible characters (emoji sequences, Persian and Indic words need it), and
  a variation selector only alone after the character it selects.
"""

from __future__ import annotations

import re

#: Line breaks other than LF, as ``str.splitlines`` reads them.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: C0 controls but tab and LF, DEL, and C1 controls.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
#: Never seen, never needed in mail text.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u2060-\u2064"
    "\u206a-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\U0001d173-\U0001d17a]")
#: An emoji tag sequence (a subdivision flag): black flag, 2-6 tag letters or digits, end.
_FLAG = "\U0001f3f4(?:[\U000e0030-\U000e0039\U000e0061-\U000e007a]{2,6}\U000e007f)"
_TAGS = re.compile(f"({_FLAG})|[\U000e0000-\U000e007f]+")
_JOINERS = "\u200c\u200d"
_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_OPENERS = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c",
            "\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}
_CLOSERS = frozenset(_OPENERS.values())


def readable_text(text: str) -> str:
    """Return ``text`` without the characters a reader cannot see (see the module)."""
    text = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))
    text = _TAGS.sub(lambda m: m.group(1) or "", _INVISIBLE.sub("", text))
    return "\n".join(_balanced(_lone_marks(line)) for line in text.split("\n"))


def _lone_marks(line: str) -> str:
    """Keep joiners alone between visible characters, selectors alone after one."""
    kept: list[str] = []
    for i, ch in enumerate(line):
        before = kept[-1] if kept else ""
        if ch in _JOINERS:
            # an emoji's presentation selector may stand between it and the joiner
            base = next((c for c in reversed(kept) if not _SELECTORS.fullmatch(c)), "")
            after = line[i + 1] if i + 1 < len(line) else ""
            if not (_visible(base) and (before == base or _SELECTORS.fullmatch(before))
                    and _visible(after)):
                continue
        elif _SELECTORS.fullmatch(ch) and not _visible(before):
            continue
        kept.append(ch)
    return "".join(kept)


def _visible(ch: str) -> bool:
    return bool(ch) and not ch.isspace() and ch not in _JOINERS and not _SELECTORS.fullmatch(
        ch) and ch not in _OPENERS and ch not in _CLOSERS


def _balanced(line: str) -> str:
    """Return ``line`` with only the bidi controls that open and close in order on it.

    An isolate's closer also closes the embeddings opened inside it (UAX #9), which are
    then unbalanced and dropped.
    """
    if not any(ch in _OPENERS or ch in _CLOSERS for ch in line):
        return line
    keep = [True] * len(line)
    stack: list[int] = []
    for i, ch in enumerate(line):
        if ch in _OPENERS:
            stack.append(i)
        elif ch in _CLOSERS:
            match = next((n for n in range(len(stack) - 1, -1, -1)
                          if _OPENERS[line[stack[n]]] == ch), None)
            if ch == "\u202c" and match is not None and match != len(stack) - 1:
                match = None  # a PDF closes only the innermost embedding, never an isolate
            if match is None:
                keep[i] = False
                continue
            for opened in stack[match + 1:]:
                keep[opened] = False
            del stack[match:]
    for opened in stack:
        keep[opened] = False
    return "".join(ch for ch, kept in zip(line, keep, strict=True) if kept)
