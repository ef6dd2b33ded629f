"""Opaque page tokens and ``maxResults`` handling for Gmail's list methods."""

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


def paginate(items: Sequence[T], *, kind: str, token: str | None, size: int) -> Page[T]:
    """Return the page of ``items`` that ``token`` (None for the first) points at."""
    offset = 0 if not token else decode_token(kind, token)
    chunk = items[offset:offset + size]
    end = offset + len(chunk)
    return Page(chunk, encode_token(kind, end) if end < len(items) else None, len(items))


def encode_token(kind: str, offset: int) -> str:
    """Return an opaque token for ``offset`` in a list of ``kind``."""
    text = f"{offset}"
    mac = hmac.new(_KEY, f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()[:12]
    return base64.urlsafe_b64encode(f"{text}:{mac}".encode()).decode().rstrip("=")


def decode_token(kind: str, token: str) -> int:
    """Return the offset in ``token``; 400 when it was not issued for a list of ``kind``."""
    try:
        padded = token + "=" * (-len(token) % 4)
        text, mac = base64.urlsafe_b64decode(padded.encode()).decode().split(":", 1)
        expected = hmac.new(_KEY, f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()[:12]
        if hmac.compare_digest(mac, expected):
            return int(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise invalid_argument("Invalid pageToken: pass the nextPageToken of the previous page "
                           "of the same list, unchanged")


def list_body(items: Sequence[T], *, kind: str, args: Mapping[str, str],
              render: Callable[[T], Any]) -> dict[str, Any]:
    """Return a Gmail list answer: one page of ``items`` under ``kind``, token, estimate."""
    page = paginate(items, kind=kind, token=args.get("pageToken"),
                    size=page_size(args.get("maxResults")))
    out: dict[str, Any] = {}
    if page.items:
        out[kind] = [render(item) for item in page.items]
    if page.next_page_token:
        out["nextPageToken"] = page.next_page_token
    out["resultSizeEstimate"] = page.total
    return out
