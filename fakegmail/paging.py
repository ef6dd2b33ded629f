"""Opaque page tokens and ``maxResults`` handling for Gmail's list methods.

A token remembers where the previous page ended by the id of its last item, as a cursor,
so mail that arrives (or goes) between two pages neither repeats an item on the next page
nor skips one; its offset is only the fallback for when that last item is gone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fakegmail.errors import invalid_argument

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500

_KEY = secrets.token_bytes(16)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list answer."""

    items: Sequence[T]
    next_page_token: str | None
    total: int


def page_size(value: str | None, *, maximum: int = MAX_PAGE_SIZE) -> int:
    """Return the page size for a ``maxResults`` argument (Gmail caps it, never fails)."""
    if value is None or value == "":
        return min(DEFAULT_PAGE_SIZE, maximum)
    try:
        size = int(value)
    except ValueError:
        raise invalid_argument(f"Invalid value for maxResults: use an integer up to {maximum}"
                               ) from None
    if size < 0:
        raise invalid_argument("Invalid value for maxResults: it must not be negative")
    return min(size or DEFAULT_PAGE_SIZE, maximum)


def paginate(items: Sequence[T], *, kind: str, token: str | None, size: int,
             key: Callable[[T], str]) -> Page[T]:
    """Return the page of ``items`` that ``token`` (None for the first) points at.

    ``key`` gives an item's id; the next page starts after the item with the id the token
    remembers, wherever that item now is in ``items``.
    """
    offset = 0
    if token:
        offset, after = decode_token(kind, token)
        offset = _resume_at(items, offset, after, key)
    chunk = items[offset:offset + size]
    end = offset + len(chunk)
    more = end < len(items)
    return Page(chunk, encode_token(kind, end, key(chunk[-1])) if more and chunk else None,
                len(items))


def _resume_at(items: Sequence[T], offset: int, after: str, key: Callable[[T], str]) -> int:
    if 0 < offset <= len(items) and key(items[offset - 1]) == after:
        return offset
    for index, item in enumerate(items):
        if key(item) == after:
            return index + 1
    return min(offset, len(items))


def encode_token(kind: str, offset: int, after: str = "") -> str:
    """Return an opaque token for the page after item ``after`` (at ``offset``) of ``kind``."""
    text = f"{offset}:{after}"
    mac = hmac.new(_KEY, f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()[:12]
    return base64.urlsafe_b64encode(f"{text}:{mac}".encode()).decode().rstrip("=")


def decode_token(kind: str, token: str) -> tuple[int, str]:
    """Return the offset and last item id in ``token``; 400 when not issued for ``kind``."""
    try:
        padded = token + "=" * (-len(token) % 4)
        text, mac = base64.urlsafe_b64decode(padded.encode()).decode().rsplit(":", 1)
        expected = hmac.new(_KEY, f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()[:12]
        if hmac.compare_digest(mac, expected):
            offset, after = text.split(":", 1)
            return int(offset), after
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise invalid_argument("Invalid pageToken")  # Gmail's words


def list_body(items: Sequence[T], *, kind: str, args: Mapping[str, str],
              render: Callable[[T], Any], key: Callable[[T], str]) -> dict[str, Any]:
    """Return a Gmail list answer: one page of ``items`` under ``kind``, token, estimate."""
    page = paginate(items, kind=kind, token=args.get("pageToken"),
                    size=page_size(args.get("maxResults")), key=key)
    out: dict[str, Any] = {}
    if page.items:
        out[kind] = [render(item) for item in page.items]
    if page.next_page_token:
        out["nextPageToken"] = page.next_page_token
    out["resultSizeEstimate"] = page.total
    return out
