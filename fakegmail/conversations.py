"""Gmail's conversation rule: which subjects count as the same conversation."""

from __future__ import annotations

import re

_PREFIX = re.compile(r"^\s*(?:re|fwd?|aw|balas)\s*(?:\[\d+\])?\s*:\s*", re.IGNORECASE)
_WS = re.compile(r"\s+")


def thread_subject(subject: str) -> str:
    """Return ``subject`` without reply/forward prefixes, whitespace-collapsed and casefolded.

    Two messages can share a thread only when their thread subjects are equal.
    """
    previous = None
    while previous != subject:
        previous = subject
        subject = _PREFIX.sub("", subject, count=1)
    return _WS.sub(" ", subject).strip().casefold()
